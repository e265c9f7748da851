"""Plain payloads that travel through Temporal for messaging (never ORM rows)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class InboundSms(BaseModel):
    provider_message_id: str
    from_number: str
    to_number: str
    text: str
    received_at: datetime


class RecordedInboundSms(BaseModel):
    customer_id: int
    conversation_id: int
    message_id: int
    new_customer: bool
    customer_opted_out: bool
    business_name: str
    acknowledged_recently: bool


class SendSmsRequest(BaseModel):
    """One outbound text. The idempotency key makes every retry the same single send."""

    idempotency_key: str
    conversation_id: int | None  # None for texts to staff
    from_number: str
    to_number: str
    text: str
    sent_by: str


class SendSmsResult(BaseModel):
    message_id: int
    provider_message_id: str | None
    status: str
    already_sent: bool
