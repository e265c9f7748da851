"""A booking's texts on the time-skipping server, with the real activities, the real inbox path
(service → inbox → forwarder → signal-with-start) and the RingCentral emulator: confirmation,
the reminder the day before, the review request, the balance reminder only when owed; a
cancellation stops them, a reschedule moves the reminder."""

from __future__ import annotations

import asyncio
from datetime import UTC

from sqlmodel import Session, select

from domain.audit.models import AuditEntry
from domain.audit.service import SYSTEM
from domain.bookings import service as bookings
from domain.bookings.lifecycle_rules import NO_PHONE
from domain.bookings.models import BookingStatus
from domain.bookings.payloads import BookingChanged
from domain.bookings.schemas import BookingUpdate
from domain.business.models import BusinessSettings
from domain.messaging.models import MessageKind
from domain.payments import ledger
from domain.payments.models import LedgerEntryKind
from tests.workflows.conftest import replay_and_maybe_record
from tests.workflows.lifecycle_world import (
    CUSTOMER_PHONE,
    REVIEW_LINK,
    Lifecycle,
    _book,
    _change,
    _keys,
    _phone_thread,
    _started,
    _texts,
    _until,
    _until_texts,
)
from workflows.booking_lifecycle import BookingLifecycleWorkflow


async def test_a_booking_is_confirmed_reminded_asked_for_a_review_and_reminded_to_pay(
    lifecycle: Lifecycle,
) -> None:
    start = lifecycle.local(3, 12)  # three days ahead, noon to 2:30 PM
    booking = _book(lifecycle, start)
    booking_id = booking.id or 0
    handle = await _started(lifecycle, booking)

    await _until_texts(lifecycle, booking_id, "booking_confirmation")
    [confirmation] = _texts(lifecycle, booking_id)
    assert confirmation.kind == MessageKind.TRANSACTIONAL
    assert confirmation.matter == f"booking:{booking_id}"
    assert confirmation.to_address == CUSTOMER_PHONE
    assert booking.reference in confirmation.body and "20 guests" in confirmation.body
    assert f"{start:%a, %b} {start.day} at 12:00 PM" in confirmation.body

    # Nothing more until the day before at 10 AM.
    await lifecycle.sleep_until(lifecycle.local(2, 9, 55))
    await asyncio.sleep(0.3)
    assert _keys(lifecycle, booking_id) == ["booking_confirmation"]
    await lifecycle.sleep_until(lifecycle.local(2, 10, 1))
    await _until_texts(lifecycle, booking_id, "booking_confirmation", "event_reminder")
    reminder = _texts(lifecycle, booking_id)[-1]
    assert reminder.kind == MessageKind.REMINDER
    assert "arrives around 11:15 AM" in reminder.body  # 45 minutes before noon
    assert "10x10 ft" in reminder.body and "outlet" in reminder.body

    # Three hours after the end (2:30 PM + 3 h), everyone is asked for a review.
    await lifecycle.sleep_until(lifecycle.local(3, 17, 31))
    await _until_texts(
        lifecycle, booking_id, "booking_confirmation", "event_reminder", "review_request"
    )
    review = _texts(lifecycle, booking_id)[-1]
    assert review.kind == MessageKind.MARKETING and REVIEW_LINK in review.body

    # A day after the end the balance is still owed: one reminder, and the story is over.
    await lifecycle.sleep_until(lifecycle.local(4, 14, 31))
    outcome = await asyncio.wait_for(handle.result(), timeout=30)
    assert outcome.ended == "every text is done"
    assert [(r.kind.value, r.status) for r in outcome.records] == [
        ("booking_confirmation", "sent"),
        ("event_reminder", "sent"),
        ("review_request", "sent"),
        ("balance_reminder", "sent"),
    ]
    balance = _texts(lifecycle, booking_id)[-1]
    assert balance.kind == MessageKind.REMINDER
    assert f"${booking.total_cents // 100:,}.00" in balance.body
    # What the customer's phone received, once each.
    assert _phone_thread(lifecycle) == [m.body for m in _texts(lifecycle, booking_id)]
    await replay_and_maybe_record(handle, f"{BookingLifecycleWorkflow.__name__}--completed")


