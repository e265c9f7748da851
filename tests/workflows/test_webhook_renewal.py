"""The RingCentral webhook subscription is renewed by a workflow that a Temporal Schedule runs
(Schedules need the dev server: the time-skipping server does not support them)."""

from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from activities.webhooks import WebhookActivities
from integrations.telephony.ringcentral_subscriptions import RingCentralSubscriptions
from tests.conftest import binary
from tests.sandbox_fixtures import RingCentralSandbox, WebhookRecorder
from tests.workflows.conftest import sandbox_providers
from tests.workflows.test_replay import HISTORIES
from workflows.bank_sync import BANK_SYNC_SCHEDULE
from workflows.schedules import WEBHOOK_RENEWAL_SCHEDULE, ScheduleIntervals, ensure_schedules
from workflows.webhook_renewal import RenewWebhooksWorkflow
from workflows.worker import WORKFLOWS, WorkerDeps, build_worker

TOKEN = "sandbox-verification-token"


def _deps(engine: Engine, ringcentral: RingCentralSandbox, address: str) -> WorkerDeps:
    return WorkerDeps(
        engine=engine,
        providers=sandbox_providers(ringcentral, None),
        public_base_url="http://teppan.test",
        webhooks=WebhookActivities(RingCentralSubscriptions(ringcentral.client()), address, TOKEN),
    )


async def test_renewal_creates_then_renews_one_subscription(
    time_skipping_env: WorkflowEnvironment,
    sqlite_engine: Engine,
    ringcentral: RingCentralSandbox,
    webhook_recorder: WebhookRecorder,
) -> None:
    task_queue = f"renew-{uuid.uuid4().hex[:8]}"
    deps = _deps(sqlite_engine, ringcentral, webhook_recorder.address)
    client = time_skipping_env.client
    with ThreadPoolExecutor(max_workers=2) as executor:
        async with build_worker(client, task_queue=task_queue, deps=deps, executor=executor):
            runs = []
            for attempt in range(2):
                handle = await client.start_workflow(
                    RenewWebhooksWorkflow.run,
                    id=f"renew-{attempt}-{task_queue}",
                    task_queue=task_queue,
                )
                runs.append((handle, await handle.result()))
    (_, first), (last_handle, second) = runs
    assert not first.renewed and second.renewed and first.subscription_id == second.subscription_id
    [subscription] = ringcentral.state.subscriptions.values()
    assert set(subscription.event_filters) == {
        "/restapi/v1.0/account/~/extension/~/message-store/instant?type=SMS",
        "/restapi/v1.0/account/~/telephony/sessions",
    }
    history = await last_handle.fetch_history()
    await Replayer(
        workflows=list(WORKFLOWS), data_converter=pydantic_data_converter
    ).replay_workflow(history)
    if os.environ.get("TEPPAN_RECORD_HISTORIES") == "1":
        target = HISTORIES / f"{RenewWebhooksWorkflow.__name__}--renewed.json"
        await asyncio.to_thread(target.write_text, history.to_json())


@pytest.mark.slow
async def test_the_schedule_runs_the_renewal(
    sqlite_engine: Engine, ringcentral: RingCentralSandbox, webhook_recorder: WebhookRecorder
) -> None:
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter, dev_server_existing_path=binary("temporal")
    )
    try:
        task_queue = "teppan-schedules"
        deps = _deps(sqlite_engine, ringcentral, webhook_recorder.address)
        with ThreadPoolExecutor(max_workers=2) as executor:
            async with build_worker(
                env.client, task_queue=task_queue, deps=deps, executor=executor
            ):
                await ensure_schedules(
                    env.client,
                    task_queue,
                    ScheduleIntervals(timedelta(hours=24), timedelta(hours=1)),
                )
                await ensure_schedules(  # updated
                    env.client,
                    task_queue,
                    ScheduleIntervals(timedelta(hours=12), timedelta(minutes=30)),
                )
                for _ in range(200):
                    if ringcentral.state.subscriptions:
                        break
                    await asyncio.sleep(0.05)
        description = await env.client.get_schedule_handle(WEBHOOK_RENEWAL_SCHEDULE).describe()
        [interval] = description.schedule.spec.intervals
        assert interval.every == timedelta(hours=12)
        bank_sync = await env.client.get_schedule_handle(BANK_SYNC_SCHEDULE).describe()
        assert [i.every for i in bank_sync.schedule.spec.intervals] == [timedelta(minutes=30)]
        assert len(ringcentral.state.subscriptions) == 1  # renewed, never duplicated
    finally:
        await env.shutdown()
