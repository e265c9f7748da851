"""The review queue: money matching was not sure about, oldest first. Anyone may look; a
manager or the owner decides: apply it to a candidate, to another booking, split it, or mark
it as not a booking payment.

Deciding writes in the request's transaction and queues the payment workflow's wake-up in the
inbox (review.decide does both); the API's forwarder delivers it within seconds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import APIRouter, Query, Request
from jinja2 import pass_context
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from admin_ui.auth import AnyUser, ManagerUser, PostedForm, actor_of, flash
from admin_ui.routes.payments import (
    CandidateView,
    candidates_of,
    payer_of,
    sentence,
    waited,
)
from admin_ui.web import (
    PageLink,
    business_timezone,
    engine_of,
    field_errors,
    href,
    page_links,
    redirect,
    render,
    templates,
    text_field,
)
from core.db import session_scope
from core.errors import NotFoundError, TeppanError, ValidationFailed
from core.money import dollars
from core.pagination import Page
from core.timeutil import utcnow
from domain.accounts.models import Role, User
from domain.bookings import service as bookings
from domain.bookings.models import Booking
from domain.payments import report, review
from domain.payments.models import Payment
from domain.payments.reconcile import get_payment
from domain.payments.schemas import Allocation, ReviewDecision

router = APIRouter(prefix="/payments/review")

#: Dollars as people type them: 150, 150.5, $1,500.00. parse_split alone would take "1e3",
#: round "12.345" silently and fail with a 500 on "inf".
DOLLARS = re.compile(r"\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")

PER_PAGE = 20
SPLIT_ROWS = 3
#: Candidates reachable by the number keys 1…n.
SHORTCUTS = 3


@dataclass(frozen=True)
class ReviewItem:
    payment: Payment
    payer: str
    waited: str
    candidates: list[CandidateView]


@dataclass(frozen=True)
class Problem:
    """Why a decision was refused, shown at its payment with what was typed."""

    payment_id: int
    form: str  # approve, reassign, split or ignore
    message: str
    values: dict[str, str] = field(default_factory=dict)


@pass_context
def payments_in_review(context: Mapping[str, Any]) -> int:
    """The menu's count: web.render knows nothing of payments, so base.html asks for it."""
    request: Request = context["request"]
    with Session(engine_of(request)) as session:
        return report.waiting_count(session)


templates.env.globals["payments_in_review"] = payments_in_review


def _render_queue(
    request: Request,
    user: User,
    q: str,
    page: int,
    problem: Problem | None = None,
) -> Response:
    with Session(engine_of(request)) as session:
        found = review.queue(session, q, page, PER_PAGE)
        if page > found.pages:  # the last item of the last page was just decided
            found = review.queue(session, q, found.pages, PER_PAGE)
        zone = business_timezone(session)
    now = utcnow()
    items = [
        ReviewItem(
            payment=payment,
            payer=payer_of(payment),
            waited=waited(payment.matched_at or payment.created_at, now),
            candidates=candidates_of(payment),
        )
        for payment in found.items
    ]
    shown = {item.payment.id for item in items}
    context = {
        "section": "review",
        "q": q,
        "result": found,
        "pages": _queue_pages(request, found, q),
        "items": items,
        "timezone": zone,
        "can_decide": user.has_role(Role.MANAGER),
        "problem": problem,
        "problem_elsewhere": problem is not None and problem.payment_id not in shown,
        "split_rows": range(SPLIT_ROWS),
        "shortcuts": SHORTCUTS,
    }
    return render(request, "payments/review.html", context, status_code=400 if problem else 200)


def _queue_pages(request: Request, found: Page[Payment], q: str) -> list[PageLink]:
    """page_links points at the current path, which after a refused decision is the POST's."""
    return [
        replace(link, href=href(request, "/payments/review", q=q, page=link.label))
        if link.href
        else link
        for link in page_links(request, found)
    ]


@router.get("", name="payments_review")
def review_queue(
    request: Request,
    user: AnyUser,
    q: str = Query(default="", max_length=200),
    page: int = Query(default=1, ge=1),
) -> Response:
    return _render_queue(request, user, q, page)


def _back(form: FormData) -> tuple[str, int]:
    """The search and page the decision was made from, to return to them."""
    raw_page = text_field(form, "page")
    return text_field(form, "q")[:200], int(raw_page) if raw_page.isdigit() else 1


def _refuse(request: Request, user: User, form: FormData, problem: Problem) -> Response:
    q, page = _back(form)
    return _render_queue(request, user, q, page, problem)


def _decide(
    request: Request,
    user: User,
    form: FormData,
    payment_id: int,
    decision: ReviewDecision,
    which: str,
    values: dict[str, str] | None = None,
) -> Response:
    q, page = _back(form)
    try:
        with session_scope(engine_of(request)) as session:
            payment = review.decide(session, payment_id, decision, actor_of(user))
            message = _decided(session, payment, decision)
    except ValidationFailed as error:
        # Rolled back: the typed values come back with the reason.
        return _refuse(
            request, user, form, Problem(payment_id, which, sentence(error.message), values or {})
        )
    except TeppanError as error:  # decided by someone else meanwhile, or gone
        flash(request, f"Not changed: {sentence(error.message)}")
        return redirect(request, "/payments/review", q=q, page=page if page > 1 else None)
    flash(request, message)
    return redirect(request, "/payments/review", q=q, page=page if page > 1 else None)


