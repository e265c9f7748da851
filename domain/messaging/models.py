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
    __tablename__ = "conversation"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", unique=True)
    state: ConversationState = enum_field(ConversationState, ConversationState.AUTOMATED)
    assigned_staff_id: int | None = Field(default=None, foreign_key="staff_member.id")
    unread_count: int = 0
    last_message_at: datetime | None = utc_field(nullable=True, index=True)
    created_at: datetime = utc_field(default_now=True)


class MessageDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MessageStatus(StrEnum):
    RECEIVED = "received"
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


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
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = utc_field(default_now=True, index=True)
    send_started_at: datetime | None = utc_field(nullable=True)
    sent_at: datetime | None = utc_field(nullable=True)
