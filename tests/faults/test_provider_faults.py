"""Every emulator failing 30% of requests (429 with Retry-After, 500, and answers stalled past
the adapter's timeout after the work was done): every kind of workflow that talks to a provider
still completes, each side effect reaches the provider exactly once, and each retry waits at
least the Retry-After the provider gave, or the policy's back-off.

The RingCentral SDK never retries and Stripe's client does not retry 429s: retrying is the
activities' job (Temporal retry policies). This runs on the time-skipping test server, its
clock moved on by the test (see `_results`), so back-offs and Retry-After waits cost little
wall-clock time; a worker interceptor records when each attempt started and ended on the
server's clock, which is what the spacing of retries is checked against. The emulators' own
logs and counters say what was really done.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio import activity
from temporalio import client as temporal_client
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from api.webhooks.forwarder import InboxForwarder
from core import secrets_at_rest
from core.settings import Settings
from core.temporal import TemporalGateway
from core.timeutil import utcnow
from domain.audit.service import SYSTEM, Actor
from domain.bookings.models import Booking
from domain.customers.models import Channel
from domain.customers.schemas import CustomerCreate
from domain.messaging import service as messaging
from domain.messaging import staff_replies
from domain.messaging.models import MessageStatus
from domain.payments import bank, ledger, recording
from domain.payments.models import Payment, PaymentSource, PaymentStatus
from domain.payments.payloads import BankSyncInput, PaymentMatchInput
from domain.payments.schemas import IncomingPayment
from domain.quotes import service as quotes
from domain.quotes.models import Quote, QuoteStatus
from domain.quotes.schemas import QuoteCreate
from domain.reviews import connection
from domain.reviews import service as reviews
from domain.reviews.models import ReplyStatus
from domain.reviews.payloads import ReviewSyncInput
from domain.reviews.service import ReplyRules
from sandbox.framework import FaultInjector
from tests import factories
from tests.factories import PACIFIC
from tests.google_business_fixtures import GoogleBusinessSandbox
from tests.meta_fixtures import MetaSandbox
from tests.plaid_fixtures import PlaidSandbox
from tests.sandbox_fixtures import GoogleMapsSandbox, RingCentralSandbox
from tests.stripe_fixtures import StripeSandbox
from tests.workflows.conftest import PUBLIC_BASE_URL, sandbox_providers
from workflows.bank_sync import BankSyncWorkflow
from workflows.payment_matching import PaymentMatchingWorkflow
from workflows.payment_matching import workflow_id_for as matching_id_for
from workflows.policies import PROVIDER_RETRY
from workflows.quote import QuoteWorkflow
from workflows.quote import workflow_id_for as quote_id_for
from workflows.review import ReviewWorkflow
from workflows.review import workflow_id_for as review_id_for
from workflows.review_sync import ReviewSyncWorkflow
from workflows.staff_message import StaffMessageWorkflow
from workflows.staff_message import workflow_id_for as staff_message_id_for
from workflows.worker import WorkerDeps, build_worker

pytestmark = pytest.mark.slow

FAULT_RATE = 0.3
# Longer than any back-off PROVIDER_RETRY gives the first five attempts (2, 4, 8, 16, 32 s): a
# retry this late after a 429 followed Retry-After, not the policy. Skipped time costs nothing.
RETRY_AFTER_SECONDS = 45
# Draws are random after the seed, but some emulators are asked only a few times (Stripe twice
# when nothing fails): these seeds fail each one's first or second request, so every emulator
# is seen failing in every run.
SEEDS = {"ringcentral": 7, "plaid": 1, "stripe": 8, "google": 4, "maps": 1, "meta": 1}
# Longer than the adapters' 1 s timeout in tests (tests/workflows/conftest.sandbox_providers).
STALL_SECONDS = 1.5
RESULT_TIMEOUT_SECONDS = 60
# Well under the activities' start-to-close timeouts (30 s and more).
CLOCK_STEP = timedelta(seconds=5)
EVENT_DAY = date(2026, 12, 5)
OWNER_PHONE = "+15105550199"
ANA = Actor.user(2, "Ana Lopez")
CUSTOMERS = [
    ("Jennifer Nguyen", "+15105550111"),
    ("Marcus Lee", "+15105550112"),
    ("Priya Shah", "+15105550113"),
    ("Tom Becker", "+15105550114"),
]
PAYERS = [("Dana Whitfield", "+15105550121"), ("Omar Haddad", "+15105550122")]
SMS_PATH = "/restapi/v1.0/account/~/extension/~/sms"
REVIEWER = ("Marisol Quintanilla", "+15105550131")
# Far enough from Fremont for a travel fee, and each its own address: the distance cache is per
# address, so every quote asks Google.
QUOTES = [
    ("Ashley Johnson", "+12095550141", "2200 Pacific Ave, Stockton, CA 95204"),
    ("Kevin Morales", "+12095550142", "1010 10th St, Modesto, CA 95354"),
    ("Grace Kim", "+12095550143", "1001 W Center St, Manteca, CA 95337"),
]
MESSENGER_CUSTOMERS = ["Lena Fischer", "Ravi Patel", "Sofia Rossi"]
META_SEND_PATH = "/v21.0/me/messages"


@dataclass(frozen=True)
class Attempt:
    """One run of an activity: when it started and ended on the server's clock (which the test
    moves on), and how it ended."""

    key: tuple[str, str]  # workflow id, activity id
    activity_type: str
    number: int
    started: datetime
    ended: datetime
    error_type: str | None
    message: str
    next_retry_delay: timedelta | None


@dataclass
class AttemptLog(temporal_client.Interceptor, Interceptor):
    """Records every activity attempt. (`activity.info().current_attempt_scheduled_time` will
    not do: the test server stamps a retry with the time the previous attempt failed, not the
    time it became due.) Runs on the worker's event loop, so needs no lock."""

    clock: Callable[[], Awaitable[datetime]]
    attempts: list[Attempt] = field(default_factory=list)
    running: int = 0

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _RecordAttempts(next, self)


