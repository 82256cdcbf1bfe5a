"""Which chat turns a Rasa server takes: every turn that can be answered within a wait budget, in order.

A Rasa server answers on one event loop, so a few turns in flight keep it busy (``concurrency``,
``ALMERE_MAX_CONCURRENT_TURNS``) and more would only share its time. The turns beyond those wait in
line, in arrival order, for a turn in flight to end. The wait budget
(``ALMERE_TURN_WAIT_BUDGET_SECONDS``) is the time a person waits for an answer: the wait in line and
the turn itself. A turn is refused only when its answer could not come within it:

* **at once**, when its expected answer is over the budget: known when it arrives, so the person
  is told straight away instead of after waiting in vain. Its expected wait is its place in line ×
  the time between turns ending while others waited (the rate the line moves at, whatever slows
  the server: refusals, other work on the machine), or, before the line has moved, × the median
  time of the last turns ÷ the turns in flight; its own turn counts as a slow one (the 95th
  percentile of the last turns' times);
* **when it is still in line at its deadline**: the budget less a slow turn's time, so that no
  admitted turn is answered later than the budget because it waited too long; also when its
  place came in time but the event loop, busy, got back to it only after the deadline.

A turn that waited before it reached the server (the proxy stamps when it received the request:
:func:`waited_since`) has that much less of its budget.

Plain asyncio, used from one event loop, so counters suffice. Refusals are logged as a count, at
most one line every ``REFUSALS_LOGGED_EVERY_S`` (under overload a line per refused turn would flood
the log).
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

logger = logging.getLogger(__name__)

# The turn times, and the times between turns ending, the expectations are worked out from.
HISTORY = 64
# Which of the last turns' times a person's own turn is expected to take (a slow one).
SLOW_TURN_QUANTILE = 0.95
REFUSALS_LOGGED_EVERY_S = 10.0


class TurnQueue:
    """Up to ``concurrency`` turns in flight; the others wait in line, first come first served,
    and are refused when their answer could not come within ``wait_budget`` seconds.

    ``clock`` times the turns and the line's pace (for the expectations) and the log's pace; the
    wait in line is timed by the event loop."""

    def __init__(
        self,
        concurrency: int,
        wait_budget: float,
        clock: Callable[[], float] = time.monotonic,
        history: int = HISTORY,
    ) -> None:
        if concurrency < 1 or wait_budget <= 0:
            raise ValueError("a turn queue needs at least one turn in flight and a wait budget above 0")
        self.concurrency = concurrency
        self.wait_budget = wait_budget
        self.in_flight = 0
        self._clock = clock
        self._line: deque[asyncio.Future[bool]] = deque()
        self._durations: deque[float] = deque(maxlen=history)
        self._gaps: deque[float] = deque(maxlen=history)
        self._last_end: float | None = None
        self._line_since: float | None = None
        self._refused_unlogged = 0
        self._logged_at: float | None = None

    @property
    def waiting(self) -> int:
        """Turns in line for a place in flight."""
        return len(self._line)

    def turn_interval(self) -> float:
        """Seconds between turns ending, as the line moves: the mean time between the last turns
        that ended while others waited; before the line has moved, the median time of the last
        turns ÷ the turns in flight; 0 before any turn has ended."""
        if self._gaps:
            return statistics.fmean(self._gaps)
        if not self._durations:
            return 0.0
        return statistics.median(self._durations) / self.concurrency

    def slow_turn(self) -> float:
        """Seconds a slow turn takes: the ``SLOW_TURN_QUANTILE`` of the last turns' times."""
        if not self._durations:
            return 0.0
        ordered = sorted(self._durations)
        return ordered[min(len(ordered) - 1, int(SLOW_TURN_QUANTILE * len(ordered)))]

    def expected_wait(self, place: int) -> float:
        """Seconds until the turn at ``place`` in line (1: the next) would start."""
        return place * self.turn_interval()

    def expected_answer(self, place: int) -> float:
        """Seconds until the turn at ``place`` in line would be answered: its wait, then a slow turn."""
        return self.expected_wait(place) + self.slow_turn()

    @asynccontextmanager
    async def admit(self, waited: float = 0.0) -> AsyncIterator[bool]:
        """Yields whether the turn goes ahead, after its wait in line if any: False at once when
        its expected answer is over the budget, or when it is still in line at its deadline. An
        admitted turn holds its place in flight until it ends.

        ``waited``: seconds the turn already waited before it reached this queue (in a proxy, in
        the server's backlog of requests), which count against its budget."""
        budget = self.wait_budget - max(0.0, waited)
        if budget <= 0:  # its whole budget went before it got here
            self._note_refusal()
            yield False
            return
        if self.in_flight < self.concurrency and not self._line:
            self.in_flight += 1
        elif self.expected_answer(len(self._line) + 1) > budget or not await self._wait_in_line(budget):
            self._note_refusal()
            yield False
            return
        started = self._clock()
        try:
            yield True
        finally:
            self._durations.append(self._clock() - started)
            self._leave()

    async def _wait_in_line(self, budget: float) -> bool:
        """Whether a place in flight came before the deadline, ``budget`` less a slow turn (it is
        then this turn's)."""
        loop = asyncio.get_running_loop()
        place: asyncio.Future[bool] = loop.create_future()
        if not self._line:
            self._line_since = self._clock()
        self._line.append(place)

        def out_of_time() -> None:
            if not place.done():
                self._line.remove(place)
                place.set_result(False)

        deadline = max(0.0, budget - self.slow_turn())
        joined = loop.time()
        timer = loop.call_later(deadline, out_of_time)
        try:
            if not await place:
                return False
            if loop.time() - joined > deadline:  # the loop came round late (a busy machine)
                self._leave()
                return False
            return True
        except asyncio.CancelledError:  # e.g. the client went away
            if place.done() and not place.cancelled() and place.result():
                self._leave()  # its place in flight was handed over just now: pass it on
            else:
                with suppress(ValueError):
                    self._line.remove(place)
            raise
        finally:
            timer.cancel()

    def _leave(self) -> None:
        """A turn in flight ended: its place goes to the first in line, else it is free. While
        others wait, the time since the last turn ended (or since the line formed) is the pace
        the line moves at."""
        now = self._clock()
        while self._line:
            place = self._line.popleft()
            if not place.done():
                self._gaps.append(now - max(self._last_end or 0.0, self._line_since or 0.0))
                self._last_end = now
                place.set_result(True)
                return
        self._last_end = now
        self.in_flight -= 1

    def _note_refusal(self) -> None:
        self._refused_unlogged += 1
        now = self._clock()
        if self._logged_at is not None and now - self._logged_at < REFUSALS_LOGGED_EVERY_S:
            return
        logger.warning(
            "Turns that could not be answered within %g s: %d asked to try again since the last such report.",
            self.wait_budget,
            self._refused_unlogged,
        )
        self._refused_unlogged = 0
        self._logged_at = now


# The header a proxy stamps a request with when it receives it ("t=" and microseconds since the
# epoch, as deploy/haproxy.cfg sets it: the convention of New Relic's and Heroku's queue time).
REQUEST_START_HEADER = "X-Request-Start"


def waited_since(request_start: str | None, now: float) -> float:
    """Seconds since the proxy received the request, from its ``X-Request-Start`` header (``now``:
    seconds since the epoch); 0 without a header, for one that cannot be read or one from the
    future (clocks a little apart), and at most a minute."""
    if not request_start:
        return 0.0
    try:
        stamp = float(request_start.strip().removeprefix("t=")) / 1_000_000
    except ValueError:
        return 0.0
    return min(max(0.0, now - stamp), 60.0)
