"""Store provider events once, and keep track of handing them to Temporal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from core.timeutil import utcnow
from domain.inbox.models import InboxStatus, WebhookEvent


def accept(
    session: Session,
    *,
    provider: str,
    event_key: str,
    event_type: str,
    body: str,
    headers: dict[str, Any],
) -> tuple[WebhookEvent, bool]:
    """Stores the event; a second delivery of the same key returns the stored one and False."""
    event = WebhookEvent(
        provider=provider, event_key=event_key, event_type=event_type, body=body, headers=headers
    )
    try:
        with session.begin_nested():
            session.add(event)
            session.flush()
    except IntegrityError:
        existing = session.exec(
            select(WebhookEvent).where(
                WebhookEvent.provider == provider, WebhookEvent.event_key == event_key
            )
        ).one()
        existing.duplicate_deliveries += 1
        session.add(existing)
        return existing, False
    return event, True


def pending(session: Session, limit: int = 100) -> list[WebhookEvent]:
    return list(
        session.exec(
            select(WebhookEvent)
            .where(WebhookEvent.status == InboxStatus.PENDING)
            .order_by(col(WebhookEvent.id))
            .limit(limit)
        ).all()
    )


def count_pending(session: Session) -> int:
    return int(
        session.exec(select(func.count()).where(WebhookEvent.status == InboxStatus.PENDING)).one()
    )


def mark_forwarded(session: Session, event_id: int, workflow_id: str | None) -> None:
    event = session.get(WebhookEvent, event_id)
    if event is None or event.status != InboxStatus.PENDING:
        return
    event.status = InboxStatus.FORWARDED if workflow_id else InboxStatus.IGNORED
    event.workflow_id = workflow_id
    event.forwarded_at = utcnow()
    event.attempts += 1
    session.add(event)


def mark_attempt_failed(session: Session, event_id: int, error: str) -> None:
    event = session.get(WebhookEvent, event_id)
    if event is None:
        return
    event.attempts += 1
    event.last_error = error[:1000]
    session.add(event)


#: Teppan's own events: the inbox doubles as an outbox, so a workflow starts only after the
#: change that needs it has committed, and still starts if Temporal was down at the time.
INTERNAL_PROVIDER = "teppan"


def enqueue_internal(
    session: Session, *, kind: str, event_key: str, payload: dict[str, Any]
) -> WebhookEvent:
    """Queues `{"kind": kind, **payload}` once per key, in the caller's transaction."""
    event, _ = accept(
        session,
        provider=INTERNAL_PROVIDER,
        event_key=event_key,
        event_type=kind,
        body=json.dumps({"kind": kind, **payload}),
        headers={},
    )
    return event


def enqueue_internal_many(
    session: Session, *, kind: str, events: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """`enqueue_internal` for many (event_key, payload) pairs in one flush, for keys that are
    new by construction (a row just inserted); should one exist after all, each is queued on
    its own instead, which keeps its once-per-key promise."""
    if not events:
        return
    try:
        with session.begin_nested():
            session.execute(
                insert(WebhookEvent),
                [
                    {
                        "provider": INTERNAL_PROVIDER,
                        "event_key": event_key,
                        "event_type": kind,
                        "body": json.dumps({"kind": kind, **payload}),
                        "headers": {},
                    }
                    for event_key, payload in events
                ],
            )
    except IntegrityError:
        for event_key, payload in events:
            enqueue_internal(session, kind=kind, event_key=event_key, payload=payload)
