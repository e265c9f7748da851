"""Process faults on the real product: the worker SIGKILLed with ~100 workflows in flight, the
Temporal dev server stopped and started again mid-run, and no configured secret in any log.

Everything runs as separate processes (tests/faults/process_stack.py). Workflows start through
the product's own entry points: signed RingCentral and Meta webhooks (conversations), the
quotes API (pricing and the offer text), the bookings API (the booking lifecycle's confirmation
text), and the demo bank and Google profile `teppan up` links (bank sync, payment matching and
application, review workflows). Exactly once is checked where the effect lands: the emulators'
own records of what they received, and the ledger.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from temporalio.client import Client, WorkflowExecutionStatus

from cli.demo_bank import stock_the_sandbox_bank
from cli.demo_reviews import connect_the_sandbox_profile
from core import secrets_at_rest
from integrations import factory
from tests.faults.process_stack import ProcessStack, make_stack, wait_until

pytestmark = pytest.mark.slow

# Every secret setting, each a value no log line could contain by chance. Exercised in sandbox
# mode: the secret key (sessions), the encryption key (stored tokens), the RingCentral webhook
# token (our webhooks, the worker's subscription), the Meta app secret (signatures both ways)
# and verify token, the Stripe webhook secret (a signed event), the admin password (seed, login).
# The provider credentials below switch an adapter to the live provider only with their
# companion id or URL, so in sandbox mode they are configured but unused; the sandbox
# credentials the adapters really send are checked instead (SANDBOX_CREDENTIALS).
SECRETS = {
    "TEPPAN_SECRET_KEY": "sk-teppan-faults-7c1e9a5b3d",
    "TEPPAN_ENCRYPTION_KEY": "enc-teppan-faults-4f8a2c6e1b",
    "TEPPAN_RINGCENTRAL_WEBHOOK_TOKEN": "rcwh-teppan-faults-9d3b7f1a5c",
    "TEPPAN_META_APP_SECRET": "metaapp-teppan-faults-2e6c0a8d4f",
    "TEPPAN_META_VERIFY_TOKEN": "metaverify-teppan-faults-5a1f9c3e7b",
    "TEPPAN_STRIPE_WEBHOOK_SECRET": "whsec_teppan_faults_8b4d2f6a0c",
    "TEPPAN_ADMIN_PASSWORD": "adminpw-teppan-faults-3c7e1b5d9a",
    "TEPPAN_RINGCENTRAL_CLIENT_SECRET": "rcsecret-teppan-faults-6f0b4d8a2e",
    "TEPPAN_RINGCENTRAL_JWT": "rcjwt-teppan-faults-1a5c9e3b7d",
    "TEPPAN_PLAID_SECRET": "plaid-teppan-faults-0d4a8c2f6b",
    "TEPPAN_GOOGLE_BUSINESS_CLIENT_SECRET": "GOCSPX-teppan-faults-7b3f1d5a9c",
}
SANDBOX_CREDENTIALS = (
    factory.SANDBOX_RINGCENTRAL_CLIENT_SECRET,
    factory.SANDBOX_RINGCENTRAL_JWT,
    factory.SANDBOX_GOOGLE_API_KEY,
    factory.SANDBOX_STRIPE_API_KEY,
    factory.SANDBOX_PLAID_SECRET,
    factory.SANDBOX_GOOGLE_BUSINESS_CLIENT_SECRET,
    factory.SANDBOX_META_PAGE_ACCESS_TOKEN,
)
BUSINESS_NUMBER = "+15105550100"
SMS_PATH = "/restapi/v1.0/account/~/extension/~/sms"
STAFF = ("staff@example.com", "teppan-staff1")
FAQ = "Do you bring the grill and the propane?"
# Customers with names no matcher could mistake for one another.
FIRST_NAMES = [
    "Avery",
    "Blake",
    "Carmen",
    "Dmitri",
    "Esther",
    "Farouk",
    "Greta",
    "Hiroshi",
    "Ingrid",
    "Jonas",
    "Kalani",
    "Leandro",
    "Mireille",
    "Nnamdi",
    "Odette",
    "Pavel",
    "Quincy",
    "Rosalind",
    "Soren",
    "Thandiwe",
]
LAST_NAMES = [
    "Abernathy",
    "Bergstrom",
    "Castellanos",
    "Dubrovsky",
    "Eskildsen",
    "Fairweather",
    "Gallagher",
    "Hashimoto",
    "Ivanova",
    "Jorgensen",
    "Kowalczyk",
    "Lindqvist",
    "Montgomery",
    "Nakashima",
    "Okonkwo",
    "Pellegrino",
    "Quartermaine",
    "Rasmussen",
    "Szczepanski",
    "Thorvaldsen",
]
# The worker runs 16 activities at once; a few stalled sends are enough to be sure some were
# taken by the provider but not yet answered when the worker dies.
KILL_AT_TEXTS = 6
CLOSED = {
    WorkflowExecutionStatus.FAILED,
    WorkflowExecutionStatus.TERMINATED,
    WorkflowExecutionStatus.TIMED_OUT,
    WorkflowExecutionStatus.CANCELED,
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessStack]:
    started = time.monotonic()
    data = tmp_path_factory.mktemp("process-faults")
    running = make_stack(
        data,
        {
            **SECRETS,
            "TEPPAN_CONVERSATION_BURST_SECONDS": "1",
            "TEPPAN_LOG_LEVEL": "INFO",
        },
    )
    try:
        running.start()
        # The owner's Texting page allows up to 6000 a minute; the default 60 would pace this
        # burst of ~150 texts over minutes (holds, not losses) and slow the test down.
        with sqlite3.connect(data / "teppan.db") as db:
            db.execute("UPDATE business_settings SET sms_per_business_per_minute = 6000")
        print(f"\nstack up in {time.monotonic() - started:.1f} s")
        yield running
    finally:
        running.stop()


# --- entry points -------------------------------------------------------------------------------


def _sms_webhook(client: httpx.Client, stack: ProcessStack, phone: str, text: str) -> None:
    body = {
        "uuid": str(uuid.uuid4()),
        "event": "/restapi/v1.0/account/1/extension/1/message-store/instant?type=SMS",
        "subscriptionId": "faults",
        "body": {
            "id": f"faults-{uuid.uuid4().hex[:12]}",
            "from": {"phoneNumber": phone},
            "to": [{"phoneNumber": BUSINESS_NUMBER}],
            "subject": text,
            "creationTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "direction": "Inbound",
        },
    }
    token = SECRETS["TEPPAN_RINGCENTRAL_WEBHOOK_TOKEN"]
    answer = client.post(
        f"{stack.api}/webhooks/ringcentral", json=body, headers={"Verification-Token": token}
    )
    assert answer.status_code == 200, answer.text


def _meta_webhook(client: httpx.Client, stack: ProcessStack, sender_id: str, text: str) -> None:
    """Meta's signed delivery, as the emulator makes it, POSTed by us so we see the answer."""
    made = client.post(
        f"{stack.meta}/sandbox/meta/messages",
        json={"platform": "messenger", "sender_id": sender_id, "text": text, "deliver": False},
    )
    assert made.status_code == 201, made.text
    message = made.json()
    body = message["body"] if isinstance(message["body"], str) else json.dumps(message["body"])
    answer = client.post(
        f"{stack.api}/webhooks/meta",
        content=body.encode(),
        headers={"X-Hub-Signature-256": message["signature"], "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text


def _quote(client: httpx.Client, stack: ProcessStack, phone: str, name: str) -> int:
    created = client.post(
        f"{stack.api}/api/v1/quotes",
        auth=STAFF,
        json={
            "customer": {"full_name": name, "phone": phone},
            "address": "2200 Pacific Ave, Stockton, CA 95204",
            "adults": 25,
        },
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _booking(client: httpx.Client, stack: ProcessStack, phone: str, name: str) -> int:
    customer = client.post(
        f"{stack.api}/api/v1/customers", auth=STAFF, json={"full_name": name, "phone": phone}
    )
    assert customer.status_code == 201, customer.text
    start = (datetime.now(UTC) + timedelta(days=60)).replace(hour=1, minute=0, microsecond=0)
    booking = client.post(
        f"{stack.api}/api/v1/bookings",
        auth=STAFF,
        json={
            "customer_id": customer.json()["id"],
            "requested_start": start.isoformat(),
            "address": "39100 Mission Blvd, Fremont, CA 94539",
            "adults": 20,
        },
    )
    assert booking.status_code == 201, booking.text
    return int(booking.json()["id"])


def _bank_deposits(
    client: httpx.Client, stack: ProcessStack, booking_ids: list[int]
) -> dict[str, int]:
    """Each booking's exact deposit, paid by Zelle with its confirmation number, put on the
    Plaid emulator's account: the payments the matcher applies on its own. Returns the
    transaction ids, each with its booking."""
    placeholders = ",".join("?" * len(booking_ids))
    rows = _rows(
        stack,
        "SELECT b.id, b.reference, b.deposit_cents, c.full_name FROM booking b "
        f"JOIN customer c ON c.id = b.customer_id WHERE b.id IN ({placeholders})",
        *booking_ids,
    )
    assert len(rows) == len(booking_ids)
    today = datetime.now(UTC).date().isoformat()
    deposits: dict[str, int] = {}
    for booking_id, reference, deposit, name in rows:
        added = client.post(
            f"http://127.0.0.1:{stack.ports['plaid']}/sandbox/teppan/transactions",
            json={
                "amount_cents": deposit,
                "date": today,
                "name": f"Zelle payment from {name.upper()} Conf# {reference}",
            },
        )
        assert added.status_code == 201, added.text
        deposits[added.json()["transaction_id"]] = booking_id
    return deposits


# --- what landed where --------------------------------------------------------------------------


def _outbound_sms(stack: ProcessStack, client: httpx.Client, number: str) -> list[dict[str, Any]]:
    thread = client.get(f"{stack.ringcentral}/sandbox/phone/messages", params={"number": number})
    return [m for m in thread.json()["records"] if m["direction"] == "Outbound"]


def _all_outbound_sms(stack: ProcessStack) -> Counter[tuple[str, str]]:
    """Every text the RingCentral emulator took to send, by (recipient, text): its message
    store, read through its REST API as the provider's own record of what went out."""
    counts: Counter[tuple[str, str]] = Counter()
    with httpx.Client(base_url=stack.ringcentral, timeout=10) as client:
        login = client.post(
            "/restapi/oauth/token",
            auth=(factory.SANDBOX_RINGCENTRAL_CLIENT_ID, factory.SANDBOX_RINGCENTRAL_CLIENT_SECRET),
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": factory.SANDBOX_RINGCENTRAL_JWT,
            },
        )
        login.raise_for_status()
        bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
        page = 1
        while True:
            answer = client.get(
                f"{SMS_PATH.removesuffix('/sms')}/message-store",
                params={"direction": "Outbound", "perPage": 1000, "page": page},
                headers=bearer,
            )
            answer.raise_for_status()
            records = answer.json()["records"]
            for record in records:
                for party in record["to"]:
                    counts[(party["phoneNumber"], record["subject"])] += 1
            if len(records) < 1000:
                return counts
            page += 1


def _rows(stack: ProcessStack, query: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(stack.data / "teppan.db") as db:
        return list(db.execute(query, args))


def _sent_to(stack: ProcessStack) -> Counter[str]:
    rows = _rows(
        stack,
        "SELECT to_address FROM message WHERE lower(direction) = 'outbound' "
        "AND lower(channel) = 'sms' AND lower(status) = 'sent'",
    )
    return Counter(to for (to,) in rows)


async def _workflow_states(stack: ProcessStack) -> dict[str, tuple[str, int]]:
    """Every workflow: its status and how many activities it still has pending."""
    client = await Client.connect(stack.temporal_address)
    states: dict[str, tuple[str, int]] = {}
    async for execution in client.list_workflows():
        if execution.status is None:
            continue
        described = await client.get_workflow_handle(
            execution.id, run_id=execution.run_id
        ).describe()
        pending = len(described.raw_description.pending_activities)
        previous = states.get(execution.id)
        if previous is None or execution.status != WorkflowExecutionStatus.CONTINUED_AS_NEW:
            states[execution.id] = (execution.status.name, pending)
    return states


def _assert_no_workflow_failed(stack: ProcessStack) -> dict[str, tuple[str, int]]:
    states = asyncio.run(_workflow_states(stack))
    failed = {wid: state for wid, state in states.items() if state[0] in {s.name for s in CLOSED}}
    assert not failed, failed
    return states


def _assert_each_text_once(stack: ProcessStack) -> int:
    """No (recipient, text) twice at the emulator, and exactly one there per text our
    database records as sent: nothing lost, nothing extra."""

    def difference() -> dict[str, Counter[str]]:
        sent = _sent_to(stack)
        at_emulator = Counter(to for to, _text in _all_outbound_sms(stack).elements())
        return {
            "only at the emulator": at_emulator - sent,
            "only in our database": sent - at_emulator,
        }

    # A text of some other workflow (a payment receipt) may be between the two right now.
    wait_until(
        lambda: not any(difference().values()),
        20,
        "the emulator's texts and our sent rows agree",
        1,
        missing=difference,
    )
    counts = _all_outbound_sms(stack)
    twice = {key: count for key, count in counts.items() if count > 1}
    assert not twice, f"texts sent more than once: {twice}"
    return sum(counts.values())


def _meta_sent(client: httpx.Client, stack: ProcessStack) -> list[dict[str, Any]]:
    answer = client.get(f"{stack.meta}/sandbox/meta/sent")
    answer.raise_for_status()
    records: list[dict[str, Any]] = answer.json()["data"]
    return records


def _assert_ledger_once(stack: ProcessStack) -> int:
    """Every applied payment is on the ledger exactly once: its lines add up to its amount."""
    applied = _rows(
        stack,
        "SELECT p.id, p.amount_cents, COALESCE(SUM(l.amount_cents), 0) FROM payment p "
        "LEFT JOIN ledger_entry l ON l.payment_id = p.id "
        "WHERE lower(p.status) = 'applied' GROUP BY p.id",
    )
    wrong = {pid: (on_ledger, amount) for pid, amount, on_ledger in applied if on_ledger != amount}
    assert not wrong, f"payment: (on the ledger, amount): {wrong}"
    orphans = _rows(
        stack,
        "SELECT l.id FROM ledger_entry l JOIN payment p ON p.id = l.payment_id "
        "WHERE lower(p.status) != 'applied'",
    )
    assert not orphans, f"ledger lines of payments not applied: {orphans}"
    return len(applied)


def _assert_bank_payments_once(stack: ProcessStack, deposits: dict[str, int]) -> int:
    """Every transaction at the Plaid emulator became exactly one payment; `deposits` (bank
    transaction id: booking) were each applied to their booking, once. Returns how many."""
    with httpx.Client(timeout=10) as client:
        answer = client.get(f"http://127.0.0.1:{stack.ports['plaid']}/sandbox/teppan/state")
        answer.raise_for_status()
        at_bank = {t["transaction_id"] for t in answer.json()["transactions"]}
    assert set(deposits) <= at_bank

    def payments() -> dict[str, tuple[str, int | None]]:
        rows = _rows(
            stack, "SELECT external_id, status, booking_id FROM payment WHERE source = 'bank'"
        )
        return {external: (status, booking) for external, status, booking in rows}

    def not_yet() -> dict[str, object]:
        landed = payments()
        return {
            "not synced": sorted(at_bank - set(landed)),
            "not applied": {
                tx: landed.get(tx) for tx in deposits if landed.get(tx, ("",))[0] != "applied"
            },
        }

    wait_until(
        lambda: not any(not_yet().values()),
        60,
        "every bank transaction synced and each deposit applied",
        1,
        missing=not_yet,
    )
    landed = payments()
    wrong = {tx: landed[tx] for tx, booking in deposits.items() if landed[tx][1] != booking}
    assert not wrong, f"deposits applied to the wrong booking: {wrong}"
    lines = _rows(
        stack,
        "SELECT p.external_id, COUNT(l.id) FROM payment p JOIN ledger_entry l "
        "ON l.payment_id = p.id WHERE p.source = 'bank' GROUP BY p.id",
    )
    twice = {tx: count for tx, count in lines if tx in deposits and count != 1}
    assert not twice, f"deposits on the ledger more than once: {twice}"
    _assert_ledger_once(stack)
    return len(deposits)


# --- the tests ----------------------------------------------------------------------------------


def test_worker_killed_mid_flight(stack: ProcessStack) -> None:
    started = time.monotonic()
    settings = stack.settings()
    sms_numbers = [f"+1510600{i:04d}" for i in range(40)]
    meta_senders = [f"7700000{i:05d}" for i in range(10)]
    quote_numbers = [f"+1510610{i:04d}" for i in range(20)]
    booking_numbers = [f"+1510620{i:04d}" for i in range(20)]

    with httpx.Client(timeout=30) as client:
        # Every text stalls 6 s after the emulator took it: the worker dies with sends whose
        # outcome it never learnt, the case that must not become a second text.
        client.post(
            f"{stack.ringcentral}/sandbox/faults",
            json={
                "path_prefix": SMS_PATH,
                "method": "POST",
                "kind": "delay",
                "delay_seconds": 6,
                "count": 1000,
            },
        ).raise_for_status()
        booking_ids = [
            _booking(client, stack, number, f"{first} {last}")
            for number, first, last in zip(booking_numbers, FIRST_NAMES, LAST_NAMES, strict=True)
        ]
        # Deposits for half of them wait at the bank; then what `teppan up` links: the demo
        # bank (its first sync matches and applies them) and the Google profile.
        deposits = _bank_deposits(client, stack, booking_ids[: len(booking_ids) // 2])
        assert stock_the_sandbox_bank(settings)
        assert connect_the_sandbox_profile(settings)
        quote_ids = [
            _quote(client, stack, number, f"Fault Quoter {i}")
            for i, number in enumerate(quote_numbers)
        ]
        for number in sms_numbers:
            _sms_webhook(client, stack, number, FAQ)
        for sender in meta_senders:
            _meta_webhook(client, stack, sender, FAQ)
        fired = time.monotonic()
        print(f"\nfired in {fired - started:.1f} s")

        # Kill while texts are stalled at the emulator: taken by the provider, outcome unknown
        # to the worker. Those are the sends that must not become a second text.
        wait_until(
            lambda: sum(_all_outbound_sms(stack).values()) >= KILL_AT_TEXTS,
            60,
            f"{KILL_AT_TEXTS} texts at the RingCentral emulator before the kill",
        )
        stack.kill("worker")
        killed = time.monotonic()
        sent_before = _sent_to(stack)
        received_at_kill = sum(_all_outbound_sms(stack).values())
        unknown_at_kill = received_at_kill - sum(sent_before.values())
        assert unknown_at_kill > 0, "no text was in flight at the kill: the test proved nothing"
        applied_at_kill = _rows(
            stack,
            "SELECT COUNT(*) FROM payment WHERE source = 'bank' AND status = 'applied' "
            f"AND external_id IN ({','.join('?' * len(deposits))})",
            *deposits,
        )[0][0]
        in_flight = {
            "bank deposits": len(deposits) - applied_at_kill,
            "sms conversations": sum(1 for n in sms_numbers if not sent_before[n]),
            "quotes": sum(1 for n in quote_numbers if not sent_before[n]),
            "booking lifecycles": sum(1 for n in booking_numbers if not sent_before[n]),
        }
        client.delete(f"{stack.ringcentral}/sandbox/faults").raise_for_status()
        stack.start_worker()

        def still_missing() -> list[str]:
            sent = _sent_to(stack)
            texts = [n for n in (*sms_numbers, *quote_numbers, *booking_numbers) if not sent[n]]
            answered = {r["recipient_id"] for r in _meta_sent(client, stack)}
            return texts + [s for s in meta_senders if s not in answered]

        wait_until(
            lambda: not still_missing(),
            # Activities the kill interrupted are retried once their start-to-close timeout
            # (up to 60 s for a conversation turn) has passed.
            120,
            "every workflow's text after the restart",
            1,
            missing=still_missing,
        )
        recovered = time.monotonic()
        time.sleep(3)  # a duplicate would come now, from a retry that did not see the first

        counts = _all_outbound_sms(stack)
        per_number = Counter(to for to, _text in counts.elements())
        for number in (*sms_numbers, *quote_numbers, *booking_numbers):
            assert per_number[number] == 1, (number, per_number[number])
        per_sender = Counter(r["recipient_id"] for r in _meta_sent(client, stack))
        assert {s: per_sender[s] for s in meta_senders} == dict.fromkeys(meta_senders, 1)
        total_texts = _assert_each_text_once(stack)
        quotes = _rows(
            stack,
            f"SELECT lower(status) FROM quote WHERE id IN ({','.join('?' * len(quote_ids))})",
            *quote_ids,
        )
        assert [status for (status,) in quotes] == ["sent"] * len(quote_ids)
        failed = _rows(stack, "SELECT to_address FROM message WHERE lower(status) = 'failed'")
        assert not failed, failed

    applied = _assert_bank_payments_once(stack, deposits)
    states = _assert_no_workflow_failed(stack)
    ours = [
        *(f"conversation-sms-{n}" for n in sms_numbers),
        *(f"conversation-messenger-{s}" for s in meta_senders),
        *(f"quote-{q}" for q in quote_ids),
        *(f"booking-lifecycle-{b}" for b in booking_ids),
        *(f"payment-bank-{tx}" for tx in deposits),
    ]
    missing = [wid for wid in ours if wid not in states]
    assert not missing, missing
    busy = [wid for wid in ours if states[wid][1] > 0]
    assert not busy, busy
    kinds = {
        "sms conversations": len(sms_numbers),
        "messenger conversations": len(meta_senders),
        "quotes": len(quote_ids),
        "booking lifecycles": len(booking_ids),
        "bank payments": len(deposits),
    }
    print(
        f"\nworker kill: {sum(kinds.values())} workflows of ours {kinds} ({len(states)} in all); "
        f"fired in {fired - started:.1f} s, killed {killed - fired:.1f} s later with "
        f"{received_at_kill} texts at the emulator and not yet answered {in_flight}; "
        f"all answered {recovered - killed:.1f} s after the kill; {total_texts} texts each "
        f"received once ({_recovered_sends(stack)} found at the provider after the restart, "
        f"not sent again); {applied} bank deposits applied once"
    )


def test_temporal_restarted_mid_run(stack: ProcessStack) -> None:
    started = time.monotonic()
    before = [f"+1510630{i:04d}" for i in range(15)]
    during = [f"+1510640{i:04d}" for i in range(15)]
    quote_numbers = [f"+1510650{i:04d}" for i in range(5)]
    with httpx.Client(timeout=30) as client:
        for number in before:
            _sms_webhook(client, stack, number, FAQ)
        quote_ids = [
            _quote(client, stack, n, f"Outage Quoter {i}") for i, n in enumerate(quote_numbers[:2])
        ]
        stack.terminate("temporal")
        stopped = time.monotonic()
        sent_at_stop = _sent_to(stack)
        inbox_before = _inbox_ids(stack)
        for number in during:
            _sms_webhook(client, stack, number, FAQ)  # asserts 200: stored in the inbox
        quote_ids += [
            _quote(client, stack, n, f"Outage Quoter {i + 2}")
            for i, n in enumerate(quote_numbers[2:])
        ]
        accepted_while_down = _inbox_ids(stack) - inbox_before
        assert len(accepted_while_down) == len(during) + len(quote_numbers[2:])
        time.sleep(3)  # a few passes of the inbox forwarder, which must keep them
        waiting = _inbox_ids(stack, "pending") & accepted_while_down
        assert waiting == accepted_while_down, "events accepted while Temporal was down were lost"
        stack.start_temporal()
        back = time.monotonic()

        def still_missing() -> dict[str, object]:
            sent = _sent_to(stack)
            return {
                "texts": [n for n in (*before, *during, *quote_numbers) if not sent[n]],
                "inbox pending": sorted(_inbox_ids(stack, "pending") & accepted_while_down),
            }

        wait_until(
            lambda: not any(still_missing().values()),
            90,
            "every text after Temporal came back",
            1,
            missing=still_missing,
        )
        answered = time.monotonic()
        time.sleep(3)  # a duplicate would come now
        counts = _all_outbound_sms(stack)
        per_number = Counter(to for to, _text in counts.elements())
        for number in (*before, *during, *quote_numbers):
            assert per_number[number] == 1, (number, per_number[number])
    assert stack.alive("worker") and stack.alive("api")
    total = _assert_each_text_once(stack)
    _assert_ledger_once(stack)
    _assert_no_workflow_failed(stack)
    quotes = _rows(
        stack,
        f"SELECT lower(status) FROM quote WHERE id IN ({','.join('?' * len(quote_ids))})",
        *quote_ids,
    )
    assert [status for (status,) in quotes] == ["sent"] * len(quote_ids)
    print(
        f"\nTemporal restart: {len(before) + 2} started before the stop "
        f"({sum(1 for n in before if not sent_at_stop[n])} conversations unanswered at the stop), "
        f"{len(accepted_while_down)} accepted into the inbox while down; down "
        f"{back - stopped:.1f} s; all answered {answered - back:.1f} s after it was back; "
        f"{total} texts each received once; test {time.monotonic() - started:.1f} s"
    )


def _recovered_sends(stack: ProcessStack) -> int:
    """Sends the restarted worker found had gone out already (it logs each), for the report."""
    logs = (path.read_text(errors="replace") for path in stack.log_files())
    return sum(text.count("had already gone out") for text in logs)


def _inbox_ids(stack: ProcessStack, status: str | None = None) -> set[int]:
    rows = _rows(
        stack,
        "SELECT id FROM webhook_event WHERE ? IS NULL OR lower(status) = ?",
        status,
        status,
    )
    return {event_id for (event_id,) in rows}


def _stripe_signed(secret: str, body: bytes) -> str:
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def test_no_secret_in_logs(stack: ProcessStack) -> None:
    settings = stack.settings()
    with httpx.Client(timeout=30) as client:
        # Exercise the secrets that only these paths use.
        verify = client.get(
            f"{stack.api}/webhooks/meta",
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": SECRETS["TEPPAN_META_VERIFY_TOKEN"],
                "hub.challenge": "faults-challenge",
            },
        )
        assert verify.text == "faults-challenge"
        event = json.dumps(
            {
                "id": f"evt_faults_{uuid.uuid4().hex[:10]}",
                "object": "event",
                "type": "customer.created",
                "created": int(time.time()),
                "data": {"object": {"id": "cus_faults", "object": "customer"}},
                "livemode": False,
                "api_version": "2024-06-20",
            }
        ).encode()
        stripe = client.post(
            f"{stack.api}/webhooks/stripe",
            content=event,
            headers={
                "Stripe-Signature": _stripe_signed(SECRETS["TEPPAN_STRIPE_WEBHOOK_SECRET"], event),
                "Content-Type": "application/json",
            },
        )
        assert stripe.status_code == 200, stripe.text
        login = client.post(
            f"{stack.api}/admin/login",
            data={"email": settings.admin_email, "password": SECRETS["TEPPAN_ADMIN_PASSWORD"]},
        )
        assert login.status_code in (303, 403), login.text  # 403: the form's CSRF check

    # Provider secrets stored in the database are encrypted under the configured key.
    stored = [
        *_rows(stack, "SELECT access_token_encrypted FROM bank_connection"),
        *_rows(stack, "SELECT refresh_token_encrypted FROM google_connection"),
    ]
    assert len(stored) == 2
    plaintexts = []
    for (token,) in stored:
        plain = secrets_at_rest.decrypt(settings, token)
        assert plain and plain not in token
        plaintexts.append(plain)

    stack.terminate("worker")  # flush what it buffered; the module's fixture stops the rest
    needles = [*SECRETS.values(), *SANDBOX_CREDENTIALS, *plaintexts]
    logs = stack.log_files()
    assert {path.name.split("-")[0] for path in logs} >= {"api", "worker", "sandbox", "temporal"}
    worker_logs = " ".join(p.read_text(errors="replace") for p in logs if "worker" in p.name)
    assert "worker listening on task queue" in worker_logs, "not the logs of a running stack"
    found = []
    for path in logs:
        text = path.read_text(errors="replace")
        found += [f"{path.name}: {needle}" for needle in needles if needle in text]
    assert not found, found
    size = sum(path.stat().st_size for path in logs)
    print(f"\n{len(needles)} secrets absent from {len(logs)} log files ({size / 1024:.0f} KiB)")