class _RecordAttempts(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, log: AttemptLog) -> None:
        super().__init__(next)
        self._log = log

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        self._log.running += 1
        try:
            started = await self._log.clock()
            try:
                result = await super().execute_activity(input)
            except BaseException as error:
                await self._record(started, error)
                raise
            await self._record(started, None)
            return result
        finally:
            self._log.running -= 1

    async def _record(self, started: datetime, error: BaseException | None) -> None:
        info = activity.info()
        failed = error if isinstance(error, ApplicationError) else None
        self._log.attempts.append(
            Attempt(
                key=(info.workflow_id or "", info.activity_id),
                activity_type=info.activity_type,
                number=info.attempt,
                started=started,
                ended=await self._log.clock(),
                error_type=(failed.type if failed else type(error).__name__) if error else None,
                message=str(error or ""),
                next_retry_delay=failed.next_retry_delay if failed else None,
            )
        )


@dataclass
class FaultyWorld:
    env: WorkflowEnvironment
    client: Client
    task_queue: str
    engine: Engine
    forwarder: InboxForwarder
    settings: Settings
    attempts: AttemptLog


@pytest.fixture
async def world(
    own_time_skipping_env: WorkflowEnvironment,
    sqlite_engine: Engine,
    settings: Settings,
    ringcentral: RingCentralSandbox,
    stripe_sandbox: StripeSandbox,
    plaid_sandbox: PlaidSandbox,
    google_business: GoogleBusinessSandbox,
    google_maps: GoogleMapsSandbox,
    meta: MetaSandbox,
) -> AsyncIterator[FaultyWorld]:
    engine = sqlite_engine
    with Session(engine) as session:
        factories.business(session)
        factories.owner_on_primary_extension(session, OWNER_PHONE)
        session.commit()
    task_queue = f"faults-{uuid.uuid4().hex[:8]}"
    deps = WorkerDeps(
        engine=engine,
        providers=sandbox_providers(ringcentral, google_maps, stripe_sandbox, plaid_sandbox, meta),
        public_base_url=PUBLIC_BASE_URL,
        decrypt=partial(secrets_at_rest.decrypt, settings),
        reviews_provider=lambda token: google_business.reviews(token, timeout=1.0),
        reply_rules=ReplyRules(auto_reply=True, auto_reply_delay_minutes=5, make_good_percent=10),
    )
    settings = settings.model_copy(update={"temporal_task_queue": task_queue})
    client = own_time_skipping_env.client
    gateway = TemporalGateway.connected(settings, client)
    forwarder = InboxForwarder(engine, gateway, task_queue)
    log = AttemptLog(own_time_skipping_env.get_current_time)
    # The worker's client carries the interceptor (workers take client interceptors that are
    # worker interceptors too); time skipping stays with the environment's client.
    config = client.config()
    config["interceptors"] = [*config["interceptors"], log]
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with build_worker(
            Client(**config), task_queue=task_queue, deps=deps, executor=executor
        ):
            yield FaultyWorld(
                own_time_skipping_env, client, task_queue, engine, forwarder, settings, log
            )


