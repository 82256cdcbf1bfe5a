"""People arriving at a set rate (operations/open_loop.py, short): at half the capacity nobody is
refused, at twice it some are, none later than the wait budget, and no turn is lost; writes
var/reports/open-loop.md.

The committed reports/open-loop.md is written by `make load` only (all five rates, longer). How
many refusals come at once depends on how long the overload lasts (in 3 s the line only reaches
the budget at the end, and the rest are refused when their wait reaches it); the unit tests of
bot/turn_admission.py prove that a refusal expected beforehand comes at once."""

from __future__ import annotations

import pytest

from bot.config import REPO_ROOT
from operations import open_loop

pytestmark = pytest.mark.e2e

REPORT = REPO_ROOT / "var" / "reports" / "open-loop.md"
COMMAND = ".venv/bin/python -m pytest tests/operations_tests/test_open_loop.py -q"


def test_half_the_capacity_is_all_served_twice_it_is_refused_within_the_budget_none_lost(tmp_path):
    result = open_loop.run(tmp_path, loads=(0.5, 2.0), seconds=3.0, capacity_seconds=1.5)
    report = open_loop.write_report(result, REPORT, COMMAND).read_text(encoding="utf-8")
    assert result.channels == ["REST", "socket.io"], report

    for channel in result.channels:
        half, twice = result.level(channel, 0.5), result.level(channel, 2.0)
        assert result.lost(half) == [] and result.lost(twice) == [], report
        assert half.sent and half.of("refused") == [], report  # a wait in line, not a refusal
        assert twice.of("refused"), report  # it was overloaded: otherwise the test proves nothing
        assert len(twice.of("served")) >= len(half.of("served")), report  # still serving
        assert max(s.seconds for s in twice.of("refused")) <= result.budget + 1.0, report
        assert twice.served()["p99"] <= result.budget + 1.0, report  # nobody waits far past it
