"""The Plaid bank feed through the real `plaid-python` SDK against the wire-format emulator.

A sync that passes proves the emulator's transactions carry every key the SDK's strict models
require: a missing one fails deserialisation and the adapter reports an unreadable answer.
"""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from integrations.bank_feed.base import BankLine, BankRelinkRequiredError
from integrations.bank_feed.plaid_transactions import PlaidBankFeed, to_cents
from integrations.errors import ProviderRejectedError, ProviderTransientError
from sandbox.framework import free_port
from sandbox.plaid import SANDBOX_CLIENT_ID, SANDBOX_SECRET
from tests.plaid_fixtures import PlaidSandbox
from tests.sandbox_fixtures import WebhookRecorder

SYNC_PATH = "/transactions/sync"
ZELLE_RAW = 'Zelle payment from DANA SMITH for "INV-1042"; Conf# abc123'


def _ids(lines: list[BankLine]) -> list[str]:
    return [line.transaction_id for line in lines]


def test_link_token_is_created_for_the_user(plaid_sandbox: PlaidSandbox) -> None:
    token = plaid_sandbox.feed().create_link_token("user-7")
    assert token.startswith("link-sandbox-")
    assert plaid_sandbox.state.link_tokens[token]["client_user_id"] == "user-7"
    assert plaid_sandbox.state.link_tokens[token]["products"] == ["transactions"]


def test_a_public_token_is_exchanged_once(plaid_sandbox: PlaidSandbox) -> None:
    feed = plaid_sandbox.feed()
    public_token = feed.create_sandbox_public_token()
    assert public_token.startswith("public-sandbox-")
    link = feed.exchange_public_token(public_token)
    assert link.access_token.startswith("access-sandbox-") and link.item_id
    with pytest.raises(ProviderRejectedError, match="INVALID_PUBLIC_TOKEN") as raised:
        feed.exchange_public_token(public_token)
    assert raised.value.status == 400


def test_first_sync_returns_everything_then_only_what_changed(
    plaid_sandbox: PlaidSandbox,
) -> None:
    feed = plaid_sandbox.feed()
    link = plaid_sandbox.link(feed)
    first = plaid_sandbox.add_credit(45000, "Zelle payment from DANA SMITH")
    second = plaid_sandbox.add_credit(12000, "VENMO CASHOUT")
    third = plaid_sandbox.add_debit(8999, "RESTAURANT DEPOT")

    batch = feed.sync(link.access_token, None)
    assert _ids(batch.added) == [t["transaction_id"] for t in (first, second, third)]
    assert batch.modified == [] and batch.removed == [] and batch.next_cursor

    fourth = plaid_sandbox.add_credit(30000, "STRIPE TRANSFER ST-BPQBDJJ8SM")
    plaid_sandbox.modify(second["transaction_id"], amount_cents=12500)
    plaid_sandbox.remove(third["transaction_id"])
    changes = feed.sync(link.access_token, batch.next_cursor)
    assert _ids(changes.added) == [fourth["transaction_id"]]
    assert _ids(changes.modified) == [second["transaction_id"]]
    assert changes.modified[0].amount_cents == 12500
    assert changes.removed == [third["transaction_id"]]

    quiet = feed.sync(link.access_token, changes.next_cursor)
    assert (quiet.added, quiet.modified, quiet.removed) == ([], [], [])
    assert quiet.next_cursor == changes.next_cursor


def test_pages_are_followed_until_has_more_is_false(plaid_sandbox: PlaidSandbox) -> None:
    feed = plaid_sandbox.feed(page_size=2)
    link = plaid_sandbox.link(feed)
    added = [plaid_sandbox.add_credit(1000 + i, f"Zelle payment from PAYER {i}") for i in range(5)]

    batch = feed.sync(link.access_token, None)
    assert _ids(batch.added) == [t["transaction_id"] for t in added]
    assert plaid_sandbox.state.sync_requests == 3  # 2 + 2 + 1

    again = feed.sync(link.access_token, batch.next_cursor)
    assert again.added == [] and plaid_sandbox.state.sync_requests == 4


