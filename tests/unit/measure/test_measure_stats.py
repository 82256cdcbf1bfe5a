"""Percentiles by nearest rank, the latency summary of a report, the spread of repeated runs."""

from __future__ import annotations

import math

import pytest

from measure.stats import LATENCY_FIGURES, Spread, latency_summary, percentile


def test_percentiles_of_one_to_a_hundred_are_their_rank():
    values = list(range(100, 0, -1))  # unordered on purpose
    assert [percentile(values, f) for f in (0.0, 0.01, 0.5, 0.95, 0.99, 1.0)] == [1, 1, 50, 95, 99, 100]


def test_a_percentile_is_always_one_of_the_values():
    # Nearest rank, not interpolation: p50 of four values is the second, p95 the last.
    assert percentile([10.0, 40.0, 20.0, 30.0], 0.5) == 20.0
    assert percentile([10.0, 40.0, 20.0, 30.0], 0.95) == 40.0


def test_the_percentiles_of_one_value_are_that_value():
    assert {percentile([7.0], f) for f in (0.0, 0.5, 0.99, 1.0)} == {7.0}


def test_no_values_have_no_percentile():
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)


@pytest.mark.parametrize("fraction", [-0.1, 1.5, 95])
def test_a_fraction_outside_zero_to_one_is_refused(fraction):
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1.0, 2.0], fraction)


def test_the_latency_summary():
    summary = latency_summary([0.1 * n for n in range(1, 11)])
    assert summary == pytest.approx({"p50": 0.5, "p95": 1.0, "p99": 1.0, "max": 1.0, "mean": 0.55})
    assert tuple(summary) == LATENCY_FIGURES


def test_the_latency_summary_of_nothing_is_all_nan():
    summary = latency_summary([])
    assert tuple(summary) == LATENCY_FIGURES and all(math.isnan(v) for v in summary.values())


def test_a_spread_is_the_median_with_the_range():
    assert Spread.of([3.0, 1.0, 2.0]) == Spread(2.0, 1.0, 3.0)
    assert Spread.of([3.0, 1.0, 2.0]).text() == "2.0 (1.0–3.0)"
    assert Spread.of([1234.5, 1234.5]).text(0) == "1,234"  # one value: no range shown
