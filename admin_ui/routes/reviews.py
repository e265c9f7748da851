"""Google reviews: every review with what Teppan made of it, the drafts waiting for a manager's
approval, one review's whole story, and how the reviews are going. Anyone may look; a manager or
the owner approves a draft (as written or edited) or decides not to answer. The Google connection
has its own module (reviews_google).

Approving or skipping writes in the request's transaction and queues the review workflow's
wake-up in the inbox (service.approve and service.skip do both); the API's forwarder delivers it
within seconds, and the workflow posts the reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from jinja2 import pass_context
from sqlmodel import Session, col, select
from starlette.datastructures import FormData
from starlette.responses import Response

from admin_ui.auth import AnyUser, ManagerUser, PostedForm, actor_of, flash
from admin_ui.routes.payments import sentence
from admin_ui.web import (
    PageLink,
    business_timezone,
    engine_of,
    href,
    page_links,
    redirect,
    render,
    templates,
    text_field,
)
from core.db import session_scope
from core.errors import TeppanError, ValidationFailed
from core.pagination import Page
from domain.accounts.models import Role, User
from domain.audit.models import AuditEntry
from domain.bookings import service as bookings
from domain.bookings.models import Booking
from domain.business import service as business
from domain.customers.models import Customer
from domain.reviews import analytics, service
from domain.reviews.models import ReplyStatus, Review, ReviewVerdict
from domain.reviews.replies import check_reply

router = APIRouter(prefix="/reviews")

PER_PAGE = 25
QUEUE_PER_PAGE = 10
#: Google takes 4,096 bytes; what is typed beyond this is not even echoed back.
MAX_TYPED_REPLY = 20_000
#: The matched customer's bookings shown beside a review.
HISTORY_BOOKINGS = 20
WEEK_CHOICES = (4, 12, 26, 52)

VERDICT_LABELS = {
    ReviewVerdict.VERIFIED: "verified customer",
    ReviewVerdict.UNCERTAIN: "uncertain",
    ReviewVerdict.NOT_FOUND: "no matching customer",
    ReviewVerdict.PENDING: "not checked yet",
}
REPLY_LABELS = {
    ReplyStatus.NONE: "not answered yet",
    ReplyStatus.AWAITING_APPROVAL: "draft awaiting approval",
    ReplyStatus.APPROVED: "approved, being posted",
    ReplyStatus.SCHEDULED: "reply scheduled",
    ReplyStatus.POSTED: "replied",
    ReplyStatus.SKIPPED: "not answered (decided)",
    ReplyStatus.REMOVED_ON_GOOGLE: "reply removed on Google",
}
REPLIED_CHOICES = {"yes": True, "no": False}


@pass_context
def reviews_awaiting_approval(context: Mapping[str, Any]) -> int:
    """The menu's count: web.render knows nothing of reviews, so base.html asks for it."""
    request: Request = context["request"]
    with Session(engine_of(request)) as session:
        return analytics.awaiting_approval(session)


def stars_text(stars: int) -> str:
    return "★" * stars + "☆" * (5 - stars)


def duration(value: timedelta | None) -> str:
    """A wait as a person would say it: 45 min, 4.5 hours, 3 days."""
    if value is None:
        return "—"
    minutes = value.total_seconds() / 60
    if minutes < 60:
        return f"{max(1, round(minutes))} min"
    hours = minutes / 60
    if hours < 48:
        shown = f"{hours:.1f}".removesuffix(".0")
        return f"{shown} hour{'' if shown == '1' else 's'}"
    return f"{hours / 24:.1f}".removesuffix(".0") + " days"


templates.env.globals["reviews_awaiting_approval"] = reviews_awaiting_approval
templates.env.globals["verdict_labels"] = VERDICT_LABELS
templates.env.globals["reply_labels"] = REPLY_LABELS
templates.env.filters["stars"] = stars_text
templates.env.filters["duration"] = duration


# --- what the review pages share --------------------------------------------------------


@dataclass(frozen=True)
class CandidateView:
    """A booking verification thought the reviewer might have had, as stored on the review."""

    booking_id: int
    reference: str
    customer: str
    customer_id: int | None
    event_date: date | None
    score_percent: int
    reasons: list[str]


@dataclass(frozen=True)
class CustomerHistory:
    """The matched customer: who they are, their events, their other reviews."""

    customer: Customer
    bookings: list[Booking]
    other_reviews: list[Review]


@dataclass(frozen=True)
class ReviewView:
    review: Review
    candidates: list[CandidateView]
    matched: Booking | None
    history: CustomerHistory | None


