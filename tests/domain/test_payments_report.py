from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from domain.audit import service as audit
from domain.audit.service import SYSTEM
from domain.bookings import service as bookings
from domain.bookings.models import Booking, BookingStatus
from domain.bookings.schemas import BookingCreate
from domain.payments import ledger, report
from domain.payments.models import (
    LedgerEntryKind,
    Payment,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
)
from tests import factories
from tests.factories import PACIFIC

ZONE = "America/Los_Angeles"
# Daylight saving ends on Sunday 1 November 2026: this week is 169 hours long.
MONDAY = date(2026, 10, 26)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _payment(
    session: Session,
    cents: int,
    at: datetime,
    status: PaymentStatus,
    method: PaymentMethod = PaymentMethod.ZELLE,
    payer: str = "JANE DOE",
    description: str = "Zelle payment from JANE DOE",
) -> Payment:
    payment = Payment(
        source=PaymentSource.BANK,
        external_id=f"tx-{cents}-{at.isoformat()}-{status.value}",
        method=method,
        amount_cents=cents,
        received_at=at,
        payer_name=payer,
        description=description,
        status=status,
    )
    session.add(payment)
    session.flush()
    return payment


def _booking(
    session: Session,
    customer_id: int,
    start: datetime,
    total_cents: int,
    status: BookingStatus = BookingStatus.CONFIRMED,
) -> Booking:
    booking = bookings.create(
        session,
        BookingCreate(
            customer_id=customer_id,
            requested_start=start,
            address="1234 Bernal Ave, Pleasanton, CA 94566",
            adults=10,
            total_cents=total_cents,
            deposit_cents=total_cents // 5,
            status=BookingStatus.INQUIRY
            if status == BookingStatus.INQUIRY
            else BookingStatus.CONFIRMED,
        ),
        SYSTEM,
    )
    if status not in (BookingStatus.INQUIRY, BookingStatus.CONFIRMED):
        booking.status = status
        session.add(booking)
    return booking


def _pay(session: Session, booking: Booking, cents: int) -> None:
    ledger.post(
        session,
        booking_id=booking.id or 0,
        kind=LedgerEntryKind.PAYMENT,
        amount_cents=cents,
        description="test payment",
        idempotency_key=f"test:{booking.id}:{cents}",
        created_by="system",
    )


def _pacific(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PACIFIC)


def test_week_runs_monday_to_sunday_in_the_business_zone_across_a_clock_change() -> None:
    start, end = report.week_bounds(MONDAY, ZONE)
    assert start == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)  # midnight PDT
    assert end == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # midnight PST
    assert report.monday_of(date(2026, 11, 1)) == MONDAY  # a Sunday
    assert report.monday_of(MONDAY) == MONDAY


def test_weekly_report_tallies_the_weeks_money_by_status_and_method(session: Session) -> None:
    factories.business(session)
    sunday_night = _pacific(date(2026, 11, 1), 23, 30)  # Monday 07:30 UTC, still the week
    _payment(session, 45_000, _pacific(MONDAY, 0, 0), PaymentStatus.APPLIED)
    _payment(session, 30_000, sunday_night, PaymentStatus.APPLIED, PaymentMethod.CARD)
    _payment(session, 12_500, _pacific(date(2026, 10, 28), 12), PaymentStatus.APPLIED)
    _payment(session, 20_000, _pacific(date(2026, 10, 30), 12), PaymentStatus.IN_REVIEW)
    _payment(session, 10_000, _pacific(date(2026, 10, 27), 12), PaymentStatus.IN_REVIEW)
    _payment(session, 5_000, _pacific(date(2026, 10, 29), 12), PaymentStatus.IGNORED)
    _payment(session, 7_000, _pacific(date(2026, 10, 29), 13), PaymentStatus.UNMATCHED)
    _payment(session, 99_900, _pacific(date(2026, 10, 30), 9), PaymentStatus.PAYOUT)
    # Either side of the week: not counted.
    _payment(session, 1_000, _pacific(date(2026, 10, 25), 23, 59), PaymentStatus.APPLIED)
    _payment(session, 2_000, _pacific(date(2026, 11, 2), 0, 0), PaymentStatus.IN_REVIEW)
    session.flush()

    found = report.weekly_report(session, date(2026, 10, 29), ZONE, now=NOW)

    assert (found.monday, found.sunday) == (MONDAY, date(2026, 11, 1))
    assert (found.previous_monday, found.next_monday) == (date(2026, 10, 19), date(2026, 11, 2))
    assert found.applied == report.Tally(3, 87_500)
    assert [(row.method, row.count, row.cents) for row in found.applied_by_method] == [
        (PaymentMethod.ZELLE, 2, 57_500),
        (PaymentMethod.CARD, 1, 30_000),
    ]
    assert found.in_review == report.Tally(2, 30_000)
    assert found.oldest_in_review == _pacific(date(2026, 10, 27), 12)
    assert found.ignored == report.Tally(1, 5_000)
    assert found.not_matched_yet == report.Tally(1, 7_000)
    assert found.reversed == report.Tally()
    assert found.payouts == report.Tally(1, 99_900)
    # Payouts are card money already counted payment by payment.
    assert found.received == report.Tally(7, 129_500)


