"""Call records: who called, what they said, what the assistant decided and why, who took it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.errors import NotFoundError
from core.money import dollars
from domain.bookings.models import SLOT_HOLDING_STATUSES, Booking
from domain.business.models import FaqEntry
from domain.calls.models import Call, CallStatus, Escalation
from domain.calls.rules import Faq, is_urgent
from domain.customers import service as customers
from domain.customers.models import Customer
from domain.payments import ledger


def get(session: Session, call_id: int) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise NotFoundError(f"call {call_id} not found")
    return call


def open_call(
    session: Session, *, session_id: str, from_number: str, to_number: str, at: datetime
) -> Call:
    """The call's record, created once per telephony session (a retry finds it)."""
    existing = session.exec(select(Call).where(Call.telephony_session_id == session_id)).first()
    if existing is not None:
        return existing
    customer = customers.find_by_phone(session, from_number)
    call = Call(
        telephony_session_id=session_id,
        from_number=from_number,
        to_number=to_number,
        customer_id=customer.id if customer else None,
        caller_name=customer.full_name if customer else None,
        status=CallStatus.IN_TRIAGE,
        started_at=at,
    )
    try:
        with session.begin_nested():
            session.add(call)
            session.flush()
    except IntegrityError:
        return session.exec(select(Call).where(Call.telephony_session_id == session_id)).one()
    return call


def next_booking(session: Session, customer_id: int, now: datetime) -> Booking | None:
    return session.exec(
        select(Booking)
        .where(
            Booking.customer_id == customer_id,
            col(Booking.status).in_(SLOT_HOLDING_STATUSES),
            col(Booking.scheduled_end) >= now,
        )
        .order_by(col(Booking.scheduled_start))
    ).first()


def caller_context(
    session: Session, customer: Customer | None, now: datetime, timezone: str
) -> tuple[bool, str]:
    """(urgent, one line for staff): next booking, what is owed, earlier complaints."""
    if customer is None:
        return False, "New caller: not a customer yet."
    zone = ZoneInfo(timezone)
    parts = [customer.full_name]
    urgent = False
    booking = next_booking(session, customer.id or 0, now)
    if booking is not None:
        start = booking.scheduled_start.astimezone(zone)
        urgent = is_urgent(start.date(), now.astimezone(zone).date())
        owed = booking.total_cents - ledger.paid_cents(session, booking.id or 0)
        parts.append(
            f"next event {booking.reference} {start:%a %b} {start.day} {start:%I:%M %p}"
            f", {booking.adults + booking.children} guests, {dollars(owed)} owed"
        )
    else:
        parts.append("no upcoming event")
    complaints = len(
        session.exec(
            select(Call.id).where(Call.customer_id == customer.id, Call.intent == "complaint")
        ).all()
    )
    if complaints:
        parts.append(f"{complaints} earlier complaint call{'s' if complaints > 1 else ''}")
    return urgent, "; ".join(parts) + ("; EVENT TODAY OR TOMORROW" if urgent else "")


def add_transcript(
    session: Session, call: Call, *, sequence: int, speaker: str, text: str, at: datetime
) -> None:
    """Keeps the transcript in sequence order, whatever order the segments arrived in."""
    lines = [
        line
        for line in call.transcript
        if line.get("sequence") != sequence or speaker != line.get("speaker")
    ]
    lines.append({"sequence": sequence, "at": at.isoformat(), "speaker": speaker, "text": text})
    call.transcript = sorted(lines, key=lambda line: (line["sequence"], line["at"]))
    session.add(call)


def record_triage(session: Session, call: Call, decision: dict[str, Any]) -> None:
    call.triage = [*call.triage, decision]
    call.intent = decision.get("intent", call.intent)
    session.add(call)


def begin_escalation(
    session: Session, call: Call, extension_id: int, reason: str, at: datetime
) -> Escalation:
    call.status = CallStatus.ESCALATING
    call.escalation_reason = call.escalation_reason or reason[:500]
    session.add(call)
    escalation = Escalation(
        call_id=call.id or 0, extension_id=extension_id, reason=reason[:500], requested_at=at
    )
    session.add(escalation)
    session.flush()
    return escalation


def finish_escalation(
    session: Session, call: Call, extension_id: int, outcome: str, at: datetime
) -> None:
    escalation = session.exec(
        select(Escalation)
        .where(Escalation.call_id == call.id, Escalation.extension_id == extension_id)
        .order_by(col(Escalation.id).desc())
    ).first()
    if escalation is not None and escalation.outcome is None:
        escalation.outcome = outcome
        if outcome == "answered":
            escalation.answered_at = at
        session.add(escalation)
    if outcome == "answered":
        call.status = CallStatus.CONNECTED
        session.add(call)


def close_call(session: Session, call: Call, outcome: str, at: datetime) -> None:
    if call.ended_at is not None:
        return
    call.status = CallStatus.ENDED
    call.outcome = call.outcome or outcome
    call.ended_at = at
    call.duration_seconds = max(0, int((at - call.started_at).total_seconds()))
    session.add(call)


def escalations(session: Session, call_id: int) -> list[Escalation]:
    return list(
        session.exec(
            select(Escalation).where(Escalation.call_id == call_id).order_by(col(Escalation.id))
        ).all()
    )


def faq_entries(session: Session) -> list[Faq]:
    rows = session.exec(select(FaqEntry).where(col(FaqEntry.active))).all()
    return [
        Faq(
            row.question, row.answer, tuple(k.strip() for k in row.keywords.split(",") if k.strip())
        )
        for row in rows
    ]
