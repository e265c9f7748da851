"""Plain payloads of StaffMessageWorkflow (a person's reply from the inbox), never ORM rows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.customers.models import Channel


class StaffMessageInput(BaseModel):
    message_id: int


class StaffMessagePlan(BaseModel):
    """The stored reply, as the workflow needs it to wait and send."""

    message_id: int
    conversation_id: int
    channel: Channel
    status: str  # a MessageStatus value
    scheduled_for: datetime | None
    idempotency_key: str
    from_address: str
    to_address: str
    text: str
    sent_by: str


class StaffMessageRelease(BaseModel):
    """The last look before sending: False when someone cancelled the scheduled reply."""

    send: bool
    reason: str | None = None


class StaffMessageOutcome(BaseModel):
    message_id: int
    status: str  # sent, suppressed, held, cancelled, failed
    reason: str | None = None
