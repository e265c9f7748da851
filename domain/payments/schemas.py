"""What arrives from a bank feed or an import, and what a person decides about it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from domain.payments.models import PaymentSource


class IncomingPayment(BaseModel):
    """One bank line (Plaid or CSV) in our sign convention: positive = money received."""

    source: PaymentSource
    external_id: str = Field(min_length=1, max_length=120)
    pending_external_id: str | None = None  # Plaid: the pending line this one posts
    posted_on: date
    amount_cents: int
    description: str = Field(default="", max_length=500)
    counterparty_name: str | None = Field(default=None, max_length=200)
    channel: str | None = None
    pending: bool = False


class PayoutSeen(BaseModel):
    """A Stripe payout as Stripe lists it (what a bank's `STRIPE TRANSFER ST-…` line is)."""

    payout_id: str
    amount_cents: int
    arrival_date: date
    trace_id: str | None = None


class Allocation(BaseModel):
    booking_id: int
    amount_cents: int = Field(gt=0)


class ReviewDecision(BaseModel):
    """approve: to one booking (a candidate or any other: a reassignment); split: across
    several, summing to the payment; ignore: not a booking payment."""

    action: Literal["approve", "split", "ignore"]
    booking_id: int | None = None
    allocations: list[Allocation] = []
    note: str = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _complete(self) -> ReviewDecision:
        if self.action == "approve" and self.booking_id is None:
            raise ValueError("approve needs a booking")
        if self.action == "split" and len(self.allocations) < 2:
            raise ValueError("a split needs at least two bookings")
        return self
