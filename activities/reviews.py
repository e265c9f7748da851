"""Reviews: syncing them from Google, assessing each, posting replies."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Engine
from temporalio import activity

from activities.actor import workflow_actor
from activities.errors import rejected, retryable
from core.db import session_scope
from core.timeutil import utcnow
from domain.reviews import assessment, connection, service
from domain.reviews.models import ReplyStatus
from domain.reviews.payloads import (
    AssessedReview,
    ReplyDecision,
    ReviewInput,
    ReviewOutcome,
    ReviewSyncInput,
    ReviewSyncReport,
)
from domain.reviews.schemas import IncomingReview
from domain.reviews.sentiment import Assessment
from domain.reviews.service import ReplyRules
from integrations.errors import ProviderError, ProviderRejectedError, ProviderTransientError
from integrations.reviews.base import BusinessLocation, ReviewsProvider

log = logging.getLogger(__name__)

#: Builds the provider for a stored (decrypted) refresh token.
ProviderFactory = Callable[[str], ReviewsProvider]


class ReviewReader(Protocol):
    def read(self, star_rating: int, comment: str) -> Assessment: ...


class ReviewActivities:
    def __init__(
        self,
        engine: Engine,
        provider_for: ProviderFactory,
        decrypt: Callable[[str], str],
        rules: ReplyRules,
        reader: ReviewReader | None = None,
    ) -> None:
        self._reader = reader
        self._engine = engine
        self._provider_for = provider_for
        self._decrypt = decrypt
        self._rules = rules
        # One adapter per refresh token: it keeps its access token and HTTP connections.
        self._providers: dict[str, ReviewsProvider] = {}
        self._lock = threading.Lock()

    def _provider(self, refresh_token: str) -> ReviewsProvider:
        with self._lock:
            if refresh_token not in self._providers:
                self._providers[refresh_token] = self._provider_for(refresh_token)
            return self._providers[refresh_token]

    def _connected(self) -> tuple[int, ReviewsProvider, BusinessLocation] | None:
        with session_scope(self._engine) as session:
            google = connection.active(session)
            if google is None or not google.location:
                return None
            location = BusinessLocation(google.account, google.location, google.location_title)
            token = self._decrypt(google.refresh_token_encrypted)
            return google.id or 0, self._provider(token), location

    @activity.defn
    def sync_reviews(self, _: ReviewSyncInput) -> ReviewSyncReport:
        report = ReviewSyncReport()
        connected = self._connected()
        if connected is None:
            log.info("review sync: Google is not connected (or no location chosen)")
            return report
        connection_id, provider, location = connected
        try:
            found = provider.list_reviews(location)
        except ProviderTransientError as error:
            raise retryable(error) from error
        except ProviderRejectedError as error:
            with session_scope(self._engine) as session:
                connection.record_error(session, connection_id, str(error))
            raise rejected(error) from error
        with session_scope(self._engine) as session:
            for item in found:
                review, changes = service.record_incoming(
                    session,
                    IncomingReview(
                        google_review_id=item.review_id,
                        reviewer_name=item.reviewer_name[:200],
                        is_anonymous=item.is_anonymous,
                        star_rating=item.star_rating,
                        comment=item.comment[:10000],
                        created_at=item.created_at,
                        updated_at=item.updated_at,
                        reply_comment=item.reply_comment,
                    ),
                    workflow_actor(),
                )
                report.seen += 1
                if "new" in changes:
                    report.new += 1
                    report.new_review_ids.append(review.id or 0)
                report.edited += "edited" in changes
                report.replies_removed += "reply_removed" in changes
            connection.record_sync(session, connection_id, utcnow(), report.new)
        return report

    @activity.defn
    def assess_review(self, request: ReviewInput) -> AssessedReview:
        reading = self._model_reading(request.review_id)
        with session_scope(self._engine) as session:
            return assessment.assess_and_plan(
                session, request.review_id, self._rules, workflow_actor(), reading
            )

    def _model_reading(self, review_id: int) -> Assessment | None:
        """OpenAI's reading when configured; any failure falls back to the built-in scorer."""
        if self._reader is None:
            return None
        with session_scope(self._engine) as session:
            review = service.get(session, review_id)
            if review.assessed_at is not None:
                return None
            stars, comment = review.star_rating, review.comment
        try:
            return self._reader.read(stars, comment)
        except ProviderError as error:
            log.info(
                "review %s: OpenAI unavailable (%s); the built-in scorer reads it", review_id, error
            )
            return None

    @activity.defn
    def reply_decision(self, request: ReviewInput) -> ReplyDecision:
        with session_scope(self._engine) as session:
            status = service.get(session, request.review_id).reply_status
        plan = {
            ReplyStatus.APPROVED: "auto_reply",
            ReplyStatus.AWAITING_APPROVAL: "approval",
        }.get(status, "done")
        return ReplyDecision(review_id=request.review_id, plan=plan)

    @activity.defn
    def post_reply(self, request: ReviewInput) -> None:
        with session_scope(self._engine) as session:
            review = service.get(session, request.review_id)
            if review.reply_status not in (ReplyStatus.APPROVED, ReplyStatus.SCHEDULED):
                return  # posted already, or a manager skipped it meanwhile
            text, google_id = review.draft_reply or "", review.google_review_id
        connected = self._connected()
        if connected is None:
            raise rejected(ProviderRejectedError("google", "Google is not connected"))
        _, provider, location = connected
        try:
            posted_at = provider.put_reply(location, google_id, text)
        except ProviderTransientError as error:
            raise retryable(error) from error
        except ProviderRejectedError as error:
            raise rejected(error) from error
        with session_scope(self._engine) as session:
            service.mark_posted(session, request.review_id, text, posted_at, workflow_actor())

    @activity.defn
    def review_outcome(self, request: ReviewInput) -> ReviewOutcome:
        with session_scope(self._engine) as session:
            review = service.get(session, request.review_id)
            return ReviewOutcome(
                review_id=request.review_id,
                verdict=review.verdict.value,
                reply_status=review.reply_status.value,
            )