def test_amounts_become_cents_with_our_sign(plaid_sandbox: PlaidSandbox) -> None:
    feed = plaid_sandbox.feed()
    link = plaid_sandbox.link(feed)
    plaid_sandbox.add_credit(
        45000,
        "Zelle payment from DANA SMITH",
        original_description=ZELLE_RAW,
        counterparty_name="Zelle",
        counterparty_type="payment_app",
    )
    plaid_sandbox.add_debit(1999, "RESTAURANT DEPOT", merchant_name="Restaurant Depot")
    plaid_sandbox.add_credit(10, "INTEREST PAYMENT")

    zelle, depot, interest = feed.sync(link.access_token, None).added
    assert plaid_sandbox.snapshot()["transactions"][0]["amount"] == -450.0  # Plaid: money in < 0
    assert zelle.amount_cents == 45000
    assert zelle.description == ZELLE_RAW  # the raw descriptor, with the memo
    assert zelle.counterparty_name == "Zelle"
    assert zelle.posted_on == dt.date(2026, 5, 1) and not zelle.pending
    assert zelle.account_id == plaid_sandbox.state.account_id
    assert depot.amount_cents == -1999
    assert depot.description == "RESTAURANT DEPOT"  # no raw descriptor: Plaid's name
    assert depot.counterparty_name == "Restaurant Depot"
    assert interest.amount_cents == 10


def test_float_dollars_convert_exactly() -> None:
    assert to_cents(-450.0) == 45000
    assert to_cents(19.99) == -1999
    assert to_cents(-0.1 - 0.2) == 30  # 0.30000000000000004, not 30.000000000000004 cents
    assert to_cents(-1234567.89) == 123456789
    assert to_cents(-0.005) == 1  # half a cent rounds away from zero
    assert to_cents(0.0) == 0


def test_original_description_is_only_sent_when_asked(plaid_sandbox: PlaidSandbox) -> None:
    link = plaid_sandbox.link()
    plaid_sandbox.add_credit(45000, "Zelle payment from DANA SMITH", original_description=ZELLE_RAW)
    body = {"client_id": SANDBOX_CLIENT_ID, "secret": SANDBOX_SECRET}
    body["access_token"] = link.access_token
    plain = httpx.post(f"{plaid_sandbox.url}{SYNC_PATH}", json=body).json()
    assert plain["added"][0]["original_description"] is None
    asked = httpx.post(
        f"{plaid_sandbox.url}{SYNC_PATH}",
        json={**body, "options": {"include_original_description": True}},
    ).json()
    assert asked["added"][0]["original_description"] == ZELLE_RAW


def test_pending_then_posted(plaid_sandbox: PlaidSandbox) -> None:
    feed = plaid_sandbox.feed()
    link = plaid_sandbox.link(feed)
    pending = plaid_sandbox.add_credit(45000, "Zelle payment from DANA SMITH", pending=True)
    first = feed.sync(link.access_token, None)
    assert [(line.transaction_id, line.pending) for line in first.added] == [
        (pending["transaction_id"], True)
    ]

    posted = plaid_sandbox.post_pending(pending["transaction_id"], date=dt.date(2026, 5, 3))
    then = feed.sync(link.access_token, first.next_cursor)
    assert then.removed == [pending["transaction_id"]]
    (line,) = then.added
    assert line.transaction_id == posted["transaction_id"] != pending["transaction_id"]
    assert line.pending_transaction_id == pending["transaction_id"]
    assert not line.pending and line.posted_on == dt.date(2026, 5, 3)
    assert line.amount_cents == 45000


def test_mutation_during_pagination_restarts_from_the_first_cursor(
    plaid_sandbox: PlaidSandbox,
) -> None:
    feed = plaid_sandbox.feed(page_size=2)
    link = plaid_sandbox.link(feed)
    before = feed.sync(link.access_token, None)
    added = [plaid_sandbox.add_credit(2000 + i, f"Zelle payment from PAYER {i}") for i in range(5)]
    # A sixth payment lands between the first and the second page.
    plaid_sandbox.mutation_during_pagination(PlaidSandbox.credit(7500, "CASH APP*JANE DOE"))
    requests_before = plaid_sandbox.state.sync_requests

    batch = feed.sync(link.access_token, before.next_cursor)
    ids = _ids(batch.added)
    assert len(ids) == len(set(ids)) == 6
    assert ids[:5] == [t["transaction_id"] for t in added]
    assert batch.added[5].amount_cents == 7500
    # page 1, the failed page 2, then 3 pages from the start again
    assert plaid_sandbox.state.sync_requests - requests_before == 5
    assert feed.sync(link.access_token, batch.next_cursor).added == []


