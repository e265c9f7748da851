"""The matching engine's inputs and outputs: plain frozen values, no ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Decision = Literal["auto", "review", "unmatched"]
PaymentType = Literal["deposit", "balance", "balance_with_tip", "full", "partial", "unknown"]

CHANNELS = ("zelle", "venmo", "cashapp", "check", "stripe", "other")


@dataclass(frozen=True)
class BookingCandidate:
    """An open booking and what its ledger says was paid so far."""

    booking_id: int
    customer_name: str
    phone: str | None
    email: str | None
    event_date: date
    booked_on: date
    total_cents: int
    deposit_cents: int
    paid_cents: int
    reference: str | None = None  # None: the business's own `TP-{1000 + id}`
    known_payers: tuple[str, ...] = ()  # payer names a person approved before for this customer

    @property
    def owed_cents(self) -> int:
        return self.total_cents - self.paid_cents


@dataclass(frozen=True)
class BankTransaction:
    transaction_id: str
    date: date
    amount_cents: int  # positive = money received
    description: str
    counterparty_name: str | None = None
    channel: str | None = None  # one of CHANNELS or None


@dataclass(frozen=True)
class MatchSettings:
    auto_threshold: float = 0.90
    min_margin: float = 0.15
    review_threshold: float = 0.40  # below it the best candidate is not worth a look
    balance_window_days_before: int = 1
    balance_window_days_after: int = 4
    deposit_window_days: int = 14
    # Payments outside the windows are still found (with a lower date score) up to these.
    early_balance_days: int = 7
    late_balance_days: int = 14
    max_candidates: int = 5


@dataclass(frozen=True)
class CandidateScore:
    booking_id: int
    score: float
    payment_type: PaymentType
    reasons: list[str] = field(default_factory=list)
    identity: float = 0.0  # how sure it is this customer's money, 0..1 (part of the score)
    exact_amount: bool = False  # the amount is exactly a deposit, balance or total


@dataclass(frozen=True)
class MatchResult:
    transaction_id: str
    decision: Decision
    booking_id: int | None
    confidence: float
    payment_type: PaymentType
    candidates: list[CandidateScore]
    reasons: list[str] = field(default_factory=list)
