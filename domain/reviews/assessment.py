"""Assessing a review once and planning its answer.

Sentiment and topics (the built-in scorer; the stars always count), which customer wrote it
(verification against recent events), the draft reply, and who hears about it: an unhappy
verified customer gets the make-good privately by text and staff get a heads-up and a task; an
unhappy stranger is flagged for investigation. Safe to repeat: a review assessed before answers
with the plan it was given.
"""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.bookings.models import Booking
from domain.business import service as business
from domain.customers.models import Customer
from domain.messaging.models import MessageKind
from domain.messaging.payloads import SendSmsRequest
from domain.messaging.service import conversation_for
from domain.reviews import service
from domain.reviews.models import ReplyStatus, Review, ReviewVerdict
from domain.reviews.names import first_name_for_reply
from domain.reviews.payloads import AssessedReview, ReviewPlan
from domain.reviews.replies import draft_reply, event_month, make_good_sms, reply_kind
from domain.reviews.sentiment import Assessment, assess
from domain.reviews.service import ReplyRules
from domain.reviews.verification import ReviewFacts, VerificationSettings, verify
from domain.staff import service as staff
from domain.staff.models import StaffMember
from domain.tasks import service as tasks

LOW_STARS = 3


def bounded_by_stars(reading: Assessment, star_rating: int) -> Assessment:
    """A model's reading, held to what the stars say: one or two stars are never positive,
    four or five never negative (the built-in scorer guarantees the same by itself)."""
    if star_rating <= 2 and reading.sentiment == "positive":
        return replace(reading, sentiment="neutral", score=min(reading.score, 0.0))
    if star_rating >= 4 and reading.sentiment == "negative":
        return replace(reading, sentiment="neutral", score=max(reading.score, 0.0))
    return reading


def assess_and_plan(
    session: Session,
    review_id: int,
    rules: ReplyRules,
    actor: Actor,
    model_reading: Assessment | None = None,
) -> AssessedReview:
    """`model_reading`: OpenAI's, when configured and it answered; else the built-in scorer."""
    review = service.get(session, review_id)
    if review.assessed_at is not None:
        return _planned(review, rules)
    settings = business.get_settings(session)
    reading = (
        bounded_by_stars(model_reading, review.star_rating)
        if model_reading is not None
        else assess(review.star_rating, review.comment)
    )
    candidates = service.verification_candidates(session, review)
    result = verify(
        ReviewFacts(
            review_id=review.google_review_id,
            reviewer_name=review.reviewer_name,
            star_rating=review.star_rating,
            comment=review.comment,
            created_at=review.created_on_google_at,
        ),
        candidates,
        VerificationSettings(time_zone=settings.timezone),
    )
    by_id = {candidate.booking_id: candidate for candidate in candidates}
    review.sentiment, review.sentiment_score = reading.sentiment, reading.score
    review.topics = list(reading.topics)
    review.verdict = ReviewVerdict(result.verdict)
    review.booking_id = result.booking_id
    review.verification_confidence = result.confidence
    review.verification_reasons = [*result.reasons, *reading.reasons]
    review.candidates = [
        {
            "booking_id": scored.booking_id,
            "reference": by_id[scored.booking_id].reference if scored.booking_id in by_id else "",
            "customer": by_id[scored.booking_id].customer_name
            if scored.booking_id in by_id
            else "",
            "event_date": (
                by_id[scored.booking_id].event_date.isoformat()
                if scored.booking_id in by_id
                else ""
            ),
            "score": scored.score,
            "reasons": list(scored.reasons),
        }
        for scored in result.candidates
    ]
    verified = by_id.get(result.booking_id) if result.booking_id else None
    kind = reply_kind(review.star_rating, result.verdict)
    review.draft_reply = draft_reply(
        kind,
        settings.name,
        first_name_for_reply(review.reviewer_name),
        review.topics,
        event_month(verified.event_date) if verified else None,
        review_id=review.google_review_id,
        business_phone=settings.phone_number,
    )
    automatic = kind == "warm" and rules.auto_reply
    review.reply_status = ReplyStatus.SCHEDULED if automatic else ReplyStatus.AWAITING_APPROVAL
    review.assessed_at = utcnow()
    texts: list[SendSmsRequest] = []
    if review.star_rating <= LOW_STARS:
        texts = _low_review_follow_up(session, review, rules, actor)
    session.add(review)
    audit.record(
        session,
        actor,
        "review.assessed",
        "review",
        review.id,
        summary=(
            f"{review.star_rating}★ {reading.sentiment}, {result.verdict}; "
            + ("reply posts on its own" if automatic else "draft waits for approval")
        ),
    )
    return _planned(review, rules).model_copy(update={"texts": texts})


