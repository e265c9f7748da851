"""Phone calls and their escalations to staff extensions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from domain.columns import enum_field, json_field, utc_field


class CallStatus(StrEnum):
    RINGING = "ringing"
    IN_TRIAGE = "in_triage"
    ESCALATING = "escalating"
    CONNECTED = "connected"
    ENDED = "ended"


class CallOutcome(StrEnum):
    CONNECTED = "connected"  # a person took it
    VOICEMAIL = "voicemail"  # nobody could: voicemail and a callback task
    HANDLED = "handled"  # the assistant answered and the caller hung up
    CALLER_HUNG_UP = "caller_hung_up"  # before anyone could help
    SILENT = "silent"  # nobody spoke: ended politely


class Call(SQLModel, table=True):
    __tablename__ = "call"

    id: int | None = Field(default=None, primary_key=True)
    telephony_session_id: str = Field(max_length=120, unique=True)
    from_number: str = Field(max_length=20, index=True)
    to_number: str = Field(max_length=20)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    status: CallStatus = enum_field(CallStatus, CallStatus.RINGING)
    intent: str | None = Field(default=None, max_length=40)
    # [{"at": iso, "speaker": "caller"|"assistant", "text": ...}]
    transcript: list[dict[str, Any]] = json_field(list)
    # [{"at": iso, "intent": ..., "escalate": bool, "confidence": float, "reason": ..., "by": ...}]
    triage: list[dict[str, Any]] = json_field(list)
    caller_name: str | None = Field(default=None, max_length=200)
    urgent: bool = Field(default=False, description="their event is today or tomorrow")
    escalation_reason: str | None = Field(default=None, max_length=500)
    outcome: str | None = Field(default=None, max_length=40)
    started_at: datetime = utc_field(default_now=True, index=True)
    ended_at: datetime | None = utc_field(nullable=True)
    duration_seconds: int | None = None


class Escalation(SQLModel, table=True):
    __tablename__ = "escalation"

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    extension_id: int | None = Field(default=None, foreign_key="extension.id")
    reason: str = Field(max_length=500)
    requested_at: datetime = utc_field(default_now=True)
    answered_at: datetime | None = utc_field(nullable=True)
    outcome: str | None = Field(default=None, max_length=40)
