"""Temporal Schedules of Teppan's recurring work, created (or brought up to date) by the worker
at start, so a fresh cluster and a changed interval both end up right."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from domain.payments.payloads import BankSyncInput
from domain.reviews.payloads import ReviewSyncInput
from workflows.bank_sync import BANK_SYNC_SCHEDULE, BankSyncWorkflow
from workflows.review_sync import REVIEW_SYNC_SCHEDULE, ReviewSyncWorkflow
from workflows.webhook_renewal import RenewWebhooksWorkflow

log = logging.getLogger(__name__)

WEBHOOK_RENEWAL_SCHEDULE = "ringcentral-webhook-renewal"


def webhook_renewal_schedule(task_queue: str, every: timedelta) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            RenewWebhooksWorkflow.run, id="ringcentral-webhook-renewal", task_queue=task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        # One renewal at a time, and after an outage one catch-up run, not a backlog.
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(hours=1)
        ),
    )


def bank_sync_schedule(task_queue: str, every: timedelta) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            BankSyncWorkflow.run, BankSyncInput(), id="bank-sync", task_queue=task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        # A sync reads everything new since the stored cursor: one missed run costs nothing.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=every),
    )


def review_sync_schedule(task_queue: str, every: timedelta) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ReviewSyncWorkflow.run, ReviewSyncInput(), id="review-sync", task_queue=task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        # Each sync lists every review: a missed run is caught up by the next one.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=every),
    )


@dataclass(frozen=True)
class ScheduleIntervals:
    webhook_renewal: timedelta
    bank_sync: timedelta
    review_sync: timedelta = timedelta(hours=1)


async def ensure_schedules(client: Client, task_queue: str, every: ScheduleIntervals) -> None:
    await _ensure(
        client,
        WEBHOOK_RENEWAL_SCHEDULE,
        webhook_renewal_schedule(task_queue, every.webhook_renewal),
    )
    await _ensure(client, BANK_SYNC_SCHEDULE, bank_sync_schedule(task_queue, every.bank_sync))
    await _ensure(client, REVIEW_SYNC_SCHEDULE, review_sync_schedule(task_queue, every.review_sync))


async def _ensure(client: Client, schedule_id: str, schedule: Schedule) -> None:
    try:
        await client.create_schedule(schedule_id, schedule, trigger_immediately=True)
        log.info("created schedule %s", schedule_id)
    except ScheduleAlreadyRunningError:

        def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(schedule_id).update(replace)
