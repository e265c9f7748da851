"""QuoteWorkflow on the time-skipping server: priced with Google (the emulator) or the
estimate, texted, reminded, expired, or accepted into a booking."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.audit.service import SYSTEM
from domain.bookings.models import Booking
from domain.customers.schemas import CustomerCreate
from domain.inbox.models import WebhookEvent
from domain.inbox.service import INTERNAL_PROVIDER
from domain.quotes import service as quotes
from domain.quotes.models import Quote, QuoteStatus
from domain.quotes.payloads import QuoteOutcome, QuoteWorkflowInput
from domain.quotes.schemas import QuoteCreate
from tests.factories import PACIFIC
from tests.sandbox_fixtures import GoogleMapsSandbox, RingCentralSandbox
from tests.workflows.conftest import PUBLIC_BASE_URL, RunningWorker, running_worker
from workflows.quote import QuoteWorkflow, workflow_id_for

CUSTOMER = "+12095550115"
STOCKTON = "2200 Pacific Ave, Stockton, CA 95204"


@pytest.fixture
async def worker(
    own_time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    ringcentral: RingCentralSandbox,
    google_maps: GoogleMapsSandbox,
) -> AsyncIterator[RunningWorker]:
    """A clock of the module's own: quotes wait days for their reminder and expiry, and a
    reminder that falls at night waits for the morning (the send gate's allowed hours)."""
    async with running_worker(own_time_skipping_env, engine, ringcentral, google_maps) as running:
        yield running


def create_quote(worker: RunningWorker, address: str = STOCKTON, adults: int = 25) -> Quote:
    with Session(worker.engine, expire_on_commit=False) as session:
        created = quotes.create(
            session,
            QuoteCreate(
                customer=CustomerCreate(full_name="Ashley Johnson", phone=CUSTOMER),
                address=address,
                adults=adults,
                children=2,
                requested_start=datetime(2026, 12, 12, 17, 0, tzinfo=PACIFIC),
            ),
            SYSTEM,
        )
        session.commit()
        return created.quote


async def start_quote(
    worker: RunningWorker, quote: Quote
) -> WorkflowHandle[QuoteWorkflow, QuoteOutcome]:
    return await worker.client.start_workflow(
        QuoteWorkflow.run,
        QuoteWorkflowInput(quote_id=quote.id or 0),
        # Quote ids restart with each test's clean database; the test server outlives them.
        id=f"{worker.task_queue}-{workflow_id_for(quote.id or 0)}",
        task_queue=worker.task_queue,
    )


def _quote(worker: RunningWorker, quote_id: int) -> Quote:
    with Session(worker.engine) as session:
        quote = session.get(Quote, quote_id)
        assert quote is not None
        return quote


async def until_sent(worker: RunningWorker, quote_id: int) -> Quote:
    for _ in range(200):
        quote = _quote(worker, quote_id)
        if quote.status == QuoteStatus.SENT:
            return quote
        await asyncio.sleep(0.05)
    raise AssertionError(f"quote {quote_id} was never sent")


def _texts(ringcentral: RingCentralSandbox) -> list[str]:
    return [m.text for m in ringcentral.state.thread(CUSTOMER) if m.direction == "Outbound"]


def accept_quote(worker: RunningWorker, quote: Quote) -> None:
    with Session(worker.engine) as session:
        quotes.accept(session, quote.public_token, None, SYSTEM)
        session.commit()


async def test_priced_with_google_texted_and_accepted_into_a_booking(
    worker: RunningWorker, ringcentral: RingCentralSandbox
) -> None:
    quote = create_quote(worker)
    handle = await start_quote(worker, quote)
    sent = await until_sent(worker, quote.id or 0)
    assert sent.travel_source == "google" and sent.travel_confirmed
    assert sent.formatted_address and "Stockton" in sent.formatted_address
    assert sent.distance_meters and 55 < sent.distance_meters / 1609.344 < 75
    assert sent.travel_fee_cents > 0  # past the free 30 miles
    assert sent.total_cents == sent.subtotal_cents + sent.tax_cents
    [offer] = _texts(ringcentral)
    assert f"{PUBLIC_BASE_URL}/q/{sent.public_token}" in offer and sent.reference in offer

    accept_quote(worker, sent)
    await handle.signal(QuoteWorkflow.decided)
    outcome = await handle.result()
    assert outcome.status == "accepted" and not outcome.reminded and outcome.booking_id
    with Session(worker.engine) as session:
        booking = session.get(Booking, outcome.booking_id)
        assert booking is not None and booking.total_cents == sent.total_cents
        assert booking.deposit_cents == sent.deposit_cents
    # The confirmation is the booking's own (its lifecycle, woken through the inbox).
    assert len(_texts(ringcentral)) == 1
    with Session(worker.engine) as session:
        woken = session.exec(
            select(WebhookEvent).where(WebhookEvent.provider == INTERNAL_PROVIDER)
        ).all()
    assert outcome.booking_id in [json.loads(event.body).get("booking_id") for event in woken]
    with Session(worker.engine) as session:
        kinds = [event.kind for event in quotes.timeline(session, quote.id or 0)]
    assert kinds == ["created", "priced", "sent", "accepted"]


async def test_reminded_once_then_expired(
    worker: RunningWorker, ringcentral: RingCentralSandbox
) -> None:
    quote = create_quote(worker)
    outcome = await (await start_quote(worker, quote)).result()  # skips the seven days
    assert outcome.status == "expired" and outcome.reminded
    _offer, reminder = _texts(ringcentral)
    assert "reminder" in reminder and "expires tomorrow" in reminder
    expired = _quote(worker, quote.id or 0)
    assert expired.status == QuoteStatus.EXPIRED and expired.reminded_at is not None
    assert expired.reminded_at < (expired.expires_at or expired.reminded_at)


async def test_acceptance_without_the_signal_is_noticed_at_the_reminder(
    worker: RunningWorker, ringcentral: RingCentralSandbox
) -> None:
    quote = create_quote(worker)
    handle = await start_quote(worker, quote)
    accept_quote(worker, await until_sent(worker, quote.id or 0))
    outcome = await handle.result()
    assert outcome.status == "accepted" and not outcome.reminded
    assert not any("reminder" in text for text in _texts(ringcentral))
    assert len(_texts(ringcentral)) == 1  # the offer; the booking confirms itself


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("2600 Fresno St, Fresno, CA 93721", "special arrangements"),
        ("99 Nowhere Lane, Atlantis", "couldn't find that address"),
        ("1 Aloha Tower Dr, Honolulu, HI 96813", "by road"),
    ],
)
async def test_declined_politely(
    worker: RunningWorker, ringcentral: RingCentralSandbox, address: str, reason: str
) -> None:
    quote = create_quote(worker, address=address)
    outcome = await (await start_quote(worker, quote)).result()
    assert outcome.status == "declined"
    [text] = _texts(ringcentral)
    assert reason in text
    declined = _quote(worker, quote.id or 0)
    assert declined.status == QuoteStatus.DECLINED and reason in (declined.decline_reason or "")


