"""The per-address failed-login limit: the sliding window's rules and the throttle's state."""

from __future__ import annotations

import pytest

from domain.accounts.rules import (
    login_wait_seconds,
    recent_failures,
    retry_after_seconds,
    too_many_failures_message,
)
from domain.accounts.throttle import LoginThrottle


def test_recent_failures_keeps_those_inside_the_window() -> None:
    assert recent_failures([0.0, 51.0, 99.0, 100.0], now=150.0, window_seconds=100) == [
        51.0,
        99.0,
        100.0,
    ]
    # Exactly one window old has left it.
    assert recent_failures([50.0], now=150.0, window_seconds=100) == []


def test_below_the_limit_may_try_now() -> None:
    assert login_wait_seconds([], 10.0, limit=3, window_seconds=60) is None
    assert login_wait_seconds([1.0, 2.0], 10.0, limit=3, window_seconds=60) is None
    # Old failures do not count.
    assert login_wait_seconds([1.0, 2.0, 70.0], 75.0, limit=3, window_seconds=60) is None


def test_at_the_limit_waits_until_the_oldest_counted_failure_leaves() -> None:
    assert login_wait_seconds([0.0, 10.0, 20.0], 30.0, limit=3, window_seconds=60) == 30.0
    # More failures than the limit (a deque may hold exactly limit, a list more): the
    # limit-th newest decides.
    assert login_wait_seconds([0.0, 10.0, 20.0, 25.0], 30.0, limit=3, window_seconds=60) == 40.0
    assert login_wait_seconds([0.0, 10.0, 20.0], 60.0, limit=3, window_seconds=60) is None


@pytest.mark.parametrize(
    ("wait", "header"), [(0.001, 1), (0.999, 1), (1.0, 1), (1.2, 2), (899.5, 900)]
)
def test_retry_after_is_whole_seconds_never_zero(wait: float, header: int) -> None:
    assert retry_after_seconds(wait) == header


def test_message_counts_whole_minutes() -> None:
    assert "wait 1 minute before" in too_many_failures_message(5)
    assert "wait 1 minute before" in too_many_failures_message(60)
    assert "wait 2 minutes before" in too_many_failures_message(61)
    assert "wait 15 minutes before" in too_many_failures_message(900)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_counts_per_address_and_forgets_after_the_window() -> None:
    clock = Clock()
    throttle = LoginThrottle(limit=3, window_seconds=60, clock=clock)
    for _ in range(3):
        assert throttle.wait_seconds("10.0.0.1") is None
        throttle.record_failure("10.0.0.1")
        clock.now += 10
    assert throttle.wait_seconds("10.0.0.1") == pytest.approx(30.0)
    assert throttle.wait_seconds("10.0.0.2") is None  # another address is not held back
    clock.now += 29
    assert throttle.wait_seconds("10.0.0.1") == pytest.approx(1.0)
    clock.now += 1
    assert throttle.wait_seconds("10.0.0.1") is None
    # One more failure: the two still inside the window and it make three again.
    throttle.record_failure("10.0.0.1")
    assert throttle.wait_seconds("10.0.0.1") == pytest.approx(10.0)


def test_throttle_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("domain.accounts.throttle.MAX_ADDRESSES", 3)
    clock = Clock()
    throttle = LoginThrottle(limit=2, window_seconds=60, clock=clock)
    for address in ("a", "b", "c"):
        throttle.record_failure(address)
    clock.now += 61  # a, b and c are stale now
    throttle.record_failure("d")
    throttle.record_failure("d")
    throttle.record_failure("e")  # the fifth address: the stale ones go
    assert throttle.wait_seconds("d") is not None
    assert throttle.wait_seconds("a") is None
    assert sorted(throttle._failures) == ["d", "e"]
