"""The Stripe emulator, served on loopback for the tests that need it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from integrations.card_payments.stripe_checkout import StripeCardPayments
from sandbox.framework import BackgroundServer
from sandbox.stripe import (
    SANDBOX_API_KEY,
    SANDBOX_WEBHOOK_SECRET,
    StripeState,
    create_stripe_emulator,
)


class StripeSandbox:
    """The emulator as tests drive it: the adapter pointed at it, and the customer's and the
    bank's side through its `/sandbox/` routes."""

    api_key = SANDBOX_API_KEY
    webhook_secret = SANDBOX_WEBHOOK_SECRET

    def __init__(
        self, server: BackgroundServer, state: StripeState, http: httpx.Client | None = None
    ) -> None:
        self.server = server
        self.state = state
        self.url = server.url
        self.http = http or httpx.Client(timeout=15)

    def card_payments(
        self, timeout: float = 2.0, api_key: str = SANDBOX_API_KEY, page_size: int = 100
    ) -> StripeCardPayments:
        return StripeCardPayments(
            api_key=api_key, base_url=self.url, timeout=timeout, page_size=page_size
        )

    def fault(self, **fault: object) -> None:
        self.http.post(f"{self.url}/sandbox/faults", json=fault).raise_for_status()

    def created(self, object_type: str = "checkout.session") -> int:
        """How many objects of this type were really created (idempotent replays excluded)."""
        with self.state.lock:
            return self.state.created[object_type]

    def pay(self, session_id: str, **payer: object) -> dict[str, Any]:
        """The customer pays: `{session, payment_intent, charge, events}`. Options:
        `payer_name`, `payer_email`, `payment_method` ("card" or "us_bank_account")."""
        return self._post(f"/sandbox/checkout/{session_id}/pay", payer)

    def settle(self, session_id: str) -> dict[str, Any]:
        """A bank-debit payment clears."""
        return self._post(f"/sandbox/checkout/{session_id}/settle", {})

    def create_payout(
        self, amount_cents: int, arrival_date: date, **extra: object
    ) -> dict[str, Any]:
        body = {"amount": amount_cents, "arrival_date": arrival_date.isoformat(), **extra}
        return self._post("/sandbox/payouts", body)

    def refund(self, payment_intent: str, amount_cents: int | None = None) -> dict[str, Any]:
        """A refund through the API, as the Stripe dashboard makes it."""
        form = {"payment_intent": payment_intent}
        if amount_cents is not None:
            form["amount"] = str(amount_cents)
        response = self.http.post(
            f"{self.url}/v1/refunds",
            data=form,
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def set_webhook_url(self, url: str | None) -> None:
        self.http.post(f"{self.url}/sandbox/webhook-endpoint", json={"url": url}).raise_for_status()

    def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """Every event emitted: `{id, type, payload, deliveries}`."""
        params = {"type": event_type} if event_type else {}
        response = self.http.get(f"{self.url}/sandbox/events", params=params)
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()
        return found

    def redeliver(self, event_id: str) -> dict[str, Any]:
        return self._post(f"/sandbox/events/{event_id}/redeliver", {})

    def _post(self, path: str, body: dict[str, object]) -> dict[str, Any]:
        response = self.http.post(f"{self.url}{path}", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[tuple[BackgroundServer, StripeState]]:
    state = StripeState()
    with BackgroundServer(create_stripe_emulator(state)) as server:
        yield server, state


@pytest.fixture(scope="session")
def _stripe_http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as client:
        yield client


@pytest.fixture
def stripe_sandbox(
    stripe_server: tuple[BackgroundServer, StripeState], _stripe_http: httpx.Client
) -> Iterator[StripeSandbox]:
    server, state = stripe_server
    state.reset()
    yield StripeSandbox(server, state, _stripe_http)
    _stripe_http.delete(f"{server.url}/sandbox/faults")
    state.reset()
