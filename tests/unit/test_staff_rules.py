from datetime import datetime

import pytest

from domain.staff.rules import (
    InvalidWorkingHours,
    is_working,
    next_in_rotation,
    validate_working_hours,
)

HOURS = {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "sat": [["10:00", "21:00"]]}


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (datetime(2026, 11, 23, 9, 0), True),  # Monday, opening minute
        (datetime(2026, 11, 23, 12, 30), False),  # lunch
        (datetime(2026, 11, 23, 17, 59), True),
        (datetime(2026, 11, 23, 18, 0), False),  # closing is exclusive
        (datetime(2026, 11, 24, 10, 0), False),  # Tuesday: no hours
        (datetime(2026, 11, 28, 20, 30), True),  # Saturday evening
    ],
)
def test_is_working(moment: datetime, working: bool) -> None:
    assert is_working(HOURS, moment) is working


def test_no_hours_means_always() -> None:
    assert is_working({}, datetime(2026, 11, 24, 3, 0))


@pytest.mark.parametrize(
    "bad",
    [
        {"monday": [["09:00", "17:00"]]},
        {"mon": [["9:00", "17:00"]]},
        {"mon": [["17:00", "09:00"]]},
        {"mon": [["09:00"]]},
        {"mon": [["09:00", "24:00"]]},
    ],
)
def test_invalid_hours_are_refused(bad: dict[str, list[list[str]]]) -> None:
    with pytest.raises(InvalidWorkingHours):
        validate_working_hours(bad)


def test_rotation_goes_round_and_skips_the_unavailable() -> None:
    rotation = [11, 12, 13, 14]
    assert next_in_rotation(rotation, None, {11, 12, 13, 14}) == 11
    assert next_in_rotation(rotation, 11, {11, 12, 13, 14}) == 12
    assert next_in_rotation(rotation, 14, {11, 12, 13, 14}) == 11  # wraps
    assert next_in_rotation(rotation, 11, {11, 13}) == 13  # 12 busy
    assert next_in_rotation(rotation, 13, {11, 13}) == 11
    assert next_in_rotation(rotation, 99, {13}) == 13  # a removed member restarts the walk
    assert next_in_rotation(rotation, 12, set()) is None
    assert next_in_rotation([], None, {1}) is None


def test_rotation_is_fair_over_many_calls() -> None:
    rotation, last, counts = [1, 2, 3], None, {1: 0, 2: 0, 3: 0}
    for _ in range(300):
        last = next_in_rotation(rotation, last, {1, 2, 3})
        assert last is not None
        counts[last] += 1
    assert counts == {1: 100, 2: 100, 3: 100}
