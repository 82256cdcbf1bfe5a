"""The per-turn latency curve of `make bench` (evaluation/turn_curve.py)."""

from __future__ import annotations

import pytest

from evaluation.turn_curve import Curve, buckets


def test_each_point_is_the_median_of_its_bucket_over_all_conversations():
    # Two conversations of 4 turns, buckets of 2 turns; seconds in, milliseconds out.
    latencies = [[0.010, 0.030, 0.100, 0.300], [0.020, 0.040, 0.200, 0.400]]
    assert buckets(latencies, bucket=2) == [(2, 25.0), (4, 250.0)]


def test_a_short_conversation_limits_the_curve():
    assert buckets([[0.01] * 5, [0.01] * 3], bucket=2) == [(2, 10.0)]


def test_growth_is_the_last_bucket_over_the_first():
    curve = Curve([(10, 30.0), (20, 33.0), (30, 36.0)], errors=0)
    assert curve.growth == pytest.approx(1.2)
    assert curve.p50_at(1) == 30.0 and curve.p50_at(30) == 36.0
    with pytest.raises(ValueError):
        curve.p50_at(31)
