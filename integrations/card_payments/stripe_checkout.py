"""Deposits through Stripe Checkout, Stripe's webhooks, and its payouts, with the official SDK.

The client never retries (`max_network_retries=0`): the activity's retry policy decides when to
try again, honouring Retry-After. Every create carries the caller's idempotency key, so a retry
after a lost answer returns the first checkout instead of opening a second one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any, TypeVar

import stripe
from stripe.params import PayoutListParams
from stripe.params.checkout import SessionCreateParams

from integrations.card_payments.base import (
    CardPaymentEvent,
    DepositCheckout,
    InvalidWebhookSignature,
    MalformedWebhook,
    Payout,
)
from integrations.errors import ProviderRejectedError, ProviderTransientError

PROVIDER = "stripe"
CURRENCY = "usd"
PAGE_SIZE = 100  # Stripe's largest page
# Payouts that never reach the bank; the rest (paid, in transit, pending) will.
NEVER_ARRIVING_PAYOUTS = frozenset({"failed", "canceled"})

T = TypeVar("T")


class StripeCardPayments:
    def __init__(
        self, api_key: str, base_url: str | None, timeout: float, *, page_size: int = PAGE_SIZE
    ) -> None:
        self._page_size = page_size
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": base_url.rstrip("/")} if base_url else None,
            max_network_retries=0,
            # StripeClient has no timeout of its own: it is the HTTP client's (80 s by default).
            http_client=stripe.RequestsClient(timeout=timeout),
        )

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
        if amount_cents <= 0:
            raise ValueError("a deposit is a positive amount of cents")
        booking = {"booking_id": str(booking_id)}
        params: SessionCreateParams = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": CURRENCY,
                        "unit_amount": amount_cents,
                        "product_data": {"name": description},
                    },
                }
            ],
            "client_reference_id": str(booking_id),
            "metadata": booking,
            # The payment intent's and charge's events carry only the intent's own metadata.
            "payment_intent_data": {"metadata": booking, "description": description},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_email:
            params["customer_email"] = customer_email
        session = _call(
            lambda: self._client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        )
        if not session.url or session.amount_total is None:
            raise ProviderRejectedError(
                PROVIDER, f"checkout session {session.id} is {session.status}, not payable"
            )
        return DepositCheckout(session.id, session.url, session.amount_total)

    def payouts_between(self, start: date, end: date) -> list[Payout]:
        # Stripe stamps arrival_date at midnight UTC of the arrival day.
        params: PayoutListParams = {
            "arrival_date": {"gte": _unix(start), "lte": _unix(end + timedelta(days=1)) - 1},
            "limit": self._page_size,
        }
        payouts: list[Payout] = []
        while True:
            page = _call(partial(self._client.v1.payouts.list, params=params))
            payouts.extend(
                Payout(
                    payout_id=payout.id,
                    amount_cents=payout.amount,
                    arrival_date=datetime.fromtimestamp(payout.arrival_date, UTC).date(),
                    trace_id=_trace_id(payout),
                )
                for payout in page.data
                if payout.status not in NEVER_ARRIVING_PAYOUTS
            )
            if not page.has_more or not page.data:
                return payouts
            params = {**params, "starting_after": page.data[-1].id}


def _unix(day: date) -> int:
    return int(datetime.combine(day, time(), UTC).timestamp())


def _trace_id(payout: stripe.Payout) -> str | None:
    trace = payout.trace_id
    if trace is None or trace.status != "supported":
        return None
    return trace.value


def _call(request: Callable[[], T]) -> T:
    """Runs one SDK call, turning Stripe's exceptions into ours."""
    try:
        return request()
    except stripe.RateLimitError as error:
        raise _transient(error) from error
    except stripe.APIConnectionError as error:  # timeouts too
        raise ProviderTransientError(PROVIDER, f"no response ({error.user_message})") from error
    except (
        stripe.AuthenticationError,
        stripe.PermissionError,
        stripe.InvalidRequestError,
        stripe.IdempotencyError,
        stripe.CardError,
    ) as error:
        raise _rejected(error) from error
    except stripe.StripeError as error:
        status = error.http_status
        # 409: another request with the same idempotency key is still running.
        if status is None or status >= 500 or status in (408, 409):
            raise _transient(error) from error
        raise _rejected(error) from error


def _message(error: stripe.StripeError) -> str:
    # RateLimitError and AuthenticationError keep the body's code only in `error.error`.
    code = error.code or (error.error.code if error.error is not None else None)
    code = f" ({code})" if code else ""
    return f"HTTP {error.http_status}{code}: {error.user_message or type(error).__name__}"