def _arm(sandbox: Any, seed: int) -> None:
    sandbox.fault(
        path_prefix="/",
        rate=FAULT_RATE,
        mix=["rate_limit", "server_error", "delay"],
        seed=seed,
        retry_after_seconds=RETRY_AFTER_SECONDS,
        delay_seconds=STALL_SECONDS,
    )


def _injector(sandbox: Any) -> FaultInjector:
    app_state = sandbox.server.app.state
    # The Plaid emulator keeps its injector in its state object, the others on the app.
    injector: FaultInjector = (
        app_state.faults if hasattr(app_state, "faults") else app_state.plaid.faults
    )
    return injector


async def _staff_reply(world: FaultyWorld, name: str, phone: str) -> tuple[str, int]:
    body = f"Hi {name.split()[0]}, the chef is confirmed for Saturday at 6 pm."
    with Session(world.engine, expire_on_commit=False) as session:
        customer = factories.customer(session, name, phone)
        conversation = messaging.conversation_for(session, customer.id or 0)
        messaging.record_inbound(
            session,
            conversation=conversation,
            channel=Channel.SMS,
            external_id=uuid.uuid4().hex[:12],
            from_address=phone,
            to_address="+15105550100",
            body="Are we still on for Saturday?",
            received_at=utcnow() - timedelta(minutes=1),
        )
        queued = staff_replies.queue_staff_reply(
            session, conversation, body, Channel.SMS, None, ANA
        )
        session.commit()
    assert await world.forwarder.forward(queued.inbox_event_id)
    return body, queued.message.id or 0


async def _messenger_reply(
    world: FaultyWorld, meta: MetaSandbox, name: str
) -> tuple[str, str, int]:
    """A customer wrote on Messenger (at Meta and in our records) and staff answered there:
    (their PSID, the answer, its message id)."""
    at = utcnow() - timedelta(minutes=1)
    # The emulator's own /sandbox/ routes are never faulted.
    delivery = meta.customer_writes("Do you do birthdays?", at=at)
    psid = str(delivery["sender_id"])
    body = f"Hi {name.split()[0]}, we do birthdays! How many guests?"
    with Session(world.engine, expire_on_commit=False) as session:
        customer = factories.customer(session, name, None)
        conversation = messaging.conversation_for(session, customer.id or 0)
        messaging.record_inbound(
            session,
            conversation=conversation,
            channel=Channel.MESSENGER,
            external_id=str(delivery["mid"]),
            from_address=psid,
            to_address=str(delivery["recipient_id"]),
            body="Do you do birthdays?",
            received_at=at,
        )
        queued = staff_replies.queue_staff_reply(
            session, conversation, body, Channel.MESSENGER, None, ANA
        )
        session.commit()
    assert await world.forwarder.forward(queued.inbox_event_id)
    return psid, body, queued.message.id or 0


