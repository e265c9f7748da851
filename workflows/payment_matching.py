"""One incoming payment, from the bank line to a booking's ledger.

Match it; apply it when the engine is sure; otherwise wait, durably and for as long as it
takes, for a person's decision in the review queue (reminding the owner once when it has waited
too long). A Stripe payout is reconciled against Stripe instead. Decisions are written by the
admin panel and announced with the `wake` signal; the workflow only reads what was decided.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.payments import PaymentActivities
    from domain.payments.payloads import (
        MatchOutcome,
        PaymentMatchInput,
        PaymentMatchResult,
        PaymentWake,
        ReviewCheckRequest,
    )
    from workflows.policies import DATABASE_RETRY, PROVIDER_RETRY
    from workflows.texting import send_text

WAITING_STAGES = ("review", "unmatched")


def workflow_id_for(source: str, first_external_id: str) -> str:
    """From the provider's transaction id: a re-sync or a re-import never matches twice."""
    return f"payment-{source}-{first_external_id}"


@workflow.defn
class PaymentMatchingWorkflow:
    def __init__(self) -> None:
        self._woken = False

    @workflow.signal
    def wake(self, _: PaymentWake) -> None:
        self._woken = True

    @workflow.run
    async def run(self, request: PaymentMatchInput) -> PaymentMatchResult:
        outcome: MatchOutcome = await workflow.execute_activity_method(
            PaymentActivities.match_payment,
            request,
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=DATABASE_RETRY,
        )
        if outcome.stage == "stripe_payout":
            outcome = await workflow.execute_activity_method(
                PaymentActivities.reconcile_stripe_payout,
                request,
                start_to_close_timeout=timedelta(seconds=60),
                retry_policy=PROVIDER_RETRY,
            )
        stage, booking_ids, reminded = outcome.stage, outcome.booking_ids, False
        while stage in WAITING_STAGES:
            remind = False
            if reminded:
                await workflow.wait_condition(lambda: self._woken)
            else:
                try:
                    await workflow.wait_condition(
                        lambda: self._woken,
                        timeout=timedelta(hours=outcome.review_reminder_hours),
                    )
                except TimeoutError:
                    remind = True
            self._woken = False
            check = await workflow.execute_activity_method(
                PaymentActivities.check_review,
                ReviewCheckRequest(payment_id=request.payment_id, remind=remind),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=DATABASE_RETRY,
            )
            reminded = reminded or remind
            if check.reminder is not None:
                await send_text(check.reminder)
            stage, booking_ids = check.stage, check.booking_ids
        return PaymentMatchResult(
            payment_id=request.payment_id, stage=stage, booking_ids=booking_ids, reminded=reminded
        )
