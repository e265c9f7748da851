"""Deposit links: what a booking's deposit still needs, and the Stripe Checkout made for it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.errors import ConflictError
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.bookings.models import Booking, BookingStatus
from domain.payments import ledger
from domain.payments.models import DepositLink


def deposit_due_cents(session: Session, booking: Booking) -> int:
    """The deposit less what has arrived; nothing once the deposit is covered."""
    if booking.status in (BookingStatus.CANCELLED, BookingStatus.ARCHIVED):
        raise ConflictError(f"{booking.reference} is {booking.status.value}: no deposit is due")
    due = booking.deposit_cents - ledger.paid_cents(session, booking.id or 0)
    if due <= 0:
        raise ConflictError(f"{booking.reference}'s deposit is paid")
    return due


def idempotency_key(booking: Booking, amount_cents: int) -> str:
    """Same booking and amount → the same Checkout Session, however often staff press the button."""
    return f"deposit-{booking.id}-{amount_cents}"


def latest_link(session: Session, booking_id: int) -> DepositLink | None:
    return session.exec(
        select(DepositLink)
        .where(DepositLink.booking_id == booking_id)
        .order_by(col(DepositLink.id).desc())
    ).first()


def remember_link(
    session: Session, booking: Booking, session_id: str, url: str, amount_cents: int, actor: Actor
) -> DepositLink:
    existing = session.exec(select(DepositLink).where(DepositLink.session_id == session_id)).first()
    if existing is not None:
        return existing
    link = DepositLink(
        booking_id=booking.id or 0, session_id=session_id, url=url, amount_cents=amount_cents
    )
    session.add(link)
    audit.record(
        session,
        actor,
        "booking.deposit_link",
        "booking",
        booking.id,
        summary=f"deposit link for {amount_cents} cents ({session_id})",
    )
    return link
