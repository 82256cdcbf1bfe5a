"""The cost of a turn against its number in the conversation, for `make bench`.

One conversation at a time sends ``TURNS`` fact questions, each once the previous is answered, so
that the conversation grows by about five events a turn; this is repeated ``CONVERSATIONS`` times.
The latencies of turns ``n - BUCKET + 1 .. n`` of all conversations make the point at turn ``n``
(a median of ``BUCKET * CONVERSATIONS`` values: one turn of three conversations alone is noise).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from evaluation.questions import FACT_QUESTIONS
from measure import client

TURNS = 200
BUCKET = 10
CONVERSATIONS = 3


@dataclass(frozen=True)
class Curve:
    """p50 latency (ms) at the last turn of each bucket of turns, and the errors seen."""

    points: list[tuple[int, float]]
    errors: int

    def p50_at(self, turn: int) -> float:
        """The point whose bucket holds ``turn``."""
        for last, p50 in self.points:
            if turn <= last:
                return p50
        raise ValueError(f"turn {turn} is past the curve's last turn, {self.points[-1][0]}")

    @property
    def growth(self) -> float:
        """p50 of the last bucket / p50 of the first: 1.0 when a turn costs the same throughout."""
        return self.points[-1][1] / self.points[0][1]


def buckets(latencies: Sequence[Sequence[float]], bucket: int = BUCKET) -> list[tuple[int, float]]:
    """(last turn of the bucket, median ms) over the conversations' latencies (seconds) by turn."""
    turns = min(len(one) for one in latencies)
    return [
        (end, statistics.median(s * 1000 for one in latencies for s in one[end - bucket : end]))
        for end in range(bucket, turns + 1, bucket)
    ]


def measure(url: str, turns: int = TURNS, conversations: int = CONVERSATIONS) -> Curve:
    """Send ``conversations`` conversations of ``turns`` questions, one after another."""
    questions = [FACT_QUESTIONS[n % len(FACT_QUESTIONS)] for n in range(turns)]

    async def script(say: client.Say) -> list[client.Exchange]:
        return [await say(question) for question in questions]

    runs = client.converse(url, [script] * conversations, concurrency=1, prefix="curve")
    errors = sum(1 for run in runs for exchange in run if exchange.error is not None)
    return Curve(buckets([[e.seconds for e in run] for run in runs]), errors)
