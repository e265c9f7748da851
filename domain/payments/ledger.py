"""A booking's ledger: what was due, what arrived, what is left; one line per cause."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from domain.bookings.models import Booking
from domain.payments.models import LedgerEntry, LedgerEntryKind


def paid_cents(session: Session, booking_id: int) -> int:
    total = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.booking_id == booking_id
        )
    ).one()
    return int(total)


def paid_cents_by_booking(session: Session, booking_ids: Iterable[int]) -> dict[int, int]:
    ids = list(booking_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(LedgerEntry.booking_id, func.sum(LedgerEntry.amount_cents))
        .where(col(LedgerEntry.booking_id).in_(ids))
        .group_by(col(LedgerEntry.booking_id))
    ).all()
    return {booking_id: int(amount) for booking_id, amount in rows}


def has_entries(session: Session, booking_id: int) -> bool:
    return (
        session.exec(select(LedgerEntry.id).where(LedgerEntry.booking_id == booking_id)).first()
        is not None
    )


def entries(session: Session, booking_id: int) -> list[LedgerEntry]:
    return list(
        session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.booking_id == booking_id)
            .order_by(col(LedgerEntry.occurred_at), col(LedgerEntry.id))
        ).all()
    )


def entries_of_payment(session: Session, payment_id: int) -> list[LedgerEntry]:
    return list(
        session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.payment_id == payment_id)
            .order_by(col(LedgerEntry.id))
        ).all()
    )


@dataclass(frozen=True)
class LedgerSummary:
    due_cents: int
    received_cents: int
    refunded_cents: int

    @property
    def balance_cents(self) -> int:
        """Still owed; negative when the customer paid more than the total."""
        return self.due_cents - self.received_cents + self.refunded_cents


def summary(session: Session, booking: Booking) -> LedgerSummary:
    """Refunds apart; a reversal (the bank withdrew a payment) takes back what was received."""
    lines = entries(session, booking.id or 0)
    refunded = -sum(line.amount_cents for line in lines if line.kind == LedgerEntryKind.REFUND)
    received = sum(line.amount_cents for line in lines if line.kind != LedgerEntryKind.REFUND)
    return LedgerSummary(booking.total_cents, received, refunded)


def post(
    session: Session,
    *,
    booking_id: int,
    kind: LedgerEntryKind,
    amount_cents: int,
    description: str,
    idempotency_key: str,
    created_by: str,
    payment_id: int | None = None,
    occurred_at: datetime | None = None,
) -> tuple[LedgerEntry, bool]:
    """Writes the line once per key; a second call with the key returns the first line, False."""
    existing = session.exec(
        select(LedgerEntry).where(LedgerEntry.idempotency_key == idempotency_key)
    ).first()
    if existing is not None:
        return existing, False
    line = LedgerEntry(
        booking_id=booking_id,
        kind=kind,
        amount_cents=amount_cents,
        description=description[:300],
        payment_id=payment_id,
        idempotency_key=idempotency_key,
        created_by=created_by,
    )
    if occurred_at is not None:
        line.occurred_at = occurred_at
    try:
        # Two workers racing on one cause: the unique key lets exactly one of them write.
        with session.begin_nested():
            session.add(line)
            session.flush()
    except IntegrityError:
        raced = session.exec(
            select(LedgerEntry).where(LedgerEntry.idempotency_key == idempotency_key)
        ).one()
        return raced, False
    return line, True