async def test_google_down_falls_back_to_the_estimate(
    worker: RunningWorker, ringcentral: RingCentralSandbox, google_maps: GoogleMapsSandbox
) -> None:
    google_maps.fault(path_prefix="/maps/api", kind="server_error", count=100)
    quote = create_quote(worker)
    handle = await start_quote(worker, quote)
    sent = await until_sent(worker, quote.id or 0)
    assert sent.travel_source == "estimate" and not sent.travel_confirmed
    assert sent.distance_meters and 40 < sent.distance_meters / 1609.344 < 90
    assert "estimated" in _texts(ringcentral)[0]
    await handle.terminate()


async def test_distances_are_cached_per_address(
    worker: RunningWorker, google_maps: GoogleMapsSandbox
) -> None:
    first = create_quote(worker)
    first_run = await start_quote(worker, first)
    await until_sent(worker, first.id or 0)
    calls = google_maps.state.distance_matrix_requests
    second = create_quote(worker, address="2200 PACIFIC AVE,  Stockton, CA 95204", adults=40)
    second_run = await start_quote(worker, second)
    cached = await until_sent(worker, second.id or 0)
    for run in (first_run, second_run):
        await run.terminate()
    assert google_maps.state.distance_matrix_requests == calls == 1
    assert cached.distance_meters == _quote(worker, first.id or 0).distance_meters
    assert cached.travel_source == "google"
