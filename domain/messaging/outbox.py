"""Announcing messages to their workflows through the inbox, in the caller's transaction: a
staff reply starts its sending workflow only once the reply has committed, and still starts if
Temporal was down at the time."""

from __future__ import annotations

from sqlmodel import Session

from domain.inbox import service as inbox
from domain.messaging.models import Message

STAFF_MESSAGE_QUEUED = "message.staff_queued"


def staff_message_queued(session: Session, message: Message) -> int:
    event = inbox.enqueue_internal(
        session,
        kind=STAFF_MESSAGE_QUEUED,
        event_key=f"staff-message-{message.id}",
        payload={"message_id": message.id},
    )
    return event.id or 0
