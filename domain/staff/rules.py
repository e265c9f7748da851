"""Pure rules for who takes an escalated call: working hours and a fair rotation."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, time

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

WorkingHours = dict[str, list[list[str]]]


class InvalidWorkingHours(ValueError):
    pass


def _clock(value: str) -> time:
    match = _CLOCK.match(value)
    if match is None:
        raise InvalidWorkingHours(f"{value!r} is not a 24-hour time like 09:00")
    return time(int(match.group(1)), int(match.group(2)))


def validate_working_hours(hours: WorkingHours) -> WorkingHours:
    """{"mon": [["09:00", "17:00"]], …}: known days, HH:MM, each interval starting first."""
    for day, intervals in hours.items():
        if day not in WEEKDAYS:
            raise InvalidWorkingHours(f"{day!r} is not one of {', '.join(WEEKDAYS)}")
        for interval in intervals:
            if len(interval) != 2:
                raise InvalidWorkingHours(f"{day}: an interval is [start, end]")
            start, end = (_clock(value) for value in interval)
            if start >= end:
                raise InvalidWorkingHours(f"{day}: {interval[0]} is not before {interval[1]}")
    return hours


def is_working(hours: WorkingHours, local_moment: datetime) -> bool:
    """Whether the moment (in the business's zone) falls inside one of the day's intervals.

    An extension with no hours at all is taken to work around the clock.
    """
    if not hours:
        return True
    now = local_moment.time().replace(second=0, microsecond=0)
    day = WEEKDAYS[local_moment.weekday()]
    return any(_clock(start) <= now < _clock(end) for start, end in hours.get(day, []))


def next_in_rotation(
    rotation: Sequence[int], last_chosen: int | None, eligible: set[int]
) -> int | None:
    """The first eligible member after the last one chosen, going round the fixed order.

    Walking a fixed order from a stored position (rather than picking the least-recently used)
    keeps the rotation fair when members come and go: nobody is skipped twice in a row.
    """
    if not rotation:
        return None
    start = rotation.index(last_chosen) + 1 if last_chosen in rotation else 0
    for offset in range(len(rotation)):
        candidate = rotation[(start + offset) % len(rotation)]
        if candidate in eligible:
            return candidate
    return None
