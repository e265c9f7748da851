"""The Temporal worker: every workflow and activity of Teppan, registered in one place."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker

import domain.all_models  # noqa: F401 - foreign keys resolve by table name: load every table
from activities.messaging import MessagingActivities
from activities.quotes import QuoteActivities
from activities.travel import TravelMeasurer
from core.settings import Settings
from core.temporal import connect_temporal
from integrations.factory import Providers, build_providers
from workflows.inbound_sms import InboundSmsWorkflow
from workflows.quote import QuoteWorkflow

log = logging.getLogger(__name__)

WORKFLOWS: Sequence[type] = (InboundSmsWorkflow, QuoteWorkflow)


def activities_for(engine: Engine, providers: Providers, public_base_url: str) -> list[Any]:
    messaging = MessagingActivities(engine, providers.sms)
    travel = TravelMeasurer(engine, providers.maps, providers.maps_estimate)
    quotes = QuoteActivities(engine, travel, public_base_url)
    return [
        messaging.record_inbound_sms,
        messaging.send_sms,
        quotes.price_quote,
        quotes.mark_quote_sent,
        quotes.quote_follow_up,
    ]


def build_worker(
    client: Client,
    *,
    task_queue: str,
    engine: Engine,
    providers: Providers,
    executor: ThreadPoolExecutor,
    public_base_url: str,
) -> Worker:
    # Activities are synchronous (SQL and vendor SDKs block), so they run on a thread pool.
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=activities_for(engine, providers, public_base_url),
        activity_executor=executor,
        max_concurrent_activities=executor._max_workers,
    )


async def run_worker(settings: Settings, engine: Engine) -> None:
    client = await _connect_with_retry(settings)
    with ThreadPoolExecutor(max_workers=16, thread_name_prefix="activity") as executor:
        worker = build_worker(
            client,
            task_queue=settings.temporal_task_queue,
            engine=engine,
            providers=build_providers(settings),
            executor=executor,
            public_base_url=settings.public_base_url,
        )
        log.info("worker listening on task queue %r", settings.temporal_task_queue)
        await worker.run()


async def _connect_with_retry(settings: Settings) -> Client:
    delay = 0.5
    while True:
        try:
            return await connect_temporal(settings)
        except RuntimeError as error:
            log.warning("Temporal not reachable yet (%s); retrying in %.1fs", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
