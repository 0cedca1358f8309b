"""Failed-enrolment limiter: a one-time code has 80 bits of randomness, but guessing should
still be slow and loud. Counts failures per client address and in total over a sliding window.

In memory and per API process: behind a load balancer with several processes, each keeps its
own count (the limit is then per process); deploy the reverse proxy's own rate limiting too
(docs/central.md)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 15 * 60
PER_CLIENT = 10  # failed attempts from one address per window
TOTAL = 100  # failed attempts from everywhere per window


class FailureLimiter:
    def __init__(
        self,
        per_client: int = PER_CLIENT,
        total: int = TOTAL,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_client, self.total, self.window_s = per_client, total, window_s
        self._clock = clock
        self._by_client: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._lock = threading.Lock()

    def _trim(self, q: deque[float], now: float) -> None:
        while q and q[0] <= now - self.window_s:
            q.popleft()

    def retry_after(self, client: str) -> int:
        """Seconds to wait before this client may try again (0: go ahead)."""
        now = self._clock()
        with self._lock:
            self._trim(self._all, now)
            mine = self._by_client.get(client, deque())
            self._trim(mine, now)
            waits = []
            if len(mine) >= self.per_client:
                waits.append(mine[0] + self.window_s - now)
            if len(self._all) >= self.total:
                waits.append(self._all[0] + self.window_s - now)
            return max(1, int(max(waits)) + 1) if waits else 0

    def failed(self, client: str) -> None:
        now = self._clock()
        with self._lock:
            self._all.append(now)
            self._by_client.setdefault(client, deque()).append(now)
            if len(self._by_client) > 10_000:  # bounded memory under a spray of addresses
                self._by_client.pop(next(iter(self._by_client)))
