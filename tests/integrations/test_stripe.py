"""Stripe deposits: the adapter through the real `stripe` SDK against the wire-format emulator,
and its webhooks verified by the SDK's own `Webhook.construct_event` (inside `parse_webhook`)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from integrations.card_payments.base import (
    CardPaymentEvent,
    CardPayments,
    DepositCheckout,
    InvalidWebhookSignature,
    MalformedWebhook,
)
from integrations.card_payments.stripe_checkout import StripeCardPayments, parse_webhook
from integrations.errors import ProviderRejectedError, ProviderTransientError
from sandbox.framework import BackgroundServer, free_port
from sandbox.stripe import SANDBOX_WEBHOOK_SECRET, sign_payload
from tests.stripe_fixtures import StripeSandbox

SECRET = SANDBOX_WEBHOOK_SECRET
SESSIONS_PATH = "/v1/checkout/sessions"


class WebhookRecorder:
    """Our side of the webhook: keeps each request's raw body and Stripe-Signature header."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, str | None]] = []
        self.answer_status = 200
        self._lock = threading.Lock()
        app = FastAPI()

        @app.post("/stripe/webhook")
        async def webhook(request: Request) -> Response:
            body = await request.body()
            with self._lock:
                self.received.append((body, request.headers.get("stripe-signature")))
            return Response(status_code=self.answer_status)

        self.server = BackgroundServer(app)

    @property
    def url(self) -> str:
        return f"{self.server.url}/stripe/webhook"

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
        self.answer_status = 200

    def events(self) -> list[CardPaymentEvent]:
        """Every delivery, verified and interpreted as our webhook route would."""
        with self._lock:
            received = list(self.received)
        return [parse_webhook(body, signature, SECRET) for body, signature in received]


@pytest.fixture(scope="module")
def recorder_server() -> Iterator[WebhookRecorder]:
    recorder = WebhookRecorder()
    with recorder.server:
        yield recorder


@pytest.fixture
def recorder(recorder_server: WebhookRecorder, stripe_sandbox: StripeSandbox) -> WebhookRecorder:
    recorder_server.reset()
    stripe_sandbox.set_webhook_url(recorder_server.url)
    return recorder_server


def _checkout(
    payments: CardPayments, *, amount_cents: int = 25_000, key: str = "deposit-12"
) -> DepositCheckout:
    return payments.create_deposit_checkout(
        booking_id=12,
        amount_cents=amount_cents,
        description="Hibachi party deposit, booking 12",
        customer_email="dana@example.com",
        success_url="https://teppan.test/paid?session={CHECKOUT_SESSION_ID}",
        cancel_url="https://teppan.test/cancelled",
        idempotency_key=key,
    )


def _session(stripe_sandbox: StripeSandbox, session_id: str) -> httpx.Response:
    return stripe_sandbox.http.get(
        f"{stripe_sandbox.url}{SESSIONS_PATH}/{session_id}",
        headers={"Authorization": f"Bearer {stripe_sandbox.api_key}"},
    )


# --- creating the checkout ---------------------------------------------------------------------


def test_a_deposit_checkout_points_at_the_emulator_for_the_amount(
    stripe_sandbox: StripeSandbox,
) -> None:
    checkout = _checkout(stripe_sandbox.card_payments())
    assert checkout.amount_cents == 25_000
    assert checkout.session_id.startswith("cs_test_")
    assert checkout.url == f"{stripe_sandbox.url}/sandbox/checkout/{checkout.session_id}"
    session = _session(stripe_sandbox, checkout.session_id).json()
    assert session["object"] == "checkout.session" and session["mode"] == "payment"
    assert (session["status"], session["payment_status"]) == ("open", "unpaid")
    assert session["client_reference_id"] == "12"
    assert session["metadata"] == {"booking_id": "12"}
    assert session["customer_email"] == "dana@example.com"
    assert session["payment_intent"] is None and session["expires_at"] > time.time()
    # payment_intent_data[metadata] reached the intent the payment creates
    intent = stripe_sandbox.pay(checkout.session_id)["payment_intent"]
    assert intent["metadata"] == {"booking_id": "12"}


def test_a_retry_with_the_same_key_returns_the_same_session(stripe_sandbox: StripeSandbox) -> None:
    payments = stripe_sandbox.card_payments()
    first, again = _checkout(payments), _checkout(payments)
    assert again == first
    assert stripe_sandbox.created() == 1
    with pytest.raises(ProviderRejectedError, match="idempotent") as raised:
        _checkout(payments, amount_cents=30_000)
    assert raised.value.status == 400
    assert _checkout(payments, key="deposit-12-new").session_id != first.session_id
    assert stripe_sandbox.created() == 2


