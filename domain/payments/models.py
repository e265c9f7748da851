"""Money that arrived, and the per-booking ledger it is applied to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.columns import enum_field, utc_field


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
    REVERSED = "reversed"


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
    payment_id: int | None = Field(default=None, foreign_key="payment.id", unique=True)
    occurred_at: datetime = utc_field(default_now=True)
    created_by: str = Field(max_length=120, description="user:<id>, workflow:<id> or system")
