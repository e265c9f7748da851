"""Conversations with customers, across SMS, Messenger and Instagram."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.columns import enum_field, utc_field
from domain.customers.models import Channel


class ConversationState(StrEnum):
    AUTOMATED = "automated"
    HANDED_OFF = "handed_off"
    CLOSED = "closed"


class Conversation(SQLModel, table=True):
    """One per customer, whatever the channel. While `handed_off`, the AI stays silent."""

    __tablename__ = "conversation"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", unique=True)
    state: ConversationState = enum_field(ConversationState, ConversationState.AUTOMATED)
    assigned_staff_id: int | None = Field(default=None, foreign_key="staff_member.id")
    handoff_reason: str | None = Field(default=None, max_length=300)
    handed_off_at: datetime | None = utc_field(nullable=True)
    unread_count: int = 0
    last_message_at: datetime | None = utc_field(nullable=True, index=True)
    last_inbound_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field(default_now=True)


class MessageDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MessageStatus(StrEnum):
    RECEIVED = "received"
    SCHEDULED = "scheduled"  # staff asked for it to go later
    HELD = "held"  # waiting for the recipient's allowed hours
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class MessageKind(StrEnum):
    """What a text is for: consent rules and quiet hours differ by kind."""

    CONVERSATION = "conversation"  # an answer to a customer who wrote first
    TRANSACTIONAL = "transactional"  # confirmations, quotes, receipts the customer asked for
    REMINDER = "reminder"  # event and balance reminders
    MARKETING = "marketing"  # review requests, lead follow-ups
    CONSENT = "consent"  # the one STOP/START/HELP confirmation
    STAFF = "staff"  # heads-ups to our own staff


class Message(SQLModel, table=True):
    __tablename__ = "message"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_message_external"),)

    id: int | None = Field(default=None, primary_key=True)
    # None for texts to staff (a heads-up about a call): they belong to no customer conversation.
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", index=True)
    channel: Channel = enum_field(Channel)
    direction: MessageDirection = enum_field(MessageDirection)
    body: str = Field(max_length=4000)
    from_address: str = Field(max_length=320)
    to_address: str = Field(max_length=320)
    status: MessageStatus = enum_field(MessageStatus)
    external_id: str | None = Field(default=None, max_length=120, description="provider's id")
    idempotency_key: str | None = Field(
        default=None, max_length=200, unique=True, description="one outbound send per key"
    )
    sent_by: str = Field(default="", max_length=120, description="user:<id>, workflow:<id>")
    kind: MessageKind = enum_field(MessageKind, MessageKind.TRANSACTIONAL)
    # What the text is about ("booking:12"): some states cap texts per matter per day.
    matter: str | None = Field(default=None, max_length=60, index=True)
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    # Meta's message tag for a person answering after the 24-hour window (HUMAN_AGENT).
    tag: str | None = Field(default=None, max_length=40)
    scheduled_for: datetime | None = utc_field(nullable=True, index=True)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = utc_field(default_now=True, index=True)
    send_started_at: datetime | None = utc_field(nullable=True)
    sent_at: datetime | None = utc_field(nullable=True)


class ConsentAction(StrEnum):
    OPT_IN = "opt_in"
    OPT_OUT = "opt_out"
    HELP = "help"


class ConsentRecord(SQLModel, table=True):
    """Every change of a number's consent, kept at least four years (TCPA evidence)."""

    __tablename__ = "consent_record"

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=320, index=True, description="E.164 or channel address")
    channel: Channel = enum_field(Channel)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    action: ConsentAction = enum_field(ConsentAction)
    # Kinds of message it covers, comma-separated MessageKind values ("reminder,marketing").
    scope: str = Field(max_length=200)
    method: str = Field(max_length=60, description="keyword, web_form, admin, booking")
    evidence: str = Field(default="", max_length=1000, description="the words or form")
    message_id: int | None = Field(default=None, foreign_key="message.id")
    recorded_by: str = Field(default="", max_length=120)
    recorded_at: datetime = utc_field(default_now=True, index=True)
    retain_until: datetime = utc_field()


class TemplateKind(StrEnum):
    BOOKING_CONFIRMATION = "booking_confirmation"
    BOOKING_CHANGED = "booking_changed"
    EVENT_REMINDER = "event_reminder"
    BALANCE_REMINDER = "balance_reminder"
    REVIEW_REQUEST = "review_request"
    LEAD_FOLLOW_UP = "lead_follow_up"


class MessageTemplate(SQLModel, table=True):
    """A text the owner words themselves; placeholders like {first_name} are filled in."""

    __tablename__ = "message_template"

    id: int | None = Field(default=None, primary_key=True)
    kind: TemplateKind = enum_field(TemplateKind)
    body: str = Field(max_length=1000)
    active: bool = True
    updated_by: str = Field(default="", max_length=120)
    updated_at: datetime = utc_field(default_now=True)

    __table_args__ = (UniqueConstraint("kind", name="uq_message_template_kind"),)
