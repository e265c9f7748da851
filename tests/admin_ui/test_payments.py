from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from core.secrets_at_rest import decrypt
from core.settings import Settings
from domain.audit.models import AuditEntry
from domain.audit.service import SYSTEM
from domain.bookings import service as bookings
from domain.bookings.models import Booking, BookingStatus
from domain.bookings.schemas import BookingCreate
from domain.customers.models import Customer
from domain.inbox.models import WebhookEvent
from domain.payments.models import (
    BankConnection,
    DepositLink,
    LedgerEntry,
    LedgerEntryKind,
    PayerAlias,
    Payment,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
)
from sandbox.framework import BackgroundServer
from sandbox.plaid import PlaidState
from sandbox.stripe import StripeState
from tests.admin_ui.conftest import FakeForwarder, csrf_of, form_token
from tests.admin_ui.live_server import free_port
from tests.plaid_fixtures import PlaidSandbox
from tests.stripe_fixtures import StripeSandbox

PACIFIC = ZoneInfo("America/Los_Angeles")
QUEUE = "/admin/payments/review"


@pytest.fixture
def admin_settings(
    settings: Settings,
    plaid_server: tuple[BackgroundServer, PlaidState],
    stripe_server: tuple[BackgroundServer, StripeState],
) -> Settings:
    # Temporal and RingCentral are down; Plaid and Stripe are their emulators.
    return settings.model_copy(
        update={
            "temporal_address": f"127.0.0.1:{free_port()}",
            "sandbox_ringcentral_port": free_port(),
            "sandbox_plaid_port": plaid_server[0].port,
            "sandbox_stripe_port": stripe_server[0].port,
        }
    )


# --- data -------------------------------------------------------------------------------


