"""Which chat turns a Rasa server takes: every turn that can start within a wait budget, in order.

A Rasa server answers on one event loop, so a few turns in flight keep it busy (``concurrency``,
``ALMERE_MAX_CONCURRENT_TURNS``) and more would only share its time. The turns beyond those wait in
line, in arrival order, for a turn in flight to end. A turn is refused only when it could not
start within the wait budget (``ALMERE_TURN_WAIT_BUDGET_SECONDS``):

* **at once**, when its expected wait is over the budget: its place in line × the median time of
  the last turns ÷ the turns in flight, known when it arrives, so the person is told straight away
  instead of after waiting in vain;
* **when its wait reaches the budget**, if it is still in line then: the expected wait is worked
  out from turns that have ended, and a server slowing down (more work arriving, the machine busy
  with something else) serves the line slower than that. So no admitted turn waits longer than
  the budget.

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

# The turn times the expected wait is worked out from: the last this many turns that ended.
HISTORY = 64
REFUSALS_LOGGED_EVERY_S = 10.0


class TurnQueue:
    """Up to ``concurrency`` turns in flight; the others wait in line, first come first served,
    and are refused when they could not start within ``wait_budget`` seconds.

    ``clock`` times the turns (for the expected wait) and the log's pace; the wait in line is
    timed by the event loop."""

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
        self._refused_unlogged = 0
        self._logged_at: float | None = None

    @property
    def waiting(self) -> int:
        """Turns in line for a place in flight."""
        return len(self._line)

    def expected_wait(self, place: int) -> float:
        """Seconds until the turn at ``place`` in line (1: the next) would start: ``place`` × the
        median time of the last turns ÷ the turns in flight; 0 before any turn has ended."""
        if not self._durations:
            return 0.0
        return place * statistics.median(self._durations) / self.concurrency

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[bool]:
        """Yields whether the turn goes ahead, after its wait in line if any: False at once when
        its expected wait is over the budget, or when its wait reaches it. An admitted turn holds
        its place in flight until it ends."""
        if self.in_flight < self.concurrency and not self._line:
            self.in_flight += 1
        elif self.expected_wait(len(self._line) + 1) > self.wait_budget or not await self._wait_in_line():
            self._note_refusal()
            yield False
            return
        started = self._clock()
        try:
            yield True
        finally:
            self._durations.append(self._clock() - started)
            self._leave()

    async def _wait_in_line(self) -> bool:
        """Whether a place in flight came within the budget (it is then this turn's)."""
        loop = asyncio.get_running_loop()
        place: asyncio.Future[bool] = loop.create_future()
        self._line.append(place)

        def out_of_time() -> None:
            if not place.done():
                self._line.remove(place)
                place.set_result(False)

        timer = loop.call_later(self.wait_budget, out_of_time)
        try:
            return await place
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
        """A turn in flight ended: its place goes to the first in line, else it is free."""
        while self._line:
            place = self._line.popleft()
            if not place.done():
                place.set_result(True)
                return
        self.in_flight -= 1

    def _note_refusal(self) -> None:
        self._refused_unlogged += 1
        now = self._clock()
        if self._logged_at is not None and now - self._logged_at < REFUSALS_LOGGED_EVERY_S:
            return
        logger.warning(
            "Turns that could not start within %g s: %d asked to try again since the last such report.",
            self.wait_budget,
            self._refused_unlogged,
        )
        self._refused_unlogged = 0
        self._logged_at = now
