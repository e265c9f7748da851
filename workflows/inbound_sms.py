"""A customer texted the business: record it, and acknowledge it once.

The AI reply and hand-off arrive with the messaging issue; this workflow is the seam they
plug into.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.messaging import MessagingActivities
    from domain.messaging.payloads import InboundSms, RecordedInboundSms, SendSmsRequest
    from domain.messaging.rules import (
        ACKNOWLEDGEMENT_KEY_PREFIX,
        acknowledgement_text,
        is_opt_out,
    )
    from workflows.policies import DATABASE_RETRY, PROVIDER_RETRY


class InboundSmsOutcome(BaseModel):
    message_id: int
    customer_id: int
    acknowledged: bool
    reason: str


def workflow_id_for(provider_message_id: str) -> str:
    return f"sms-inbound-{provider_message_id}"


@workflow.defn
class InboundSmsWorkflow:
    @workflow.run
    async def run(self, sms: InboundSms) -> InboundSmsOutcome:
        recorded = await workflow.execute_activity_method(
            MessagingActivities.record_inbound_sms,
            sms,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DATABASE_RETRY,
        )
        if is_opt_out(sms.text) or recorded.customer_opted_out:
            return self._outcome(recorded, acknowledged=False, reason="customer opted out")
        if recorded.acknowledged_recently:
            return self._outcome(recorded, acknowledged=False, reason="acknowledged recently")
        await workflow.execute_activity_method(
            MessagingActivities.send_sms,
            SendSmsRequest(
                idempotency_key=f"{ACKNOWLEDGEMENT_KEY_PREFIX}{sms.provider_message_id}",
                conversation_id=recorded.conversation_id,
                from_number=sms.to_number,
                to_number=sms.from_number,
                text=acknowledgement_text(recorded.business_name),
                sent_by=f"workflow:{workflow.info().workflow_id}",
            ),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PROVIDER_RETRY,
        )
        return self._outcome(recorded, acknowledged=True, reason="acknowledged")

    @staticmethod
    def _outcome(
        recorded: RecordedInboundSms, *, acknowledged: bool, reason: str
    ) -> InboundSmsOutcome:
        return InboundSmsOutcome(
            message_id=recorded.message_id,
            customer_id=recorded.customer_id,
            acknowledged=acknowledged,
            reason=reason,
        )