def test_a_lost_answer_then_a_retry_still_makes_one_session(stripe_sandbox: StripeSandbox) -> None:
    """The emulator creates the session but answers too late: the outcome is unknown to us."""
    stripe_sandbox.fault(path_prefix=SESSIONS_PATH, kind="delay", delay_seconds=1.5)
    with pytest.raises(ProviderTransientError):
        _checkout(stripe_sandbox.card_payments(timeout=0.5))
    assert stripe_sandbox.created() == 1
    retried = _checkout(stripe_sandbox.card_payments())
    assert stripe_sandbox.created() == 1
    assert _session(stripe_sandbox, retried.session_id).json()["status"] == "open"


def test_a_bad_api_key_is_rejected(stripe_sandbox: StripeSandbox) -> None:
    payments = stripe_sandbox.card_payments(api_key="sk_test_not_ours")
    with pytest.raises(ProviderRejectedError) as raised:
        _checkout(payments)
    assert raised.value.status == 401 and "Invalid API Key" in raised.value.message
    with pytest.raises(ProviderRejectedError):
        payments.payouts_between(date(2026, 3, 1), date(2026, 3, 31))
    assert stripe_sandbox.created() == 0


def test_a_rate_limit_is_transient_with_its_retry_after(stripe_sandbox: StripeSandbox) -> None:
    stripe_sandbox.fault(path_prefix=SESSIONS_PATH, kind="rate_limit", retry_after_seconds=7)
    with pytest.raises(ProviderTransientError) as raised:
        _checkout(stripe_sandbox.card_payments())
    assert raised.value.status == 429 and raised.value.retry_after == 7.0
    assert "rate_limit" in raised.value.message
    assert _checkout(stripe_sandbox.card_payments()).amount_cents == 25_000  # one fault only


def test_server_errors_and_silence_are_transient(stripe_sandbox: StripeSandbox) -> None:
    stripe_sandbox.fault(path_prefix="/v1/", kind="server_error", count=2)
    with pytest.raises(ProviderTransientError) as raised:
        _checkout(stripe_sandbox.card_payments())
    assert raised.value.status == 500 and raised.value.retry_after is None
    with pytest.raises(ProviderTransientError):
        stripe_sandbox.card_payments().payouts_between(date(2026, 3, 1), date(2026, 3, 31))
    nobody = StripeCardPayments(
        stripe_sandbox.api_key, f"http://127.0.0.1:{free_port()}", timeout=0.5
    )
    with pytest.raises(ProviderTransientError, match="no response"):
        _checkout(nobody)
    assert stripe_sandbox.created() == 0


