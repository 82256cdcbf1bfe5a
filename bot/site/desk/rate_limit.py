"""An in-memory sliding-window limit, used for sign-in attempts."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable

# Past this many tracked keys, keys without recent attempts are dropped.
SWEEP_ABOVE_KEYS = 10_000


class SlidingWindowLimiter:
    """Allows at most ``limit`` attempts per key in any ``window_seconds``."""

    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1:
            raise ValueError("the limit must be at least 1")
        self._limit = limit
        self._window = window_seconds
        self._clock = clock
        self._attempts: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()

    def try_acquire(self, key: Hashable) -> bool:
        """Record an attempt for ``key`` if it is allowed; False if over the limit."""
        with self._lock:
            now = self._clock()
            attempts = self._recent(key, now)
            if len(attempts) >= self._limit:
                return False
            attempts.append(now)
            if len(self._attempts) > SWEEP_ABOVE_KEYS:
                self._sweep(now)
            return True

    def retry_after(self, key: Hashable) -> int:
        """Whole seconds until ``key`` may try again (0 if it may now)."""
        with self._lock:
            now = self._clock()
            attempts = self._recent(key, now)
            if len(attempts) < self._limit:
                return 0
            return max(1, math.ceil(attempts[0] + self._window - now))

    def reset(self, key: Hashable) -> None:
        """Forget the attempts of ``key`` (after a successful sign-in)."""
        with self._lock:
            self._attempts.pop(key, None)

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        attempts = self._attempts.setdefault(key, deque())
        while attempts and attempts[0] <= now - self._window:
            attempts.popleft()
        return attempts

    def _sweep(self, now: float) -> None:
        for key in [k for k, v in self._attempts.items() if not v or v[-1] <= now - self._window]:
            del self._attempts[key]