def test_data_that_keeps_moving_is_transient(plaid_sandbox: PlaidSandbox) -> None:
    feed = plaid_sandbox.feed(page_size=1)
    link = plaid_sandbox.link(feed)
    plaid_sandbox.add_credit(100, "A")
    plaid_sandbox.add_credit(200, "B")
    plaid_sandbox.mutation_during_pagination(count=10)
    with pytest.raises(ProviderTransientError, match="MUTATION_DURING_PAGINATION"):
        feed.sync(link.access_token, None)


@pytest.mark.parametrize("kind", ["rate_limit", "server_error"])
def test_rate_limits_and_server_errors_are_transient(
    plaid_sandbox: PlaidSandbox, kind: str
) -> None:
    feed = plaid_sandbox.feed()
    link = plaid_sandbox.link(feed)
    plaid_sandbox.fault(path_prefix=SYNC_PATH, kind=kind)
    with pytest.raises(ProviderTransientError) as raised:
        feed.sync(link.access_token, None)
    if kind == "rate_limit":
        assert raised.value.status == 429
        assert "TRANSACTIONS_SYNC_LIMIT" in raised.value.message
        assert raised.value.retry_after is None  # Plaid sends no Retry-After
    else:
        assert raised.value.status == 500 and "INTERNAL_SERVER_ERROR" in raised.value.message
    assert feed.sync(link.access_token, None).next_cursor  # one fault, then it works


def test_timeouts_and_refused_connections_are_transient(plaid_sandbox: PlaidSandbox) -> None:
    feed = plaid_sandbox.feed(timeout=0.3)
    link = plaid_sandbox.link(feed)
    plaid_sandbox.fault(path_prefix=SYNC_PATH, kind="delay", delay_seconds=1.0)
    with pytest.raises(ProviderTransientError, match="in time"):
        feed.sync(link.access_token, None)
    nowhere = PlaidBankFeed(
        SANDBOX_CLIENT_ID, SANDBOX_SECRET, f"http://127.0.0.1:{free_port()}", 0.5
    )
    with pytest.raises(ProviderTransientError, match="no response"):
        nowhere.sync(link.access_token, None)


def test_unknown_access_token_is_rejected(plaid_sandbox: PlaidSandbox) -> None:
    with pytest.raises(ProviderRejectedError, match="INVALID_ACCESS_TOKEN") as raised:
        plaid_sandbox.feed().sync("access-sandbox-not-a-token", None)
    assert not isinstance(raised.value, BankRelinkRequiredError)
    assert raised.value.status == 400


def test_wrong_keys_are_rejected(plaid_sandbox: PlaidSandbox) -> None:
    link = plaid_sandbox.link()
    wrong = plaid_sandbox.feed(secret="not-the-secret")
    with pytest.raises(ProviderRejectedError, match="INVALID_API_KEYS"):
        wrong.create_link_token("user-7")
    with pytest.raises(ProviderRejectedError, match="INVALID_API_KEYS"):
        wrong.sync(link.access_token, None)


def test_a_garbled_cursor_is_rejected(plaid_sandbox: PlaidSandbox) -> None:
    feed = plaid_sandbox.feed()
    link, other = plaid_sandbox.link(feed), plaid_sandbox.link(feed)
    with pytest.raises(ProviderRejectedError, match="INVALID_FIELD"):
        feed.sync(link.access_token, "not-a-cursor!")
    # Another Item's cursor is no good either.
    cursor = feed.sync(other.access_token, None).next_cursor
    with pytest.raises(ProviderRejectedError, match="INVALID_FIELD"):
        feed.sync(link.access_token, cursor)


