"""Markdown tables, targets, the header of a report and writing it."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from measure import machine, report


def test_a_table_has_a_header_a_separator_and_a_row_each():
    text = report.table(["figure", "value"], [["wall time", "1.0 s"], ["errors", 0]])
    assert text.splitlines() == [
        "| figure | value |",
        "|---|---|",
        "| wall time | 1.0 s |",
        "| errors | 0 |",
    ]


def test_tables_escape_pipes_and_new_lines():
    text = report.table(["a", "b"], [["x|y", "one\ntwo"]])
    assert text.splitlines()[-1] == "| x\\|y | one ⏎ two |"


def test_targets_pass_and_fail():
    assert report.Target("f1", 0.96, 0.95, at_least=True).passed
    assert not report.Target("f1", 0.90, 0.95, at_least=True).passed
    assert not report.Target("p50", 12.0, 10.0, at_least=False).passed
    assert report.Target("figures", 0, 0, at_least=False, digits=0).row()[-1] == "PASS"
    assert report.Target("missing", None, 1, at_least=True).row()[1:] == ["n/a", "≥ 1.000", "**FAIL**"]
    table = report.targets_table([report.Target("p50", 8.0, 10.0, False, " ms", 1)])
    assert table.splitlines()[-1] == "| p50 | 8.0 ms | ≤ 10.0 ms | PASS |"


def test_milliseconds_and_no_value():
    assert report.ms(0.0484) == "48 ms"
    assert report.ms(math.nan) == "–"


def test_the_date_is_in_utc_to_the_minute():
    amsterdam = timezone(timedelta(hours=1))
    assert report.utc_minute(datetime(2026, 12, 1, 3, 25, 59, tzinfo=amsterdam)) == "2026-12-01 02:25 UTC"


def test_the_header_says_when_where_and_how(monkeypatch):
    monkeypatch.setattr(machine, "git_commit", lambda: "abc1234")
    started = datetime(2026, 11, 28, 4, 16, tzinfo=timezone.utc)
    text = report.header("Speed", ["python -m evaluation.bench"], started)
    lines = text.splitlines()
    assert lines[:4] == ["# Speed", "", "|  |  |", "|---|---|"]
    assert "| date | 2026-11-28 04:16 UTC |" in lines and "| git commit | abc1234 |" in lines
    assert {line.split(" | ")[0] for line in lines if line.startswith("| ")} >= {
        "| CPU",
        "| cores",
        "| RAM",
        "| Python",
        "| Rasa",
    }
    assert text.endswith("Commands:\n\n```\npython -m evaluation.bench\n```\n")


def test_a_report_is_written_with_its_folder_and_one_final_new_line(tmp_path):
    path = report.write(tmp_path / "new" / "report.md", "# Title\n\ntext\n\n\n")
    assert path.read_text(encoding="utf-8") == "# Title\n\ntext\n"
