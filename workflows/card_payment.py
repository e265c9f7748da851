"""A verified Stripe event, applied to its booking's ledger once.

Stripe sends a payment twice over (checkout.session.completed and payment_intent.succeeded)
and redelivers for days; the ledger line's key is the payment intent, so all of them make one
line. The workflow id is the event id, so a redelivery starts nothing new either.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.payments import PaymentActivities
    from domain.payments.payloads import CardEventInput, CardEventOutcome
    from workflows.policies import DATABASE_RETRY


def workflow_id_for(stripe_event_id: str) -> str:
    return f"stripe-event-{stripe_event_id}"


@workflow.defn
class CardPaymentWorkflow:
    @workflow.run
    async def run(self, request: CardEventInput) -> CardEventOutcome:
        return await workflow.execute_activity_method(
            PaymentActivities.apply_card_event,
            request,
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=DATABASE_RETRY,
        )