async def test_no_balance_reminder_once_the_booking_is_paid(lifecycle: Lifecycle) -> None:
    booking = _book(lifecycle, lifecycle.local(1, 12))
    booking_id = booking.id or 0
    handle = await _started(lifecycle, booking)
    await _until_texts(lifecycle, booking_id, "booking_confirmation")
    with Session(lifecycle.engine) as session:
        ledger.post(
            session,
            booking_id=booking_id,
            kind=LedgerEntryKind.PAYMENT,
            amount_cents=booking.total_cents,
            description="Zelle, paid in full",
            idempotency_key=f"paid-{booking_id}",
            created_by="test",
        )
        session.commit()

    await lifecycle.sleep_until(lifecycle.local(2, 14, 31))  # a day after the end
    outcome = await asyncio.wait_for(handle.result(), timeout=30)

    assert [(r.kind.value, r.status, r.reason) for r in outcome.records][-1] == (
        "balance_reminder",
        "skipped",
        "nothing is owed",
    )
    assert _keys(lifecycle, booking_id) == [
        "booking_confirmation",
        "event_reminder",
        "review_request",
    ]
    with Session(lifecycle.engine) as session:
        skipped = session.exec(
            select(AuditEntry).where(AuditEntry.action == "booking.text_skipped")
        ).one()
    assert skipped.entity_id == str(booking_id)
    assert skipped.summary == "No balance reminder text: nothing is owed"


async def test_a_cancellation_stops_every_text(lifecycle: Lifecycle) -> None:
    booking = _book(lifecycle, lifecycle.local(3, 12))
    booking_id = booking.id or 0
    handle = await _started(lifecycle, booking)
    await _until_texts(lifecycle, booking_id, "booking_confirmation")

    with Session(lifecycle.engine) as session:
        bookings.cancel(session, booking_id, SYSTEM)
        session.commit()
    assert await lifecycle.forwarder.forward_pending() == 1
    outcome = await asyncio.wait_for(handle.result(), timeout=30)

    assert outcome.ended == "the booking is cancelled"
    await lifecycle.sleep_until(lifecycle.local(5, 12))  # past the reminder and the event
    assert _keys(lifecycle, booking_id) == ["booking_confirmation"]
    assert len(_phone_thread(lifecycle)) == 1


async def test_a_reschedule_moves_the_reminder(lifecycle: Lifecycle) -> None:
    booking = _book(lifecycle, lifecycle.local(3, 12))
    booking_id = booking.id or 0
    handle = await _started(lifecycle, booking)
    await _until_texts(lifecycle, booking_id, "booking_confirmation")

    moved = lifecycle.local(5, 13)
    _change(lifecycle, booking_id, BookingUpdate(scheduled_start=moved))
    assert await lifecycle.forwarder.forward_pending() == 1
    await _until_texts(lifecycle, booking_id, "booking_confirmation", "booking_changed")
    changed = _texts(lifecycle, booking_id)[-1]
    assert f"{moved:%a, %b} {moved.day} at 1:00 PM" in changed.body

    # The old reminder's moment passes without a text...
    await lifecycle.sleep_until(lifecycle.local(2, 10, 30))
    await asyncio.sleep(0.3)
    assert _keys(lifecycle, booking_id) == ["booking_confirmation", "booking_changed"]
    # ...and the new one comes the day before the new date.
    await lifecycle.sleep_until(lifecycle.local(4, 10, 1))
    await _until_texts(
        lifecycle, booking_id, "booking_confirmation", "booking_changed", "event_reminder"
    )
    reminder = _texts(lifecycle, booking_id)[-1]
    assert f"{moved:%a, %b} {moved.day} at 1:00 PM" in reminder.body
    assert "12:15 PM" in reminder.body  # the chef's arrival for the new time
    assert reminder.idempotency_key == (
        f"booking:{booking_id}:event_reminder:{moved.astimezone(UTC):%Y%m%dT%H%MZ}"
    )

    _change(lifecycle, booking_id, BookingUpdate(status=BookingStatus.CANCELLED))
    await lifecycle.forwarder.forward_pending()
    assert (await asyncio.wait_for(handle.result(), timeout=30)).ended.endswith("cancelled")