async def _quote(world: FaultyWorld, name: str, phone: str, address: str) -> int:
    """A quote request, its workflow started through the inbox as the public form's is."""
    with Session(world.engine, expire_on_commit=False) as session:
        created = quotes.create(
            session,
            QuoteCreate(
                customer=CustomerCreate(full_name=name, phone=phone),
                address=address,
                adults=25,
                children=2,
                requested_start=datetime.combine(EVENT_DAY, datetime.min.time(), PACIFIC)
                + timedelta(hours=17),
            ),
            SYSTEM,
        )
        session.commit()
    assert await world.forwarder.forward(created.inbox_event_id)
    return created.quote.id or 0


def _quotes(engine: Engine, quote_ids: list[int]) -> list[Quote]:
    with Session(engine, expire_on_commit=False) as session:
        return [quotes.get(session, quote_id) for quote_id in quote_ids]


def _booking(engine: Engine, name: str, phone: str, event: datetime) -> Booking:
    with Session(engine, expire_on_commit=False) as session:
        customer = factories.customer(session, name, phone)
        booking = factories.booking(session, customer.id or 0, event)
        session.commit()
        return booking


def _link_bank(world: FaultyWorld, plaid: PlaidSandbox) -> None:
    link = plaid.link()
    with Session(world.engine) as session:
        bank.connect(
            session,
            item_id=link.item_id,
            access_token_encrypted=secrets_at_rest.encrypt(world.settings, link.access_token),
            institution_name="Sandbox Bank",
            actor=ANA,
        )
        session.commit()


def _connect_google(world: FaultyWorld, google: GoogleBusinessSandbox) -> None:
    tokens = google.connect()
    assert tokens.refresh_token
    with Session(world.engine) as session:
        google_connection = connection.connect(
            session,
            refresh_token_encrypted=secrets_at_rest.encrypt(world.settings, tokens.refresh_token),
            actor=ANA,
        )
        place = google.location
        connection.choose_location(
            session, google_connection, place.account, place.location, place.title, ANA
        )
        session.commit()


def _stripe_transfer(engine: Engine, stripe: StripeSandbox) -> tuple[Payment, str]:
    """A Stripe payout landed in the bank: matching asks Stripe which payout it is."""
    payout = stripe.create_payout(
        amount_cents=48_210, arrival_date=EVENT_DAY, trace_id="ST-BPQBDJJ8SM"
    )
    with Session(engine, expire_on_commit=False) as session:
        payment, is_new = recording.record_incoming(
            session,
            IncomingPayment(
                source=PaymentSource.CSV,
                external_id=f"tx-{uuid.uuid4().hex[:10]}",
                posted_on=EVENT_DAY,
                amount_cents=48_210,
                description="STRIPE TRANSFER ST-BPQBDJJ8SM FREMONT HIBACHI CO LLC",
            ),
            SYSTEM,
        )
        assert is_new
        session.commit()
    return payment, str(payout["id"])