def test_emulator_speaks_stripe_errors(stripe_sandbox: StripeSandbox) -> None:
    missing = _session(stripe_sandbox, "cs_test_nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "resource_missing"
    unauthenticated = stripe_sandbox.http.get(f"{stripe_sandbox.url}{SESSIONS_PATH}/cs_test_nope")
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"]["type"] == "invalid_request_error"


# --- paying, and the webhooks that say so ------------------------------------------------------


def test_paying_sends_signed_events_for_one_payment(
    stripe_sandbox: StripeSandbox, recorder: WebhookRecorder
) -> None:
    checkout = _checkout(stripe_sandbox.card_payments())
    paid = stripe_sandbox.pay(
        checkout.session_id, payer_name="Dana Smith", payer_email="dana.smith@example.com"
    )
    events = recorder.events()
    assert {event.event_type for event in events} == {
        "checkout.session.completed",
        "payment_intent.succeeded",
    }
    assert [event.event_id for event in events] == paid["events"]
    for event in events:
        assert event.kind == "payment_succeeded"
        assert event.booking_id == 12 and event.amount_cents == 25_000
        assert event.reference == paid["payment_intent"]["id"]
        assert event.occurred_at.tzinfo is not None
        assert abs(event.occurred_at.timestamp() - time.time()) < 60
    completed = next(e for e in events if e.event_type == "checkout.session.completed")
    assert completed.payer_name == "Dana Smith"
    assert completed.payer_email == "dana.smith@example.com"
    session = _session(stripe_sandbox, checkout.session_id).json()
    assert (session["status"], session["payment_status"]) == ("complete", "paid")
    assert session["payment_intent"] == paid["payment_intent"]["id"]
    for record in stripe_sandbox.events():
        assert [d["status_code"] for d in record["deliveries"]] == [200]
        assert record["payload"]["object"] == "event" and record["payload"]["livemode"] is False


def test_a_session_pays_only_once(stripe_sandbox: StripeSandbox) -> None:
    checkout = _checkout(stripe_sandbox.card_payments())
    stripe_sandbox.pay(checkout.session_id)
    with pytest.raises(httpx.HTTPStatusError) as raised:
        stripe_sandbox.pay(checkout.session_id)
    assert raised.value.response.status_code == 400
    assert len(stripe_sandbox.events("payment_intent.succeeded")) == 1


def test_the_checkout_page_pays_and_returns_to_the_success_url(
    stripe_sandbox: StripeSandbox,
) -> None:
    checkout = _checkout(stripe_sandbox.card_payments())
    page = stripe_sandbox.http.get(checkout.url)
    assert page.status_code == 200 and "Pay $250.00" in page.text
    answer = stripe_sandbox.http.post(
        f"{stripe_sandbox.url}/sandbox/checkout/{checkout.session_id}/pay",
        data={"payer_name": "Lee Park", "payer_email": "lee@example.com"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == (f"https://teppan.test/paid?session={checkout.session_id}")
    completed = stripe_sandbox.events("checkout.session.completed")[0]["payload"]["data"]
    assert completed["object"]["customer_details"]["name"] == "Lee Park"
    assert "Pay" not in stripe_sandbox.http.get(checkout.url).text  # no button once paid


def test_a_bank_payment_counts_when_it_settles(
    stripe_sandbox: StripeSandbox, recorder: WebhookRecorder
) -> None:
    checkout = _checkout(stripe_sandbox.card_payments())
    stripe_sandbox.pay(checkout.session_id, payment_method="us_bank_account")
    [completed] = recorder.events()
    assert completed.event_type == "checkout.session.completed" and completed.kind == "ignored"
    settled = stripe_sandbox.settle(checkout.session_id)
    events = recorder.events()[1:]
    assert [event.event_type for event in events] == [
        "payment_intent.succeeded",
        "checkout.session.async_payment_succeeded",
    ]
    assert {(e.kind, e.reference, e.amount_cents, e.booking_id) for e in events} == {
        ("payment_succeeded", settled["payment_intent"]["id"], 25_000, 12)
    }


def test_refunds_arrive_as_the_amount_each_refund_returned(
    stripe_sandbox: StripeSandbox, recorder: WebhookRecorder
) -> None:
    checkout = _checkout(stripe_sandbox.card_payments())
    intent = stripe_sandbox.pay(checkout.session_id)["payment_intent"]["id"]
    stripe_sandbox.refund(intent, 5_000)
    stripe_sandbox.refund(intent)  # the rest

    def refunds() -> list[CardPaymentEvent]:
        return [event for event in recorder.events() if event.kind == "refunded"]

    deadline = time.monotonic() + 5  # API-triggered events go out after the response
    while len(refunds()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    # Deliveries of two API requests' events may cross, as Stripe's do: compare unordered.
    assert sorted((e.amount_cents, e.reference, e.booking_id) for e in refunds()) == [
        (5_000, intent, 12),
        (20_000, intent, 12),
    ]
    assert all(e.event_type == "charge.refunded" for e in refunds())
    charge = stripe_sandbox.events("charge.refunded")[-1]["payload"]["data"]["object"]
    assert (charge["amount_refunded"], charge["refunded"]) == (25_000, True)
    with pytest.raises(httpx.HTTPStatusError) as raised:
        stripe_sandbox.refund(intent, 1)
    assert raised.value.response.json()["error"]["code"] == "charge_already_refunded"


def test_other_event_types_are_ignored(
    stripe_sandbox: StripeSandbox, recorder: WebhookRecorder
) -> None:
    stripe_sandbox.create_payout(12_345, date(2026, 3, 2))
    [event] = recorder.events()
    assert (event.event_type, event.kind) == ("payout.paid", "ignored")
    assert (event.booking_id, event.amount_cents, event.reference) == (None, 0, None)


# --- webhook authenticity ----------------------------------------------------------------------


@pytest.fixture
def delivered(stripe_sandbox: StripeSandbox, recorder: WebhookRecorder) -> tuple[bytes, str | None]:
    """One real delivery of a checkout.session.completed: its raw body and signature."""
    stripe_sandbox.pay(_checkout(stripe_sandbox.card_payments()).session_id)
    return next(r for r in recorder.received if b"checkout.session.completed" in r[0])


def test_the_delivered_signature_verifies(delivered: tuple[bytes, str | None]) -> None:
    body, signature = delivered
    assert signature is not None and signature.startswith("t=") and ",v1=" in signature
    assert parse_webhook(body, signature, SECRET).kind == "payment_succeeded"


def test_a_tampered_body_fails(delivered: tuple[bytes, str | None]) -> None:
    body, signature = delivered
    tampered = body.replace(b'"amount_total": 25000', b'"amount_total": 2500')
    assert tampered != body
    with pytest.raises(InvalidWebhookSignature):
        parse_webhook(tampered, signature, SECRET)


@pytest.mark.parametrize("header", [None, "", "nonsense", "t=123", "v1=abc"])
def test_a_missing_or_garbled_header_fails(
    delivered: tuple[bytes, str | None], header: str | None
) -> None:
    with pytest.raises(InvalidWebhookSignature):
        parse_webhook(delivered[0], header, SECRET)


def test_another_secret_fails(delivered: tuple[bytes, str | None]) -> None:
    body, signature = delivered
    with pytest.raises(InvalidWebhookSignature):
        parse_webhook(body, signature, "whsec_someone_else")


def test_an_old_signature_fails_outside_the_tolerance(
    delivered: tuple[bytes, str | None],
) -> None:
    body = delivered[0]
    old = sign_payload(body.decode(), SECRET, timestamp=int(time.time()) - 301)
    with pytest.raises(InvalidWebhookSignature, match="tolerance"):
        parse_webhook(body, old, SECRET, tolerance_seconds=300)
    assert parse_webhook(body, old, SECRET, tolerance_seconds=600).kind == "payment_succeeded"


def test_a_body_that_is_not_utf8_fails() -> None:
    body = b"\xff\xfe{}"
    with pytest.raises(InvalidWebhookSignature):
        parse_webhook(body, "t=1,v1=00", SECRET)


@pytest.mark.parametrize("body", ["not json at all", "[1, 2]", '{"object": "event"}'])
def test_a_signed_body_we_cannot_read_is_malformed(body: str) -> None:
    with pytest.raises(MalformedWebhook):
        parse_webhook(body.encode(), sign_payload(body, SECRET), SECRET)


def test_a_paid_checkout_without_its_payment_intent_is_malformed(
    delivered: tuple[bytes, str | None],
) -> None:
    event = json.loads(delivered[0])
    event["data"]["object"]["payment_intent"] = None
    body = json.dumps(event)
    with pytest.raises(MalformedWebhook, match="payment intent"):
        parse_webhook(body.encode(), sign_payload(body, SECRET), SECRET)


# --- redelivery and failed deliveries ----------------------------------------------------------


def test_redelivery_sends_the_same_event_again(
    stripe_sandbox: StripeSandbox, recorder: WebhookRecorder
) -> None:
    stripe_sandbox.pay(_checkout(stripe_sandbox.card_payments()).session_id)
    first = recorder.events()[0]
    delivery = stripe_sandbox.redeliver(first.event_id)
    assert delivery["status_code"] == 200
    again = recorder.events()[-1]
    assert len(recorder.received) == 3
    assert again == first  # same event id, same meaning: the inbox drops it
    [record] = [e for e in stripe_sandbox.events() if e["id"] == first.event_id]
    assert [d["status_code"] for d in record["deliveries"]] == [200, 200]


def test_failed_deliveries_are_recorded_not_raised(
    stripe_sandbox: StripeSandbox, recorder: WebhookRecorder
) -> None:
    recorder.answer_status = 500
    checkout = _checkout(stripe_sandbox.card_payments())
    stripe_sandbox.pay(checkout.session_id)
    stripe_sandbox.set_webhook_url(f"http://127.0.0.1:{free_port()}/nobody")
    event_id = stripe_sandbox.events()[0]["id"]
    assert stripe_sandbox.redeliver(event_id)["status_code"] is None
    [record] = [e for e in stripe_sandbox.events() if e["id"] == event_id]
    statuses = [d["status_code"] for d in record["deliveries"]]
    assert statuses == [500, None] and record["deliveries"][1]["error"]


# --- payouts -----------------------------------------------------------------------------------


def test_payouts_between_two_dates_across_pages(stripe_sandbox: StripeSandbox) -> None:
    expected = {}
    for day in range(1, 11):  # one a day, March 1st to 10th
        payout = stripe_sandbox.create_payout(10_000 + day, date(2026, 3, day))
        if 3 <= day <= 9:
            expected[payout["id"]] = (10_000 + day, date(2026, 3, day), payout["trace_id"])
    stripe_sandbox.create_payout(99_999, date(2026, 3, 5), status="failed")
    payouts = stripe_sandbox.card_payments(page_size=3).payouts_between(
        date(2026, 3, 3), date(2026, 3, 9)
    )
    assert len(payouts) == 7  # three pages
    assert {
        p.payout_id: (p.amount_cents, p.arrival_date, {"status": "supported", "value": p.trace_id})
        for p in payouts
    } == expected
    assert all(
        p.trace_id and p.trace_id.startswith("ST-") and len(p.trace_id) == 13 for p in payouts
    )
    assert stripe_sandbox.card_payments().payouts_between(date(2026, 4, 1), date(2026, 4, 30)) == []
