"""Record who changed what. Services call this in the same transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session, SQLModel, col, or_, select

from core.pagination import Page, paginate
from domain.audit.models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """`user:<id>`, `api_key:<id>`, `workflow:<workflow id>` or `system`, plus a name a person
    can read."""

    key: str
    name: str

    @classmethod
    def user(cls, user_id: int, name: str) -> Actor:
        return cls(key=f"user:{user_id}", name=name)

    @classmethod
    def api_key(cls, key_id: int, key_name: str) -> Actor:
        """A machine client calling /api/v1 with one of the API keys."""
        return cls(key=f"api_key:{key_id}", name=f"API key {key_name}")

    @classmethod
    def workflow(cls, workflow_id: str) -> Actor:
        return cls(key=f"workflow:{workflow_id}", name=workflow_id)


SYSTEM = Actor(key="system", name="system")


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(row: SQLModel, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {key: _plain(value) for key, value in row.model_dump().items() if key not in exclude}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int | str | None,
    changes: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEntry:
    entry = AuditEntry(
        actor=actor.key,
        actor_name=actor.name,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        changes=changes or {},
        summary=summary[:500],
    )
    session.add(entry)
    return entry


def search(
    session: Session,
    *,
    text: str = "",
    entity_type: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[AuditEntry]:
    query = select(AuditEntry).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if text:
        pattern = f"%{text}%"
        query = query.where(
            or_(
                col(AuditEntry.summary).ilike(pattern),
                col(AuditEntry.actor_name).ilike(pattern),
                col(AuditEntry.action).ilike(pattern),
            )
        )
    return paginate(session, query, page, per_page)
