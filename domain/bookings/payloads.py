"""Plain payloads that travel through Temporal for a booking's texts (never ORM rows)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.bookings.models import BookingStatus
from domain.messaging.models import TemplateKind
from domain.messaging.payloads import SendSmsRequest


class LifecycleSnapshot(BaseModel):
    """What the lifecycle rules need to know about a booking, read at one moment."""

    booking_id: int
    exists: bool = True  # False: the booking was deleted
    status: BookingStatus = BookingStatus.CONFIRMED
    scheduled_start: datetime
    scheduled_end: datetime
    balance_owed_cents: int = 0
    has_phone: bool = True
    review_link_set: bool = True
    timezone: str = "America/Los_Angeles"
    event_reminder_days_before: int = 1
    event_reminder_local_time: str = "10:00"
    arrival_lead_minutes: int = 45
    balance_reminder_hours_after: int = 24
    review_request_hours_after: int = 3


class MessageRecord(BaseModel):
    """What became of one of the booking's texts: sent, suppressed, held, failed or skipped."""

    kind: TemplateKind
    key: str
    status: str
    reason: str | None = None
    at: datetime


class LifecycleInput(BaseModel):
    """Starts the workflow; the rest carries its progress across continue-as-new."""

    booking_id: int
    told_start: datetime | None = None  # the start time the last confirmation or change named
    notices: int = 0  # confirmations and change notices handled so far
    done: list[str] = Field(default_factory=list)  # keys of scheduled texts sent or skipped
    records: list[MessageRecord] = Field(default_factory=list)


class LifecycleOutcome(BaseModel):
    booking_id: int
    ended: str
    records: list[MessageRecord]


class BookingChanged(BaseModel):
    """The signal: the booking was created, changed or cancelled; look at it again."""

    reason: str = "changed"


class BookingRef(BaseModel):
    booking_id: int


class ComposeRequest(BaseModel):
    booking_id: int
    kind: TemplateKind
    key: str  # the rules' key of this text: the idempotency key is built from it


class ComposedText(BaseModel):
    """The text to send, or None when the customer can no longer receive one (no phone)."""

    sms: SendSmsRequest | None
    reason: str | None = None


class SkippedMessage(BaseModel):
    booking_id: int
    kind: TemplateKind
    key: str
    reason: str
