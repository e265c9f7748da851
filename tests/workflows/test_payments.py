"""Payments on the time-skipping server, with the real activities against the Plaid and Stripe
emulators: matching applies sure payments and waits (durably) in review for the rest; the bank
sync reads Plaid once per change; Stripe payouts are reconciled against Stripe."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from api.webhooks.forwarder import InboxForwarder
from core import secrets_at_rest
from core.settings import Settings
from core.temporal import TemporalGateway
from domain.audit.service import SYSTEM, Actor
from domain.bookings.models import Booking
from domain.inbox.models import InboxStatus, WebhookEvent
from domain.payments import bank, ledger, recording, review
from domain.payments.models import PayerAlias, Payment, PaymentSource, PaymentStatus
from domain.payments.payloads import (
    BankSyncInput,
    BankSyncReport,
    PaymentMatchInput,
    PaymentMatchResult,
)
from domain.payments.schemas import IncomingPayment, ReviewDecision
from tests import factories
from tests.factories import PACIFIC
from tests.plaid_fixtures import PlaidSandbox
from tests.sandbox_fixtures import RingCentralSandbox
from tests.stripe_fixtures import StripeSandbox
from tests.workflows.conftest import PUBLIC_BASE_URL, replay_and_maybe_record, sandbox_providers
from workflows.bank_sync import BankSyncWorkflow
from workflows.payment_matching import PaymentMatchingWorkflow, workflow_id_for
from workflows.worker import WorkerDeps, build_worker

OWNER_PHONE = "+15105550199"
EVENT_DAY = date(2026, 12, 5)
PERSON = Actor("user:1", "Owner")


@dataclass
class PaymentsWorker:
    client: Client
    task_queue: str
    engine: Engine
    forwarder: InboxForwarder
    settings: Settings


@pytest.fixture
async def payments(
    own_time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    settings: Settings,
    ringcentral: RingCentralSandbox,
    stripe_sandbox: StripeSandbox,
    plaid_sandbox: PlaidSandbox,
) -> AsyncIterator[PaymentsWorker]:
    with Session(engine) as session:
        factories.business(session)
        factories.owner_on_primary_extension(session, OWNER_PHONE)
        session.commit()
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    deps = WorkerDeps(
        engine=engine,
        providers=sandbox_providers(ringcentral, None, stripe_sandbox, plaid_sandbox),
        public_base_url=PUBLIC_BASE_URL,
        decrypt=partial(secrets_at_rest.decrypt, settings),
    )
    settings = settings.model_copy(update={"temporal_task_queue": task_queue})
    gateway = TemporalGateway.connected(settings, own_time_skipping_env.client)
    forwarder = InboxForwarder(engine, gateway, task_queue)
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(
            own_time_skipping_env.client, task_queue=task_queue, deps=deps, executor=executor
        ):
            yield PaymentsWorker(
                own_time_skipping_env.client, task_queue, engine, forwarder, settings
            )


def _booking(engine: Engine, name: str, phone: str) -> Booking:
    with Session(engine, expire_on_commit=False) as session:
        customer = factories.customer(session, name, phone)
        booking = factories.booking(
            session, customer.id or 0, datetime.combine(EVENT_DAY, datetime.min.time(), PACIFIC)
        )
        session.commit()
        return booking


def _record(engine: Engine, amount_cents: int, description: str, on: date = EVENT_DAY) -> Payment:
    with Session(engine, expire_on_commit=False) as session:
        payment, is_new = recording.record_incoming(
            session,
            IncomingPayment(
                source=PaymentSource.CSV,
                external_id=f"tx-{uuid.uuid4().hex[:10]}",
                posted_on=on,
                amount_cents=amount_cents,
                description=description,
            ),
            SYSTEM,
        )
        assert is_new
        session.commit()
        return payment


async def _start(worker: PaymentsWorker, payment: Payment) -> WorkflowHandle[Any, Any]:
    return await worker.client.start_workflow(
        PaymentMatchingWorkflow.run,
        PaymentMatchInput(payment_id=payment.id or 0),
        id=workflow_id_for(payment.source.value, payment.external_id),
        task_queue=worker.task_queue,
    )


async def _wait_for(predicate: Any, seconds: float = 20) -> None:
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def _payment(engine: Engine, payment_id: int) -> Payment:
    with Session(engine) as session:
        found = session.get(Payment, payment_id)
        assert found is not None
        return found


def _texts_to(ringcentral: RingCentralSandbox, number: str) -> list[str]:
    return [m.text for m in ringcentral.state.thread(number) if m.direction == "Outbound"]


async def test_a_sure_payment_is_applied_to_its_booking(payments: PaymentsWorker) -> None:
    booking = _booking(payments.engine, "Jennifer Nguyen", "510-555-0111")
    payment = _record(
        payments.engine,
        booking.total_cents,
        f"Zelle payment from JENNIFER NGUYEN {booking.reference}",
    )
    handle = await _start(payments, payment)
    result: PaymentMatchResult = await handle.result()

    assert result.stage == "applied"
    assert result.booking_ids == [booking.id]
    with Session(payments.engine) as session:
        assert ledger.paid_cents(session, booking.id or 0) == booking.total_cents
        lines = ledger.entries(session, booking.id or 0)
    assert [line.payment_id for line in lines] == [payment.id]
    # Matching again (a retried activity, a re-run) applies nothing twice.
    again = await payments.client.execute_workflow(
        PaymentMatchingWorkflow.run,
        PaymentMatchInput(payment_id=payment.id or 0),
        id=f"again-{uuid.uuid4().hex[:6]}",
        task_queue=payments.task_queue,
    )
    assert again.stage == "applied"
    with Session(payments.engine) as session:
        assert ledger.paid_cents(session, booking.id or 0) == booking.total_cents


async def test_an_unsure_payment_waits_for_a_person_and_resumes_on_the_decision(
    payments: PaymentsWorker,
    own_time_skipping_env: WorkflowEnvironment,
    ringcentral: RingCentralSandbox,
) -> None:
    booking = _booking(payments.engine, "Robert Alvarez", "510-555-0122")
    # A cash-out names nobody: never applied on its own, however well the amount fits.
    payment = _record(payments.engine, booking.deposit_cents, "VENMO CASHOUT PPD ID: 5264681992")
    handle = await _start(payments, payment)
    await _wait_for(
        lambda: _payment(payments.engine, payment.id or 0).status == PaymentStatus.IN_REVIEW
    )

    # A day later the owner hears about it, once.
    await own_time_skipping_env.sleep(timedelta(hours=25))
    await _wait_for(lambda: len(_texts_to(ringcentral, OWNER_PHONE)) == 1)
    assert "waited over 24 h" in _texts_to(ringcentral, OWNER_PHONE)[0]

    with Session(payments.engine) as session:
        review.decide(
            session,
            payment.id or 0,
            ReviewDecision(action="approve", booking_id=booking.id, note="his Venmo"),
            PERSON,
        )
        session.commit()
    assert await payments.forwarder.forward_pending() == 1
    result: PaymentMatchResult = await asyncio.wait_for(handle.result(), timeout=30)

    assert result.stage == "applied"
    assert result.booking_ids == [booking.id]
    assert result.reminded
    await own_time_skipping_env.sleep(timedelta(days=3))
    assert len(_texts_to(ringcentral, OWNER_PHONE)) == 1
    with Session(payments.engine) as session:
        assert ledger.paid_cents(session, booking.id or 0) == booking.deposit_cents
        events = session.exec(select(WebhookEvent)).all()
    assert [e.status for e in events] == [InboxStatus.FORWARDED]
    await replay_and_maybe_record(handle, f"{PaymentMatchingWorkflow.__name__}--reviewed")


async def test_what_a_person_approved_matches_on_its_own_next_time(
    payments: PaymentsWorker,
) -> None:
    booking = _booking(payments.engine, "Michael Thompson", "510-555-0133")
    first = _record(payments.engine, booking.deposit_cents, "Zelle payment from SARAH K THOMPSON")
    await _start(payments, first)
    await _wait_for(
        lambda: _payment(payments.engine, first.id or 0).status == PaymentStatus.IN_REVIEW
    )
    with Session(payments.engine) as session:
        review.decide(
            session, first.id or 0, ReviewDecision(action="approve", booking_id=booking.id), PERSON
        )
        session.commit()
        aliases = session.exec(select(PayerAlias)).all()
    assert [a.payer_name for a in aliases] == ["SARAH K THOMPSON"]
    await payments.forwarder.forward_pending()

    balance = booking.total_cents - booking.deposit_cents
    second = _record(payments.engine, balance, "Zelle payment from SARAH K THOMPSON")
    result = await (await _start(payments, second)).result()
    assert result.stage == "applied"
    assert result.booking_ids == [booking.id]


async def _link_bank(worker: PaymentsWorker, plaid: PlaidSandbox) -> int:
    link = plaid.link()
    with Session(worker.engine) as session:
        connection = bank.connect(
            session,
            item_id=link.item_id,
            access_token_encrypted=secrets_at_rest.encrypt(worker.settings, link.access_token),
            institution_name="Sandbox Bank",
            actor=PERSON,
        )
        session.commit()
        assert link.access_token not in connection.access_token_encrypted
        return connection.id or 0


async def _sync(worker: PaymentsWorker, record_as: str = "") -> BankSyncReport:
    handle = await worker.client.start_workflow(
        BankSyncWorkflow.run,
        BankSyncInput(),
        id=f"bank-sync-{uuid.uuid4().hex[:8]}",
        task_queue=worker.task_queue,
    )
    report = await handle.result()
    if record_as:
        await replay_and_maybe_record(handle, record_as)
    return report


def _matching_handle(
    worker: PaymentsWorker, transaction_id: str
) -> WorkflowHandle[Any, PaymentMatchResult]:
    return worker.client.get_workflow_handle_for(
        PaymentMatchingWorkflow.run, workflow_id_for("bank", transaction_id)
    )


async def test_bank_sync_matches_each_credit_once_and_undoes_a_withdrawn_one(
    payments: PaymentsWorker, plaid_sandbox: PlaidSandbox
) -> None:
    booking = _booking(payments.engine, "Jennifer Nguyen", "510-555-0111")
    connection_id = await _link_bank(payments, plaid_sandbox)
    credit = plaid_sandbox.add_credit(
        booking.total_cents, f"Zelle payment from JENNIFER NGUYEN {booking.reference}", EVENT_DAY
    )
    plaid_sandbox.add_debit(12_345, "RESTAURANT DEPOT", EVENT_DAY)

    report = await _sync(payments, record_as="BankSyncWorkflow--synced")
    assert (report.added, report.skipped_debits) == (1, 1)
    assert await payments.forwarder.forward_pending() == 1
    result = await _matching_handle(payments, credit["transaction_id"]).result()
    assert result.stage == "applied"

    # A re-sync reads nothing new and starts nothing; a changed line is only a change.
    assert (await _sync(payments)).added == 0
    assert await payments.forwarder.forward_pending() == 0
    plaid_sandbox.modify(
        credit["transaction_id"], name=f"ZELLE FROM JENNIFER NGUYEN {booking.reference}"
    )
    changed = await _sync(payments)
    assert (changed.added, changed.modified) == (0, 1)
    assert await payments.forwarder.forward_pending() == 0

    plaid_sandbox.remove(credit["transaction_id"])
    report = await _sync(payments)
    assert (report.removed, report.reversed) == (1, 1)
    await payments.forwarder.forward_pending()
    with Session(payments.engine) as session:
        assert ledger.paid_cents(session, booking.id or 0) == 0
        assert _only_payment(session).status == PaymentStatus.REVERSED
        synced = bank.get(session, connection_id)
        assert synced.cursor and synced.last_synced_at is not None


def _only_payment(session: Session) -> Payment:
    [payment] = session.exec(select(Payment).order_by(col(Payment.id))).all()
    return payment


async def test_a_pending_credit_that_posts_keeps_its_one_match(
    payments: PaymentsWorker, plaid_sandbox: PlaidSandbox
) -> None:
    booking = _booking(payments.engine, "Jennifer Nguyen", "510-555-0111")
    await _link_bank(payments, plaid_sandbox)
    pending = plaid_sandbox.add_credit(
        booking.total_cents,
        f"Zelle from JENNIFER NGUYEN {booking.reference}",
        EVENT_DAY,
        pending=True,
    )
    await _sync(payments)
    await payments.forwarder.forward_pending()
    assert (await _matching_handle(payments, pending["transaction_id"]).result()).stage == "applied"

    posted = plaid_sandbox.post_pending(pending["transaction_id"])
    report = await _sync(payments)
    assert report.reversed == 0
    assert await payments.forwarder.forward_pending() == 0
    with Session(payments.engine) as session:
        payment = _only_payment(session)
        assert payment.external_id == posted["transaction_id"]
        assert payment.first_external_id == pending["transaction_id"]
        assert payment.status == PaymentStatus.APPLIED
        assert ledger.paid_cents(session, booking.id or 0) == booking.total_cents


async def test_a_failing_bank_is_retried_and_read_once(
    payments: PaymentsWorker, plaid_sandbox: PlaidSandbox
) -> None:
    booking = _booking(payments.engine, "Jennifer Nguyen", "510-555-0111")
    await _link_bank(payments, plaid_sandbox)
    plaid_sandbox.add_credit(booking.deposit_cents, "Zelle from JENNIFER NGUYEN", EVENT_DAY)
    plaid_sandbox.fault(path_prefix="/transactions/sync", kind="server_error", count=2)
    plaid_sandbox.fault(path_prefix="/transactions/sync", kind="rate_limit", count=1)

    report = await _sync(payments)

    assert report.added == 1
    with Session(payments.engine) as session:
        assert len(session.exec(select(Payment)).all()) == 1


async def test_a_stripe_payout_is_reconciled_against_stripe_not_by_name(
    payments: PaymentsWorker, stripe_sandbox: StripeSandbox
) -> None:
    _booking(payments.engine, "Stripe Transfer", "510-555-0144")  # a name that must not match
    payout = stripe_sandbox.create_payout(
        amount_cents=48_210, arrival_date=EVENT_DAY, trace_id="ST-BPQBDJJ8SM"
    )
    payment = _record(
        payments.engine, 48_210, "STRIPE TRANSFER ST-BPQBDJJ8SM FREMONT HIBACHI CO LLC"
    )
    handle = await _start(payments, payment)
    result = await handle.result()

    assert result.stage == "payout"
    await replay_and_maybe_record(handle, f"{PaymentMatchingWorkflow.__name__}--payout")
    found = _payment(payments.engine, payment.id or 0)
    assert (found.status, found.payout_id, found.booking_id) == (
        PaymentStatus.PAYOUT,
        payout["id"],
        None,
    )
