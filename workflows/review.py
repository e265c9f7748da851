"""One Google review, from the sync that found it to its reply.

Assess it (sentiment, topics, which customer wrote it); text staff and, for an unhappy
customer, offer the make-good privately; then answer: 4 and 5 stars after a short delay on
their own, 3 stars and fewer only once a manager approved (or edited) the draft — a wait that
may last days and survives restarts. Posting a reply is idempotent at Google (it replaces).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.reviews import ReviewActivities
    from domain.reviews.payloads import ReviewInput, ReviewOutcome, ReviewWake
    from workflows.policies import DATABASE_RETRY, PROVIDER_RETRY
    from workflows.texting import send_text


def workflow_id_for(google_review_id: str) -> str:
    """From Google's review id: a re-sync never handles a review twice."""
    return f"review-{google_review_id}"


@workflow.defn
class ReviewWorkflow:
    def __init__(self) -> None:
        self._woken = False

    @workflow.signal
    def wake(self, _: ReviewWake) -> None:
        self._woken = True

    @workflow.run
    async def run(self, request: ReviewInput) -> ReviewOutcome:
        assessed = await workflow.execute_activity_method(
            ReviewActivities.assess_review,
            request,
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=PROVIDER_RETRY,  # OpenAI may be asked; the built-in scorer otherwise
        )
        for text in assessed.texts:
            await send_text(text)  # a make-good written at night waits for the morning
        plan = assessed.plan
        if plan == "auto_reply" and assessed.auto_reply_delay_minutes:
            await workflow.sleep(timedelta(minutes=assessed.auto_reply_delay_minutes))
        while plan == "approval":
            await workflow.wait_condition(lambda: self._woken)
            self._woken = False
            check = await workflow.execute_activity_method(
                ReviewActivities.reply_decision,
                request,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=DATABASE_RETRY,
            )
            plan = check.plan
        if plan == "auto_reply":
            await workflow.execute_activity_method(
                ReviewActivities.post_reply,
                request,
                start_to_close_timeout=timedelta(seconds=60),
                retry_policy=PROVIDER_RETRY,
            )
        return await workflow.execute_activity_method(
            ReviewActivities.review_outcome,
            request,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DATABASE_RETRY,
        )
