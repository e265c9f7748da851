"""Plain payloads that travel through Temporal for payments (never ORM rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from domain.messaging.payloads import SendSmsRequest

PaymentStage = Literal[
    "applied", "review", "unmatched", "ignored", "reversed", "payout", "stripe_payout"
]


class PaymentMatchInput(BaseModel):
    payment_id: int


class PaymentWake(BaseModel):
    """Look at the payment again: a person decided, or the bank withdrew it."""

    reason: str


class ReviewCheckRequest(BaseModel):
    payment_id: int
    remind: bool


class MatchOutcome(BaseModel):
    """What matching did: applied it, or left it for a person (review or unmatched), or found a
    Stripe payout to reconcile against Stripe."""

    payment_id: int
    stage: PaymentStage
    booking_ids: list[int] = []
    confidence: float = 0.0
    payout_reference: str | None = None
    review_reminder_hours: int = 24


class ReviewCheck(BaseModel):
    """The review item as it stands, and the owner's reminder when it is due."""

    payment_id: int
    stage: PaymentStage
    booking_ids: list[int] = []
    reminder: SendSmsRequest | None = None


class PaymentMatchResult(BaseModel):
    payment_id: int
    stage: PaymentStage
    booking_ids: list[int] = []
    reminded: bool = False


class BankSyncInput(BaseModel):
    """`connection_id` None: every active connection."""

    connection_id: int | None = None


class BankSyncReport(BaseModel):
    connections: int = 0
    added: int = 0
    modified: int = 0
    removed: int = 0
    reversed: int = 0
    skipped_debits: int = 0
    # Payments waiting for the matching workflow (started through the inbox, after commit).
    new_payment_ids: list[int] = []
    # Payments whose match the bank withdrew: their workflows are woken to finish.
    reversed_payment_ids: list[int] = []


class CardEventInput(BaseModel):
    """A verified Stripe event, as it matters to a ledger."""

    event_id: str
    kind: Literal["payment_succeeded", "refunded", "ignored"]
    event_type: str
    booking_id: int | None
    amount_cents: int  # received, or refunded by this event
    reference: str | None  # the payment intent: one ledger line per payment, however notified
    payer_name: str | None = None
    payer_email: str | None = None
    occurred_at: datetime


class CardEventOutcome(BaseModel):
    event_id: str
    kind: str
    booking_id: int | None = None
    applied_cents: int = 0
    duplicate: bool = False
