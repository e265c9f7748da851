"""Make, list, revoke and check API keys; every change lands in the audit log.

The whole key is returned once by `create` and never stored: only its SHA-256 is. A key is
found by its public prefix and then compared in constant time.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, or_, select

from core.errors import ConflictError, NotFoundError, ValidationFailed
from core.timeutil import utcnow
from domain.api_keys.models import ApiKey
from domain.api_keys.rules import (
    KEY_START,
    TOUCH_INTERVAL,
    InvalidScope,
    due_for_touch,
    hash_key,
    key_matches,
    parse_scopes,
    prefix_of,
    refusal,
)
from domain.audit import service as audit
from domain.audit.service import Actor

NAME_LENGTH = 100


@dataclass(frozen=True)
class NewKey:
    api_key: ApiKey
    key: str  # the whole key: show it once, it is not stored


class KeyRejected(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def get(session: Session, key_id: int) -> ApiKey:
    found = session.get(ApiKey, key_id)
    if found is None:
        raise NotFoundError(f"API key {key_id} not found")
    return found


def all_keys(session: Session) -> list[ApiKey]:
    """Keys in use first (newest first), then the revoked ones."""
    rows = session.exec(select(ApiKey).order_by(col(ApiKey.created_at).desc())).all()
    return sorted(rows, key=lambda row: row.revoked_at is not None)


def _new_key_text(session: Session) -> str:
    for _ in range(5):  # 32 bits of prefix: a clash is rare, but the prefix must be unique
        key = f"{KEY_START}{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"
        if session.exec(select(ApiKey.id).where(ApiKey.prefix == prefix_of(key))).first() is None:
            return key
    raise ConflictError("could not draw an unused key prefix; try again")


def create(
    session: Session,
    *,
    name: str,
    scopes: Iterable[str],
    actor: Actor,
    created_by_user_id: int | None = None,
    expires_at: datetime | None = None,
) -> NewKey:
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed("give the key a name that says who uses it")
    if len(name) > NAME_LENGTH:
        raise ValidationFailed(f"a key's name has at most {NAME_LENGTH} characters")
    try:
        granted = parse_scopes(scopes)
    except InvalidScope as error:
        raise ValidationFailed(str(error)) from error
    now = utcnow()
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed("the expiry must be in the future")
    in_use = select(ApiKey.id).where(ApiKey.name == name, col(ApiKey.revoked_at).is_(None))
    if session.exec(in_use).first() is not None:
        # The audit log names a key's changes by its name: two live keys must not share one.
        raise ConflictError(f"a key named {name!r} is in use: pick another name or revoke it")
    key = _new_key_text(session)
    row = ApiKey(
        name=name,
        prefix=prefix_of(key) or "",
        secret_hash=hash_key(key),
        scopes=[scope.value for scope in granted],
        created_by_user_id=created_by_user_id,
        created_by=actor.name,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "api_key.create",
        "api_key",
        row.id,
        {
            "name": row.name,
            "prefix": row.prefix,
            "scopes": row.scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
        f"Created API key {row.name} ({row.prefix}) with {', '.join(row.scopes)}",
    )
    return NewKey(row, key)


def revoke(session: Session, key_id: int, actor: Actor) -> ApiKey:
    row = get(session, key_id)
    if row.revoked_at is not None:
        raise ConflictError(f"API key {row.name} is revoked already")
    row.revoked_at = utcnow()
    row.revoked_by = actor.name
    session.add(row)
    audit.record(
        session,
        actor,
        "api_key.revoke",
        "api_key",
        row.id,
        {"revoked_at": [None, row.revoked_at.isoformat()]},
        f"Revoked API key {row.name} ({row.prefix})",
    )
    return row


def authenticate(session: Session, key: str, now: datetime | None = None) -> ApiKey:
    """The key's row, if it exists, matches and may be used; KeyRejected says why not."""
    prefix = prefix_of(key.strip())
    if prefix is None:
        raise KeyRejected(f"not a Teppan API key (they look like {KEY_START}…)")
    row = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if row is None or not key_matches(row.secret_hash, key.strip()):
        raise KeyRejected("unknown API key")
    problem = refusal(row.revoked_at, row.expires_at, now or utcnow())
    if problem:
        raise KeyRejected(problem)
    return row


def record_use(session: Session, row: ApiKey, now: datetime | None = None) -> bool:
    """Sets last_used_at, at most once per TOUCH_INTERVAL; True when it wrote. The condition
    is in the UPDATE too, so simultaneous calls with one key write it once."""
    now = now or utcnow()
    if not due_for_touch(row.last_used_at, now):
        return False
    touched = session.execute(
        update(ApiKey)
        .where(
            col(ApiKey.id) == row.id,
            or_(
                col(ApiKey.last_used_at).is_(None),
                col(ApiKey.last_used_at) <= now - TOUCH_INTERVAL,
            ),
        )
        .values(last_used_at=now)
    )
    return bool(touched.rowcount)  # type: ignore[attr-defined]
