"""People arriving at a set rate (operations/open_loop.py, short), on one Rasa server and on the
scaled layout (two behind deploy/haproxy.cfg's backends): at half the capacity nobody is refused,
at twice it some are, none later than the wait budget, and no turn is lost; writes
var/reports/open-loop.md and var/reports/open-loop-scaled.md.

The committed reports/open-loop.md is written by `make load` only (all five rates, longer). How
many refusals come at once depends on how long the overload lasts (in 3 s the line only reaches
the budget at the end, and the rest are refused when their wait reaches it); the unit tests of
bot/access/turn_admission.py prove that a refusal expected beforehand comes at once."""

from __future__ import annotations

from bot.config import REPO_ROOT
from operations import open_loop

REPORTS = REPO_ROOT / "var" / "reports"
COMMAND = ".venv/bin/python -m pytest tests/e2e/operations/test_open_loop.py -q"
SHORT = {"loads": (0.5, 2.0), "seconds": 3.0, "capacity_seconds": 1.5}


def test_half_the_capacity_is_all_served_twice_it_is_refused_within_the_budget_none_lost(tmp_path):
    result = open_loop.run(tmp_path, **SHORT)
    report = open_loop.write_report(result, REPORTS / "open-loop.md", COMMAND).read_text(encoding="utf-8")
    assert_admitted_by_waiting_time(result, report)


def test_the_same_on_two_servers_behind_the_proxy(scaled_out, tmp_path):
    result = open_loop.measure_scaled(tmp_path, scaled_out.urls, scaled_out.tracker_url, rounds=1, **SHORT)
    report_file = open_loop.write_report(result, REPORTS / "open-loop-scaled.md", COMMAND)
    report = report_file.read_text(encoding="utf-8")
    assert result.servers == 2 and "| REST | " in report and "ratio" in report, report
    for channel in result.channels:
        assert result.capacity(channel, 1) > 0 and result.capacity(channel, 2) > 0, report
    assert_admitted_by_waiting_time(result, report)


def assert_admitted_by_waiting_time(result: open_loop.Run, report: str) -> None:
    assert result.channels == ["REST", "socket.io"], report

    for channel in result.channels:
        half, twice = result.level(channel, 0.5), result.level(channel, 2.0)
        assert result.lost(half) == [] and result.lost(twice) == [], report
        assert half.sent and half.of("refused") == [], report  # a wait in line, not a refusal
        assert twice.of("refused"), report  # it was overloaded: otherwise the test proves nothing
        assert len(twice.of("served")) >= len(half.of("served")), report  # still serving
        assert max(s.seconds for s in twice.of("refused")) <= result.budget + 1.0, report
        assert twice.served()["p99"] <= result.budget + 1.0, report  # nobody waits far past it
