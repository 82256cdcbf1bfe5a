"""Sliding-window limits (sign-in attempts, answer votes): in the process's memory, or in Redis when
several desk processes must share them (``ALMERE_RATE_LIMIT_REDIS_URL``)."""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Hashable

import redis

logger = logging.getLogger(__name__)

# Past this many tracked keys, keys without recent attempts are dropped.
SWEEP_ABOVE_KEYS = 10_000
REDIS_KEY_PREFIX = "almere:limit"


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


# One attempt, atomically: forget attempts older than the window, refuse at the limit, else record.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(ARGV[2] * 1000))
return 1
"""
REDIS_TIMEOUT_SECONDS = 2.0


class RedisSlidingWindowLimiter:
    """The same limit as :class:`SlidingWindowLimiter`, kept in Redis so that every desk process
    counts the same attempts: one sorted set of attempt times per key (the key hashed), expiring
    with the window. Times are wall-clock seconds, which the desk's machines share.

    While Redis cannot be reached, this process's own in-memory limiter counts instead (logged):
    sign-in keeps working and stays limited, per process, until Redis is back.
    """

    def __init__(
        self,
        client: redis.Redis,
        name: str,
        limit: int,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if limit < 1:
            raise ValueError("the limit must be at least 1")
        self._client = client
        self._name = name
        self._limit = limit
        self._window = window_seconds
        self._clock = clock
        self._acquire = client.register_script(_ACQUIRE)
        self._fallback = SlidingWindowLimiter(limit, window_seconds)
        self._warned_at: float | None = None

    def try_acquire(self, key: Hashable) -> bool:
        """Record an attempt for ``key`` if it is allowed; False if over the limit."""
        try:
            now = self._clock()
            args = [now, self._window, self._limit, f"{now}:{uuid.uuid4().hex}"]
            return bool(self._acquire(keys=[self._redis_key(key)], args=args))
        except redis.RedisError as error:
            self._unavailable(error)
            return self._fallback.try_acquire(key)

    def retry_after(self, key: Hashable) -> int:
        """Whole seconds until ``key`` may try again (0 if it may now)."""
        try:
            now = self._clock()
            recent = self._client.zrangebyscore(
                self._redis_key(key), f"({now - self._window}", "+inf", withscores=True
            )
        except redis.RedisError as error:
            self._unavailable(error)
            return self._fallback.retry_after(key)
        if len(recent) < self._limit:
            return 0
        return max(1, math.ceil(recent[0][1] + self._window - now))

    def reset(self, key: Hashable) -> None:
        """Forget the attempts of ``key`` (after a successful sign-in)."""
        self._fallback.reset(key)
        try:
            self._client.delete(self._redis_key(key))
        except redis.RedisError as error:
            self._unavailable(error)

    def _redis_key(self, key: Hashable) -> str:
        digest = hashlib.sha256(repr(key).encode("utf-8", "surrogatepass")).hexdigest()
        return f"{REDIS_KEY_PREFIX}:{self._name}:{digest}"

    def _unavailable(self, error: Exception) -> None:
        """Log that Redis is unavailable, at most once per window."""
        now = time.monotonic()
        if self._warned_at is not None and now - self._warned_at < self._window:
            return
        self._warned_at = now
        logger.warning(
            "Rate limit %r counted in this process only: Redis is unavailable (%s)", self._name, error
        )


Limiter = SlidingWindowLimiter | RedisSlidingWindowLimiter


def create_limiter(redis_url: str | None, name: str, limit: int, window_seconds: float = 60.0) -> Limiter:
    """A limiter shared through Redis at ``redis_url`` (every desk process), or in this process's
    memory without one. ``name`` keeps the limits apart in Redis."""
    if not redis_url:
        return SlidingWindowLimiter(limit, window_seconds)
    client = redis.Redis.from_url(
        redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )
    return RedisSlidingWindowLimiter(client, name, limit, window_seconds)
