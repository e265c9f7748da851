"""The Plaid emulator, served on loopback for the tests that need it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from integrations.bank_feed.base import BankLink
from integrations.bank_feed.plaid_transactions import PlaidBankFeed
from sandbox.framework import BackgroundServer
from sandbox.plaid import SANDBOX_CLIENT_ID, SANDBOX_SECRET, PlaidState, create_plaid_emulator

DEFAULT_DATE = dt.date(2026, 5, 1)


class PlaidSandbox:
    """The bank behind the emulator: put transactions on the account, arm faults, and build
    a `PlaidBankFeed` pointed at it."""

    def __init__(self, server: BackgroundServer, state: PlaidState, http: httpx.Client) -> None:
        self.server = server
        self.state = state
        self.url = server.url
        self._http = http
        self._feeds: list[PlaidBankFeed] = []

    def feed(
        self,
        *,
        page_size: int = 100,
        timeout: float = 2.0,
        client_id: str = SANDBOX_CLIENT_ID,
        secret: str = SANDBOX_SECRET,
        webhook_url: str | None = None,
    ) -> PlaidBankFeed:
        feed = PlaidBankFeed(
            client_id, secret, self.url, timeout, page_size=page_size, webhook_url=webhook_url
        )
        self._feeds.append(feed)
        return feed

    def link(self, feed: PlaidBankFeed | None = None) -> BankLink:
        """A linked Item, the way the demo's "Connect bank" button makes one."""
        feed = feed or self.feed()
        return feed.exchange_public_token(feed.create_sandbox_public_token())

    # --- the bank's side ------------------------------------------------------------------------

    def add_credit(
        self, amount_cents: int, name: str, on: dt.date = DEFAULT_DATE, **fields: Any
    ) -> dict[str, Any]:
        """Money in (`amount_cents` > 0). Fields: original_description, merchant_name,
        counterparty_name, counterparty_type, pending, transaction_id, payment_channel."""
        assert amount_cents > 0, "a credit is money in"
        return self._json(
            "POST", "/transactions", {**self._new(amount_cents, name, on), **_dated(fields)}
        )

    def add_debit(
        self, amount_cents: int, name: str, on: dt.date = DEFAULT_DATE, **fields: Any
    ) -> dict[str, Any]:
        """Money out: `amount_cents` is the positive sum that left the account."""
        assert amount_cents > 0, "give the debit as a positive sum"
        return self._json(
            "POST", "/transactions", {**self._new(-amount_cents, name, on), **_dated(fields)}
        )

    def modify(self, transaction_id: str, **changes: Any) -> dict[str, Any]:
        return self._json("PATCH", f"/transactions/{transaction_id}", _dated(changes))

    def remove(self, transaction_id: str) -> None:
        self._json("DELETE", f"/transactions/{transaction_id}")

    def post_pending(self, transaction_id: str, **posting: Any) -> dict[str, Any]:
        """The pending transaction posts under a new id (options: transaction_id, date,
        amount_cents, name); answers the posted transaction in Plaid's shape."""
        return self._json("POST", f"/transactions/{transaction_id}/post", _dated(posting))

    def configure(self, **settings: Any) -> dict[str, Any]:
        """webhook_url (for Items without their own), notify_on_change (webhook on every change)."""
        return self._json("POST", "/settings", settings)

    def snapshot(self) -> dict[str, Any]:
        return self._json("GET", "/state")

    # --- faults --------------------------------------------------------------------------------

    def fault(self, **fault: object) -> None:
        """sandbox.framework faults: path_prefix, kind (rate_limit, server_error, delay), …"""
        self._http.post(f"{self.url}/sandbox/faults", json=fault).raise_for_status()

    def mutation_during_pagination(self, *then_add: dict[str, Any], count: int = 1) -> None:
        """The next `count` paged sync calls fail; the first after `then_add` (each built
        like `credit(...)`) arrived at the bank."""
        self._json(
            "POST",
            "/faults/mutation_during_pagination",
            {"then_add": list(then_add), "count": count},
        )

    def reset_login(self, access_token: str) -> None:
        """Plaid's own sandbox endpoint: the Item now needs its owner to log in again."""
        response = self._http.post(
            f"{self.url}/sandbox/item/reset_login",
            json={
                "client_id": SANDBOX_CLIENT_ID,
                "secret": SANDBOX_SECRET,
                "access_token": access_token,
            },
        )
        response.raise_for_status()

    def fire_webhook(self, url: str | None = None) -> list[dict[str, Any]]:
        deliveries: list[dict[str, Any]] = self._json("POST", "/webhook", {"url": url})[
            "deliveries"
        ]
        return deliveries

    # --- plumbing ------------------------------------------------------------------------------

    @staticmethod
    def credit(
        amount_cents: int, name: str, on: dt.date = DEFAULT_DATE, **fields: Any
    ) -> dict[str, Any]:
        """A transaction to hand to `mutation_during_pagination`."""
        return {**PlaidSandbox._new(amount_cents, name, on), **_dated(fields)}

    @staticmethod
    def _new(amount_cents: int, name: str, on: dt.date) -> dict[str, Any]:
        return {"amount_cents": amount_cents, "name": name, "date": on.isoformat()}

    def _json(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._http.request(method, f"{self.url}/sandbox/teppan{path}", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json() if response.content else {}
        return result

    def close(self) -> None:
        for feed in self._feeds:
            feed.close()


def _dated(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in fields.items()}


@pytest.fixture(scope="session")
def plaid_server() -> Iterator[tuple[BackgroundServer, PlaidState]]:
    state = PlaidState()
    with BackgroundServer(create_plaid_emulator(state)) as server:
        yield server, state


@pytest.fixture(scope="session")
def plaid_http() -> Iterator[httpx.Client]:
    """One client for the whole session: making one costs more than a test's requests."""
    with httpx.Client(timeout=5) as client:
        yield client


@pytest.fixture
def plaid_sandbox(
    plaid_server: tuple[BackgroundServer, PlaidState], plaid_http: httpx.Client
) -> Iterator[PlaidSandbox]:
    server, state = plaid_server
    state.reset()
    sandbox = PlaidSandbox(server, state, plaid_http)
    yield sandbox
    sandbox.close()
    state.reset()
    state.webhook_url, state.notify_on_change = None, False
