"""Matching a stored payment against the open bookings, and applying money to ledgers.

The scoring is the pure engine's (domain/payments/matching); this module feeds it from the
database (open bookings, what their ledgers say, payers people confirmed) and records what it
decided, so the review queue can show the candidates and their reasons.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core.errors import ConflictError, NotFoundError, ValidationFailed
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.bookings.models import Booking, BookingStatus
from domain.business import service as business
from domain.customers.models import Customer
from domain.payments import ledger
from domain.payments.matching import (
    BankTransaction,
    BookingCandidate,
    MatchingIndex,
    MatchResult,
    MatchSettings,
    parse_descriptor,
)
from domain.payments.models import (
    LedgerEntryKind,
    PayerAlias,
    Payment,
    PaymentStatus,
)
from domain.payments.payloads import MatchOutcome
from domain.payments.schemas import Allocation, PayoutSeen

#: Bookings that may still receive money.
PAYABLE_STATUSES = (BookingStatus.INQUIRY, BookingStatus.CONFIRMED, BookingStatus.COMPLETED)
#: How far back an event may be for a payment to still be its balance (late payers exist).
LOOKBACK = timedelta(days=45)


def get_payment(session: Session, payment_id: int) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFoundError(f"payment {payment_id} does not exist")
    return payment


def open_candidates(session: Session, payment: Payment) -> list[BookingCandidate]:
    zone = ZoneInfo(business.get_settings(session).timezone)
    bookings = session.exec(
        select(Booking, Customer)
        .join(Customer, col(Customer.id) == Booking.customer_id)
        .where(
            col(Booking.status).in_(PAYABLE_STATUSES),
            col(Booking.scheduled_start) >= payment.received_at - LOOKBACK,
        )
    ).all()
    paid = ledger.paid_cents_by_booking(session, (b.id or 0 for b, _ in bookings))
    payers = known_payers_by_customer(session, {c.id or 0 for _, c in bookings})
    return [
        as_candidate(
            booking,
            customer,
            zone,
            paid_cents=paid.get(booking.id or 0, 0),
            known_payers=tuple(payers.get(customer.id or 0, ())),
        )
        for booking, customer in bookings
    ]


def as_candidate(
    booking: Booking,
    customer: Customer,
    zone: ZoneInfo,
    *,
    paid_cents: int = 0,
    known_payers: tuple[str, ...] = (),
) -> BookingCandidate:
    """A booking as the pure engines see it (payment matching, review verification)."""
    return BookingCandidate(
        booking_id=booking.id or 0,
        customer_name=customer.full_name,
        phone=customer.phone,
        email=customer.email,
        event_date=booking.scheduled_start.astimezone(zone).date(),
        booked_on=booking.created_at.astimezone(zone).date(),
        total_cents=booking.total_cents,
        deposit_cents=booking.deposit_cents,
        paid_cents=paid_cents,
        reference=booking.reference,
        known_payers=known_payers,
    )


def known_payers_by_customer(session: Session, customer_ids: set[int]) -> dict[int, list[str]]:
    if not customer_ids:
        return {}
    rows = session.exec(
        select(PayerAlias).where(col(PayerAlias.customer_id).in_(sorted(customer_ids)))
    ).all()
    payers: dict[int, list[str]] = defaultdict(list)
    for alias in rows:
        payers[alias.customer_id].append(alias.payer_name)
    return payers


def _transaction(session: Session, payment: Payment) -> BankTransaction:
    zone = ZoneInfo(business.get_settings(session).timezone)
    return BankTransaction(
        transaction_id=payment.external_id,
        date=payment.received_at.astimezone(zone).date(),
        amount_cents=payment.amount_cents,
        description=payment.description,
        counterparty_name=payment.counterparty_name,
        channel=payment.channel,
    )


def stage_of(payment: Payment) -> MatchOutcome:
    stage = {
        PaymentStatus.APPLIED: "applied",
        PaymentStatus.IGNORED: "ignored",
        PaymentStatus.REVERSED: "reversed",
        PaymentStatus.PAYOUT: "payout",
    }.get(payment.status)
    booking_ids = [payment.booking_id] if payment.booking_id else []
    if stage is None and payment.match_decision == "payout":
        parsed = parse_descriptor(payment.description, payment.counterparty_name, payment.channel)
        return MatchOutcome(
            payment_id=payment.id or 0,
            stage="stripe_payout",
            payout_reference=parsed.payout_reference,
        )
    if stage is None:
        stage = "unmatched" if payment.match_decision == "unmatched" else "review"
    return MatchOutcome(
        payment_id=payment.id or 0,
        stage=stage,
        booking_ids=booking_ids,
        confidence=payment.match_confidence or 0.0,
    )


def match_payment(
    session: Session, payment_id: int, settings: MatchSettings, actor: Actor
) -> MatchOutcome:
    """Scores the payment once; applies it when the engine is sure, else queues it for review.

    Safe to repeat: a payment already matched answers with what was decided then."""
    payment = get_payment(session, payment_id)
    if payment.status != PaymentStatus.UNMATCHED or payment.matched_at is not None:
        return stage_of(payment)
    transaction = _transaction(session, payment)
    parsed = parse_descriptor(
        transaction.description, transaction.counterparty_name, transaction.channel
    )
    if parsed.stripe_payout:
        payment.match_decision = "payout"
        payment.match_reasons = ["a Stripe payout: reconciled against Stripe, never by name"]
        payment.matched_at = utcnow()
        session.add(payment)
        return MatchOutcome(
            payment_id=payment_id, stage="stripe_payout", payout_reference=parsed.payout_reference
        )
    candidates = open_candidates(session, payment)
    result = MatchingIndex(candidates, settings).match(transaction)
    _record_result(session, payment, result, candidates)
    if result.decision == "auto" and result.booking_id is not None:
        apply(
            session,
            payment,
            [Allocation(booking_id=result.booking_id, amount_cents=payment.amount_cents)],
            actor,
            reason=f"matched automatically ({result.confidence:.2f}): "
            + "; ".join(result.candidates[0].reasons if result.candidates else result.reasons),
        )
        return MatchOutcome(
            payment_id=payment_id,
            stage="applied",
            booking_ids=[result.booking_id],
            confidence=result.confidence,
        )
    payment.status = PaymentStatus.IN_REVIEW
    session.add(payment)
    audit.record(
        session,
        actor,
        "payment.queued_for_review",
        "payment",
        payment.id,
        summary=f"{result.decision} ({result.confidence:.2f}): " + "; ".join(result.reasons),
    )
    return MatchOutcome(
        payment_id=payment_id,
        stage="unmatched" if result.decision == "unmatched" else "review",
        confidence=result.confidence,
    )


def _record_result(
    session: Session, payment: Payment, result: MatchResult, candidates: list[BookingCandidate]
) -> None:
    by_id = {candidate.booking_id: candidate for candidate in candidates}
    payment.match_decision = result.decision
    payment.match_confidence = result.confidence
    payment.payment_type = result.payment_type
    payment.match_reasons = list(result.reasons)
    payment.candidates = [
        {
            "booking_id": scored.booking_id,
            "reference": by_id[scored.booking_id].reference if scored.booking_id in by_id else "",
            "customer": (
                by_id[scored.booking_id].customer_name if scored.booking_id in by_id else ""
            ),
            "event_date": (
                by_id[scored.booking_id].event_date.isoformat()
                if scored.booking_id in by_id
                else ""
            ),
            "owed_cents": by_id[scored.booking_id].owed_cents if scored.booking_id in by_id else 0,
            "score": scored.score,
            "payment_type": scored.payment_type,
            "reasons": list(scored.reasons),
        }
        for scored in result.candidates
    ]
    payment.matched_at = utcnow()
    session.add(payment)


def apply(
    session: Session,
    payment: Payment,
    allocations: list[Allocation],
    actor: Actor,
    reason: str,
) -> None:
    """Puts the money on the bookings' ledgers, one line per booking, once."""
    if payment.status in (PaymentStatus.APPLIED, PaymentStatus.REVERSED, PaymentStatus.PAYOUT):
        raise ConflictError(f"payment {payment.id} is already {payment.status.value}")
    if sum(a.amount_cents for a in allocations) != payment.amount_cents:
        raise ValidationFailed(
            f"the parts add up to {sum(a.amount_cents for a in allocations)} cents, "
            f"the payment is {payment.amount_cents}"
        )
    if len({a.booking_id for a in allocations}) != len(allocations):
        raise ValidationFailed("each booking may appear once in a split")
    for allocation in allocations:
        booking = session.get(Booking, allocation.booking_id)
        if booking is None:
            raise ValidationFailed(f"booking {allocation.booking_id} does not exist")
        if booking.status not in PAYABLE_STATUSES:
            raise ValidationFailed(
                f"{booking.reference} is {booking.status.value}: reopen it before applying money"
            )
        ledger.post(
            session,
            booking_id=allocation.booking_id,
            kind=LedgerEntryKind.PAYMENT,
            amount_cents=allocation.amount_cents,
            description=_line_description(payment),
            idempotency_key=f"payment:{payment.id}:booking:{allocation.booking_id}",
            created_by=actor.key,
            payment_id=payment.id,
            occurred_at=payment.received_at,
        )
    before = payment.status
    payment.status = PaymentStatus.APPLIED
    payment.booking_id = allocations[0].booking_id
    payment.decided_by = actor.key
    payment.decided_at = utcnow()
    session.add(payment)
    audit.record(
        session,
        actor,
        "payment.applied",
        "payment",
        payment.id,
        changes={
            "status": [before.value, PaymentStatus.APPLIED.value],
            "allocations": [[a.booking_id, a.amount_cents] for a in allocations],
        },
        summary=reason,
    )


