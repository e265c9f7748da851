"""Reading a booking's ledger: what was due, what arrived, what is left."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, col, select

from domain.payments.models import LedgerEntry


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