def _planned(review: Review, rules: ReplyRules) -> AssessedReview:
    plan: ReviewPlan = {
        ReplyStatus.SCHEDULED: "auto_reply",
        ReplyStatus.APPROVED: "auto_reply",
        ReplyStatus.AWAITING_APPROVAL: "approval",
    }.get(review.reply_status, "done")  # type: ignore[assignment]
    return AssessedReview(
        review_id=review.id or 0,
        plan=plan,
        verdict=review.verdict.value,
        auto_reply_delay_minutes=(
            rules.auto_reply_delay_minutes if review.reply_status == ReplyStatus.SCHEDULED else 0
        ),
    )


def _low_review_follow_up(
    session: Session, review: Review, rules: ReplyRules, actor: Actor
) -> list[SendSmsRequest]:
    settings = business.get_settings(session)
    texts: list[SendSmsRequest] = []
    booking = session.get(Booking, review.booking_id) if review.booking_id else None
    customer = session.get(Customer, booking.customer_id) if booking else None
    if customer is not None:
        tasks.raise_task(
            session,
            kind="review",
            title=f"Follow up with {customer.full_name} about their {review.star_rating}★ review",
            details="Call them, listen, and make it right. The reply draft waits in Reviews.",
            source_key=f"review:{review.id}:follow-up",
            actor=actor,
            customer_id=customer.id,
        )
        # Offered privately and unconditionally: never in the public reply, never in exchange
        # for changing or removing the review (Google's policy and the FTC's rule).
        if rules.make_good_percent and customer.phone and not customer.sms_opted_out:
            texts.append(
                SendSmsRequest(
                    idempotency_key=f"review:{review.id}:make-good",
                    conversation_id=conversation_for(session, customer.id or 0).id,
                    from_number=settings.phone_number,
                    to_number=customer.phone,
                    text=make_good_sms(
                        settings.name, customer.full_name.split()[0], rules.make_good_percent
                    ),
                    sent_by="system",
                    # Care for a customer about their own event, not an advert: it needs them
                    # not to have opted out, and waits for daytime.
                    kind=MessageKind.REMINDER,
                )
            )
    else:
        review.flagged_for_investigation = True
        tasks.raise_task(
            session,
            kind="review",
            title=f"Check the {review.star_rating}★ review by {review.reviewer_name}",
            details=(
                "No customer with a recent event matches this reviewer. Ask which event they "
                "attended (the draft does); if it is not a real customer, report it to Google "
                "with what you found. No match alone is not proof."
            ),
            source_key=f"review:{review.id}:investigate",
            actor=actor,
        )
    primary = staff.primary(session)
    member = session.get(StaffMember, primary.staff_member_id) if primary else None
    if member is not None and member.phone:
        who = customer.full_name if customer else f"{review.reviewer_name} (no matching customer)"
        texts.append(
            SendSmsRequest(
                idempotency_key=f"review:{review.id}:heads-up",
                conversation_id=None,
                kind=MessageKind.STAFF,
                from_number=settings.phone_number,
                to_number=member.phone,
                text=(
                    f"Teppan: a {review.star_rating}★ Google review from {who}. "
                    "A reply draft waits for approval in Reviews."
                ),
                sent_by="system",
            )
        )
    return texts