def _line_description(payment: Payment) -> str:
    payer = payment.payer_name or payment.counterparty_name or "unknown payer"
    kind = (payment.payment_type or "payment").replace("_", " ")
    return f"{kind.capitalize()} via {payment.method.value} from {payer}"


def reconcile_payout(
    session: Session, payment_id: int, payouts: list[PayoutSeen], actor: Actor
) -> MatchOutcome:
    """A Stripe payout line: find its payout by trace id (or amount and date); the card
    payments inside it reached the ledgers through Stripe's webhooks already."""
    payment = get_payment(session, payment_id)
    if payment.status != PaymentStatus.UNMATCHED:
        return stage_of(payment)
    parsed = parse_descriptor(payment.description, payment.counterparty_name, payment.channel)
    received = payment.received_at.date()
    found = next(
        (p for p in payouts if parsed.payout_reference and p.trace_id == parsed.payout_reference),
        None,
    )
    if found is None:
        near = [
            p
            for p in payouts
            if p.amount_cents == payment.amount_cents and abs((p.arrival_date - received).days) <= 3
        ]
        found = near[0] if len(near) == 1 else None
    if found is None:
        payment.status = PaymentStatus.IN_REVIEW
        payment.match_reasons = [
            *payment.match_reasons,
            "no Stripe payout with this trace or amount",
        ]
        session.add(payment)
        audit.record(
            session,
            actor,
            "payment.queued_for_review",
            "payment",
            payment.id,
            summary="Stripe payout not found at Stripe",
        )
        return MatchOutcome(payment_id=payment_id, stage="review")
    payment.status = PaymentStatus.PAYOUT
    payment.payout_id = found.payout_id
    payment.decided_by = actor.key
    payment.decided_at = utcnow()
    session.add(payment)
    audit.record(
        session,
        actor,
        "payment.payout_reconciled",
        "payment",
        payment.id,
        summary=f"Stripe payout {found.payout_id}",
    )
    return MatchOutcome(payment_id=payment_id, stage="payout", payout_reference=found.trace_id)
