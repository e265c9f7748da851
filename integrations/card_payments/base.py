"""Card payments as our code sees them, whoever processes the card: no SDK type leaks out.

A deposit is paid on the processor's hosted checkout page; what happened is learnt from its
signed webhook, turned into a `CardPaymentEvent`. Money later reaches the bank as payouts,
which reconciliation matches against bank transactions by their trace id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

CardPaymentKind = Literal["payment_succeeded", "refunded", "ignored"]


@dataclass(frozen=True)
class DepositCheckout:
    session_id: str
    url: str  # where the customer pays
    amount_cents: int


@dataclass(frozen=True)
class CardPaymentEvent:
    """What a verified webhook means to us.

    One payment can arrive as several events (Stripe sends both a checkout and a payment-intent
    event); they share `reference`, so the ledger applies the payment once. `event_id` is the
    provider's own id, stable across redeliveries: the webhook inbox dedupes on it.
    """

    event_id: str
    kind: CardPaymentKind
    event_type: str  # the provider's name for it, for logs and the inbox
    booking_id: int | None
    amount_cents: int  # received (payment) or refunded by this event (refund); 0 when ignored
    reference: str | None  # the payment's id at the provider: the ledger's idempotency anchor
    payer_name: str | None
    payer_email: str | None
    occurred_at: datetime  # UTC


@dataclass(frozen=True)
class Payout:
    payout_id: str
    amount_cents: int
    arrival_date: date
    trace_id: str | None  # what the bank statement shows, e.g. "ST-5ZHG5Y3YVT"


class InvalidWebhookSignature(Exception):
    """Missing, wrong or expired signature: the request did not come from the provider."""


class MalformedWebhook(Exception):
    """Signed correctly, but not an event we can read (not JSON, or missing what we need)."""


class CardPayments(Protocol):
    def create_deposit_checkout(
        self,
        *,
        booking_id: int,
        amount_cents: int,
        description: str,
        customer_email: str | None,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
    ) -> DepositCheckout:
        """A hosted checkout page for the deposit. The same idempotency key returns the same
        checkout; raises ProviderTransientError or ProviderRejectedError."""
        ...

    def payouts_between(self, start: date, end: date) -> list[Payout]:
        """Payouts arriving at the bank from `start` to `end`, both included; failed and
        canceled ones never arrive and are left out."""
        ...
