from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from core.errors import ConflictError, ValidationFailed
from domain.audit.models import AuditEntry
from domain.audit.service import SYSTEM
from domain.bookings import service
from domain.bookings.models import BookingStatus
from domain.bookings.schemas import BookingUpdate
from domain.payments.models import LedgerEntry, LedgerEntryKind
from tests import factories
from tests.factories import PACIFIC


@pytest.fixture
def customer_id(session: Session) -> int:
    factories.business(session)
    return factories.customer(session).id or 0


def test_price_deposit_reference_and_times_round_trip(session: Session, customer_id: int) -> None:
    start = datetime(2026, 12, 5, 18, 0, tzinfo=PACIFIC)
    booking = factories.booking(session, customer_id, start, adults=20)
    session.commit()
    session.expire_all()
    stored = service.get(session, booking.id or 0)
    assert stored.reference == f"TP-{1000 + (booking.id or 0)}"
    assert stored.total_cents == 20 * 6000
    assert stored.deposit_cents == 24000
    assert stored.scheduled_start == start  # aware, same instant, back from the database
    assert stored.scheduled_start.utcoffset() == timedelta(0)
    assert stored.scheduled_end - stored.scheduled_start == timedelta(minutes=150)


def test_one_chef_cannot_be_booked_twice_in_a_slot(session: Session, customer_id: int) -> None:
    chef = factories.chef(session)
    six = datetime(2026, 12, 5, 18, 0, tzinfo=PACIFIC)
    factories.booking(session, customer_id, six, chef.id)
    with pytest.raises(ConflictError, match="already booked"):
        factories.booking(session, customer_id, six + timedelta(hours=1), chef.id)
    # Right after the first event ends is fine, and so is another chef at the same time.
    factories.booking(session, customer_id, six + timedelta(minutes=150), chef.id)
    factories.booking(session, customer_id, six, factories.chef(session, "Chef Mei").id)


def test_cancelling_frees_the_chef(session: Session, customer_id: int) -> None:
    chef = factories.chef(session)
    six = datetime(2026, 12, 5, 18, 0, tzinfo=PACIFIC)
    first = factories.booking(session, customer_id, six, chef.id)
    service.cancel(session, first.id or 0, SYSTEM)
    assert first.cancelled_at is not None
    factories.booking(session, customer_id, six, chef.id)


def test_requested_time_is_kept_apart_from_the_slot(session: Session, customer_id: int) -> None:
    booking = factories.booking(session, customer_id, datetime(2026, 12, 5, 18, 0, tzinfo=PACIFIC))
    later = datetime(2026, 12, 5, 19, 30, tzinfo=PACIFIC)
    service.update(session, booking.id or 0, BookingUpdate(scheduled_start=later), SYSTEM)
    assert booking.scheduled_start == later
    assert booking.requested_start == datetime(2026, 12, 5, 18, 0, tzinfo=PACIFIC)
    assert booking.scheduled_end == later + timedelta(minutes=150)


def test_a_booking_with_money_is_never_deleted(session: Session, customer_id: int) -> None:
    booking = factories.booking(session, customer_id)
    session.add(
        LedgerEntry(
            booking_id=booking.id or 0,
            kind=LedgerEntryKind.PAYMENT,
            amount_cents=24000,
            description="Deposit via Zelle",
            created_by="system",
        )
    )
    session.flush()
    with pytest.raises(ConflictError, match="cancel or archive"):
        service.delete(session, booking.id or 0, SYSTEM)
    service.archive(session, booking.id or 0, SYSTEM)
    assert booking.status == BookingStatus.ARCHIVED


def test_a_booking_without_money_may_be_deleted_and_is_audited(
    session: Session, customer_id: int
) -> None:
    booking = factories.booking(session, customer_id)
    service.delete(session, booking.id or 0, SYSTEM)
    session.commit()
    actions = [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]
    assert actions[-2:] == ["booking.create", "booking.delete"]


def test_a_chef_must_be_a_chef(session: Session, customer_id: int) -> None:
    with pytest.raises(ValidationFailed, match="not an active chef"):
        factories.booking(session, customer_id, chef_id=9999)


def test_events_on_uses_the_business_day(session: Session, customer_id: int) -> None:
    late = datetime(2026, 12, 5, 23, 30, tzinfo=PACIFIC)  # already Dec 6 in UTC
    factories.booking(session, customer_id, late)
    day = late.date()
    assert [b.scheduled_start for b in service.events_on(session, day, "America/Los_Angeles")] == [
        late
    ]
    assert service.events_on(session, day + timedelta(days=1), "America/Los_Angeles") == []
