"""A worker with the real activities (real database, real adapters against the emulators) on the
time-skipping test server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from integrations.bank_feed.plaid_transactions import PlaidBankFeed
from integrations.card_payments.stripe_checkout import StripeCardPayments
from integrations.factory import (
    SANDBOX_META_PAGE_ACCESS_TOKEN,
    SANDBOX_PLAID_CLIENT_ID,
    SANDBOX_PLAID_SECRET,
    SANDBOX_STRIPE_API_KEY,
    Providers,
)
from integrations.maps.offline_estimate import OfflineEstimateMaps
from integrations.meta.send_api import MetaSendApi
from integrations.sms.ringcentral import RingCentralSms
from integrations.telephony.ringcentral_call_control import RingCentralCallControl
from tests import factories
from tests.meta_fixtures import MetaSandbox
from tests.plaid_fixtures import PlaidSandbox
from tests.sandbox_fixtures import GoogleMapsSandbox, RingCentralSandbox
from tests.stripe_fixtures import StripeSandbox
from workflows.worker import WORKFLOWS, WorkerDeps, build_worker

PUBLIC_BASE_URL = "https://teppan.example.com"
CLOSED_PORT_URL = "http://127.0.0.1:9"


@dataclass
class RunningWorker:
    client: Client
    task_queue: str
    engine: Engine


@pytest.fixture
async def worker(
    time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    ringcentral: RingCentralSandbox,
    google_maps: GoogleMapsSandbox,
) -> AsyncIterator[RunningWorker]:
    async with running_worker(time_skipping_env, engine, ringcentral, google_maps) as running:
        yield running


@contextlib.asynccontextmanager
async def running_worker(
    env: WorkflowEnvironment,
    engine: Engine,
    ringcentral: RingCentralSandbox,
    google_maps: GoogleMapsSandbox,
) -> AsyncIterator[RunningWorker]:
    """Every workflow and activity on a fresh task queue, against the emulators."""
    with Session(engine) as session:
        factories.business(session)
        session.commit()
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    deps = WorkerDeps(
        engine=engine,
        providers=sandbox_providers(ringcentral, google_maps),
        public_base_url=PUBLIC_BASE_URL,
    )
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(env.client, task_queue=task_queue, deps=deps, executor=executor):
            yield RunningWorker(env.client, task_queue, engine)


def sandbox_providers(
    ringcentral: RingCentralSandbox,
    google_maps: GoogleMapsSandbox | None,
    stripe: StripeSandbox | None = None,
    plaid: PlaidSandbox | None = None,
    meta: MetaSandbox | None = None,
) -> Providers:
    """Every adapter, real SDKs against the emulators, with short timeouts for tests. Tests that
    pass no Stripe, Plaid or Meta emulator get adapters aimed at a closed port: any call fails
    loudly."""
    client = ringcentral.client(timeout=1.0)
    return Providers(
        sms=RingCentralSms(client),
        maps=google_maps.distance_matrix(timeout=1.0) if google_maps else None,
        maps_estimate=OfflineEstimateMaps(),
        call_control=RingCentralCallControl(client),
        voice=ringcentral.voice(timeout=1.0),
        card_payments=(
            stripe.card_payments(timeout=1.0)
            if stripe
            else StripeCardPayments(SANDBOX_STRIPE_API_KEY, CLOSED_PORT_URL, 1.0)
        ),
        bank_feed=(
            plaid.feed(timeout=1.0)
            if plaid
            else PlaidBankFeed(SANDBOX_PLAID_CLIENT_ID, SANDBOX_PLAID_SECRET, CLOSED_PORT_URL, 1.0)
        ),
        direct_messages=(
            meta.sender(timeout=1.0)
            if meta
            else MetaSendApi(SANDBOX_META_PAGE_ACCESS_TOKEN, CLOSED_PORT_URL, timeout=1.0)
        ),
    )


HISTORIES = Path(__file__).parent / "histories"


async def replay_and_maybe_record(handle: WorkflowHandle[Any, Any], name: str) -> None:
    """Replays the finished workflow's history against today's code (determinism), and keeps it
    under tests/workflows/histories/ when TEPPAN_RECORD_HISTORIES=1."""
    history = await handle.fetch_history()
    replayer = Replayer(workflows=list(WORKFLOWS), data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)
    if os.environ.get("TEPPAN_RECORD_HISTORIES") == "1":
        await asyncio.to_thread((HISTORIES / f"{name}.json").write_text, history.to_json())


# The booking-texting world, shared by the lifecycle and texting-rules tests.
from tests.workflows.lifecycle_world import lifecycle  # noqa: E402, F401
