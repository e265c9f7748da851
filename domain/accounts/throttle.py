"""Failed logins per client address, on top of each account's own lockout.

One account's lockout (`service.authenticate`) stops guessing one password; this stops one
address from guessing many accounts' passwords. The state lives in this process's memory:
fine for Teppan's single API process (the panel and the REST API share one `LoginThrottle`),
but with several processes or replicas each counts on its own, so the effective limit is
multiplied by their number, and a restart forgets it. Behind a reverse proxy the client
address is the proxy's unless uvicorn trusts its forwarded headers (`--proxy-headers`,
`--forwarded-allow-ips`); then a whole office shares one address and one limit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from domain.accounts.rules import login_wait_seconds, recent_failures

#: Addresses remembered at most; beyond it the ones with no failure left in the window go.
MAX_ADDRESSES = 10_000


class LoginThrottle:
    def __init__(
        self,
        *,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        # Sync routes run in a thread pool: two requests may count at once.
        self._lock = threading.Lock()

    def wait_seconds(self, address: str) -> float | None:
        """Seconds before `address` may try again, None when it may try now."""
        with self._lock:
            failures = self._failures.get(address, ())
            return login_wait_seconds(
                failures, self._clock(), limit=self.limit, window_seconds=self.window_seconds
            )

    def record_failure(self, address: str) -> None:
        now = self._clock()
        with self._lock:
            failures = self._failures.setdefault(address, deque(maxlen=self.limit))
            failures.append(now)
            if len(self._failures) > MAX_ADDRESSES:
                self._forget_stale(now)

    def _forget_stale(self, now: float) -> None:
        stale = [
            address
            for address, failures in self._failures.items()
            if not recent_failures(failures, now, self.window_seconds)
        ]
        for address in stale:
            del self._failures[address]
