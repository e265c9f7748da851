"""When a booking's texts are due: confirmation, reminder, balance reminder, review request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.bookings.lifecycle_rules import (
    NO_PHONE,
    Finish,
    Progress,
    Send,
    Skip,
    Wait,
    next_step,
    reminder_at,
    reminder_time_of_day,
    scheduled_texts,
)
from domain.bookings.models import BookingStatus
from domain.bookings.payloads import LifecycleSnapshot
from domain.messaging.models import TemplateKind

LA = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
START = datetime(2026, 12, 5, 18, 0, tzinfo=LA)  # Saturday 6 PM
END = START + timedelta(minutes=150)


def snapshot(**changes: object) -> LifecycleSnapshot:
    values: dict[str, object] = {
        "booking_id": 7,
        "scheduled_start": START,
        "scheduled_end": END,
        "balance_owed_cents": 96_000,
        "timezone": "America/Los_Angeles",
    }
    return LifecycleSnapshot.model_validate(values | changes)


def told(*done: TemplateKind, start: datetime = START) -> Progress:
    """The customer was confirmed for `start` and these scheduled texts are behind us."""
    keys = {text.key for text in scheduled_texts(snapshot()) if text.kind in done}
    return Progress(told_start=start, notices=1, done=frozenset(keys))


def at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = LA) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=zone)


# --- the confirmation -------------------------------------------------------------------


def test_a_new_booking_is_confirmed_at_once() -> None:
    step = next_step(snapshot(), Progress(), at(1, 12))
    assert step == Send(TemplateKind.BOOKING_CONFIRMATION, "booking_confirmation")


def test_after_the_confirmation_it_waits_for_the_reminder_the_day_before_at_ten() -> None:
    assert next_step(snapshot(), told(), at(1, 12)) == Wait(at(4, 10))


def test_a_reschedule_sends_the_changed_text_then_plans_the_new_reminder() -> None:
    moved = START + timedelta(days=2)
    step = next_step(
        snapshot(scheduled_start=moved, scheduled_end=moved + timedelta(hours=2)), told(), at(1, 12)
    )
    assert isinstance(step, Send) and step.kind == TemplateKind.BOOKING_CHANGED
    assert "20261208T0200Z" in step.key  # the new start, in UTC

    after = Progress(told_start=moved, notices=2, done=frozenset())
    assert next_step(
        snapshot(scheduled_start=moved, scheduled_end=moved + timedelta(hours=2)), after, at(1, 12)
    ) == Wait(at(6, 10))


def test_each_change_notice_has_its_own_key_even_back_to_an_earlier_time() -> None:
    there = next_step(
        snapshot(), Progress(told_start=START + timedelta(days=1), notices=1), at(1, 9)
    )
    back = next_step(
        snapshot(), Progress(told_start=START + timedelta(days=1), notices=3), at(1, 9)
    )
    assert isinstance(there, Send) and isinstance(back, Send)
    assert there.key != back.key


def test_no_confirmation_for_an_event_entered_after_it_began() -> None:
    step = next_step(snapshot(), Progress(), at(5, 19))
    assert step == Skip(
        TemplateKind.BOOKING_CONFIRMATION, "booking_confirmation", "the event has already begun"
    )


def test_a_customer_without_a_phone_is_skipped_with_the_reason() -> None:
    step = next_step(snapshot(has_phone=False), Progress(), at(1, 12))
    assert isinstance(step, Skip) and step.reason == NO_PHONE
    reminder = next_step(snapshot(has_phone=False), told(), at(4, 10))
    assert isinstance(reminder, Skip) and reminder.kind == TemplateKind.EVENT_REMINDER


# --- the reminder -------------------------------------------------------------------------


def test_the_reminder_goes_when_its_moment_comes() -> None:
    step = next_step(snapshot(), told(), at(4, 10))
    assert isinstance(step, Send) and step.kind == TemplateKind.EVENT_REMINDER


def test_a_booking_made_after_the_reminder_moment_gets_it_at_once_while_it_can_help() -> None:
    # Booked the evening before: the reminder's 10 AM is gone, the party is tomorrow.
    step = next_step(snapshot(), told(), at(4, 21))
    assert isinstance(step, Send) and step.kind == TemplateKind.EVENT_REMINDER
    # On the day, until the chef's arrival (45 minutes before the start), it still goes.
    assert isinstance(next_step(snapshot(), told(), at(5, 17, 14)), Send)


def test_no_reminder_once_the_chef_is_due_to_arrive() -> None:
    step = next_step(snapshot(), told(), at(5, 17, 15))
    assert isinstance(step, Skip) and step.kind == TemplateKind.EVENT_REMINDER
    assert "arrive" in step.reason


def test_a_reminder_time_after_the_arrival_is_skipped_rather_than_sent_late() -> None:
    same_day_evening = snapshot(event_reminder_days_before=0, event_reminder_local_time="19:00")
    step = next_step(same_day_evening, told(), at(1, 12))
    assert isinstance(step, Skip) and "Settings" in step.reason


def test_the_reminder_day_and_time_are_the_owners() -> None:
    two_days = snapshot(event_reminder_days_before=2, event_reminder_local_time="17:30")
    assert next_step(two_days, told(), at(1, 12)) == Wait(at(3, 17, 30))
    same_day = snapshot(event_reminder_days_before=0, event_reminder_local_time="09:00")
    assert next_step(same_day, told(), at(1, 12)) == Wait(at(5, 9))


def test_the_reminder_day_is_the_local_day_not_the_utc_one() -> None:
    # 7 PM in California is 03:00 UTC the next day: the reminder is still the 4th, local.
    late = datetime(2026, 12, 5, 19, 0, tzinfo=LA)
    assert reminder_at(late, "America/Los_Angeles", 1, "10:00") == at(4, 10)
    # The same instant in New York is 10 PM on the 5th: the 4th there too, at 10 AM Eastern.
    assert reminder_at(late, "America/New_York", 1, "10:00") == at(4, 10, zone=NEW_YORK)
    # 10 PM in New York is already the 6th in UTC; the reminder is the 5th at 10 AM Eastern.
    eastern = datetime(2026, 12, 6, 22, 0, tzinfo=NEW_YORK)
    assert reminder_at(eastern, "America/New_York", 1, "10:00") == datetime(
        2026, 12, 5, 15, 0, tzinfo=UTC
    )


def test_the_reminder_keeps_its_wall_clock_time_across_dst() -> None:
    # Clocks spring forward on Sunday 8 March 2026 (2 AM PST becomes 3 AM PDT).
    monday = datetime(2026, 3, 9, 18, 0, tzinfo=LA)
    assert reminder_at(monday, "America/Los_Angeles", 1, "10:00") == datetime(
        2026, 3, 8, 17, 0, tzinfo=UTC
    )  # 10 AM PDT
    sunday = datetime(2026, 3, 8, 18, 0, tzinfo=LA)
    assert reminder_at(sunday, "America/Los_Angeles", 1, "10:00") == datetime(
        2026, 3, 7, 18, 0, tzinfo=UTC
    )  # 10 AM PST
    # Back on Sunday 1 November 2026: 10 AM PST on the 1st, 10 AM PDT on the 31st.
    assert reminder_at(
        datetime(2026, 11, 2, 18, 0, tzinfo=LA), "America/Los_Angeles", 1, "10:00"
    ) == datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
    assert reminder_at(
        datetime(2026, 11, 1, 18, 0, tzinfo=LA), "America/Los_Angeles", 1, "10:00"
    ) == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)


def test_a_reminder_time_the_clocks_skip_falls_after_the_gap() -> None:
    step_forward_night = datetime(2026, 3, 9, 18, 0, tzinfo=LA)
    assert reminder_at(step_forward_night, "America/Los_Angeles", 1, "02:30") == datetime(
        2026, 3, 8, 10, 30, tzinfo=UTC
    )  # 3:30 AM PDT


@pytest.mark.parametrize("text", ["", "10", "25:00", "10:75", "ten", "9:5"])
def test_an_unreadable_reminder_time_falls_back_to_ten(text: str) -> None:
    assert reminder_time_of_day(text).isoformat() == "10:00:00"


def test_a_reminder_time_reads_hours_and_minutes() -> None:
    assert reminder_time_of_day(" 9:05 ").isoformat() == "09:05:00"


# --- after the event ----------------------------------------------------------------------


def test_the_review_request_goes_three_hours_after_the_end_to_everyone() -> None:
    done = told(TemplateKind.EVENT_REMINDER)
    assert next_step(snapshot(), done, at(5, 21)) == Wait(END + timedelta(hours=3))
    step = next_step(snapshot(), done, END + timedelta(hours=3))
    assert isinstance(step, Send) and step.kind == TemplateKind.REVIEW_REQUEST


def test_no_review_request_without_a_review_link() -> None:
    done = told(TemplateKind.EVENT_REMINDER)
    step = next_step(snapshot(review_link_set=False), done, END + timedelta(hours=3))
    assert isinstance(step, Skip) and "review link" in step.reason


def test_the_balance_reminder_goes_a_day_after_the_end_only_when_money_is_owed() -> None:
    done = told(TemplateKind.EVENT_REMINDER, TemplateKind.REVIEW_REQUEST)
    assert next_step(snapshot(), done, END + timedelta(hours=4)) == Wait(END + timedelta(hours=24))
    owed = next_step(snapshot(), done, END + timedelta(hours=24))
    assert isinstance(owed, Send) and owed.kind == TemplateKind.BALANCE_REMINDER
    paid = next_step(snapshot(balance_owed_cents=0), done, END + timedelta(hours=24))
    assert isinstance(paid, Skip) and paid.reason == "nothing is owed"


def test_texts_far_past_their_moment_are_skipped_not_sent_late() -> None:
    done = told(TemplateKind.EVENT_REMINDER)
    step = next_step(snapshot(), done, END + timedelta(days=5))
    assert isinstance(step, Skip) and step.kind == TemplateKind.REVIEW_REQUEST
    assert step.reason == "too long after the event"


def test_when_every_text_is_done_it_finishes() -> None:
    done = told(
        TemplateKind.EVENT_REMINDER, TemplateKind.REVIEW_REQUEST, TemplateKind.BALANCE_REMINDER
    )
    assert next_step(snapshot(), done, END + timedelta(days=2)) == Finish("every text is done")


def test_a_completed_booking_still_gets_its_after_event_texts() -> None:
    done = told(TemplateKind.EVENT_REMINDER)
    step = next_step(snapshot(status=BookingStatus.COMPLETED), done, END + timedelta(hours=3))
    assert isinstance(step, Send) and step.kind == TemplateKind.REVIEW_REQUEST


# --- stopping -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.ARCHIVED])
def test_a_cancelled_or_archived_booking_stops_everything(status: BookingStatus) -> None:
    assert next_step(snapshot(status=status), told(), at(4, 10)) == Finish(
        f"the booking is {status.value}"
    )


def test_a_deleted_booking_stops_everything() -> None:
    assert isinstance(next_step(snapshot(exists=False), told(), at(4, 10)), Finish)


def test_an_inquiry_waits_to_be_confirmed_and_is_given_up_a_day_after_its_end() -> None:
    inquiry = snapshot(status=BookingStatus.INQUIRY)
    assert next_step(inquiry, Progress(), at(1, 12)) == Wait(END + timedelta(days=1))
    assert next_step(inquiry, Progress(), END + timedelta(days=1)) == Finish("never confirmed")
