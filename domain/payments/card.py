"""Card payments from Stripe onto the ledger: one line per payment intent, refunds as they grow.

Stripe reports one payment in several events and redelivers each for days; the payment
intent id is the key of the payment and of its ledger line, so every report makes one line.
A refund is keyed by its event, so each refund makes one line too.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from domain.audit import service as audit
from domain.audit.service import Actor
from domain.bookings.models import Booking
from domain.payments import ledger
from domain.payments.models import (
    LedgerEntryKind,
    Payment,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
)
from domain.payments.payloads import CardEventInput, CardEventOutcome
from domain.payments.recording import find


def apply_card_event(session: Session, event: CardEventInput, actor: Actor) -> CardEventOutcome:
    outcome = CardEventOutcome(
        event_id=event.event_id, kind=event.kind, booking_id=event.booking_id
    )
    if event.kind == "ignored" or not event.reference:
        return outcome
    if event.kind == "payment_succeeded":
        return _payment(session, event, actor, outcome)
    return _refund(session, event, actor, outcome)


def _payment(
    session: Session, event: CardEventInput, actor: Actor, outcome: CardEventOutcome
) -> CardEventOutcome:
    assert event.reference is not None
    if find(session, PaymentSource.STRIPE, event.reference) is not None:
        return outcome.model_copy(update={"duplicate": True})
    booking = session.get(Booking, event.booking_id) if event.booking_id else None
    payment = Payment(
        source=PaymentSource.STRIPE,
        external_id=event.reference,
        first_external_id=event.reference,
        method=PaymentMethod.CARD,
        amount_cents=event.amount_cents,
        received_at=event.occurred_at,
        payer_name=event.payer_name,
        description=f"Stripe {event.event_type} {event.event_id}",
        channel="stripe",
        status=PaymentStatus.UNMATCHED,
        match_decision="stripe",
        match_reasons=[f"card payment for booking {event.booking_id}"],
    )
    try:
        # Stripe's two events for one payment may be applied at the same moment: one wins.
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        return outcome.model_copy(update={"duplicate": True})
    if booking is None:
        # Paid through a link we did not make, or for a booking since deleted: a person decides.
        payment.status = PaymentStatus.IN_REVIEW
        payment.match_reasons = [f"Stripe payment names no booking of ours ({event.booking_id})"]
        session.add(payment)
        audit.record(
            session,
            actor,
            "payment.queued_for_review",
            "payment",
            payment.id,
            summary=payment.match_reasons[0],
        )
        return outcome
    ledger.post(
        session,
        booking_id=booking.id or 0,
        kind=LedgerEntryKind.PAYMENT,
        amount_cents=event.amount_cents,
        description=f"Card payment via Stripe ({event.reference})",
        idempotency_key=f"stripe:{event.reference}",
        created_by=actor.key,
        payment_id=payment.id,
        occurred_at=event.occurred_at,
    )
    payment.status = PaymentStatus.APPLIED
    payment.booking_id = booking.id
    payment.decided_by = actor.key
    payment.decided_at = event.occurred_at
    session.add(payment)
    audit.record(
        session,
        actor,
        "payment.applied",
        "payment",
        payment.id,
        summary=f"Stripe {event.reference} to {booking.reference}",
    )
    return outcome.model_copy(update={"applied_cents": event.amount_cents})


def _refund(
    session: Session, event: CardEventInput, actor: Actor, outcome: CardEventOutcome
) -> CardEventOutcome:
    """`amount_cents` is what this event refunded; its event id keys the ledger line."""
    assert event.reference is not None
    payment = find(session, PaymentSource.STRIPE, event.reference)
    if payment is None or payment.booking_id is None or event.amount_cents <= 0:
        return outcome
    _, is_new = ledger.post(
        session,
        booking_id=payment.booking_id,
        kind=LedgerEntryKind.REFUND,
        amount_cents=-event.amount_cents,
        description=f"Refund via Stripe ({event.reference})",
        idempotency_key=f"stripe-refund:{event.event_id}",
        created_by=actor.key,
        payment_id=payment.id,
        occurred_at=event.occurred_at,
    )
    if not is_new:
        return outcome.model_copy(update={"duplicate": True})
    audit.record(
        session,
        actor,
        "payment.refunded",
        "payment",
        payment.id,
        summary=f"{event.amount_cents} cents refunded through Stripe",
    )
    return outcome.model_copy(update={"applied_cents": -event.amount_cents})
