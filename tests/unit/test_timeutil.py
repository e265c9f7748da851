from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.timeutil import as_utc, to_local


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        as_utc(datetime(2026, 1, 1))


def test_local_time_follows_daylight_saving() -> None:
    summer = datetime(2026, 7, 4, 1, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    assert to_local(summer, "America/Los_Angeles").hour == 18
    assert to_local(winter, "America/Los_Angeles").hour == 18
    assert to_local(winter, "America/Los_Angeles").tzinfo == ZoneInfo("America/Los_Angeles")
