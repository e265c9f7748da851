"""The business's own settings row."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from core.errors import NotFoundError
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.business.models import BusinessSettings


def get_settings(session: Session) -> BusinessSettings:
    settings = session.get(BusinessSettings, 1)
    if settings is None:
        raise NotFoundError(
            "the business is not set up yet: run `teppan db seed` or the setup page"
        )
    return settings


def update_settings(
    session: Session, changes: dict[str, Any], actor: Actor, summary: str = ""
) -> dict[str, list[Any]]:
    """Applies already-validated values; returns what changed (nothing changed: no audit)."""
    row = get_settings(session)
    before = audit.snapshot(row)
    for column, value in changes.items():
        setattr(row, column, value)
    delta = audit.diff(before, audit.snapshot(row))
    if delta:
        session.add(row)
        audit.record(
            session,
            actor,
            "business.update",
            "business",
            row.id,
            delta,
            summary or f"Changed {', '.join(sorted(delta))}",
        )
    return delta
