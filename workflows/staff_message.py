"""A person's reply from the inbox: wait (durably) until the time they chose, take one last look
(a cancelled reply is not sent), then send it once on the customer's channel.

SMS goes through `send_text`, which honours consent and quiet hours and waits out a hold;
Messenger and Instagram go through the Meta Send API activity with `human_agent` (a person wrote
it), which tags it HUMAN_AGENT past Meta's 24-hour window (domain.messaging.meta_window decides).
Both claim the stored row by its idempotency key, so a retry or a restart never sends twice.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.staff_messages import StaffMessageActivities
    from domain.messaging.models import MessageKind, MessageStatus
    from domain.messaging.payloads import SendSmsResult
    from domain.messaging.payloads_staff import (
        StaffMessageInput,
        StaffMessageOutcome,
        StaffMessagePlan,
    )
    from workflows.policies import DATABASE_RETRY
    from workflows.texting import send_on_channel


def workflow_id_for(message_id: int) -> str:
    return f"staff-message-{message_id}"


@workflow.defn
class StaffMessageWorkflow:
    @workflow.run
    async def run(self, request: StaffMessageInput) -> StaffMessageOutcome:
        plan = await workflow.execute_activity_method(
            StaffMessageActivities.load_staff_message,
            request,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DATABASE_RETRY,
        )
        if plan.status == MessageStatus.SENT.value:
            return StaffMessageOutcome(message_id=plan.message_id, status=plan.status)
        if plan.status == MessageStatus.SUPPRESSED.value:
            return StaffMessageOutcome(message_id=plan.message_id, status="cancelled")
        if plan.scheduled_for is not None and plan.scheduled_for > workflow.now():
            await workflow.sleep(plan.scheduled_for - workflow.now())
        release = await workflow.execute_activity_method(
            StaffMessageActivities.release_staff_message,
            request,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DATABASE_RETRY,
        )
        if not release.send:
            return StaffMessageOutcome(
                message_id=plan.message_id, status="cancelled", reason=release.reason
            )
        try:
            result = await self._send(plan)
        except ActivityError as error:
            # The provider refused for good; the row says why (status failed).
            cause = error.cause or error
            return StaffMessageOutcome(
                message_id=plan.message_id, status="failed", reason=str(cause)
            )
        return StaffMessageOutcome(
            message_id=plan.message_id, status=result.status, reason=result.reason
        )

    @staticmethod
    async def _send(plan: StaffMessagePlan) -> SendSmsResult:
        return await send_on_channel(
            channel=plan.channel,
            idempotency_key=plan.idempotency_key,
            conversation_id=plan.conversation_id,
            our_address=plan.from_address,
            their_address=plan.to_address,
            text=plan.text,
            sent_by=plan.sent_by,
            kind=MessageKind.CONVERSATION,
            human_agent=True,
        )
