"""The socket.io channel's budgets per connection and conversation (bot/access/chat_limits.py), on a fake
clock; the channel itself is tried on a real Rasa server in tests/e2e/test_socketio_limits.py."""

from __future__ import annotations

import asyncio
import dataclasses

from bot.access.chat_limits import PRUNE_EVERY_S, ChatLimits, OneAtATime, TokenBuckets, slow_down_reply
from bot.config import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_a_burst_then_its_rate():
    clock = Clock()
    buckets = TokenBuckets(3, per_second=0.5, clock=clock)
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False]
    clock.now += 1.9
    assert not buckets.take("a")
    clock.now += 0.1  # two seconds: one token back
    assert buckets.take("a") and not buckets.take("a")
    clock.now += 3600
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False]  # never more than 3
    assert buckets.take("b")  # every key has its own


def test_a_bucket_spends_all_keys_or_none():
    clock = Clock()
    buckets = TokenBuckets(2, per_second=0.01, clock=clock)
    assert buckets.take("connection", "conversation-1")
    assert buckets.take("connection", "conversation-2")
    # The connection's budget is spent: conversation-3 keeps its own untouched.
    assert not buckets.take("connection", "conversation-3")
    assert buckets.take("other", "conversation-3") and buckets.take("other-2", "conversation-3")
    assert not buckets.take("other-3", "conversation-3")


def test_full_buckets_are_forgotten_so_memory_does_not_grow():
    clock = Clock()
    buckets = TokenBuckets(2, per_second=1.0, clock=clock)
    for n in range(1000):
        buckets.take(n)
    assert len(buckets) == 1000
    clock.now += PRUNE_EVERY_S
    buckets.take("new")
    assert len(buckets) == 1
    buckets.forget("new")
    assert len(buckets) == 0


def limits(clock: Clock, **values) -> ChatLimits:
    return ChatLimits(dataclasses.replace(Settings(), **values), clock)


def test_messages_are_limited_per_connection_and_per_conversation():
    clock = Clock()
    chat = limits(clock, chat_message_burst=3, chat_messages_per_minute=6)
    assert all(chat.message("sid-1", "conversation") for _ in range(3))
    assert not chat.message("sid-1", "conversation")
    # Another tab (connection) of the same conversation shares its budget...
    assert not chat.message("sid-2", "conversation")
    # ... and new conversations on the same connection do not get it more.
    assert not chat.message("sid-1", "another conversation")
    clock.now += 10  # 6 a minute: one back every 10 s
    assert chat.message("sid-1", "conversation") and not chat.message("sid-1", "conversation")


def test_a_connection_is_told_once_until_it_may_send_again():
    clock = Clock()
    chat = limits(clock, chat_message_burst=1, chat_messages_per_minute=1)
    assert chat.message("sid", "c")
    assert not chat.message("sid", "c")
    assert chat.tell_to_slow_down("sid") and not chat.tell_to_slow_down("sid")
    clock.now += 60
    assert chat.message("sid", "c")
    assert not chat.message("sid", "c") and chat.tell_to_slow_down("sid")


def test_language_switches_and_live_chat_requests_have_their_own_budgets():
    clock = Clock()
    chat = limits(clock, chat_language_switches_per_minute=2, live_chat_requests_per_hour=1)
    assert chat.language_switch("sid", "c") and chat.language_switch("sid", "c")
    assert not chat.language_switch("sid", "c") and not chat.language_switch("sid-2", "c")
    assert chat.live_chat_request("sid", "c") and not chat.live_chat_request("sid-2", "c")
    assert chat.message("sid", "c")  # messages are counted apart
    clock.now += 3600
    assert chat.live_chat_request("sid", "c")


def test_a_closed_connection_is_forgotten():
    chat = limits(Clock(), chat_message_burst=1)
    assert chat.message("sid", "c")
    chat.closed("sid")
    assert len(chat.messages) == 1  # the conversation's budget stays
    assert chat.message("sid", "another") and not chat.message("sid-2", "c")


def test_the_slow_down_reply_speaks_the_message_s_language():
    assert "faster than I can read" in slow_down_reply("how many people live in Almere")
    assert "sneller dan ik" in slow_down_reply("hoeveel mensen wonen er in Almere")
    assert "faster than I can read" in slow_down_reply("")


async def test_one_turn_at_a_time_per_key_in_order_of_arrival():
    places = OneAtATime()
    running: dict[str, int] = {"connection": 0, "most": 0}
    order: list[int] = []

    async def turn(n: int, *keys: str) -> None:
        async with places.turn(*keys):
            running["connection"] += 1
            running["most"] = max(running["most"], running["connection"])
            await asyncio.sleep(0.01)
            order.append(n)
            running["connection"] -= 1

    await asyncio.gather(*(turn(n, "sid-1", "conversation") for n in range(5)))
    assert running["most"] == 1 and order == [0, 1, 2, 3, 4]
    assert len(places) == 0  # nothing kept once the turns are over

    # Different keys go at the same time.
    running["most"] = 0
    await asyncio.gather(*(turn(n, f"sid-{n}", f"conversation-{n}") for n in range(3)))
    assert running["most"] == 3
