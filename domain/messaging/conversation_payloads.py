"""Plain payloads between the conversation workflow and its activities (never ORM rows)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.customers.models import Channel
from domain.messaging.payloads import InboundMessage, SendSmsRequest


class RecordedMessage(BaseModel):
    customer_id: int
    conversation_id: int
    message_id: int
    is_new: bool  # False: this provider id was recorded before
    # Recorded before and answered since (a redelivery after the conversation moved on).
    handled_before: bool
    burst_seconds: int  # how long to wait for more messages before answering


class PendingMessage(BaseModel):
    """Recorded, not answered yet: part of the next turn."""

    message_id: int
    customer_id: int
    conversation_id: int
    channel: Channel
    from_address: str  # the customer
    to_address: str  # us: our number, page or Instagram account
    text: str


class TurnRequest(BaseModel):
    conversation_id: int
    customer_id: int
    channel: Channel
    message_ids: list[int]
    texts: list[str]
    at: datetime  # the workflow's clock: Meta's window is measured against it


class TurnDecision(BaseModel):
    action: str  # a ReplyAction value: reply, hand_off, silent
    reason: str
    intent: str
    text: str = ""
    complaint: bool = False
    source: str = "builtin"  # or "openai"
    # The answer went to a lead: follow up once if they stay quiet this long.
    follow_up_after_hours: int | None = None


class HandOffRequest(BaseModel):
    conversation_id: int
    reason: str
    complaint: bool
    key: str  # reply_rules.hand_off_key: the staff heads-up is sent once per hand-off
    last_text: str


class HandOffResult(BaseModel):
    staff_member_id: int | None
    staff_name: str | None
    heads_up: SendSmsRequest | None  # to the staff member's phone, kind STAFF
    notice: str  # what the customer is told


class FollowUpPlan(BaseModel):
    due_at: datetime
    reply_to: PendingMessage  # the lead's last message: where the follow-up goes


class FollowUpRequest(BaseModel):
    conversation_id: int
    customer_id: int
    channel: Channel
    at: datetime


class FollowUpDecision(BaseModel):
    text: str | None  # None: no follow-up, for `reason`
    reason: str
    key: str


class ConversationCarry(BaseModel):
    """What a run hands to its continuation (continue-as-new)."""

    seen_external_ids: list[str] = Field(default_factory=list)
    incoming: list[InboundMessage] = Field(default_factory=list)
    pending: list[PendingMessage] = Field(default_factory=list)
    follow_up: FollowUpPlan | None = None
    turns: int = 0
    burst_seconds: int = 20
    conversation_id: int | None = None


class ConversationOutcome(BaseModel):
    conversation_id: int | None
    turns: int
    reason: str
