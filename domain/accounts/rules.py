"""Pure rules for logging in."""

from __future__ import annotations

import math
from collections.abc import Sequence


def recent_failures(failures: Sequence[float], now: float, window_seconds: float) -> list[float]:
    """The failure times (seconds, oldest first) still inside the sliding window."""
    return [moment for moment in failures if now - moment < window_seconds]


def login_wait_seconds(
    failures: Sequence[float], now: float, *, limit: int, window_seconds: float
) -> float | None:
    """How long a client must wait before trying to log in again, None when it may try now.

    A sliding window: at most `limit` failures inside any `window_seconds`. Once the limit is
    reached the next try is allowed when the oldest failure that counts leaves the window.
    """
    recent = recent_failures(failures, now, window_seconds)
    if len(recent) < limit:
        return None
    return recent[-limit] + window_seconds - now


def retry_after_seconds(wait_seconds: float) -> int:
    """A Retry-After header's whole seconds, never 0 while still refused."""
    return max(1, math.ceil(wait_seconds))


def too_many_failures_message(wait_seconds: float) -> str:
    minutes = max(1, math.ceil(wait_seconds / 60))
    return (
        "Too many failed logins from your network: wait "
        f"{minutes} minute{'' if minutes == 1 else 's'} before trying again."
    )
