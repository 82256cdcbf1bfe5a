"""How much one chat connection and one conversation may ask of a Rasa server.

The turn gate (``ALMERE_MAX_CONCURRENT_TURNS``) protects a server from more turns than it can
answer, but it is shared: without limits of their own, a few connections sending messages in a loop
fill it, and everyone else is told "very busy". So the socket.io channel also limits each
connection and each conversation, before a turn reaches the gate:

* **messages** (and live-chat requests, the button's message): a burst of
  ``chat_message_burst``, then ``chat_messages_per_minute``; beyond that the person is asked,
  once, to slow down, and further messages are dropped until the budget refills;
* **language switches**: ``chat_language_switches_per_minute`` (each one writes to the
  conversation); more are ignored;
* **live chats asked for**: ``live_chat_requests_per_hour``;
* **one turn at a time** per connection and per conversation (:class:`OneAtATime`): the next message
  waits for the previous answer outside the gate, so a connection or conversation holds at most one
  of its places.

Every budget is a token bucket kept in this process's memory, per connection and per conversation
(a conversation's several tabs share its budget); a connection's buckets are forgotten when it
closes, idle ones when they have filled up again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from bot.config import Settings
from bot.conversation.reply_language import detect

# How often buckets that have filled up again (nothing to remember) are dropped.
PRUNE_EVERY_S = 60.0

_SLOW_DOWN = {
    "en": "You are sending messages faster than I can read them. Please wait a few seconds, then send "
    "your message again.",
    "nl": "Je stuurt berichten sneller dan ik ze kan lezen. Wacht een paar seconden en stuur je bericht "
    "dan opnieuw.",
}


def slow_down_reply(text: str) -> str:
    """What a person who sends too many messages is told, in their message's language if it tells."""
    return _SLOW_DOWN.get(detect(text) or "en", _SLOW_DOWN["en"])


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """A bucket per key: ``capacity`` tokens at most, refilled at ``per_second``; an action costs one."""

    def __init__(self, capacity: int, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self._clock = clock
        self._buckets: dict[Hashable, _Bucket] = {}
        self._pruned_at = clock()

    def _level(self, key: Hashable, now: float) -> float:
        bucket = self._buckets.get(key)
        if bucket is None:
            return float(self.capacity)
        return min(float(self.capacity), bucket.tokens + (now - bucket.at) * self.per_second)

    def take(self, *keys: Hashable) -> bool:
        """Spend one token of every key's bucket if each has one; otherwise spend nothing."""
        now = self._clock()
        self._prune(now)
        levels = {key: self._level(key, now) for key in keys}
        if any(level < 1 for level in levels.values()):
            return False
        for key, level in levels.items():
            self._buckets[key] = _Bucket(level - 1, now)
        return True

    def forget(self, key: Hashable) -> None:
        self._buckets.pop(key, None)

    def __len__(self) -> int:
        return len(self._buckets)

    def _prune(self, now: float) -> None:
        if now - self._pruned_at < PRUNE_EVERY_S:
            return
        self._pruned_at = now
        full = [key for key in self._buckets if self._level(key, now) >= self.capacity]
        for key in full:
            del self._buckets[key]


class ChatLimits:
    """The budgets of every connection (``sid``) and conversation of one socket.io server."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.messages = TokenBuckets(
            settings.chat_message_burst, settings.chat_messages_per_minute / 60, clock
        )
        self.language_switches = TokenBuckets(
            settings.chat_language_switches_per_minute, settings.chat_language_switches_per_minute / 60, clock
        )
        self.live_chat_requests = TokenBuckets(
            settings.live_chat_requests_per_hour, settings.live_chat_requests_per_hour / 3600, clock
        )
        self._told: set[str] = set()

    def message(self, sid: str, conversation_id: str) -> bool:
        """Whether this message may be answered; a connection that may send again is told again."""
        allowed = self.messages.take(("connection", sid), ("conversation", conversation_id))
        if allowed:
            self._told.discard(sid)
        return allowed

    def tell_to_slow_down(self, sid: str) -> bool:
        """Whether the connection should be told to slow down: once until its next allowed message."""
        if sid in self._told:
            return False
        self._told.add(sid)
        return True

    def language_switch(self, sid: str, conversation_id: str) -> bool:
        return self.language_switches.take(("connection", sid), ("conversation", conversation_id))

    def live_chat_request(self, sid: str, conversation_id: str) -> bool:
        return self.live_chat_requests.take(("connection", sid), ("conversation", conversation_id))

    def closed(self, sid: str) -> None:
        """The connection closed: forget its budgets (the conversation's stay)."""
        for buckets in (self.messages, self.language_switches, self.live_chat_requests):
            buckets.forget(("connection", sid))
        self._told.discard(sid)


class OneAtATime:
    """At most one turn at a time per key; the others wait their turn, in order of arrival."""

    def __init__(self) -> None:
        self._places: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, *keys: Hashable) -> AsyncIterator[None]:
        """Hold every key's place for the turn (taken in the order given, so always the same order)."""
        async with AsyncExitStack() as stack:
            for key in keys:
                await stack.enter_async_context(self._place(key))
            yield

    @asynccontextmanager
    async def _place(self, key: Hashable) -> AsyncIterator[None]:
        lock, waiting = self._places.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._places[key] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            _, waiting = self._places[key]
            if waiting == 1:
                del self._places[key]
            else:
                self._places[key] = (lock, waiting - 1)

    def __len__(self) -> int:
        return len(self._places)
