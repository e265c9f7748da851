"""The webhook inbox: every accepted provider event, stored before it is acted on."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.columns import enum_field, json_field, utc_field


class InboxStatus(StrEnum):
    PENDING = "pending"
    FORWARDED = "forwarded"
    IGNORED = "ignored"


class WebhookEvent(SQLModel, table=True):
    __tablename__ = "webhook_event"
    __table_args__ = (UniqueConstraint("provider", "event_key", name="uq_webhook_event_key"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=40)
    event_key: str = Field(max_length=200, description="the provider's own event id")
    event_type: str = Field(max_length=120)
    body: str = Field(sa_type=Text, description="the raw body, exactly as received")
    headers: dict[str, Any] = json_field()
    status: InboxStatus = enum_field(InboxStatus, InboxStatus.PENDING, index=True)
    workflow_id: str | None = Field(default=None, max_length=200)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    duplicate_deliveries: int = 0
    received_at: datetime = utc_field(default_now=True, index=True)
    forwarded_at: datetime | None = utc_field(nullable=True)
