"""Reading payments for people: the week's reconciliation, every payment, one payment's history.

A week runs Monday to Sunday in the business's time zone, so an evening payment counts in the
week the owner saw it arrive. Each payment received in the week lands in exactly one of the
status tallies; Stripe payouts are tallied apart, since the card payments inside them already
reached the ledgers one by one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from core.pagination import Page, paginate
from core.timeutil import utcnow
from domain.audit.models import AuditEntry
from domain.bookings.models import Booking, BookingStatus
from domain.customers.models import Customer
from domain.payments import ledger
from domain.payments.models import Payment, PaymentMethod, PaymentStatus

WEEK = timedelta(days=7)
#: Bookings whose money is expected once the event is over (an inquiry never became one).
OWING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)


@dataclass(frozen=True)
class Tally:
    count: int = 0
    cents: int = 0

    def plus(self, count: int, cents: int) -> Tally:
        return Tally(self.count + count, self.cents + cents)


@dataclass(frozen=True)
class MethodTally:
    method: PaymentMethod
    count: int
    cents: int


@dataclass(frozen=True)
class OwedBooking:
    booking_id: int
    reference: str
    customer_name: str
    event_start: datetime
    total_cents: int
    paid_cents: int

    @property
    def balance_cents(self) -> int:
        return self.total_cents - self.paid_cents


@dataclass(frozen=True)
class WeeklyReport:
    monday: date
    timezone: str
    applied: Tally
    applied_by_method: list[MethodTally]
    in_review: Tally
    oldest_in_review: datetime | None  # when the longest-waiting one of the week arrived
    not_matched_yet: Tally  # recorded, its matching workflow has not run yet
    ignored: Tally
    reversed: Tally
    payouts: Tally
    owed: list[OwedBooking] = field(default_factory=list)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def previous_monday(self) -> date:
        return self.monday - WEEK

    @property
    def next_monday(self) -> date:
        return self.monday + WEEK

    @property
    def received(self) -> Tally:
        """Everything that arrived in the week, payouts left out (see the module's note)."""
        total = Tally()
        for part in (
            self.applied,
            self.in_review,
            self.not_matched_yet,
            self.ignored,
            self.reversed,
        ):
            total = total.plus(part.count, part.cents)
        return total

    @property
    def owed_cents(self) -> int:
        return sum(booking.balance_cents for booking in self.owed)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_bounds(monday: date, timezone: str) -> tuple[datetime, datetime]:
    """The week's first instant and the next week's first, in UTC."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(monday, time(0), zone)
    end = datetime.combine(monday + WEEK, time(0), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def weekly_report(
    session: Session, day: date, timezone: str, now: datetime | None = None
) -> WeeklyReport:
    """The week holding `day`: what arrived and where it went, and what is still owed."""
    monday = monday_of(day)
    start, end = week_bounds(monday, timezone)
    in_week = (col(Payment.received_at) >= start, col(Payment.received_at) < end)
    rows = session.exec(
        select(Payment.status, Payment.method, func.count(), func.sum(Payment.amount_cents))
        .where(*in_week)
        .group_by(col(Payment.status), col(Payment.method))
    ).all()
    tallies: dict[PaymentStatus, Tally] = defaultdict(Tally)
    by_method: dict[PaymentMethod, Tally] = defaultdict(Tally)
    for raw_status, raw_method, count, cents in rows:
        status, method = PaymentStatus(raw_status), PaymentMethod(raw_method)
        tallies[status] = tallies[status].plus(int(count), int(cents or 0))
        if status == PaymentStatus.APPLIED:
            by_method[method] = by_method[method].plus(int(count), int(cents or 0))
    oldest = session.exec(
        select(func.min(Payment.received_at)).where(
            *in_week, Payment.status == PaymentStatus.IN_REVIEW
        )
    ).one()
    return WeeklyReport(
        monday=monday,
        timezone=timezone,
        applied=tallies[PaymentStatus.APPLIED],
        applied_by_method=[
            MethodTally(method, tally.count, tally.cents)
            for method, tally in sorted(by_method.items(), key=lambda item: -item[1].cents)
        ],
        in_review=tallies[PaymentStatus.IN_REVIEW],
        oldest_in_review=_aware(oldest),
        not_matched_yet=tallies[PaymentStatus.UNMATCHED],
        ignored=tallies[PaymentStatus.IGNORED],
        reversed=tallies[PaymentStatus.REVERSED],
        payouts=tallies[PaymentStatus.PAYOUT],
        owed=still_owed(session, min(end, now or utcnow())),
    )


def _aware(value: datetime | None) -> datetime | None:
    # An aggregate skips the column's type, so SQLite hands back a naive (UTC) datetime.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def still_owed(session: Session, ended_before: datetime) -> list[OwedBooking]:
    """Bookings whose event was over by then and whose ledger still falls short, by date."""
    rows = session.exec(
        select(Booking, Customer.full_name)
        .join(Customer, col(Customer.id) == Booking.customer_id)
        .where(
            col(Booking.status).in_(OWING_STATUSES),
            col(Booking.scheduled_end) <= ended_before,
            col(Booking.total_cents) > 0,
        )
        .order_by(col(Booking.scheduled_start), col(Booking.id))
    ).all()
    paid = ledger.paid_cents_by_booking(session, (booking.id or 0 for booking, _ in rows))
    owed = [
        OwedBooking(
            booking_id=booking.id or 0,
            reference=booking.reference,
            customer_name=name,
            event_start=booking.scheduled_start,
            total_cents=booking.total_cents,
            paid_cents=paid.get(booking.id or 0, 0),
        )
        for booking, name in rows
    ]
    return [booking for booking in owed if booking.balance_cents > 0]


def search(
    session: Session,
    *,
    text: str = "",
    status: PaymentStatus | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page[Payment]:
    """Every payment, newest first, by payer, bank description or provider id."""
    query = select(Payment)
    if status is not None:
        query = query.where(Payment.status == status)
    if text.strip():
        pattern = f"%{text.strip()}%"
        query = query.where(
            or_(
                col(Payment.payer_name).ilike(pattern),
                col(Payment.counterparty_name).ilike(pattern),
                col(Payment.description).ilike(pattern),
                col(Payment.external_id).ilike(pattern),
            )
        )
    query = query.order_by(col(Payment.received_at).desc(), col(Payment.id).desc())
    return paginate(session, query, page, per_page)


def history(session: Session, payment_id: int) -> list[AuditEntry]:
    """What happened to one payment, oldest first (audit.search cannot filter by entity id)."""
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "payment", AuditEntry.entity_id == str(payment_id))
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        ).all()
    )


def waiting_count(session: Session) -> int:
    """Payments a person still has to decide about: the menu's badge."""
    count = session.exec(
        select(func.count()).select_from(Payment).where(Payment.status == PaymentStatus.IN_REVIEW)
    ).one()
    return int(count)