async def test_a_customer_without_a_phone_is_skipped_with_the_reason_recorded(
    lifecycle: Lifecycle,
) -> None:
    booking = _book(lifecycle, lifecycle.local(2, 12), phone=None)
    booking_id = booking.id or 0
    handle = await _started(lifecycle, booking)

    def skipped() -> list[AuditEntry]:
        with Session(lifecycle.engine) as session:
            return list(
                session.exec(
                    select(AuditEntry).where(AuditEntry.action == "booking.text_skipped")
                ).all()
            )

    await _until(lambda: len(skipped()) == 1)
    assert skipped()[0].changes["reason"] == NO_PHONE
    _change(lifecycle, booking_id, BookingUpdate(status=BookingStatus.CANCELLED))
    await lifecycle.forwarder.forward_pending()
    outcome = await asyncio.wait_for(handle.result(), timeout=30)
    assert [(r.kind.value, r.status) for r in outcome.records] == [
        ("booking_confirmation", "skipped")
    ]
    assert _texts(lifecycle, booking_id) == []


async def test_the_business_settings_decide_the_reminder_day_and_time(
    lifecycle: Lifecycle,
) -> None:
    with Session(lifecycle.engine) as session:
        business = session.get(BusinessSettings, 1)
        assert business is not None
        business.event_reminder_days_before = 2
        business.event_reminder_local_time = "16:30"
        session.add(business)
        session.commit()
    booking = _book(lifecycle, lifecycle.local(4, 12))
    booking_id = booking.id or 0
    handle = await _started(lifecycle, booking)
    await _until_texts(lifecycle, booking_id, "booking_confirmation")

    await lifecycle.sleep_until(lifecycle.local(2, 16, 25))
    await asyncio.sleep(0.3)
    assert _keys(lifecycle, booking_id) == ["booking_confirmation"]
    await lifecycle.sleep_until(lifecycle.local(2, 16, 31))
    await _until_texts(lifecycle, booking_id, "booking_confirmation", "event_reminder")

    _change(lifecycle, booking_id, BookingUpdate(status=BookingStatus.CANCELLED))
    await lifecycle.forwarder.forward_pending()
    await asyncio.wait_for(handle.result(), timeout=30)


async def test_a_busy_booking_continues_as_new_and_remembers_what_it_sent(
    lifecycle: Lifecycle,
) -> None:
    booking = _book(lifecycle, lifecycle.local(3, 12))
    booking_id = booking.id or 0
    handle = await _started(lifecycle, booking)
    await _until_texts(lifecycle, booking_id, "booking_confirmation")
    first_run = (await handle.describe()).run_id

    # Many changes (here: wake-ups that change nothing) roll the history over.
    for _ in range(200):
        await handle.signal(BookingLifecycleWorkflow.booking_changed, BookingChanged())
        await asyncio.sleep(0.03)
        if (await handle.describe()).run_id != first_run:
            break
    assert (await handle.describe()).run_id != first_run

    # The new run knows the confirmation went: only the reminder follows.
    await lifecycle.sleep_until(lifecycle.local(2, 10, 1))
    await _until_texts(lifecycle, booking_id, "booking_confirmation", "event_reminder")
    await asyncio.sleep(0.3)
    assert _keys(lifecycle, booking_id) == ["booking_confirmation", "event_reminder"]
    _change(lifecycle, booking_id, BookingUpdate(status=BookingStatus.CANCELLED))
    await lifecycle.forwarder.forward_pending()
    outcome = await asyncio.wait_for(handle.result(), timeout=30)
    assert [r.kind.value for r in outcome.records] == ["booking_confirmation", "event_reminder"]
