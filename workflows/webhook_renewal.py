"""A scheduled renewal of Teppan's RingCentral webhook subscription (Temporal Schedule)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.webhooks import RenewedSubscription, WebhookActivities
    from workflows.policies import PROVIDER_RETRY


@workflow.defn
class RenewWebhooksWorkflow:
    @workflow.run
    async def run(self) -> RenewedSubscription:
        return await workflow.execute_activity_method(
            WebhookActivities.renew_ringcentral_subscription,
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=PROVIDER_RETRY,
        )
