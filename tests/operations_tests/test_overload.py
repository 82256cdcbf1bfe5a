"""Twice the turns a Rasa server can serve: served ones keep their latency, the rest are refused
at once, none is lost (operations/overload.py); writes var/reports/overload.md."""

from __future__ import annotations

import pytest

from bot.config import REPO_ROOT
from operations import overload

pytestmark = pytest.mark.e2e

REPORT = REPO_ROOT / "var" / "reports" / "overload.md"
COMMAND = ".venv/bin/python -m pytest tests/operations_tests/test_overload.py -q"


def test_twice_the_sustainable_rate_is_served_or_refused_quickly_and_nothing_is_lost(tmp_path):
    result = overload.run(tmp_path)
    report = overload.render(result, COMMAND)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(report, encoding="utf-8")
    steady, burst = result.steady, result.burst

    assert steady.of("failed") == [] and burst.of("failed") == [], report
    assert burst.of("refused"), report  # it was overloaded: otherwise the test proves nothing
    assert len(burst.of("served")) >= 0.5 * len(steady.of("served")), report  # still serving
    assert result.p95_ratio <= 2, report  # the median over the rounds
    assert burst.p95("refused") <= 0.25, report
    assert result.refused_but_stored == [] and result.served_but_not_stored == [], report