@dataclass(frozen=True)
class Problem:
    """Why an approval was refused, shown at its textarea with what was typed."""

    review_id: int
    problems: list[str]
    text: str


def _candidates(session: Session, review: Review) -> list[CandidateView]:
    parsed: list[tuple[int, dict[str, Any]]] = []
    for raw in review.candidates:
        try:
            parsed.append((int(raw.get("booking_id", "")), raw))
        except (TypeError, ValueError):
            continue  # written by an older engine: nothing to link to
    ids = {booking_id for booking_id, _raw in parsed}
    rows = (
        session.exec(select(Booking.id, Booking.customer_id).where(col(Booking.id).in_(ids))).all()
        if ids
        else []
    )
    owners = {booking_id: customer_id for booking_id, customer_id in rows}
    views: list[CandidateView] = []
    for booking_id, raw in parsed:
        try:
            event_date: date | None = date.fromisoformat(str(raw.get("event_date", "")))
        except ValueError:
            event_date = None
        views.append(
            CandidateView(
                booking_id=booking_id,
                reference=str(raw.get("reference") or f"booking {booking_id}"),
                customer=str(raw.get("customer") or ""),
                customer_id=owners.get(booking_id),
                event_date=event_date,
                score_percent=round(float(raw.get("score") or 0) * 100),
                reasons=[str(reason) for reason in raw.get("reasons") or []],
            )
        )
    return views


def _history(session: Session, review: Review) -> tuple[Booking | None, CustomerHistory | None]:
    if review.booking_id is None:
        return None, None
    booking = session.get(Booking, review.booking_id)
    customer = session.get(Customer, booking.customer_id) if booking is not None else None
    if booking is None or customer is None:
        return booking, None
    theirs = bookings.search(session, customer_id=customer.id, per_page=HISTORY_BOOKINGS).items
    booking_ids = [b.id for b in theirs if b.id is not None]
    other_reviews = (
        list(
            session.exec(
                select(Review)
                .where(col(Review.booking_id).in_(booking_ids), Review.id != review.id)
                .order_by(col(Review.created_on_google_at).desc())
            ).all()
        )
        if booking_ids
        else []
    )
    return booking, CustomerHistory(customer, theirs, other_reviews)


def _view(session: Session, review: Review) -> ReviewView:
    matched, history = _history(session, review)
    return ReviewView(review, _candidates(session, review), matched, history)


def _audit_entries(session: Session, review_id: int) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "review", AuditEntry.entity_id == str(review_id))
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        ).all()
    )


# --- every review -----------------------------------------------------------------------


def _stars_or_none(raw: str) -> int | None:
    return int(raw) if raw in ("1", "2", "3", "4", "5") else None


def _verdict_or_empty(raw: str) -> str:
    return raw if raw in {verdict.value for verdict in ReviewVerdict} else ""


@router.get("", name="reviews")
def review_list(
    request: Request,
    _user: AnyUser,
    stars: str = Query(default="", max_length=1),
    verdict: str = Query(default="", max_length=20),
    replied: str = Query(default="", max_length=10),
    page: int = Query(default=1, ge=1),
) -> Response:
    wanted_stars, wanted_verdict = _stars_or_none(stars), _verdict_or_empty(verdict)
    wanted_replied = REPLIED_CHOICES.get(replied)
    filtered = wanted_stars is not None or bool(wanted_verdict) or wanted_replied is not None
    with Session(engine_of(request)) as session:
        found = service.queue(
            session,
            stars=wanted_stars,
            verdict=wanted_verdict,
            replied=wanted_replied,
            page=page,
            per_page=PER_PAGE,
        )
        context = {
            "section": "list",
            "stars": "" if wanted_stars is None else str(wanted_stars),
            "verdict": wanted_verdict,
            "replied": replied if wanted_replied is not None else "",
            "filtered": filtered,
            "result": found,
            "pages": page_links(request, found),
            "timezone": business_timezone(session),
        }
    return render(request, "reviews/list.html", context)


# --- the approval queue and one review ----------------------------------------------------


def _queue_pages(request: Request, found: Page[Review]) -> list[PageLink]:
    """page_links points at the current path, which after a refused approval is the POST's."""
    return [
        replace(link, href=href(request, "/reviews/queue", page=link.label)) if link.href else link
        for link in page_links(request, found)
    ]


