"""Plain payloads that travel through Temporal for messaging (never ORM rows)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.customers.models import Channel
from domain.messaging.models import MessageKind


class SendSmsRequest(BaseModel):
    """One outbound text. The idempotency key makes every retry the same single send."""

    idempotency_key: str
    conversation_id: int | None  # None for texts to staff
    from_number: str
    to_number: str
    text: str
    sent_by: str
    # Consent and allowed hours depend on what the text is for.
    kind: MessageKind = MessageKind.TRANSACTIONAL
    matter: str | None = None  # "booking:12": per-matter daily caps
    booking_id: int | None = None


class SendSmsResult(BaseModel):
    """What became of a send. `status` is a MessageStatus value: `sent`, `suppressed` (consent,
    the owner's switch; never sent) or `held` (not now: try again at `hold_until`)."""

    message_id: int
    provider_message_id: str | None
    status: str
    already_sent: bool
    hold_until: datetime | None = None
    reason: str | None = None


class InboundMessage(BaseModel):
    """A customer's message on any channel (SMS, Messenger, Instagram), as the inbox stored it."""

    channel: Channel
    external_id: str  # the provider's message id: one record per id
    from_address: str  # E.164 number, or the channel's sender id (PSID, IGSID)
    to_address: str  # our number, page or Instagram account
    text: str
    received_at: datetime
    sender_name: str | None = None


class SendDirectMessageRequest(BaseModel):
    """One Messenger or Instagram message, sent once per idempotency key."""

    idempotency_key: str
    conversation_id: int
    channel: Channel
    recipient_id: str
    text: str
    sent_by: str
    kind: MessageKind = MessageKind.CONVERSATION
    # A person answering after Meta's 24-hour window: sent with the HUMAN_AGENT tag (7 days).
    human_agent: bool = False


class ConsentKeywordRequest(BaseModel):
    """An inbound text to check for STOP / START / HELP before anything else answers it."""

    customer_id: int
    conversation_id: int
    message_id: int
    channel: Channel
    from_address: str
    to_address: str
    text: str


class ConsentKeywordOutcome(BaseModel):
    """`keyword` is None when the text is not a consent keyword; otherwise the change is recorded
    and `reply` is the one confirmation to send (kind CONSENT), if any is due."""

    keyword: str | None  # "opt_out", "opt_in", "help"
    reply: SendSmsRequest | None = None
