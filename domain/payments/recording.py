"""Recording money as the bank reports it: new lines, pending lines that post, withdrawn lines.

A line is stored once per (source, id). A pending line that posts under a new id keeps its
payment (and therefore its one match); a withdrawn line undoes what was applied from it with
reversal lines, so the ledger keeps its history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from domain.audit import service as audit
from domain.audit.service import Actor
from domain.business import service as business
from domain.payments import ledger
from domain.payments.matching import parse_descriptor
from domain.payments.models import (
    LedgerEntryKind,
    Payment,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
)
from domain.payments.schemas import IncomingPayment

_METHOD_OF_RAIL = {
    "zelle": PaymentMethod.ZELLE,
    "venmo": PaymentMethod.VENMO,
    "cashapp": PaymentMethod.CASHAPP,
    "check": PaymentMethod.CHECK,
    "stripe": PaymentMethod.CARD,
}


def find(session: Session, source: PaymentSource, external_id: str) -> Payment | None:
    return session.exec(
        select(Payment).where(Payment.source == source, Payment.external_id == external_id)
    ).first()


def _business_zone(session: Session) -> ZoneInfo:
    return ZoneInfo(business.get_settings(session).timezone)


def _received_at(line: IncomingPayment, zone: ZoneInfo) -> datetime:
    """Banks give a date; noon in the business's zone keeps it on that day in every report."""
    return datetime.combine(line.posted_on, time(12, 0), zone)


def _new_payment_values(line: IncomingPayment, zone: ZoneInfo) -> dict[str, Any]:
    parsed = parse_descriptor(line.description, line.counterparty_name, line.channel)
    return {
        "source": line.source,
        "external_id": line.external_id,
        "first_external_id": line.external_id,
        "method": _METHOD_OF_RAIL.get(parsed.rail, PaymentMethod.OTHER),
        "amount_cents": line.amount_cents,
        "received_at": _received_at(line, zone),
        "payer_name": parsed.payer_name,
        "counterparty_name": line.counterparty_name,
        "channel": line.channel or (parsed.rail if parsed.rail != "other" else None),
        "description": line.description,
        "pending": line.pending,
        "status": PaymentStatus.UNMATCHED,
    }


def record_incoming(session: Session, line: IncomingPayment, actor: Actor) -> tuple[Payment, bool]:
    """Stores the line; True when it is a new payment that needs matching."""
    existing = find(session, line.source, line.external_id)
    if existing is not None:
        _refresh(existing, line)
        session.add(existing)
        return existing, False
    if line.pending_external_id:
        was_pending = find(session, line.source, line.pending_external_id)
        if was_pending is not None and was_pending.status != PaymentStatus.REVERSED:
            was_pending.first_external_id = was_pending.first_external_id or was_pending.external_id
            was_pending.external_id = line.external_id
            _refresh(was_pending, line)
            session.add(was_pending)
            audit.record(
                session,
                actor,
                "payment.posted",
                "payment",
                was_pending.id,
                summary=f"pending {line.pending_external_id} posted as {line.external_id}",
            )
            return was_pending, False
    payment = Payment(**_new_payment_values(line, _business_zone(session)))
    session.add(payment)
    session.flush()
    return payment, True


def record_many(
    session: Session, lines: Sequence[IncomingPayment], actor: Actor
) -> list[tuple[Payment, bool]]:
    """`record_incoming` for a batch of one source's posted lines (a CSV file's chunk): one
    query finds the known ones and one bulk INSERT stores the rest, instead of both per line.
    A batch it cannot treat as a whole (mixed sources, pending lines posting, an id twice) goes
    line by line."""
    if not lines:
        return []
    if (
        len({line.source for line in lines}) > 1
        or any(line.pending_external_id for line in lines)
        or len({line.external_id for line in lines}) < len(lines)
    ):
        return [record_incoming(session, line, actor) for line in lines]
    if session.get_bind().dialect.name == "postgresql":
        # psycopg prepares a statement run five times, and PostgreSQL then plans it once for
        # any values; for this lookup, in a transaction that just grew the table, that plan
        # scans every payment per chunk (an import's time grew with the square of its rows).
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    known = {
        payment.external_id: payment
        for payment in session.exec(
            select(Payment).where(
                Payment.source == lines[0].source,
                col(Payment.external_id).in_([line.external_id for line in lines]),
            )
        ).all()
    }
    for line in lines:
        if line.external_id in known:
            _refresh(known[line.external_id], line)
    zone = _business_zone(session)
    new_lines = [line for line in lines if line.external_id not in known]
    # The ORM's bulk INSERT: rows go in pages of one statement each and come back as Payment
    # objects without a model validation per row (a third of the time of adding them one by one).
    inserted = (
        session.scalars(
            insert(Payment).returning(Payment, sort_by_parameter_order=True),
            [_new_payment_values(line, zone) for line in new_lines],
        ).all()
        if new_lines
        else []
    )
    fresh = {payment.external_id: payment for payment in inserted}
    session.flush()  # the refreshed known lines
    return [
        (known[line.external_id], False)
        if line.external_id in known
        else (fresh[line.external_id], True)
        for line in lines
    ]


def _refresh(payment: Payment, line: IncomingPayment) -> None:
    """A modified line: the words and the pending flag may change; an amount already applied
    stays as applied (a person sees the difference on the payment)."""
    payment.pending = line.pending
    payment.description = line.description
    payment.counterparty_name = line.counterparty_name or payment.counterparty_name
    if payment.status in (PaymentStatus.UNMATCHED, PaymentStatus.IN_REVIEW):
        payment.amount_cents = line.amount_cents


def withdraw(
    session: Session, source: PaymentSource, external_id: str, actor: Actor
) -> Payment | None:
    """The bank removed the line: reverse what was applied from it. None when unknown (or it
    posted under a new id and lives on under that one)."""
    payment = find(session, source, external_id)
    if payment is None or payment.status == PaymentStatus.REVERSED:
        return None
    for line in ledger.entries_of_payment(session, payment.id or 0):
        if line.amount_cents <= 0 or line.kind != LedgerEntryKind.PAYMENT:
            continue
        ledger.post(
            session,
            booking_id=line.booking_id,
            kind=LedgerEntryKind.ADJUSTMENT,
            amount_cents=-line.amount_cents,
            description=f"Reversed: the bank withdrew {payment.external_id}",
            idempotency_key=f"reversal:{line.id}",
            created_by=actor.key,
            payment_id=payment.id,
        )
    before = payment.status
    payment.status = PaymentStatus.REVERSED
    session.add(payment)
    audit.record(
        session,
        actor,
        "payment.reversed",
        "payment",
        payment.id,
        changes={"status": [before.value, PaymentStatus.REVERSED.value]},
        summary=f"bank withdrew {external_id}",
    )
    return payment
