"""How fast one conversation, and one address, may send messages.

A parent types a message every few seconds at most; a script that floods the bot slows
every parent down (each message runs NLU and writes to the database). Over the limit,
a message gets a kind reply and is not processed. Counts live in this Rasa process
(with several replicas each counts its own share, which only loosens the limit).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0
# Past this many keys, forgotten ones are swept out so memory stays bounded.
SWEEP_AT = 10_000


class RateLimiter:
    """At most `limit` messages per key in any WINDOW_SECONDS; `limit` 0 allows all."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        if self.limit <= 0:
            return True
        now = self.clock()
        if len(self._seen) > SWEEP_AT:
            self._sweep(now)
        seen = self._seen.setdefault(key, deque())
        while seen and now - seen[0] >= WINDOW_SECONDS:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True

    def _sweep(self, now: float) -> None:
        for key in [
            k for k, seen in self._seen.items() if not seen or now - seen[-1] >= WINDOW_SECONDS
        ]:
            del self._seen[key]
