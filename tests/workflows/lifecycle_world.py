"""A booking-texting world for workflow tests: the time-skipping server on a local morning, a
worker with the real activities, the inbox forwarder and the RingCentral emulator."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from api.webhooks.forwarder import InboxForwarder
from core.settings import Settings
from core.temporal import TemporalGateway
from domain.audit.service import SYSTEM
from domain.bookings import service as bookings
from domain.bookings.models import Booking
from domain.bookings.payloads import LifecycleOutcome
from domain.bookings.schemas import BookingCreate, BookingUpdate
from domain.customers import service as customers
from domain.customers.schemas import CustomerCreate
from domain.messaging.models import Message, MessageStatus
from tests import factories
from tests.sandbox_fixtures import RingCentralSandbox
from tests.workflows.conftest import PUBLIC_BASE_URL, sandbox_providers
from workflows.booking_lifecycle import BookingLifecycleWorkflow, workflow_id_for
from workflows.worker import WorkerDeps, build_worker

ZONE = "America/Los_Angeles"
LOCAL = ZoneInfo(ZONE)
REVIEW_LINK = "https://g.page/r/test-hibachi/review"
CUSTOMER_PHONE = "+15105550111"


@dataclass
class Lifecycle:
    client: Client
    env: WorkflowEnvironment
    engine: Engine
    forwarder: InboxForwarder
    ringcentral: RingCentralSandbox
    today: datetime  # local midnight of the test's first day, on the server's clock

    def local(self, days: int, hour: int, minute: int = 0) -> datetime:
        day = (self.today + timedelta(days=days)).date()
        return datetime.combine(day, time(hour, minute), LOCAL)

    async def sleep_until(self, moment: datetime) -> None:
        now = await self.env.get_current_time()
        assert moment > now, f"{moment} is already past ({now})"
        await self.env.sleep(moment - now)


@pytest.fixture
async def lifecycle(
    own_time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    settings: Settings,
    ringcentral: RingCentralSandbox,
) -> AsyncIterator[Lifecycle]:
    with Session(engine) as session:
        business = factories.business(session)
        business.timezone = ZONE
        business.review_link = REVIEW_LINK
        session.add(business)
        session.commit()
    # Start on a morning (local), so each text of the story falls in the daytime.
    now = (await own_time_skipping_env.get_current_time()).astimezone(LOCAL)
    today = datetime.combine(now.date() + timedelta(days=1), time(0), LOCAL)
    await own_time_skipping_env.sleep(today + timedelta(hours=9, minutes=30) - now)

    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    deps = WorkerDeps(
        engine=engine,
        providers=sandbox_providers(ringcentral, None),
        public_base_url=PUBLIC_BASE_URL,
    )
    settings = settings.model_copy(update={"temporal_task_queue": task_queue})
    gateway = TemporalGateway.connected(settings, own_time_skipping_env.client)
    forwarder = InboxForwarder(engine, gateway, task_queue)
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(
            own_time_skipping_env.client, task_queue=task_queue, deps=deps, executor=executor
        ):
            yield Lifecycle(
                own_time_skipping_env.client,
                own_time_skipping_env,
                engine,
                forwarder,
                ringcentral,
                today,
            )


def _book(world: Lifecycle, start: datetime, phone: str | None = CUSTOMER_PHONE) -> Booking:
    with Session(world.engine, expire_on_commit=False) as session:
        customer = customers.create(
            session,
            CustomerCreate(full_name="Jennifer Nguyen", phone=phone, sms_consent=True),
            SYSTEM,
        )
        booking = bookings.create(
            session,
            BookingCreate(
                customer_id=customer.id or 0,
                requested_start=start,
                address="1234 Bernal Ave, Pleasanton, CA 94566",
                adults=18,
                children=2,
            ),
            SYSTEM,
        )
        session.commit()
        return booking


def _change(world: Lifecycle, booking_id: int, change: BookingUpdate) -> None:
    with Session(world.engine) as session:
        bookings.update(session, booking_id, change, SYSTEM)
        session.commit()


async def _started(world: Lifecycle, booking: Booking) -> WorkflowHandle[Any, LifecycleOutcome]:
    assert await world.forwarder.forward_pending() == 1
    return world.client.get_workflow_handle_for(
        BookingLifecycleWorkflow.run, workflow_id_for(booking.id or 0)
    )


def _texts(world: Lifecycle, booking_id: int) -> list[Message]:
    with Session(world.engine) as session:
        return list(
            session.exec(
                select(Message).where(Message.booking_id == booking_id).order_by(col(Message.id))
            ).all()
        )


def _keys(world: Lifecycle, booking_id: int) -> list[str]:
    prefix = f"booking:{booking_id}:"
    return [
        (m.idempotency_key or "").removeprefix(prefix).split(":")[0]
        for m in _texts(world, booking_id)
        if m.status == MessageStatus.SENT
    ]


async def _until(predicate: Callable[[], bool], seconds: float = 20) -> None:
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def _until_texts(world: Lifecycle, booking_id: int, *keys: str) -> None:
    await _until(lambda: _keys(world, booking_id) == list(keys))


def _phone_thread(world: Lifecycle) -> list[str]:
    return [
        m.text for m in world.ringcentral.state.thread(CUSTOMER_PHONE) if m.direction == "Outbound"
    ]
