"""Which of a booking's texts is due, and when. Pure: no clock, no I/O.

The texts, in the order they fall:
- a *notice* whenever the customer has not been told the booking's current start time: the
  confirmation the first time, the "changed" text after a reschedule. Due at once; pointless
  once the event has begun.
- the *event reminder* at `event_reminder_local_time` on the day `event_reminder_days_before`
  the event, in the business's time zone. A booking made after that moment gets it at once,
  as long as the chef has not yet arrived (start minus `arrival_lead_minutes`): the customer
  still needs to know what to prepare. After that it is skipped.
- the *balance reminder* `balance_reminder_hours_after` the event's end, when money is owed.
- the *review request* `review_request_hours_after` the end, to everyone (no review gating).

Each scheduled text has a key naming the start it was planned for, so a reschedule plans new
ones (the old reminder is simply never due again) and a sent or skipped one is never redone.
Texts far past their moment (the workflow was down, or the booking was entered after the fact)
are skipped rather than sent late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.bookings.models import BookingStatus
from domain.bookings.payloads import LifecycleSnapshot
from domain.messaging.models import TemplateKind

#: Statuses whose customer gets the booking's texts; an inquiry waits to be confirmed.
TEXTED_STATUSES = frozenset({BookingStatus.CONFIRMED, BookingStatus.COMPLETED})
#: Statuses after which nothing more is ever sent.
ENDED_STATUSES = frozenset({BookingStatus.CANCELLED, BookingStatus.ARCHIVED})
#: An inquiry never confirmed stops being watched this long after its planned end.
INQUIRY_PATIENCE = timedelta(days=1)
#: How late a balance reminder or review request may still go out.
BALANCE_REMINDER_WINDOW = timedelta(days=14)
REVIEW_REQUEST_WINDOW = timedelta(days=3)

DEFAULT_REMINDER_TIME = time(10, 0)
NOTICE_KINDS = frozenset({TemplateKind.BOOKING_CONFIRMATION, TemplateKind.BOOKING_CHANGED})

NO_PHONE = "the customer has no mobile number on file"


@dataclass(frozen=True)
class Progress:
    """What the workflow has already done for this booking."""

    told_start: datetime | None = None
    notices: int = 0
    done: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PlannedText:
    kind: TemplateKind
    key: str
    due_at: datetime
    expires_at: datetime  # at or after this, it is skipped rather than sent


@dataclass(frozen=True)
class Send:
    kind: TemplateKind
    key: str


@dataclass(frozen=True)
class Skip:
    kind: TemplateKind
    key: str
    reason: str


@dataclass(frozen=True)
class Wait:
    until: datetime | None  # None: only a change to the booking wakes it


@dataclass(frozen=True)
class Finish:
    reason: str


Step = Send | Skip | Wait | Finish


def reminder_time_of_day(text: str) -> time:
    """ "HH:MM" (24-hour); anything else falls back to 10:00 rather than stopping the texts."""
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        return DEFAULT_REMINDER_TIME
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        return DEFAULT_REMINDER_TIME
    return time(int(hours), int(minutes))


def reminder_at(start: datetime, timezone: str, days_before: int, local_time: str) -> datetime:
    """The instant of the event reminder: a wall-clock time on a calendar day, both in the
    business's zone, so DST never shifts it. A time the clocks skip (2:30 on the spring-forward
    night) means the same instant as the hour before it plus the gap, as zoneinfo reads it."""
    zone = ZoneInfo(timezone)
    day = start.astimezone(zone).date() - timedelta(days=days_before)
    local = datetime.combine(day, reminder_time_of_day(local_time), tzinfo=zone)
    # In UTC: a wall time in the gap or the fold compares unequal to everything (PEP 495).
    return local.astimezone(UTC)


def arrival_at(snapshot: LifecycleSnapshot) -> datetime:
    return snapshot.scheduled_start - timedelta(minutes=snapshot.arrival_lead_minutes)


def _key(kind: TemplateKind, start: datetime) -> str:
    return f"{kind.value}:{start.astimezone(UTC):%Y%m%dT%H%MZ}"


def notice_key(kind: TemplateKind, notices: int, start: datetime) -> str:
    """The first confirmation has one key; each later notice its own, even back to a time named
    before (A to B to A to B tells the customer three times)."""
    if kind == TemplateKind.BOOKING_CONFIRMATION:
        return kind.value
    return f"{_key(kind, start)}:{notices}"


def scheduled_texts(snapshot: LifecycleSnapshot) -> list[PlannedText]:
    """The reminder, balance reminder and review request for the booking's current times."""
    start, end = snapshot.scheduled_start, snapshot.scheduled_end
    reminder = PlannedText(
        TemplateKind.EVENT_REMINDER,
        _key(TemplateKind.EVENT_REMINDER, start),
        reminder_at(
            start,
            snapshot.timezone,
            snapshot.event_reminder_days_before,
            snapshot.event_reminder_local_time,
        ),
        arrival_at(snapshot),
    )
    balance_due = end + timedelta(hours=snapshot.balance_reminder_hours_after)
    balance = PlannedText(
        TemplateKind.BALANCE_REMINDER,
        _key(TemplateKind.BALANCE_REMINDER, start),
        balance_due,
        balance_due + BALANCE_REMINDER_WINDOW,
    )
    review_due = end + timedelta(hours=snapshot.review_request_hours_after)
    review = PlannedText(
        TemplateKind.REVIEW_REQUEST,
        _key(TemplateKind.REVIEW_REQUEST, start),
        review_due,
        review_due + REVIEW_REQUEST_WINDOW,
    )
    order = {TemplateKind.EVENT_REMINDER: 0, TemplateKind.REVIEW_REQUEST: 1}
    return sorted([reminder, balance, review], key=lambda t: (t.due_at, order.get(t.kind, 2)))