def test_an_empty_week_reports_zeros(session: Session) -> None:
    factories.business(session)
    found = report.weekly_report(session, MONDAY, ZONE, now=NOW)
    assert found.received == report.Tally()
    assert found.applied_by_method == [] and found.oldest_in_review is None
    assert found.owed == [] and found.owed_cents == 0


def test_still_owed_lists_past_events_with_a_balance(session: Session) -> None:
    factories.business(session)
    kim = factories.customer(session, "Robert Kim", "510-555-0123")
    nguyen = factories.customer(session, "Jennifer Nguyen", "510-555-0111")
    short = _booking(session, kim.id or 0, _pacific(date(2026, 10, 24), 18), 100_000)
    _pay(session, short, 20_000)
    paid = _booking(session, nguyen.id or 0, _pacific(date(2026, 10, 20), 18), 80_000)
    _pay(session, paid, 80_000)
    unpaid = _booking(
        session,
        nguyen.id or 0,
        _pacific(date(2026, 10, 28), 17),
        60_000,
        status=BookingStatus.COMPLETED,
    )
    _booking(session, kim.id or 0, _pacific(date(2026, 10, 10), 18), 50_000, BookingStatus.INQUIRY)
    cancelled = _booking(session, kim.id or 0, _pacific(date(2026, 10, 11), 18), 50_000)
    bookings.cancel(session, cancelled.id or 0, SYSTEM)
    _booking(session, kim.id or 0, _pacific(date(2026, 11, 8), 18), 70_000)  # next week
    session.flush()

    found = report.weekly_report(session, MONDAY, ZONE, now=NOW)
    assert [(b.reference, b.customer_name, b.balance_cents) for b in found.owed] == [
        (short.reference, "Robert Kim", 80_000),
        (unpaid.reference, "Jennifer Nguyen", 60_000),
    ]
    assert found.owed_cents == 140_000

    # A week that is still going: only events already over count.
    today = datetime(2026, 10, 28, 12, 0, tzinfo=UTC)
    during = report.weekly_report(session, MONDAY, ZONE, now=today)
    assert [b.reference for b in during.owed] == [short.reference]
    # The week before: the event of the 24th was over, the one of the 28th to come.
    earlier = report.weekly_report(session, date(2026, 10, 19), ZONE, now=NOW)
    assert [b.reference for b in earlier.owed] == [short.reference]
    before = report.weekly_report(session, date(2026, 10, 12), ZONE, now=NOW)
    assert before.owed == []


def test_search_filters_and_lists_newest_first(session: Session) -> None:
    factories.business(session)
    old = _payment(session, 1_000, datetime(2026, 10, 1, 19, tzinfo=UTC), PaymentStatus.APPLIED)
    new = _payment(
        session,
        2_000,
        datetime(2026, 10, 5, 19, tzinfo=UTC),
        PaymentStatus.IN_REVIEW,
        payer="MARK LEE",
        description="VENMO CASHOUT PPD ID: 5264681992",
    )
    session.flush()
    everything = report.search(session)
    assert [p.id for p in everything.items] == [new.id, old.id]
    assert [p.id for p in report.search(session, text="cashout").items] == [new.id]
    assert [p.id for p in report.search(session, text="mark lee").items] == [new.id]
    applied = report.search(session, status=PaymentStatus.APPLIED)
    assert [p.id for p in applied.items] == [old.id]
    assert report.search(session, status=PaymentStatus.IGNORED).total == 0
    assert report.waiting_count(session) == 1


def test_history_is_one_payments_audit_trail_oldest_first(session: Session) -> None:
    factories.business(session)
    one = _payment(session, 1_000, NOW, PaymentStatus.IN_REVIEW)
    other = _payment(session, 2_000, NOW, PaymentStatus.IN_REVIEW)
    audit.record(session, SYSTEM, "payment.queued_for_review", "payment", one.id, summary="a")
    audit.record(session, SYSTEM, "payment.queued_for_review", "payment", other.id)
    audit.record(session, SYSTEM, "payment.ignored", "payment", one.id, summary="b")
    audit.record(session, SYSTEM, "booking.update", "booking", one.id)
    session.flush()
    assert [entry.summary for entry in report.history(session, one.id or 0)] == ["a", "b"]
    assert report.history(session, 999) == []
