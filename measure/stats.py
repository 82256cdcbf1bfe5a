"""Statistics of measured figures: percentiles, a latency summary, the spread of repeated runs."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

LATENCY_FIGURES = ("p50", "p95", "p99", "max", "mean")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0..1) quantile of ``values`` by nearest rank: always one of the values.

    Raises ValueError for no values, which have no percentile (a caller that can have none
    decides what to show instead, as :func:`latency_summary` does).
    """
    if not values:
        raise ValueError("the percentile of no values is undefined")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction {fraction} is not between 0 and 1")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99, max and mean of ``seconds``; NaN for each when there are none (a server
    that answered nothing still gets its row in a report)."""
    if not seconds:
        return dict.fromkeys(LATENCY_FIGURES, math.nan)
    return {
        "p50": percentile(seconds, 0.50),
        "p95": percentile(seconds, 0.95),
        "p99": percentile(seconds, 0.99),
        "max": max(seconds),
        "mean": sum(seconds) / len(seconds),
    }


@dataclass(frozen=True)
class Spread:
    """The median of several runs with their minimum and maximum."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))

    def text(self, digits: int = 1) -> str:
        middle = f"{self.median:,.{digits}f}"
        if self.low == self.high:
            return middle
        return f"{middle} ({self.low:,.{digits}f}–{self.high:,.{digits}f})"
