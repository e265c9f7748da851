"""Reviews in the database: stored from each sync, assessed once, answered once.

The pure rules live beside this module (verification, sentiment, replies); here they are fed
from the database and their outcome recorded, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core.errors import ConflictError, NotFoundError, ValidationFailed
from core.pagination import Page, paginate
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.bookings.models import Booking, BookingStatus
from domain.business import service as business
from domain.customers.models import Customer
from domain.payments.matching.models import BookingCandidate
from domain.payments.reconcile import as_candidate
from domain.reviews import outbox
from domain.reviews.models import ReplyStatus, Review, ReviewVerdict
from domain.reviews.replies import check_reply
from domain.reviews.schemas import IncomingReview
from domain.tasks import service as tasks

Change = Literal["new", "edited", "reply_removed"]


def get(session: Session, review_id: int) -> Review:
    review = session.get(Review, review_id)
    if review is None:
        raise NotFoundError(f"review {review_id} does not exist")
    return review


def by_google_id(session: Session, google_review_id: str) -> Review | None:
    return session.exec(select(Review).where(Review.google_review_id == google_review_id)).first()


def record_incoming(
    session: Session, incoming: IncomingReview, actor: Actor
) -> tuple[Review, list[Change]]:
    """Stores a new review (queuing its workflow) or notices what changed on Google."""
    review = by_google_id(session, incoming.google_review_id)
    if review is None:
        review = Review(
            google_review_id=incoming.google_review_id,
            reviewer_name=incoming.reviewer_name,
            reviewer_anonymous=incoming.is_anonymous,
            star_rating=incoming.star_rating,
            comment=incoming.comment,
            created_on_google_at=incoming.created_at,
            updated_on_google_at=incoming.updated_at,
            reply_comment=incoming.reply_comment,
        )
        if incoming.reply_comment:
            # Answered before Teppan was connected: nothing to do but show it.
            review.reply_status = ReplyStatus.POSTED
        session.add(review)
        session.flush()
        if not incoming.reply_comment:
            outbox.received(session, review)
        return review, ["new"]
    changes: list[Change] = []
    if incoming.updated_at > review.updated_on_google_at and (
        incoming.comment != review.comment or incoming.star_rating != review.star_rating
    ):
        before = {"stars": review.star_rating, "comment": review.comment[:200]}
        review.comment, review.star_rating = incoming.comment, incoming.star_rating
        review.edited_on_google = True
        changes.append("edited")
        audit.record(
            session,
            actor,
            "review.edited_on_google",
            "review",
            review.id,
            changes={"stars": [before["stars"], incoming.star_rating]},
            summary=f"{review.reviewer_name} edited their review",
        )
    review.updated_on_google_at = max(review.updated_on_google_at, incoming.updated_at)
    if review.reply_status == ReplyStatus.POSTED and not incoming.reply_comment:
        review.reply_status = ReplyStatus.REMOVED_ON_GOOGLE
        changes.append("reply_removed")
        tasks.raise_task(
            session,
            kind="review",
            title=f"Our reply to {review.reviewer_name}'s review is gone",
            details="The reply was deleted in Google. Post it again from Reviews, or leave it.",
            source_key=f"review:{review.id}:reply-removed:{incoming.updated_at.isoformat()}",
            actor=actor,
        )
    session.add(review)
    return review, changes


def verification_candidates(session: Session, review: Review) -> list[BookingCandidate]:
    """Every event up to the review: recent ones are the candidates, and the whole history
    tells the verifier how common a name is here (a common name is never verified alone)."""
    zone = ZoneInfo(business.get_settings(session).timezone)
    written = review.created_on_google_at
    rows = session.exec(
        select(Booking, Customer)
        .join(Customer, col(Customer.id) == Booking.customer_id)
        .where(
            col(Booking.status).in_([BookingStatus.CONFIRMED, BookingStatus.COMPLETED]),
            col(Booking.scheduled_start) <= written + timedelta(days=1),
        )
    ).all()
    return [as_candidate(booking, customer, zone) for booking, customer in rows]


@dataclass(frozen=True)
class ReplyRules:
    auto_reply: bool = True
    auto_reply_delay_minutes: int = 30
    make_good_percent: int = 10


def queue(
    session: Session,
    *,
    stars: int | None = None,
    verdict: str = "",
    replied: bool | None = None,
    awaiting_only: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> Page[Review]:
    query = select(Review)
    if awaiting_only:
        query = query.where(Review.reply_status == ReplyStatus.AWAITING_APPROVAL).order_by(
            col(Review.created_on_google_at), col(Review.id)
        )
    else:
        query = query.order_by(col(Review.created_on_google_at).desc(), col(Review.id).desc())
    if stars is not None:
        query = query.where(Review.star_rating == stars)
    if verdict:
        if verdict not in {v.value for v in ReviewVerdict}:
            raise ValidationFailed(f"no verdict {verdict!r}")
        query = query.where(Review.verdict == ReviewVerdict(verdict))
    if replied is not None:
        posted = Review.reply_status == ReplyStatus.POSTED
        query = query.where(posted if replied else Review.reply_status != ReplyStatus.POSTED)
    return paginate(session, query, page, per_page)


def approve(session: Session, review_id: int, text: str, actor: Actor) -> Review:
    """A manager's reply (the draft, or their edit) is checked like any other before posting."""
    review = get(session, review_id)
    if review.reply_status != ReplyStatus.AWAITING_APPROVAL:
        raise ConflictError(f"this review's reply is {review.reply_status.value}")
    text = text.strip()
    if not text:
        raise ValidationFailed("the reply is empty")
    problems = check_reply(text, business_phones=[business.get_settings(session).phone_number])
    if problems:
        raise ValidationFailed("; ".join(problems))
    edited = text != (review.draft_reply or "").strip()
    review.draft_reply = text
    review.reply_status = ReplyStatus.APPROVED
    review.decided_by, review.decided_at = actor.key, utcnow()
    session.add(review)
    audit.record(
        session,
        actor,
        "review.reply_approved",
        "review",
        review.id,
        summary="edited and approved" if edited else "draft approved",
    )
    outbox.wake(session, review, "approved")
    return review


def skip(session: Session, review_id: int, actor: Actor) -> Review:
    review = get(session, review_id)
    if review.reply_status != ReplyStatus.AWAITING_APPROVAL:
        raise ConflictError(f"this review's reply is {review.reply_status.value}")
    review.reply_status = ReplyStatus.SKIPPED
    review.decided_by, review.decided_at = actor.key, utcnow()
    session.add(review)
    audit.record(session, actor, "review.reply_skipped", "review", review.id)
    outbox.wake(session, review, "skipped")
    return review


def mark_posted(session: Session, review_id: int, text: str, at: datetime, actor: Actor) -> None:
    review = get(session, review_id)
    review.reply_comment, review.replied_at = text, at
    review.reply_status = ReplyStatus.POSTED
    session.add(review)
    audit.record(session, actor, "review.reply_posted", "review", review.id, summary=text[:200])
