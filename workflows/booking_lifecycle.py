"""A booking's texts, from confirmation to review request.

One workflow per booking, started (and woken) by signal-with-start whenever the booking is
created, changed or cancelled. Each turn reads the booking afresh and asks the pure rules
(domain.bookings.lifecycle_rules) for the one next step: send a text, skip it (recorded on the
booking's audit trail), sleep until the next one is due, or finish. A change wakes the sleep
early, so a reschedule moves the reminder and a cancellation stops everything. Texts go through
send_text, which honours consent and the recipient's allowed hours.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.booking_messages import BookingMessageActivities, lifecycle_workflow_id
    from domain.bookings.lifecycle_rules import (
        NOTICE_KINDS,
        Finish,
        Progress,
        Send,
        Skip,
        Step,
        Wait,
        next_step,
    )
    from domain.bookings.payloads import (
        BookingChanged,
        BookingRef,
        ComposeRequest,
        LifecycleInput,
        LifecycleOutcome,
        LifecycleSnapshot,
        MessageRecord,
        SkippedMessage,
    )
    from domain.messaging.models import MessageStatus, TemplateKind
    from workflows.policies import DATABASE_RETRY
    from workflows.texting import send_text

workflow_id_for = lifecycle_workflow_id

#: Turns of one run before it continues as new: keeps the history small for busy bookings.
TURNS_PER_RUN = 60
#: The outcome keeps the latest records only.
RECORDS_KEPT = 20
_DATABASE_TIMEOUT = timedelta(seconds=30)


@workflow.defn
class BookingLifecycleWorkflow:
    def __init__(self) -> None:
        self._changed = False

    @workflow.signal
    def booking_changed(self, change: BookingChanged) -> None:
        """The booking was created, changed or cancelled: look at it again now."""
        self._changed = True

    @workflow.run
    async def run(self, request: LifecycleInput) -> LifecycleOutcome:
        self._progress = Progress(request.told_start, request.notices, frozenset(request.done))
        self._records = list(request.records)
        self._booking_id = request.booking_id
        for _ in range(TURNS_PER_RUN):
            self._changed = False  # whatever changes from here on is read by the next turn
            snapshot = await workflow.execute_activity_method(
                BookingMessageActivities.lifecycle_snapshot,
                BookingRef(booking_id=self._booking_id),
                start_to_close_timeout=_DATABASE_TIMEOUT,
                retry_policy=DATABASE_RETRY,
            )
            step: Step = next_step(snapshot, self._progress, workflow.now())
            if isinstance(step, Finish):
                return LifecycleOutcome(
                    booking_id=self._booking_id, ended=step.reason, records=self._records
                )
            if isinstance(step, Wait):
                await self._sleep(step)
            elif isinstance(step, Send):
                await self._send(step, snapshot)
            else:
                await self._skip(step, snapshot)
            if workflow.info().is_continue_as_new_suggested():
                break
        workflow.continue_as_new(
            LifecycleInput(
                booking_id=self._booking_id,
                told_start=self._progress.told_start,
                notices=self._progress.notices,
                done=sorted(self._progress.done),
                records=self._records,
            )
        )

    async def _sleep(self, step: Wait) -> None:
        if step.until is None:
            await workflow.wait_condition(lambda: self._changed)
            return
        remaining = step.until - workflow.now()
        if remaining <= timedelta(0):
            return
        with contextlib.suppress(TimeoutError):  # the moment came: the next turn acts on it
            await workflow.wait_condition(lambda: self._changed, timeout=remaining)

    async def _send(self, step: Send, snapshot: LifecycleSnapshot) -> None:
        composed = await workflow.execute_activity_method(
            BookingMessageActivities.compose,
            ComposeRequest(booking_id=self._booking_id, kind=step.kind, key=step.key),
            start_to_close_timeout=_DATABASE_TIMEOUT,
            retry_policy=DATABASE_RETRY,
        )
        if composed.sms is None:
            await self._skip(
                Skip(step.kind, step.key, composed.reason or "nothing to send"), snapshot
            )
            return
        try:
            result = await send_text(composed.sms, interrupted=lambda: self._changed)
        except ActivityError as error:
            # The provider refused this number for good: the other texts still get their turn.
            self._handled(step.kind, step.key, snapshot, "failed", str(error.cause or error))
            return
        if result.status == MessageStatus.HELD.value:
            return  # the booking changed while the text waited: the next turn decides again
        self._handled(step.kind, step.key, snapshot, result.status, result.reason)

    async def _skip(self, step: Skip, snapshot: LifecycleSnapshot) -> None:
        await workflow.execute_activity_method(
            BookingMessageActivities.record_skipped,
            SkippedMessage(
                booking_id=self._booking_id, kind=step.kind, key=step.key, reason=step.reason
            ),
            start_to_close_timeout=_DATABASE_TIMEOUT,
            retry_policy=DATABASE_RETRY,
        )
        self._handled(step.kind, step.key, snapshot, "skipped", step.reason)

    def _handled(
        self,
        kind: TemplateKind,
        key: str,
        snapshot: LifecycleSnapshot,
        status: str,
        reason: str | None,
    ) -> None:
        progress = self._progress
        if kind in NOTICE_KINDS:
            # The customer now knows (or never will) this start time.
            self._progress = Progress(snapshot.scheduled_start, progress.notices + 1, progress.done)
        else:
            self._progress = Progress(progress.told_start, progress.notices, progress.done | {key})
        record = MessageRecord(
            kind=kind,
            key=key,
            status=status,
            reason=reason,
            at=workflow.now(),
        )
        self._records = [*self._records, record][-RECORDS_KEPT:]
