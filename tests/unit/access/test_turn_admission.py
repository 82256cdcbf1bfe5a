"""Turns wait in line, first come first served, and are refused only when their answer could not
come within the wait budget: at once when that is expected, or when they are still in line at their
deadline (the budget less a slow turn)."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.access.turn_admission import TurnQueue, waited_since


class Clock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


class Turns:
    """Turns through one queue; each holds its place in flight until released."""

    def __init__(self, queue: TurnQueue) -> None:
        self.queue = queue
        self.started: list[str] = []
        self.refused: list[str] = []
        self.release: dict[str, asyncio.Event] = {}
        self.tasks: dict[str, asyncio.Task] = {}

    def arrive(self, name: str) -> asyncio.Task:
        self.release[name] = asyncio.Event()

        async def turn() -> bool:
            async with self.queue.admit() as admitted:
                if not admitted:
                    self.refused.append(name)
                    return False
                self.started.append(name)
                await self.release[name].wait()
                return True

        self.tasks[name] = asyncio.create_task(turn())
        return self.tasks[name]


async def with_history(queue: TurnQueue, clock: Clock, seconds: float, turns: int = 3) -> None:
    """``turns`` turns of ``seconds`` each have ended (one at a time)."""
    for _ in range(turns):
        async with queue.admit() as admitted:
            assert admitted
            clock.now += seconds


async def test_turns_beyond_those_in_flight_start_in_arrival_order():
    queue = TurnQueue(concurrency=1, wait_budget=60, clock=Clock())
    turns = Turns(queue)
    for name in "abcd":
        turns.arrive(name)
        await settle()
    assert turns.started == ["a"] and queue.waiting == 3
    for name in "abc":
        turns.release[name].set()
        await settle()
    assert turns.started == ["a", "b", "c", "d"] and turns.refused == []
    turns.release["d"].set()
    assert all(await asyncio.gather(*turns.tasks.values()))
    assert queue.in_flight == 0 and queue.waiting == 0


async def test_a_turn_is_refused_only_when_its_expected_answer_is_over_the_budget():
    clock = Clock()
    queue = TurnQueue(concurrency=2, wait_budget=2, clock=clock)
    await with_history(queue, clock, seconds=0.5)  # two in flight: a place every 0.25 s, a turn 0.5 s
    turns = Turns(queue)
    names = ["x", "y", *[f"place {n}" for n in range(1, 8)]]
    for name in names:
        turns.arrive(name)
        await settle()
    # Place 6 in line expects its answer after 6 x 0.25 + 0.5 = 2 s: within the budget; place 7 not.
    assert turns.started == ["x", "y"] and queue.waiting == 6
    assert turns.refused == ["place 7"]
    for name in names[:-1]:
        turns.release[name].set()
        await settle()
    assert turns.started == names[:-1]
    assert queue.in_flight == 0 and queue.waiting == 0


async def test_the_expected_wait_follows_the_pace_the_line_moves_at():
    clock = Clock()
    queue = TurnQueue(concurrency=2, wait_budget=60, clock=clock)
    await with_history(queue, clock, seconds=1.0)  # before the line moves: 1 s / 2 in flight
    assert queue.expected_wait(5) == pytest.approx(5 * 0.5)
    turns = Turns(queue)
    for name in "abcd":
        turns.arrive(name)
        await settle()
    clock.now += 0.1
    turns.release["a"].set()
    await settle()
    clock.now += 0.3
    turns.release["b"].set()
    await settle()
    # Turns ended 0.1 s after the line formed, then 0.3 s later: the line moves every 0.2 s.
    assert turns.started == ["a", "b", "c", "d"]
    assert queue.expected_wait(5) == pytest.approx(5 * 0.2)
    for name in "cd":
        turns.release[name].set()
    await asyncio.gather(*turns.tasks.values())


async def test_the_expected_wait_follows_the_median_of_the_last_turns():
    clock = Clock()
    queue = TurnQueue(concurrency=4, wait_budget=2, clock=clock, history=3)
    assert queue.expected_wait(10) == 0  # nothing measured yet: nobody is turned away
    await with_history(queue, clock, seconds=0.1, turns=2)
    await with_history(queue, clock, seconds=9.0, turns=1)  # one slow turn does not decide it
    assert queue.expected_wait(8) == pytest.approx(8 * 0.1 / 4)
    await with_history(queue, clock, seconds=0.4, turns=3)  # only the last 3 count
    assert queue.expected_wait(8) == pytest.approx(8 * 0.4 / 4)


async def test_a_refusal_is_immediate():
    clock = Clock()
    queue = TurnQueue(concurrency=1, wait_budget=1, clock=clock)
    await with_history(queue, clock, seconds=5.0)
    turns = Turns(queue)
    turns.arrive("busy")
    await settle()
    refused = turns.arrive("next")  # expects 5 s in line
    await asyncio.sleep(0)  # one pass of the loop: it never waited for anything
    assert refused.done() and refused.result() is False and turns.refused == ["next"]
    assert queue.waiting == 0
    turns.release["busy"].set()
    await turns.tasks["busy"]


async def test_a_turn_still_in_line_at_its_deadline_is_refused_then():
    queue = TurnQueue(concurrency=1, wait_budget=0.05, clock=Clock())  # expected wait 0: queued
    turns = Turns(queue)
    turns.arrive("slow")
    await settle()
    late = turns.arrive("late")
    await settle()
    assert queue.waiting == 1 and not late.done()
    assert await asyncio.wait_for(late, timeout=1) is False
    assert turns.refused == ["late"] and queue.waiting == 0
    turns.release["slow"].set()
    await turns.tasks["slow"]
    assert queue.in_flight == 0
    turns.arrive("after")  # the place is free again
    await settle()
    assert turns.started == ["slow", "after"]
    turns.release["after"].set()
    assert await turns.tasks["after"] is True


async def test_the_deadline_in_line_leaves_time_for_a_slow_turn():
    clock = Clock()
    queue = TurnQueue(concurrency=8, wait_budget=3, clock=clock)
    await with_history(queue, clock, seconds=2.0)  # a turn takes 2 s: in line for at most 1 s
    turns = Turns(queue)
    for number in range(8):
        turns.arrive(f"in flight {number}")
    await settle()
    late = turns.arrive("late")  # expects its answer after 0.25 + 2 s: admitted to the line
    await settle()
    assert queue.waiting == 1 and not late.done()
    started = time.monotonic()
    assert await asyncio.wait_for(late, timeout=2.5) is False
    assert 0.9 <= time.monotonic() - started < 2.0  # at 3 - 2 s, not at the budget
    for number in range(8):
        turns.release[f"in flight {number}"].set()
    await asyncio.gather(*turns.tasks.values())


async def test_a_place_that_reaches_the_turn_after_its_deadline_is_passed_on():
    queue = TurnQueue(concurrency=1, wait_budget=0.2, clock=Clock())  # in line for at most 0.2 s
    turns = Turns(queue)
    for name in ["a", "late", "next"]:
        turns.arrive(name)
        await settle()
    time.sleep(0.3)  # the event loop is busy with something else past the deadline
    turns.release["a"].set()  # the place is handed over before the deadline's timer has run
    assert await asyncio.wait_for(turns.tasks["late"], timeout=1) is False
    await settle()
    assert turns.refused == ["late", "next"] and turns.started == ["a"]
    assert queue.in_flight == 0 and queue.waiting == 0


async def test_a_turn_that_leaves_the_line_gives_up_its_place():
    queue = TurnQueue(concurrency=1, wait_budget=60, clock=Clock())
    turns = Turns(queue)
    for name in ["a", "gone", "c"]:
        turns.arrive(name)
        await settle()
    turns.tasks["gone"].cancel()
    await settle()
    assert queue.waiting == 1
    turns.release["a"].set()
    await settle()
    assert turns.started == ["a", "c"]
    turns.release["c"].set()
    await asyncio.gather(turns.tasks["a"], turns.tasks["c"])
    assert queue.in_flight == 0 and queue.waiting == 0


async def test_a_failed_turn_gives_its_place_to_the_next_in_line():
    queue = TurnQueue(concurrency=1, wait_budget=60, clock=Clock())
    turns = Turns(queue)

    async def failing() -> None:
        async with queue.admit() as admitted:
            assert admitted
            await asyncio.sleep(0.01)
            raise ConnectionError("action server down")

    failed = asyncio.create_task(failing())
    await settle()
    turns.arrive("next")
    with pytest.raises(ConnectionError):
        await failed
    await settle()
    assert turns.started == ["next"]
    turns.release["next"].set()
    await turns.tasks["next"]
    assert queue.in_flight == 0


def test_a_queue_needs_a_place_in_flight_and_a_budget():
    with pytest.raises(ValueError):
        TurnQueue(concurrency=0, wait_budget=2)
    with pytest.raises(ValueError):
        TurnQueue(concurrency=4, wait_budget=0)


async def test_refused_turns_are_logged_as_a_count_at_most_once_every_ten_seconds(caplog):
    clock = Clock()
    queue = TurnQueue(concurrency=1, wait_budget=1, clock=clock)
    await with_history(queue, clock, seconds=5.0)
    turns = Turns(queue)
    turns.arrive("busy")
    await settle()

    async def refused() -> None:
        async with queue.admit() as admitted:
            assert not admitted

    def reports() -> list[str]:
        return [r.getMessage() for r in caplog.records if "could not be answered" in r.getMessage()]

    with caplog.at_level(logging.WARNING, logger="bot.access.turn_admission"):
        await refused()  # the first refusal is reported at once
        clock.now += 5
        for _ in range(4):
            await refused()
        assert reports() == [
            "Turns that could not be answered within 1 s: 1 asked to try again since the last such report."
        ]
        clock.now += 5
        await refused()  # ten seconds after the last report: the count since then
        assert reports()[1:] == [
            "Turns that could not be answered within 1 s: 5 asked to try again since the last such report."
        ]
    turns.release["busy"].set()
    await turns.tasks["busy"]


async def test_a_wait_before_the_server_counts_against_the_budget():
    clock = Clock()
    queue = TurnQueue(concurrency=1, wait_budget=2, clock=clock)
    await with_history(queue, clock, seconds=0.5)  # a slow turn takes 0.5 s
    turns = Turns(queue)

    async def turn(waited: float) -> bool:
        async with queue.admit(waited) as admitted:
            return admitted

    # A free place, but the whole budget gone in the proxy: refused; with some left, taken.
    assert await turn(2.0) is False and queue.in_flight == 0
    assert await turn(1.6) is True
    turns.arrive("busy")
    await settle()
    # In line behind one turn: 1 x 0.5 + 0.5 s to the answer, plus what it waited before.
    assert await turn(1.1) is False
    late = asyncio.create_task(turn(0.9))
    await settle()
    assert queue.waiting == 1
    started = time.monotonic()
    assert await asyncio.wait_for(late, timeout=2) is False  # deadline 2 - 0.9 - 0.5 s
    assert time.monotonic() - started < 1.0
    turns.release["busy"].set()
    await turns.tasks["busy"]


@pytest.mark.parametrize(
    ("header", "waited"),
    [
        (None, 0.0),
        ("", 0.0),
        ("t=1000000000000000", 0.25),  # 1,000,000,000 s after the epoch, in microseconds
        ("1000000000000000", 0.25),
        ("t=1000000000500000", 0.0),  # from the future: clocks a little apart
        ("t=900000000000000", 60.0),  # at most a minute
        ("t=soon", 0.0),
    ],
)
def test_the_wait_before_the_server_is_read_from_the_proxys_stamp(header, waited):
    assert waited_since(header, now=1_000_000_000.25) == pytest.approx(waited)
