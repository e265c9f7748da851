"""The review queue: payments matching was not sure about, and what a person decides.

Decisions are written here, in the request's transaction, and the payment's workflow is then
woken to finish; a workflow that misses the signal finds the decision at its next reminder.
Approving teaches the engine: the payer's name is remembered for that customer.
"""

from __future__ import annotations

import re

from sqlmodel import Session, col, or_, select

from core.errors import ConflictError, ValidationFailed
from core.pagination import Page, paginate
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.bookings.models import Booking
from domain.payments import outbox
from domain.payments.matching.names import normalise
from domain.payments.models import PayerAlias, Payment, PaymentStatus
from domain.payments.reconcile import apply, get_payment
from domain.payments.schemas import Allocation, ReviewDecision


def queue(session: Session, text: str = "", page: int = 1, per_page: int = 25) -> Page[Payment]:
    """Oldest first: the longest-waiting money is the first a person sees."""
    query = select(Payment).where(Payment.status == PaymentStatus.IN_REVIEW)
    if text.strip():
        pattern = f"%{text.strip()}%"
        query = query.where(
            or_(
                col(Payment.description).ilike(pattern),
                col(Payment.payer_name).ilike(pattern),
                col(Payment.counterparty_name).ilike(pattern),
            )
        )
    query = query.order_by(col(Payment.received_at), col(Payment.id))
    return paginate(session, query, page, per_page)


def decide(session: Session, payment_id: int, decision: ReviewDecision, actor: Actor) -> Payment:
    payment = get_payment(session, payment_id)
    if payment.status != PaymentStatus.IN_REVIEW:
        raise ConflictError(
            f"payment {payment_id} is {payment.status.value}, not waiting for review"
        )
    if decision.action == "ignore":
        payment.status = PaymentStatus.IGNORED
        payment.decided_by = actor.key
        payment.decided_at = utcnow()
        session.add(payment)
        audit.record(
            session,
            actor,
            "payment.ignored",
            "payment",
            payment.id,
            changes={"status": [PaymentStatus.IN_REVIEW.value, PaymentStatus.IGNORED.value]},
            summary=decision.note or "not a booking payment",
        )
        outbox.wake(session, payment, "reviewed")
        return payment
    if decision.action == "approve":
        assert decision.booking_id is not None
        allocations = [
            Allocation(booking_id=decision.booking_id, amount_cents=payment.amount_cents)
        ]
    else:
        allocations = decision.allocations
    candidate_ids = {int(c["booking_id"]) for c in payment.candidates}
    reassigned = [a.booking_id for a in allocations if a.booking_id not in candidate_ids]
    how = "reassigned" if reassigned else "approved"
    apply(
        session,
        payment,
        allocations,
        actor,
        reason=f"{how} by {actor.name}" + (f": {decision.note}" if decision.note else ""),
    )
    for allocation in allocations:
        remember_payer(session, payment, allocation.booking_id, actor)
    outbox.wake(session, payment, "reviewed")
    return payment


def remember_payer(session: Session, payment: Payment, booking_id: int, actor: Actor) -> None:
    """The payer named on this payment pays for this booking's customer (a spouse, a company)."""
    booking = session.get(Booking, booking_id)
    name = (payment.payer_name or "").strip()
    if booking is None or not name:
        return
    key = normalise(name)
    if not key:
        return
    exists = session.exec(
        select(PayerAlias).where(
            PayerAlias.customer_id == booking.customer_id, PayerAlias.payer_key == key
        )
    ).first()
    if exists is None:
        session.add(
            PayerAlias(
                customer_id=booking.customer_id,
                payer_name=name[:200],
                payer_key=key[:200],
                created_by=actor.key,
            )
        )


def parse_split(lines: list[tuple[str, str]], lookup: dict[str, int]) -> list[Allocation]:
    """Turns the form's (booking reference, dollars) rows into allocations, saying what is
    wrong with a row a person typed."""
    allocations: list[Allocation] = []
    for reference, dollars in lines:
        if not reference.strip() and not dollars.strip():
            continue
        booking_id = lookup.get(reference.strip().upper())
        if booking_id is None:
            raise ValidationFailed(f"no booking {reference.strip() or '(empty)'}")
        cents = dollars_to_cents(dollars)
        if cents <= 0:
            raise ValidationFailed("each part must be more than $0")
        allocations.append(Allocation(booking_id=booking_id, amount_cents=cents))
    return allocations


_DOLLARS = re.compile(r"^\$?\s*(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d{1,2}))?$")


def dollars_to_cents(typed: str) -> int:
    """Typed dollars to cents ("1,250.5" → 125050); refuses "1e2", "inf" and the like."""
    found = _DOLLARS.match(typed.strip())
    if found is None:
        raise ValidationFailed(f"{typed.strip() or '(empty)'!r} is not an amount like 1,250.00")
    whole, part = found.group(1).replace(",", ""), (found.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(part)