def _render_queue(
    request: Request, user: User, page: int, problem: Problem | None = None
) -> Response:
    with Session(engine_of(request)) as session:
        found = service.queue(session, awaiting_only=True, page=page, per_page=QUEUE_PER_PAGE)
        if page > found.pages:  # the last draft of the last page was just decided
            found = service.queue(
                session, awaiting_only=True, page=found.pages, per_page=QUEUE_PER_PAGE
            )
        items = [_view(session, review) for review in found.items]
        zone = business_timezone(session)
    shown = {item.review.id for item in items}
    context = {
        "section": "queue",
        "result": found,
        "pages": _queue_pages(request, found),
        "items": items,
        "timezone": zone,
        "can_decide": user.has_role(Role.MANAGER),
        "problem": problem,
        "problem_elsewhere": problem is not None and problem.review_id not in shown,
        "back": "queue",
    }
    return render(request, "reviews/queue.html", context, status_code=400 if problem else 200)


@router.get("/queue", name="reviews_queue")
def review_queue(request: Request, user: AnyUser, page: int = Query(default=1, ge=1)) -> Response:
    return _render_queue(request, user, page)


def _render_detail(
    request: Request, user: User, review_id: int, problem: Problem | None = None
) -> Response:
    with Session(engine_of(request)) as session:
        review = service.get(session, review_id)
        context = {
            "section": "list",
            "item": _view(session, review),
            "audit": _audit_entries(session, review_id),
            "timezone": business_timezone(session),
            "can_decide": user.has_role(Role.MANAGER),
            "problem": problem,
            "back": "detail",
            "result": None,
        }
    return render(request, "reviews/detail.html", context, status_code=400 if problem else 200)


@router.get("/{review_id:int}")
def review_detail(request: Request, user: AnyUser, review_id: int) -> Response:
    return _render_detail(request, user, review_id)


def _page_of(form: FormData) -> int:
    raw = text_field(form, "page")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def _back(request: Request, form: FormData, review_id: int) -> Response:
    """Back where the decision was made: the queue's page, or the review's own page."""
    if text_field(form, "back") == "detail":
        return redirect(request, f"/reviews/{review_id}")
    page = _page_of(form)
    return redirect(request, "/reviews/queue", page=page if page > 1 else None)


def _refuse(request: Request, user: User, form: FormData, problem: Problem) -> Response:
    if text_field(form, "back") == "detail":
        return _render_detail(request, user, problem.review_id, problem)
    return _render_queue(request, user, _page_of(form), problem)


@router.post("/{review_id:int}/approve")
def approve(request: Request, user: ManagerUser, form: PostedForm, review_id: int) -> Response:
    typed = form.get("reply")
    text = (typed if isinstance(typed, str) else "")[:MAX_TYPED_REPLY]
    try:
        with session_scope(engine_of(request)) as session:
            review = service.approve(session, review_id, text, actor_of(user))
            reviewer = review.reviewer_name
    except ValidationFailed as error:
        # Rolled back: the text comes back as typed, with every reason it cannot be posted.
        with Session(engine_of(request)) as session:
            phones = [business.get_settings(session).phone_number]
        problems = check_reply(text.strip(), business_phones=phones) or [error.message]
        problem = Problem(review_id, [sentence(p) for p in problems], text)
        return _refuse(request, user, form, problem)
    except TeppanError as error:  # decided by someone else meanwhile, or gone
        flash(request, f"Not changed: {sentence(error.message)}")
        return _back(request, form, review_id)
    flash(request, f"Approved the reply to {reviewer}: it is posted to Google in a moment.")
    return _back(request, form, review_id)


@router.post("/{review_id:int}/skip")
def skip(request: Request, user: ManagerUser, form: PostedForm, review_id: int) -> Response:
    try:
        with session_scope(engine_of(request)) as session:
            reviewer = service.skip(session, review_id, actor_of(user)).reviewer_name
    except TeppanError as error:
        flash(request, f"Not changed: {sentence(error.message)}")
        return _back(request, form, review_id)
    flash(request, f"{reviewer}'s review will not be answered.")
    return _back(request, form, review_id)


# --- how the reviews are going ------------------------------------------------------------


@router.get("/analytics", name="reviews_analytics")
def review_analytics(
    request: Request,
    _user: AnyUser,
    weeks: int = Query(default=analytics.DEFAULT_WEEKS, ge=1, le=analytics.MAX_WEEKS),
) -> Response:
    with Session(engine_of(request)) as session:
        zone = business_timezone(session)
        figures = analytics.review_analytics(session, zone, weeks)
    context = {
        "section": "analytics",
        "figures": figures,
        "weeks": weeks,
        "week_choices": WEEK_CHOICES,
        "timezone": zone,
    }
    return render(request, "reviews/analytics.html", context)
