"""Reading the business's Google reviews, on a Temporal Schedule and on demand.

New reviews are stored with one inbox event each, in the same transaction; the forwarder starts
each review's workflow after the commit. Edits and deleted replies are noticed on the way.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.reviews import ReviewActivities
    from domain.reviews.payloads import ReviewSyncInput, ReviewSyncReport
    from workflows.policies import PROVIDER_RETRY

REVIEW_SYNC_SCHEDULE = "review-sync"


@workflow.defn
class ReviewSyncWorkflow:
    @workflow.run
    async def run(self, request: ReviewSyncInput) -> ReviewSyncReport:
        return await workflow.execute_activity_method(
            ReviewActivities.sync_reviews,
            request,
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=PROVIDER_RETRY,
        )
