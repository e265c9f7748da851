"""Money that arrived, and the per-booking ledger it is applied to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.columns import enum_field, json_field, utc_field


class PaymentSource(StrEnum):
    STRIPE = "stripe"
    BANK = "bank"
    CSV = "csv"
    MANUAL = "manual"


class PaymentMethod(StrEnum):
    CARD = "card"
    ZELLE = "zelle"
    VENMO = "venmo"
    CASHAPP = "cashapp"
    CHECK = "check"
    CASH = "cash"
    OTHER = "other"


class PaymentStatus(StrEnum):
    UNMATCHED = "unmatched"
    IN_REVIEW = "in_review"
    APPLIED = "applied"
    IGNORED = "ignored"
    REVERSED = "reversed"  # the bank withdrew the transaction: its ledger lines are undone
    PAYOUT = "payout"  # a Stripe payout: the card payments inside it are on the ledger already


class Payment(SQLModel, table=True):
    """One incoming payment as the provider reported it."""

    __tablename__ = "payment"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_payment_external"),)

    id: int | None = Field(default=None, primary_key=True)
    source: PaymentSource = enum_field(PaymentSource)
    external_id: str = Field(max_length=120, description="Stripe or Plaid id, or an import key")
    method: PaymentMethod = enum_field(PaymentMethod, PaymentMethod.OTHER)
    amount_cents: int = Field(description="positive = money received")
    received_at: datetime = utc_field(index=True)
    payer_name: str | None = Field(default=None, max_length=200)
    description: str = Field(default="", max_length=500)
    status: PaymentStatus = enum_field(PaymentStatus, PaymentStatus.UNMATCHED, index=True)
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    created_at: datetime = utc_field(default_now=True)
    # What matching made of it (bank and CSV payments), kept for the review queue and the audit.
    counterparty_name: str | None = Field(default=None, max_length=200)
    channel: str | None = Field(default=None, max_length=20)
    pending: bool = False
    # A pending bank transaction posts under a new id; the payment keeps its match (and the id
    # it was first seen under, which names its workflow).
    first_external_id: str | None = Field(default=None, max_length=120)
    match_decision: str | None = Field(default=None, max_length=20)
    match_confidence: float | None = None
    payment_type: str | None = Field(default=None, max_length=20)
    # [{"booking_id", "reference", "customer", "score", "payment_type", "reasons": [...]}]
    candidates: list[dict[str, Any]] = json_field(list)
    match_reasons: list[str] = json_field(list)
    matched_at: datetime | None = utc_field(nullable=True)
    decided_by: str | None = Field(default=None, max_length=120)
    decided_at: datetime | None = utc_field(nullable=True)
    payout_id: str | None = Field(default=None, max_length=60)


class LedgerEntryKind(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"
    ADJUSTMENT = "adjustment"


class LedgerEntry(SQLModel, table=True):
    """A line of a booking's ledger: money received (positive) or given back (negative).

    What is still owed is the booking's total less the sum of its entries.
    """

    __tablename__ = "ledger_entry"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    kind: LedgerEntryKind = enum_field(LedgerEntryKind)
    amount_cents: int
    description: str = Field(max_length=300)
    # A split payment has a line per booking; a refund or a reversal points at its payment too.
    payment_id: int | None = Field(default=None, foreign_key="payment.id", index=True)
    # One effect per cause: `stripe:pi_…`, `payment:12:booking:7`, `reversal:31`, …
    idempotency_key: str | None = Field(default=None, max_length=200, unique=True)
    occurred_at: datetime = utc_field(default_now=True)
    created_by: str = Field(max_length=120, description="user:<id>, workflow:<id> or system")


class PayerAlias(SQLModel, table=True):
    """A payer name a person confirmed for a customer ("JANE DOE" pays for John Doe's events)."""

    __tablename__ = "payer_alias"
    __table_args__ = (UniqueConstraint("customer_id", "payer_key", name="uq_payer_alias"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    payer_name: str = Field(max_length=200)
    payer_key: str = Field(max_length=200, index=True, description="normalised for lookups")
    created_by: str = Field(max_length=120)
    created_at: datetime = utc_field(default_now=True)


class BankConnection(SQLModel, table=True):
    """The business's bank account through Plaid; the access token is encrypted at rest."""

    __tablename__ = "bank_connection"

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(default="plaid", max_length=20)
    item_id: str = Field(max_length=120, unique=True)
    access_token_encrypted: str = Field(max_length=1000)
    institution_name: str = Field(default="", max_length=200)
    active: bool = True
    # /transactions/sync's cursor, stored only after a whole sync (has_more false) committed.
    cursor: str | None = Field(default=None, max_length=300)
    last_synced_at: datetime | None = utc_field(nullable=True)
    last_sync_added: int = 0
    last_sync_removed: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = utc_field(default_now=True)


class DepositLink(SQLModel, table=True):
    """A Stripe Checkout Session for a booking's deposit (reused while it is open)."""

    __tablename__ = "deposit_link"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    session_id: str = Field(max_length=200, unique=True)
    url: str = Field(max_length=1000)
    amount_cents: int
    created_at: datetime = utc_field(default_now=True)