def test_a_login_required_item_needs_relinking(plaid_sandbox: PlaidSandbox) -> None:
    feed = plaid_sandbox.feed()
    link = plaid_sandbox.link(feed)
    plaid_sandbox.reset_login(link.access_token)
    with pytest.raises(BankRelinkRequiredError, match="ITEM_LOGIN_REQUIRED"):
        feed.sync(link.access_token, None)


def test_accounts_show_the_checking_account(plaid_sandbox: PlaidSandbox) -> None:
    feed = plaid_sandbox.feed()
    link = plaid_sandbox.link(feed)
    opening = feed.accounts(link.access_token)[0].current_balance_cents
    assert opening is not None
    plaid_sandbox.add_credit(45000, "Zelle payment from DANA SMITH")
    plaid_sandbox.add_credit(5000, "pending deposit", pending=True)
    (account,) = feed.accounts(link.access_token)
    assert account.name == "Plaid Checking" and account.mask == "0000"
    assert account.current_balance_cents == opening + 45000  # pending is not in "current"


def test_errors_have_plaids_shape(plaid_sandbox: PlaidSandbox) -> None:
    url = f"{plaid_sandbox.url}{SYNC_PATH}"
    refused = httpx.post(url, json={"client_id": "x", "secret": "y", "access_token": "z"})
    assert refused.status_code == 400
    error = refused.json()
    assert set(error) >= {
        "error_type",
        "error_code",
        "error_message",
        "display_message",
        "request_id",
        "causes",
        "status",
        "documentation_url",
        "suggested_action",
    }
    assert (error["error_type"], error["error_code"]) == ("INVALID_INPUT", "INVALID_API_KEYS")

    plaid_sandbox.fault(path_prefix=SYNC_PATH, kind="rate_limit", retry_after_seconds=7)
    limited = httpx.post(url, json={"client_id": SANDBOX_CLIENT_ID, "secret": SANDBOX_SECRET})
    assert limited.status_code == 429 and "retry-after" not in limited.headers
    assert limited.json()["error_type"] == "RATE_LIMIT_EXCEEDED"
    assert limited.json()["error_code"] == "TRANSACTIONS_SYNC_LIMIT"


def test_sync_updates_webhook(
    plaid_sandbox: PlaidSandbox, webhook_recorder: WebhookRecorder
) -> None:
    link = plaid_sandbox.link(plaid_sandbox.feed(webhook_url=webhook_recorder.address))
    assert plaid_sandbox.snapshot()["items"][0]["webhook"] == webhook_recorder.address
    deliveries = plaid_sandbox.fire_webhook()
    assert [d["status"] for d in deliveries] == [200]
    (payload,) = webhook_recorder.received()
    assert payload == {
        "webhook_type": "TRANSACTIONS",
        "webhook_code": "SYNC_UPDATES_AVAILABLE",
        "item_id": link.item_id,
        "initial_update_complete": True,
        "historical_update_complete": True,
        "environment": "sandbox",
    }


def test_the_bank_can_announce_every_change(
    plaid_sandbox: PlaidSandbox, webhook_recorder: WebhookRecorder
) -> None:
    link = plaid_sandbox.link()  # linked without a webhook: the bank-wide one applies
    plaid_sandbox.configure(webhook_url=webhook_recorder.address, notify_on_change=True)
    plaid_sandbox.add_credit(45000, "Zelle payment from DANA SMITH")
    (payload,) = webhook_recorder.wait_for(lambda received: len(received) == 1)
    assert payload["item_id"] == link.item_id

    # Plaid's own sandbox endpoint fires it too.
    fired = httpx.post(
        f"{plaid_sandbox.url}/sandbox/item/fire_webhook",
        json={
            "client_id": SANDBOX_CLIENT_ID,
            "secret": SANDBOX_SECRET,
            "access_token": link.access_token,
            "webhook_code": "SYNC_UPDATES_AVAILABLE",
        },
    )
    assert fired.status_code == 200 and fired.json()["webhook_fired"] is True
    assert len(webhook_recorder.received()) == 2