def _transient(error: stripe.StripeError) -> ProviderTransientError:
    return ProviderTransientError(
        PROVIDER,
        _message(error),
        status=error.http_status,
        retry_after=_retry_after(error.headers),
    )


def _rejected(error: stripe.StripeError) -> ProviderRejectedError:
    return ProviderRejectedError(PROVIDER, _message(error), status=error.http_status)


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from Retry-After; an HTTP date is ignored."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


# --- webhooks -----------------------------------------------------------------------------------


def parse_webhook(
    raw_body: bytes,
    signature_header: str | None,
    secret: str,
    tolerance_seconds: int = 300,
) -> CardPaymentEvent:
    """Verifies a Stripe webhook over its raw body and says what it means to us.

    Raises InvalidWebhookSignature (missing, wrong or expired signature) or MalformedWebhook
    (signed, but not an event we can read).
    """
    try:
        # Stripe signs UTF-8 text: other bytes cannot carry a valid signature.
        payload = raw_body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidWebhookSignature("the body is not UTF-8 text") from error
    try:
        event = stripe.Webhook.construct_event(
            payload, signature_header, secret, tolerance=tolerance_seconds
        )
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhookSignature(str(error)) from error
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        raise MalformedWebhook(f"not a Stripe event: {error}") from error
    try:
        return _interpret(event.to_dict())
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedWebhook(f"event without what we need: {error!r}") from error


def _interpret(event: dict[str, Any]) -> CardPaymentEvent:
    event_id, event_type = str(event["id"]), str(event["type"])
    occurred_at = datetime.fromtimestamp(int(event["created"]), UTC)
    obj: dict[str, Any] = event["data"]["object"]
    if not isinstance(obj, dict):
        raise TypeError("data.object is not an object")

    def meaning(
        kind: str,
        amount: object,
        reference: object,
        booking: object,
        payer: Mapping[str, Any] | None,
    ) -> CardPaymentEvent:
        if not isinstance(reference, str) or not reference:
            raise ValueError(f"{event_type} without a payment intent")
        payer = payer or {}
        return CardPaymentEvent(
            event_id=event_id,
            kind="payment_succeeded" if kind == "payment" else "refunded",
            event_type=event_type,
            booking_id=_booking_id(booking),
            amount_cents=_cents(amount),
            reference=reference,
            payer_name=_text(payer.get("name")),
            payer_email=_text(payer.get("email")),
            occurred_at=occurred_at,
        )

    metadata = obj.get("metadata") or {}
    if event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        # A completed checkout paid by a bank debit is still "unpaid": its money is confirmed by
        # the async_payment_succeeded event that follows.
        if obj.get("payment_status") == "paid":
            return meaning(
                "payment",
                obj["amount_total"],
                obj.get("payment_intent"),
                obj.get("client_reference_id") or metadata.get("booking_id"),
                obj.get("customer_details"),
            )
    elif event_type == "payment_intent.succeeded":
        return meaning(
            "payment",
            obj["amount_received"],
            obj.get("id"),
            metadata.get("booking_id"),
            {"email": obj.get("receipt_email")},
        )
    elif event_type == "charge.refunded":
        # amount_refunded is the charge's running total; the event's share is what it added.
        previous = (event["data"].get("previous_attributes") or {}).get("amount_refunded", 0)
        return meaning(
            "refund",
            _cents(obj["amount_refunded"]) - _cents(previous),
            obj.get("payment_intent"),
            metadata.get("booking_id"),
            obj.get("billing_details"),
        )
    return CardPaymentEvent(
        event_id=event_id,
        kind="ignored",
        event_type=event_type,
        booking_id=None,
        amount_cents=0,
        reference=None,
        payer_name=None,
        payer_email=None,
        occurred_at=occurred_at,
    )


def _cents(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"an amount in cents, not {value!r}")
    return value


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _booking_id(value: object) -> int | None:
    """Ours when it is a booking number; a payment someone else started carries none."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


def card_event_from_verified_body(body: str) -> CardPaymentEvent:
    """What a stored event means, read again after `parse_webhook` verified it at intake
    (the inbox keeps the raw body; its signature's timestamp would be stale by now)."""
    try:
        event = json.loads(body)
        if not isinstance(event, dict):
            raise TypeError("not a JSON object")
        return _interpret(event)
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedWebhook(f"event without what we need: {error!r}") from error
