"""Temporal Schedules of Teppan's recurring work, created (or brought up to date) by the worker
at start, so a fresh cluster and a changed interval both end up right."""

from __future__ import annotations

import logging
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


async def ensure_schedules(client: Client, task_queue: str, renewal_every: timedelta) -> None:
    schedule = webhook_renewal_schedule(task_queue, renewal_every)
    try:
        await client.create_schedule(WEBHOOK_RENEWAL_SCHEDULE, schedule, trigger_immediately=True)
        log.info("created schedule %s", WEBHOOK_RENEWAL_SCHEDULE)
    except ScheduleAlreadyRunningError:

        def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(WEBHOOK_RENEWAL_SCHEDULE).update(replace)