def _retry_spacing_problems(attempts: list[Attempt]) -> list[str]:
    """Each retry started, on the server's clock, no sooner after the failure than the
    Retry-After the provider gave, else than PROVIDER_RETRY's back-off for that attempt."""
    runs: dict[tuple[str, str], list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        runs[attempt.key].append(attempt)
    problems = []
    for key, tries in runs.items():
        tries.sort(key=lambda attempt: attempt.number)
        numbers = [attempt.number for attempt in tries]
        assert numbers == list(range(1, len(tries) + 1)), f"{key}: attempts {numbers}"
        for failed, retry in itertools.pairwise(tries):
            waited = retry.started - failed.ended
            backoff = PROVIDER_RETRY.initial_interval * (
                PROVIDER_RETRY.backoff_coefficient ** (failed.number - 1)
            )
            wanted = failed.next_retry_delay or backoff
            if waited < wanted:
                problems.append(
                    f"{failed.activity_type} attempt {retry.number} after {waited}, not {wanted}"
                )
    return problems


async def _results(world: FaultyWorld, *handles: Any) -> list[Any]:
    """The workflows' results, moving the server's clock on in short steps while no activity
    runs. The test server's own time skipping jumps straight to the next timer even while an
    activity is stalled on a provider (timing the attempt out on a clock no real server has),
    and its long polls expire on the skipped clock: hence steps, and `describe` until done."""
    with world.env.auto_time_skipping_disabled():
        await _advance_until(world, partial(_all_closed, handles), handles)
        return [await handle.result() for handle in handles]


async def _advance_until(
    world: FaultyWorld, done: Callable[[], Awaitable[bool]], handles: tuple[Any, ...]
) -> None:
    """Moves the server's clock on as `_results` does until `done`; the caller holds time
    skipping off. `handles` are described if it never is."""
    deadline = time.monotonic() + RESULT_TIMEOUT_SECONDS
    while not await done():
        if time.monotonic() > deadline:
            stuck = [await _describe(handle) for handle in handles]
            raise AssertionError(f"unfinished after {RESULT_TIMEOUT_SECONDS} s: {stuck}")
        if world.attempts.running == 0:
            await world.env.sleep(CLOCK_STEP)
        await asyncio.sleep(0.02)


async def _describe(handle: Any) -> str:
    description = await handle.describe()
    pending = [
        f"{p.activity_type.name} attempt {p.attempt}: {p.last_failure.message[:120]}"
        for p in description.raw_description.pending_activities
    ]
    return f"{handle.id} {description.status.name} {pending}"


async def _all_closed(handles: tuple[Any, ...]) -> bool:
    for handle in handles:
        if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
            return False
    return True


async def test_every_workflow_completes_once_with_30_percent_provider_faults(
    world: FaultyWorld,
    ringcentral: RingCentralSandbox,
    plaid_sandbox: PlaidSandbox,
    stripe_sandbox: StripeSandbox,
    google_business: GoogleBusinessSandbox,
) -> None:
    event = datetime.combine(EVENT_DAY, datetime.min.time(), PACIFIC)
    bookings = [_booking(world.engine, name, phone, event) for name, phone in PAYERS]
    _link_bank(world, plaid_sandbox)
    credits = [
        plaid_sandbox.add_credit(
            booking.total_cents, f"Zelle payment from {name.upper()} {booking.reference}", EVENT_DAY
        )
        for booking, (name, _phone) in zip(bookings, PAYERS, strict=True)
    ]
    transfer, payout_id = _stripe_transfer(world.engine, stripe_sandbox)
    _booking(world.engine, *REVIEWER, datetime(2026, 11, 14, 18, 0, tzinfo=PACIFIC))
    _connect_google(world, google_business)
    review = google_business.add_review(
        5,
        "Chef was amazing, the food was great!",
        reviewer_name="Marisol Q.",
        create_time=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    )
    # Besides the random faults, the first text and the first reply certainly have their answer
    # lost after the provider did the work: the retry must find it done, not do it again.
    ringcentral.fault(
        path_prefix=SMS_PATH, method="POST", kind="delay", delay_seconds=STALL_SECONDS
    )
    place = google_business.location
    reply_path = f"/v4/{place.account}/{place.location}/reviews/{review['reviewId']}/reply"
    google_business.fault(
        path_prefix=reply_path, method="PUT", kind="delay", delay_seconds=STALL_SECONDS
    )
    emulators = [
        ("ringcentral", ringcentral),
        ("plaid", plaid_sandbox),
        ("stripe", stripe_sandbox),
        ("google", google_business),
    ]
    for name, sandbox in emulators:
        _arm(sandbox, seed=SEEDS[name])

    replies = [await _staff_reply(world, name, phone) for name, phone in CUSTOMERS]
    start = partial(world.client.start_workflow, task_queue=world.task_queue)
    bank_sync = await start(BankSyncWorkflow.run, BankSyncInput(), id=f"bank-{uuid.uuid4()}")
    review_sync = await start(
        ReviewSyncWorkflow.run, ReviewSyncInput(), id=f"reviews-{uuid.uuid4()}"
    )
    reconcile = await start(
        PaymentMatchingWorkflow.run,
        PaymentMatchInput(payment_id=transfer.id or 0),
        id=matching_id_for(transfer.source.value, transfer.external_id),
    )
    handle_for = world.client.get_workflow_handle_for
    outcomes = await _results(
        world,
        *(
            handle_for(StaffMessageWorkflow.run, staff_message_id_for(message_id))
            for _body, message_id in replies
        ),
    )
    synced, reviews_found, reconciled = await _results(world, bank_sync, review_sync, reconcile)
    assert synced.added == len(credits)
    assert reviews_found.new == 1
    # The bank's credits and the new review were stored in the inbox; forwarding starts them.
    assert await world.forwarder.forward_pending() == len(credits) + 1
    *matches, answered = await _results(
        world,
        *(
            handle_for(
                PaymentMatchingWorkflow.run, matching_id_for("bank", credit["transaction_id"])
            )
            for credit in credits
        ),
        handle_for(ReviewWorkflow.run, review_id_for(review["reviewId"])),
    )

    # Every workflow completed, and did what it was there for.
    assert [o.status for o in outcomes] == [MessageStatus.SENT.value] * len(replies)
    assert [match.stage for match in matches] == ["applied"] * len(credits)
    assert reconciled.stage == "payout"
    assert answered.reply_status == ReplyStatus.POSTED.value

    # Exactly once, as the providers saw it and as our books say.
    for (body, _id), (_name, phone) in zip(replies, CUSTOMERS, strict=True):
        sent = [m.text for m in ringcentral.state.thread(phone) if m.direction == "Outbound"]
        assert sent == [body], f"{phone} got {sent}"
    with Session(world.engine) as session:
        payments = session.exec(select(Payment)).all()
        assert len(payments) == len(credits) + 1
        for booking in bookings:
            assert ledger.paid_cents(session, booking.id or 0) == booking.total_cents
        found = session.get(Payment, transfer.id)
        assert found is not None
        assert (found.status, found.payout_id) == (PaymentStatus.PAYOUT, payout_id)
        posted = reviews.by_google_id(session, review["reviewId"])
        assert posted is not None and posted.reply_comment
    # A reply is set with PUT: a retried PUT (after a stalled answer) sets the same reply again,
    # it never adds a second one. Google holds the one reply we posted.
    state = google_business.snapshot()
    [held] = [r for r in state["reviews"] if r["reviewId"] == review["reviewId"]]
    assert held["reviewReply"]["comment"] == posted.reply_comment
    assert {r["comment"] for r in state["replies"]} == {posted.reply_comment}

    # The faults really happened, on every emulator, of every kind.
    kinds = {name: {s.fault for s in _injector(box).seen if s.fault} for name, box in emulators}
    assert all(kinds.values()), kinds
    assert set().union(*kinds.values()) == {"rate_limit", "server_error", "delay"}, kinds
    stalled = [
        (s.method, s.path)
        for box in (ringcentral, google_business)
        for s in _injector(box).seen
        if s.fault == "delay"
    ]
    assert ("POST", SMS_PATH) in stalled and ("PUT", reply_path) in stalled, stalled

    # Retries were the activities' (one activity run per attempt), and waited as they should.
    attempts = world.attempts.attempts
    failures = [a for a in attempts if a.error_type]
    assert failures, "no activity ever failed"
    assert {a.error_type for a in failures} == {"ProviderTransientError"}, failures[:3]
    rate_limited = [a for a in failures if "429" in a.message]
    assert rate_limited, "no 429 reached an activity"
    assert {a.next_retry_delay for a in rate_limited} == {timedelta(seconds=RETRY_AFTER_SECONDS)}
    assert _retry_spacing_problems(attempts) == []


async def test_quotes_and_messenger_replies_complete_once_with_30_percent_maps_and_meta_faults(
    world: FaultyWorld,
    ringcentral: RingCentralSandbox,
    google_maps: GoogleMapsSandbox,
    meta: MetaSandbox,
) -> None:
    # Besides the random faults, the first Messenger send certainly has its answer lost after
    # Meta sent it: the retry must find it sent, not send it again.
    meta.fault(path_prefix=META_SEND_PATH, method="POST", kind="delay", delay_seconds=STALL_SECONDS)
    emulators = [("maps", google_maps), ("meta", meta)]
    for name, sandbox in emulators:
        _arm(sandbox, seed=SEEDS[name])

    quote_ids = [await _quote(world, *request) for request in QUOTES]
    replies = [await _messenger_reply(world, meta, name) for name in MESSENGER_CUSTOMERS]
    handle_for = world.client.get_workflow_handle_for
    quote_runs = tuple(handle_for(QuoteWorkflow.run, quote_id_for(i)) for i in quote_ids)
    outcomes = await _results(
        world,
        *(
            handle_for(StaffMessageWorkflow.run, staff_message_id_for(message_id))
            for _psid, _body, message_id in replies
        ),
    )

    async def all_sent() -> bool:
        statuses = {q.status for q in _quotes(world.engine, quote_ids)}
        assert not statuses & {QuoteStatus.DECLINED}, statuses
        return statuses == {QuoteStatus.SENT}

    with world.env.auto_time_skipping_disabled():
        await _advance_until(world, all_sent, quote_runs)
    # Each offer was texted; the customers accept, and each quote's workflow ends there.
    sent = _quotes(world.engine, quote_ids)
    with Session(world.engine) as session:
        for quote in sent:
            quotes.accept(session, quote.public_token, None, SYSTEM)
        session.commit()
    for run in quote_runs:
        await run.signal(QuoteWorkflow.decided)
    decided = await _results(world, *quote_runs)

    # Every workflow completed, and did what it was there for.
    assert [o.status for o in outcomes] == [MessageStatus.SENT.value] * len(replies)
    assert [d.status for d in decided] == ["accepted"] * len(QUOTES)
    # A Google failure prices from the ZIP-code estimate at once (the customer is not kept
    # waiting for Google), marked unconfirmed for the owner; never without a failure behind it.
    maps_failures = [s for s in _injector(google_maps).seen if s.fault]
    estimated = [quote for quote in sent if quote.travel_source != "google"]
    for quote in sent:
        assert quote.travel_fee_cents > 0
        assert quote.travel_source in ("google", "estimate"), quote.travel_source
        assert quote.travel_confirmed == (quote.travel_source == "google")
    assert len(estimated) <= len(maps_failures), (estimated, maps_failures)

    # Exactly once, as the providers saw it.
    for quote, (_name, phone, _address) in zip(sent, QUOTES, strict=True):
        texts = [m.text for m in ringcentral.state.thread(phone) if m.direction == "Outbound"]
        assert len(texts) == 1 and quote.reference in texts[0], f"{phone} got {texts}"
    for psid, body, _message_id in replies:
        assert [m["text"] for m in meta.sent(psid)] == [body], psid

    # The faults really happened, on both emulators, of every kind.
    kinds = {name: {s.fault for s in _injector(box).seen if s.fault} for name, box in emulators}
    assert all(kinds.values()), kinds
    assert set().union(*kinds.values()) == {"rate_limit", "server_error", "delay"}, kinds
    stalled = [(s.method, s.path) for s in _injector(meta).seen if s.fault == "delay"]
    assert ("POST", META_SEND_PATH) in stalled, stalled

    # Retries were the activities' (one activity run per attempt), and waited as they should.
    attempts = world.attempts.attempts
    failures = [a for a in attempts if a.error_type]
    assert failures, "no activity ever failed"
    assert {a.error_type for a in failures} == {"ProviderTransientError"}, failures[:3]
    # Meta answers a 429 in Graph's shape: code 4, "Application request limit reached".
    rate_limited = [a for a in failures if "(#4)" in a.message]
    assert rate_limited, "no 429 reached an activity"
    assert {a.next_retry_delay for a in rate_limited} == {timedelta(seconds=RETRY_AFTER_SECONDS)}
    assert _retry_spacing_problems(attempts) == []