def _why_not(text: PlannedText, snapshot: LifecycleSnapshot, now: datetime) -> str | None:
    """Why a text that is due is skipped; None when it goes."""
    if text.due_at >= text.expires_at:
        return "the reminder time is after the chef's arrival: change it in Settings"
    if now >= text.expires_at:
        if text.kind == TemplateKind.EVENT_REMINDER:
            return "too late for a reminder: the chef is due to arrive"
        return "too long after the event"
    if text.kind == TemplateKind.BALANCE_REMINDER and snapshot.balance_owed_cents <= 0:
        return "nothing is owed"
    if text.kind == TemplateKind.REVIEW_REQUEST and not snapshot.review_link_set:
        return "no review link is set in Settings"
    if not snapshot.has_phone:
        return NO_PHONE
    return None


def next_step(snapshot: LifecycleSnapshot, progress: Progress, now: datetime) -> Step:
    """The one thing the workflow does next."""
    if not snapshot.exists:
        return Finish("the booking was deleted")
    if snapshot.status in ENDED_STATUSES:
        return Finish(f"the booking is {snapshot.status.value}")
    if snapshot.status not in TEXTED_STATUSES:
        give_up = snapshot.scheduled_end + INQUIRY_PATIENCE
        return Finish("never confirmed") if now >= give_up else Wait(give_up)
    start = snapshot.scheduled_start
    if progress.told_start != start:
        kind = (
            TemplateKind.BOOKING_CONFIRMATION
            if progress.told_start is None
            else TemplateKind.BOOKING_CHANGED
        )
        key = notice_key(kind, progress.notices, start)
        if now >= start:
            return Skip(kind, key, "the event has already begun")
        if not snapshot.has_phone:
            return Skip(kind, key, NO_PHONE)
        return Send(kind, key)
    for text in scheduled_texts(snapshot):
        if text.key in progress.done:
            continue
        if now < text.due_at and text.due_at < text.expires_at:
            return Wait(text.due_at)
        reason = _why_not(text, snapshot, now)
        return Skip(text.kind, text.key, reason) if reason else Send(text.kind, text.key)
    return Finish("every text is done")