def _decided(session: Session, payment: Payment, decision: ReviewDecision) -> str:
    amount, payer = dollars(payment.amount_cents), payer_of(payment)
    if decision.action == "ignore":
        return f"{amount} from {payer} marked as not a booking payment."

    def reference(booking_id: int) -> str:
        booking = session.get(Booking, booking_id)
        return booking.reference if booking is not None else f"booking {booking_id}"

    if decision.action == "approve":
        assert decision.booking_id is not None
        return f"Applied {amount} from {payer} to {reference(decision.booking_id)}."
    parts = ", ".join(
        f"{dollars(part.amount_cents)} to {reference(part.booking_id)}"
        for part in decision.allocations
    )
    return f"Split {amount} from {payer}: {parts}."


@router.post("/{payment_id:int}/approve")
def approve(request: Request, user: ManagerUser, form: PostedForm, payment_id: int) -> Response:
    raw = text_field(form, "booking_id")
    if not raw.isdigit():
        return _refuse(request, user, form, Problem(payment_id, "approve", "Choose a booking."))
    decision = ReviewDecision(action="approve", booking_id=int(raw))
    return _decide(request, user, form, payment_id, decision, "approve")


@router.post("/{payment_id:int}/reassign")
def reassign(request: Request, user: ManagerUser, form: PostedForm, payment_id: int) -> Response:
    reference = text_field(form, "reference")[:20]
    values = {"reference": reference}
    if not reference:
        problem = Problem(payment_id, "reassign", "Type the booking's reference, like TP-1042.")
        return _refuse(request, user, form, problem)
    try:
        with Session(engine_of(request)) as session:
            booking_id = bookings.get_by_reference(session, reference).id
    except NotFoundError:
        problem = Problem(payment_id, "reassign", f"No booking {reference.upper()}.", values)
        return _refuse(request, user, form, problem)
    decision = ReviewDecision(action="approve", booking_id=booking_id)
    return _decide(request, user, form, payment_id, decision, "reassign", values)


def _split_values(form: FormData) -> tuple[list[tuple[str, str]], dict[str, str]]:
    rows = [
        (text_field(form, f"reference_{n}")[:20], text_field(form, f"amount_{n}")[:20])
        for n in range(SPLIT_ROWS)
    ]
    values: dict[str, str] = {}
    for n, (reference, amount) in enumerate(rows):
        values[f"reference_{n}"], values[f"amount_{n}"] = reference, amount
    return rows, values


def _allocations(
    session: Session, payment_id: int, rows: list[tuple[str, str]]
) -> list[Allocation]:
    """The typed rows as parts of the payment; raises ValidationFailed saying what is wrong."""
    lookup: dict[str, int] = {}
    for reference, typed in rows:
        if typed and not DOLLARS.fullmatch(typed):
            raise ValidationFailed(f"{typed!r} is not an amount: write dollars, like 150.00")
        if not reference:
            continue
        try:
            found = bookings.get_by_reference(session, reference)
        except NotFoundError:
            continue  # parse_split names it
        lookup[found.reference] = found.id or 0
    parts = review.parse_split(rows, lookup)
    if len(parts) < 2:
        raise ValidationFailed("a split needs at least two bookings, each with its amount")
    total = sum(part.amount_cents for part in parts)
    amount = get_payment(session, payment_id).amount_cents
    if total != amount:
        raise ValidationFailed(
            f"the parts add up to {dollars(total)} but the payment is {dollars(amount)}: "
            "nothing was applied"
        )
    return parts


@router.post("/{payment_id:int}/split")
def split(request: Request, user: ManagerUser, form: PostedForm, payment_id: int) -> Response:
    rows, values = _split_values(form)
    try:
        with Session(engine_of(request)) as session:
            parts = _allocations(session, payment_id, rows)
        decision = ReviewDecision(action="split", allocations=parts)
    except ValidationFailed as error:
        problem = Problem(payment_id, "split", sentence(error.message), values)
        return _refuse(request, user, form, problem)
    except ValidationError as error:
        _fields, general = field_errors(error)
        message = sentence(general[0] if general else "the split is not complete")
        return _refuse(request, user, form, Problem(payment_id, "split", message, values))
    except TeppanError as error:
        flash(request, f"Not changed: {sentence(error.message)}")
        q, page = _back(form)
        return redirect(request, "/payments/review", q=q, page=page if page > 1 else None)
    return _decide(request, user, form, payment_id, decision, "split", values)


@router.post("/{payment_id:int}/ignore")
def ignore(request: Request, user: ManagerUser, form: PostedForm, payment_id: int) -> Response:
    note = text_field(form, "note")[:300]
    decision = ReviewDecision(action="ignore", note=note)
    return _decide(request, user, form, payment_id, decision, "ignore", {"note": note})