def _upcoming(engine: Engine, count: int = 3) -> list[Booking]:
    """Seeded bookings still to come (their deposits paid), soonest first."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(Booking)
                .where(
                    Booking.status == BookingStatus.CONFIRMED,
                    col(Booking.scheduled_start) > datetime.now(UTC) + timedelta(days=2),
                )
                .order_by(col(Booking.scheduled_start))
                .limit(count)
            ).all()
        )


def _customer_name(engine: Engine, booking: Booking) -> str:
    with Session(engine) as session:
        customer = session.get(Customer, booking.customer_id)
        assert customer is not None
        return customer.full_name


def _candidate(engine: Engine, booking: Booking, score: float) -> dict[str, object]:
    return {
        "booking_id": booking.id,
        "reference": booking.reference,
        "customer": _customer_name(engine, booking),
        "event_date": booking.scheduled_start.astimezone(PACIFIC).date().isoformat(),
        "owed_cents": booking.total_cents - booking.deposit_cents,
        "score": score,
        "payment_type": "balance",
        "reasons": [f"memo names {booking.reference[:4]}", "amount near the balance"],
    }


def _queued(
    engine: Engine,
    cents: int,
    candidates: list[Booking],
    *,
    payer: str = "DANA SMITH",
    days_ago: int = 1,
) -> int:
    received = datetime.now(UTC) - timedelta(days=days_ago)
    with Session(engine) as session:
        payment = Payment(
            source=PaymentSource.BANK,
            external_id=f"plaid-tx-{cents}-{days_ago}-{payer}",
            method=PaymentMethod.ZELLE,
            amount_cents=cents,
            received_at=received,
            payer_name=payer,
            counterparty_name="Zelle",
            channel="zelle",
            description=f"Zelle payment from {payer} Conf# abc{days_ago}",
            status=PaymentStatus.IN_REVIEW,
            match_decision="review",
            match_confidence=0.62,
            payment_type="balance",
            match_reasons=["two bookings could be paid by this amount"],
            candidates=[
                _candidate(engine, booking, score)
                for booking, score in zip(candidates, (0.87, 0.55, 0.31), strict=False)
            ],
            matched_at=received + timedelta(hours=1),
        )
        session.add(payment)
        session.commit()
        assert payment.id is not None
        return payment.id


def _payment(engine: Engine, payment_id: int) -> Payment:
    with Session(engine) as session:
        payment = session.get(Payment, payment_id)
        assert payment is not None
        return payment


def _lines(engine: Engine, payment_id: int) -> list[tuple[int, int]]:
    with Session(engine) as session:
        rows = session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.payment_id == payment_id)
            .order_by(col(LedgerEntry.id))
        ).all()
        return [(row.booking_id, row.amount_cents) for row in rows]


def _inbox(engine: Engine, kind: str) -> list[WebhookEvent]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(WebhookEvent)
                .where(WebhookEvent.event_type == kind)
                .order_by(col(WebhookEvent.id))
            ).all()
        )


def _flashes(client: TestClient, path: str = QUEUE) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return " ".join(re.findall(r'<p class="flash" role="status">([^<]*)</p>', page.text))


def _decision_form(client: TestClient, **values: str) -> dict[str, str]:
    return {"csrf_token": form_token(client, QUEUE), "q": "", "page": "1"} | values


# --- the queue ----------------------------------------------------------------------------


def test_queue_lists_oldest_first_with_candidates_and_reasons(
    staff: TestClient, engine: Engine
) -> None:
    empty = staff.get(QUEUE)
    assert empty.status_code == 200
    assert "Nothing waits for review" in empty.text
    assert 'id="payments-in-review"' not in empty.text

    first, second, _third = _upcoming(engine)
    newer = _queued(engine, 45_000, [first, second], payer="DANA SMITH", days_ago=1)
    older = _queued(engine, 30_000, [second], payer="MARK LEE", days_ago=3)

    page = staff.get(QUEUE)
    text = page.text
    assert "Nothing waits for review" not in text
    assert text.index(f'id="payment-{older}"') < text.index(f'id="payment-{newer}"')
    assert 'id="payments-in-review">2<' in text  # the menu's badge
    assert "$450.00" in text and "$300.00" in text
    assert "DANA SMITH" in text and "Zelle payment from DANA SMITH Conf# abc1" in text
    assert "waiting 2 days" in text and "waiting 23 hours" in text
    assert "two bookings could be paid by this amount" in text
    assert f'href="/admin/bookings/{first.id}">{first.reference}</a>' in text
    assert _customer_name(engine, first) in text
    assert "87%" in text and "55%" in text
    assert f"memo names {first.reference[:4]}" in text
    owed = first.total_cents - first.deposit_cents
    assert f"${owed // 100:,}.{owed % 100:02d}" in text
    # Staff may look, not decide.
    assert "Apply to" not in text and "Not a booking payment" not in text
    assert "Only a manager or the owner may decide" in text

    found = staff.get(QUEUE, params={"q": "mark lee"})
    assert f'id="payment-{older}"' in found.text and f'id="payment-{newer}"' not in found.text
    nothing = staff.get(QUEUE, params={"q": "nobody at all"})
    assert "Nothing in the queue matches" in nothing.text


def test_queue_pages_and_returns_to_the_page_a_decision_was_made_on(
    manager: TestClient, engine: Engine
) -> None:
    first, _second, _third = _upcoming(engine)
    ids = [_queued(engine, 1_000 + n, [], payer=f"PAYER {n}", days_ago=40 - n) for n in range(21)]
    page_one = manager.get(QUEUE).text
    assert "21 payments" in page_one and "page 1 of 2" in page_one
    assert f'href="{QUEUE}?page=2"' in page_one
    assert f'id="payment-{ids[0]}"' in page_one and f'id="payment-{ids[20]}"' not in page_one
    assert "No booking looked likely." in page_one

    refused = manager.post(
        f"{QUEUE}/{ids[20]}/split",
        data=_decision_form(manager, page="2", reference_0=first.reference, amount_0="1"),
    )
    assert refused.status_code == 400 and f'id="payment-{ids[20]}"' in refused.text
    assert f'href="{QUEUE}?page=1"' in refused.text  # not the split's own address

    done = manager.post(f"{QUEUE}/{ids[20]}/ignore", data=_decision_form(manager, page="2"))
    assert done.headers["location"] == f"{QUEUE}?page=2"
    emptied = manager.get(done.headers["location"]).text
    assert "20 payments" in emptied and f'id="payment-{ids[19]}"' in emptied


def test_manager_sees_one_click_actions_and_keyboard_hints(
    manager: TestClient, engine: Engine
) -> None:
    first, second, _third = _upcoming(engine)
    payment_id = _queued(engine, 45_000, [first, second])
    text = manager.get(QUEUE).text
    assert f"Apply to {first.reference}</button>" in text
    assert f"Apply to {second.reference}</button>" in text
    assert 'data-shortcut="1"' in text and 'data-shortcut="2"' in text
    assert 'data-shortcut="i"' in text and "Not a booking payment" in text
    assert f'action="/admin/payments/review/{payment_id}/reassign"' in text
    assert f'action="/admin/payments/review/{payment_id}/split"' in text
    assert 'tabindex="0" data-review-item' in text
    assert "/static/review_keys.js" in text
    script = manager.get("/admin/static/review_keys.js")
    assert script.status_code == 200 and "requestSubmit" in script.text


def test_approve_applies_the_money_remembers_the_payer_and_wakes_the_workflow(
    manager: TestClient, engine: Engine
) -> None:
    first, second, _third = _upcoming(engine)
    payment_id = _queued(engine, 45_000, [first, second], payer="DANA SMITH")
    response = manager.post(
        f"{QUEUE}/{payment_id}/approve", data=_decision_form(manager, booking_id=str(first.id))
    )
    assert response.status_code == 303
    assert response.headers["location"] == QUEUE

    payment = _payment(engine, payment_id)
    assert payment.status == PaymentStatus.APPLIED and payment.booking_id == first.id
    assert payment.decided_by is not None and payment.decided_by.startswith("user:")
    assert _lines(engine, payment_id) == [(first.id, 45_000)]
    with Session(engine) as session:
        alias = session.exec(
            select(PayerAlias).where(PayerAlias.customer_id == first.customer_id)
        ).one()
        assert alias.payer_name == "DANA SMITH"
        entry = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "payment.applied", AuditEntry.entity_id == str(payment_id)
            )
        ).one()
        assert entry.actor_name == "Ana Lopez" and "approved by Ana Lopez" in entry.summary
    wake = _inbox(engine, "payment.wake")
    assert len(wake) == 1 and f'"payment_id": {payment_id}' in wake[0].body

    flashes = _flashes(manager)
    assert f"Applied $450.00 from DANA SMITH to {first.reference}." in flashes
    after = manager.get(QUEUE).text
    assert f'id="payment-{payment_id}"' not in after and "Nothing waits for review" in after

    # A second press (another tab) changes nothing and says why.
    again = manager.post(
        f"{QUEUE}/{payment_id}/approve", data=_decision_form(manager, booking_id=str(second.id))
    )
    assert again.status_code == 303
    assert f"Not changed: Payment {payment_id} is applied, not waiting for review." in _flashes(
        manager
    )
    assert _lines(engine, payment_id) == [(first.id, 45_000)]


def test_reassign_to_a_booking_that_was_not_a_candidate(
    manager: TestClient, engine: Engine
) -> None:
    first, second, third = _upcoming(engine)
    payment_id = _queued(engine, 45_000, [first, second])

    unknown = manager.post(
        f"{QUEUE}/{payment_id}/reassign", data=_decision_form(manager, reference="tp-99999")
    )
    assert unknown.status_code == 400
    assert "No booking TP-99999." in unknown.text
    assert 'value="tp-99999"' in unknown.text  # kept for fixing
    assert _payment(engine, payment_id).status == PaymentStatus.IN_REVIEW

    response = manager.post(
        f"{QUEUE}/{payment_id}/reassign",
        data=_decision_form(manager, reference=third.reference.lower()),
    )
    assert response.status_code == 303
    assert _lines(engine, payment_id) == [(third.id, 45_000)]
    assert _payment(engine, payment_id).booking_id == third.id
    with Session(engine) as session:
        entry = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "payment.applied", AuditEntry.entity_id == str(payment_id)
            )
        ).one()
        assert entry.summary.startswith("reassigned by Ana Lopez")
    assert f"to {third.reference}." in _flashes(manager)


def test_split_across_two_bookings(manager: TestClient, engine: Engine) -> None:
    first, second, _third = _upcoming(engine)
    payment_id = _queued(engine, 45_000, [first, second])
    form = _decision_form(
        manager,
        reference_0=first.reference,
        amount_0="300",
        reference_1=second.reference,
        amount_1="$150.00",
        reference_2="",
        amount_2="",
    )
    response = manager.post(f"{QUEUE}/{payment_id}/split", data=form)
    assert response.status_code == 303, response.text
    assert _lines(engine, payment_id) == [(first.id, 30_000), (second.id, 15_000)]
    assert _payment(engine, payment_id).status == PaymentStatus.APPLIED
    assert (
        f"Split $450.00 from DANA SMITH: $300.00 to {first.reference}, "
        f"$150.00 to {second.reference}." in _flashes(manager)
    )
    assert len(_inbox(engine, "payment.wake")) == 1


def test_a_split_that_does_not_add_up_changes_nothing(manager: TestClient, engine: Engine) -> None:
    first, second, _third = _upcoming(engine)
    payment_id = _queued(engine, 45_000, [first, second])
    short = _decision_form(
        manager,
        reference_0=first.reference,
        amount_0="300",
        reference_1=second.reference,
        amount_1="100",
    )
    refused = manager.post(f"{QUEUE}/{payment_id}/split", data=short)
    assert refused.status_code == 400
    assert "The parts add up to $400.00 but the payment is $450.00" in refused.text
    assert 'role="alert"' in refused.text
    assert 'value="100"' in refused.text and f'value="{second.reference}"' in refused.text
    assert "<details open>" in refused.text  # the split form stays open at its payment

    alone = _decision_form(manager, reference_0=first.reference, amount_0="450")
    one_row = manager.post(f"{QUEUE}/{payment_id}/split", data=alone)
    assert one_row.status_code == 400 and "at least two bookings" in one_row.text
    typo = _decision_form(
        manager, reference_0=first.reference, amount_0="3OO", reference_1=second.reference
    )
    bad_amount = manager.post(f"{QUEUE}/{payment_id}/split", data=typo)
    assert bad_amount.status_code == 400 and "is not an amount" in bad_amount.text
    for typed in ("inf", "1e2", "12.345"):
        odd = _decision_form(
            manager,
            reference_0=first.reference,
            amount_0=typed,
            reference_1=second.reference,
            amount_1="100",
        )
        refused_odd = manager.post(f"{QUEUE}/{payment_id}/split", data=odd)
        assert refused_odd.status_code == 400 and "is not an amount" in refused_odd.text

    assert _payment(engine, payment_id).status == PaymentStatus.IN_REVIEW
    assert _lines(engine, payment_id) == []
    assert _inbox(engine, "payment.wake") == []
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(PayerAlias)).one() == 0


def test_ignore_with_a_note(manager: TestClient, engine: Engine) -> None:
    first, _second, _third = _upcoming(engine)
    payment_id = _queued(engine, 12_000, [first], payer="KENJI TANAKA")
    response = manager.post(
        f"{QUEUE}/{payment_id}/ignore", data=_decision_form(manager, note="owner's own transfer")
    )
    assert response.status_code == 303
    payment = _payment(engine, payment_id)
    assert payment.status == PaymentStatus.IGNORED and payment.booking_id is None
    assert _lines(engine, payment_id) == []
    with Session(engine) as session:
        entry = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "payment.ignored", AuditEntry.entity_id == str(payment_id)
            )
        ).one()
        assert entry.summary == "owner's own transfer"
    assert len(_inbox(engine, "payment.wake")) == 1
    assert "$120.00 from KENJI TANAKA marked as not a booking payment." in _flashes(manager)


def test_staff_cannot_decide_and_every_decision_needs_the_csrf_token(
    app: FastAPI, staff: TestClient, manager: TestClient, engine: Engine
) -> None:
    first, _second, _third = _upcoming(engine)
    payment_id = _queued(engine, 45_000, [first])
    token = form_token(staff, QUEUE)
    for action, extra in (
        ("approve", {"booking_id": str(first.id)}),
        ("reassign", {"reference": first.reference}),
        ("ignore", {}),
    ):
        refused = staff.post(f"{QUEUE}/{payment_id}/{action}", data={"csrf_token": token, **extra})
        assert refused.status_code == 403
        assert "Only a manager or the owner may do this." in refused.text

    for token_sent in ({}, {"csrf_token": "forged"}):
        forged = manager.post(
            f"{QUEUE}/{payment_id}/approve", data={"booking_id": str(first.id), **token_sent}
        )
        assert forged.status_code == 403 and "Form expired or forged" in forged.text
    assert _payment(engine, payment_id).status == PaymentStatus.IN_REVIEW
    assert _lines(engine, payment_id) == []
    # Nor may staff see the rest of the section.
    for path in ("/admin/payments", "/admin/payments/import", "/admin/payments/bank"):
        assert staff.get(path).status_code == 403


# --- every payment ------------------------------------------------------------------------


def test_payment_list_and_detail(manager: TestClient, engine: Engine) -> None:
    first, second, _third = _upcoming(engine)
    payment_id = _queued(engine, 45_000, [first, second], payer="DANA SMITH")
    listing = manager.get("/admin/payments")
    assert listing.status_code == 200
    assert f'href="/admin/payments/{payment_id}"' in listing.text
    assert "in review" in listing.text
    seeded = manager.get("/admin/payments", params={"status": "applied"})
    assert f'href="/admin/payments/{payment_id}"' not in seeded.text
    assert "Demo deposit" in seeded.text  # the demo's payments
    searched = manager.get("/admin/payments", params={"q": "dana smith"})
    assert "1 payment<" in searched.text or "1 payment " in searched.text
    assert f'href="/admin/payments/{payment_id}"' in searched.text

    manager.post(
        f"{QUEUE}/{payment_id}/approve", data=_decision_form(manager, booking_id=str(first.id))
    )
    detail = manager.get(f"/admin/payments/{payment_id}")
    assert detail.status_code == 200
    text = detail.text
    assert "$450.00 from DANA SMITH" in text and "applied" in text
    assert "two bookings could be paid by this amount" in text
    assert f">{second.reference}</a>" in text and "55%" in text  # the candidates
    ledger = text[text.index('id="ledger-lines"') :]
    assert f">{first.reference}</a>" in ledger and "$450.00" in ledger
    history = text[text.index('id="history"') :]
    assert "payment.applied" in history and "Ana Lopez" in history
    assert manager.get("/admin/payments/999999").status_code == 404


# --- importing a CSV ----------------------------------------------------------------------

GOOD_CSV = (
    "transaction_id,date,amount_cents,description,counterparty_name,channel\n"
    "csv-1,2026-11-02,45000,Zelle payment from DANA SMITH,Zelle,zelle\n"
    "csv-2,2026-11-03,not-money,Zelle payment from MARK LEE,Zelle,zelle\n"
    "csv-3,2026-11-04,30000,VENMO CASHOUT PPD ID: 5264681992,,venmo\n"
    "csv-4,04/11/2026,1000,Check deposit,,check\n"
)


def _upload(client: TestClient, name: str, content: bytes) -> tuple[int, str]:
    token = form_token(client, "/admin/payments/import")
    response = client.post(
        "/admin/payments/import",
        data={"csrf_token": token},
        files={"file": (name, content, "text/csv")},
    )
    return response.status_code, response.text


def test_import_reports_imported_known_and_rejected_rows(
    manager: TestClient, engine: Engine
) -> None:
    page = manager.get("/admin/payments/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text

    status, text = _upload(manager, "november.csv", GOOD_CSV.encode())
    assert status == 200
    assert 'id="imported">2<' in text
    assert 'id="already-known">0<' in text
    assert 'id="rejected">2<' in text
    assert "amount_cents &#39;not-money&#39; is not a whole number of cents" in text
    assert "date &#39;04/11/2026&#39; is not YYYY-MM-DD" in text
    rejected = text[text.index('id="rejected-rows"') :]
    assert '<td class="num">3</td>' in rejected and '<td class="num">5</td>' in rejected
    with Session(engine) as session:
        stored = session.exec(
            select(Payment).where(Payment.source == PaymentSource.CSV).order_by(col(Payment.id))
        ).all()
        assert [(p.external_id, p.amount_cents) for p in stored] == [
            ("csv-1", 45_000),
            ("csv-3", 30_000),
        ]
    assert len(_inbox(engine, "payment.recorded")) == 2  # their matching workflows

    _status, again_text = _upload(manager, "november.csv", GOOD_CSV.encode())
    assert 'id="imported">0<' in again_text and 'id="already-known">2<' in again_text
    assert len(_inbox(engine, "payment.recorded")) == 2


def test_a_file_refused_as_a_whole_stores_nothing(manager: TestClient, engine: Engine) -> None:
    missing = b"transaction_id,date,description\ncsv-1,2026-11-02,Zelle payment\n"
    status, text = _upload(manager, "wrong.csv", missing)
    assert status == 400
    assert "wrong.csv was not imported; nothing was stored." in text
    assert "Missing column(s): amount_cents" in text
    _status, latin = _upload(manager, "latin.csv", "transaction_id,date\nñ,x\n".encode("latin-1"))
    assert "is not UTF-8 text" in latin
    token = form_token(manager, "/admin/payments/import")
    no_file = manager.post("/admin/payments/import", data={"csrf_token": token})
    assert no_file.status_code == 400 and "Choose a CSV file to import." in no_file.text
    forged = manager.post(
        "/admin/payments/import",
        data={"csrf_token": "forged"},
        files={"file": ("november.csv", GOOD_CSV.encode(), "text/csv")},
    )
    assert forged.status_code == 403
    with Session(engine) as session:
        assert (
            session.exec(
                select(func.count()).select_from(Payment).where(Payment.source == PaymentSource.CSV)
            ).one()
            == 0
        )


# --- the bank -----------------------------------------------------------------------------


def test_connect_the_sandbox_bank_sync_and_disconnect(
    manager: TestClient,
    owner: TestClient,
    engine: Engine,
    forwarder: FakeForwarder,
    plaid_sandbox: PlaidSandbox,
    admin_settings: Settings,
) -> None:
    page = manager.get("/admin/payments/bank")
    assert page.status_code == 200 and 'id="no-bank"' in page.text
    nothing = manager.post("/admin/payments/bank/sync", data={"csrf_token": csrf_of(page.text)})
    assert nothing.status_code == 303
    assert "Connect the bank first" in _flashes(manager, "/admin/payments/bank")
    assert _inbox(engine, "bank.sync_requested") == []

    token = csrf_of(page.text)
    connected = manager.post("/admin/payments/bank/connect", data={"csrf_token": token})
    assert connected.status_code == 303
    with Session(engine) as session:
        connection = session.exec(select(BankConnection)).one()
    assert connection.active and connection.institution_name.startswith("First Platypus Bank")
    assert plaid_sandbox.snapshot()  # the emulator made the item
    access_token = decrypt(admin_settings, connection.access_token_encrypted)
    assert access_token.startswith("access-") and access_token not in (
        connection.access_token_encrypted
    )
    first_sync = _inbox(engine, "bank.sync_requested")
    assert len(first_sync) == 1 and forwarder.forwarded == [first_sync[0].id]
    shown = manager.get("/admin/payments/bank")
    assert "Connected First Platypus Bank (sandbox). The first sync has started." in shown.text
    assert connection.item_id in shown.text and "not yet" in shown.text
    assert "Disconnect</button>" not in shown.text  # the owner's decision

    synced = manager.post("/admin/payments/bank/sync", data={"csrf_token": token})
    assert synced.status_code == 303
    requests = _inbox(engine, "bank.sync_requested")
    assert len(requests) == 2 and forwarder.forwarded[-1] == requests[-1].id
    assert "Sync started" in _flashes(manager, "/admin/payments/bank")

    refused = manager.post(
        f"/admin/payments/bank/{connection.id}/disconnect", data={"csrf_token": token}
    )
    assert refused.status_code == 403
    owner_page = owner.get("/admin/payments/bank")
    assert "Disconnect</button>" in owner_page.text
    gone = owner.post(
        f"/admin/payments/bank/{connection.id}/disconnect",
        data={"csrf_token": csrf_of(owner_page.text)},
    )
    assert gone.status_code == 303
    after = owner.get("/admin/payments/bank").text
    assert "Disconnected First Platypus Bank" in after and 'id="no-bank"' in after
    with Session(engine) as session:
        assert session.get(BankConnection, connection.id).active is False  # type: ignore[union-attr]


def test_plaid_links_public_token_is_exchanged_and_plaid_failures_are_explained(
    manager: TestClient, engine: Engine, forwarder: FakeForwarder, plaid_sandbox: PlaidSandbox
) -> None:
    token = form_token(manager, "/admin/payments/bank")
    plaid_sandbox.fault(path_prefix="/item/public_token/exchange", kind="server_error")
    failed = manager.post("/admin/payments/bank/connect", data={"csrf_token": token})
    assert failed.status_code == 303
    assert "Plaid is not answering right now" in _flashes(manager, "/admin/payments/bank")

    public_token = plaid_sandbox.feed().create_sandbox_public_token()
    exchanged = manager.post(
        "/admin/payments/bank/exchange",
        data={
            "csrf_token": token,
            "public_token": public_token,
            "institution_name": "Chase",
        },
    )
    assert exchanged.status_code == 303
    with Session(engine) as session:
        assert session.exec(select(BankConnection.institution_name)).all() == ["Chase"]
    # A public token works once.
    reused = manager.post(
        "/admin/payments/bank/exchange",
        data={"csrf_token": token, "public_token": public_token, "institution_name": "Chase"},
    )
    assert reused.status_code == 303
    assert "The bank was not connected. Plaid refused" in _flashes(manager, "/admin/payments/bank")


# --- the weekly report --------------------------------------------------------------------


def _recorded(
    engine: Engine, cents: int, at: datetime, status: PaymentStatus, method: PaymentMethod
) -> None:
    with Session(engine) as session:
        session.add(
            Payment(
                source=PaymentSource.BANK,
                external_id=f"week-{cents}-{status.value}",
                method=method,
                amount_cents=cents,
                received_at=at,
                description="for the report",
                status=status,
            )
        )
        session.commit()


def test_weekly_report_page(manager: TestClient, engine: Engine) -> None:
    # Long before the demo's payments, which are dated around today.
    monday = date(2024, 3, 4)
    tuesday = datetime(2024, 3, 5, 12, tzinfo=PACIFIC)
    _recorded(engine, 45_000, tuesday, PaymentStatus.APPLIED, PaymentMethod.ZELLE)
    _recorded(engine, 10_050, tuesday, PaymentStatus.APPLIED, PaymentMethod.CARD)
    _recorded(engine, 20_000, tuesday, PaymentStatus.IN_REVIEW, PaymentMethod.VENMO)
    _recorded(engine, 5_000, tuesday, PaymentStatus.IGNORED, PaymentMethod.OTHER)
    _recorded(engine, 77_700, tuesday, PaymentStatus.PAYOUT, PaymentMethod.CARD)
    unpaid = _new_booking(engine, datetime(2024, 3, 6, 18, tzinfo=PACIFIC))

    page = manager.get("/admin/payments/report", params={"week": "2024-03-07"})
    assert page.status_code == 200
    text = page.text
    assert "Week of Mon 4 Mar \u2013 Sun 10 Mar 2024" in text
    assert 'id="received-cents">$800.50<' in text
    assert 'id="applied-cents">$550.50<' in text
    assert 'id="review-cents">$200.00<' in text and "oldest from Tue 5 Mar" in text
    ignored = text[text.index('id="row-ignored"') :]
    assert ignored.startswith('id="row-ignored"><td>Not booking payments</td><td class="num">1<')
    methods = text[text.index('id="by-method"') :]
    assert methods.index("zelle") < methods.index("card")  # the bigger sum first
    assert "Stripe payouts reconciled: 1, $777.00" in text
    assert f'href="/admin/payments/report?week={(monday - timedelta(days=7)).isoformat()}"' in text
    assert f'href="/admin/payments/report?week={(monday + timedelta(days=7)).isoformat()}"' in text
    # The demo's events are all later than this week; one of ours is unpaid.
    owed = text[text.index('id="still-owed"') :]
    assert f">{unpaid.reference}</a>" in owed and "$1,200.00" in owed
    assert 'id="owed-cents">$1,200.00<' in text
    before = manager.get("/admin/payments/report", params={"week": "2024-02-26"})
    assert "Every event that is over has been paid for." in before.text

    this_week = manager.get("/admin/payments/report")
    assert this_week.status_code == 200 and "Week of" in this_week.text
    bad = manager.get("/admin/payments/report", params={"week": "last week"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text


# --- deposit links ------------------------------------------------------------------------


def _new_booking(engine: Engine, start: datetime | None = None) -> Booking:
    with Session(engine, expire_on_commit=False) as session:
        customer = session.exec(select(Customer).where(col(Customer.email).is_not(None))).first()
        assert customer is not None and customer.id is not None
        start = start or datetime.combine(
            date.today() + timedelta(days=300), datetime.min.time(), PACIFIC
        ).replace(hour=18)
        booking = bookings.create(
            session,
            BookingCreate(
                customer_id=customer.id,
                requested_start=start,
                address="1234 Bernal Ave, Pleasanton, CA 94566",
                adults=20,
                total_cents=120_000,
                deposit_cents=24_000,
            ),
            SYSTEM,
        )
        session.commit()
        return booking


def test_deposit_link_is_made_once_and_shown_on_the_booking(
    manager: TestClient, engine: Engine, stripe_sandbox: StripeSandbox
) -> None:
    booking = _new_booking(engine)
    path = f"/admin/bookings/{booking.id}"
    page = manager.get(path)
    assert page.status_code == 200
    assert 'id="received">$0.00<' in page.text and 'id="left">$1,200.00<' in page.text
    token = csrf_of(page.text)

    first = manager.post(f"{path}/deposit-link", data={"csrf_token": token})
    assert first.status_code == 303 and first.headers["location"] == path
    second = manager.post(f"{path}/deposit-link", data={"csrf_token": token})
    assert second.status_code == 303
    assert stripe_sandbox.created() == 1
    with Session(engine) as session:
        links = session.exec(select(DepositLink)).all()
    assert len(links) == 1 and links[0].amount_cents == 24_000
    shown = manager.get(path).text
    assert f"Deposit link for {booking.reference} ($240.00): {links[0].url}" in shown
    assert f'href="{links[0].url}"' in shown  # the latest link stays on the page

    # Paid: no deposit is due any more.
    stripe_sandbox.pay(links[0].session_id, payer_name="Robert Kim")
    with Session(engine) as session:
        session.add(
            LedgerEntry(
                booking_id=booking.id or 0,
                kind=LedgerEntryKind.PAYMENT,
                amount_cents=24_000,
                description="Card payment via Stripe",
                created_by="system",
            )
        )
        session.commit()
    done = manager.post(f"{path}/deposit-link", data={"csrf_token": token})
    assert done.status_code == 303
    after = manager.get(path).text
    assert f"No deposit link: {booking.reference}&#39;s deposit is paid." in after
    assert 'id="received">$240.00<' in after and 'id="left">$960.00<' in after
    assert "/deposit-link" not in after  # nothing to ask for
    assert stripe_sandbox.created() == 1


def test_deposit_link_when_stripe_fails_or_for_staff(
    app: FastAPI,
    manager: TestClient,
    staff: TestClient,
    engine: Engine,
    stripe_sandbox: StripeSandbox,
) -> None:
    booking = _new_booking(engine)
    path = f"/admin/bookings/{booking.id}"
    assert "Deposit link for $240.00</button>" in manager.get(path).text
    assert "/deposit-link" not in staff.get(path).text
    refused = staff.post(f"{path}/deposit-link", data={"csrf_token": form_token(staff, path)})
    assert refused.status_code == 403

    stripe_sandbox.fault(path_prefix="/v1/checkout/sessions", kind="server_error")
    token = form_token(manager, path)
    failed = manager.post(f"{path}/deposit-link", data={"csrf_token": token})
    assert failed.status_code == 303
    assert "No deposit link. Stripe is not answering right now" in _flashes(manager, path)
    assert stripe_sandbox.created() == 0
    with Session(engine) as session:
        assert session.exec(select(DepositLink)).all() == []
