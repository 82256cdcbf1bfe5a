"""Markdown reports: tables, figures checked against targets, the header, writing the file."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from measure import machine


@dataclass(frozen=True)
class Target:
    """A measured figure and the bound it must stay within."""

    name: str
    value: float | None
    bound: float
    at_least: bool  # True: value >= bound; False: value <= bound
    unit: str = ""
    digits: int = 3

    @property
    def passed(self) -> bool:
        if self.value is None:
            return False
        return self.value >= self.bound if self.at_least else self.value <= self.bound

    def value_text(self) -> str:
        return "n/a" if self.value is None else f"{self.value:,.{self.digits}f}{self.unit}"

    def bound_text(self) -> str:
        return f"{'≥' if self.at_least else '≤'} {self.bound:,.{self.digits}f}{self.unit}"

    def row(self) -> list[str]:
        return [self.name, self.value_text(), self.bound_text(), "PASS" if self.passed else "**FAIL**"]


def targets_table(targets: Sequence[Target]) -> str:
    return table(["figure", "measured", "target", "result"], [t.row() for t in targets])


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table; cells are escaped so that `|` and new lines do not break it."""

    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ⏎ ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def utc_minute(moment: datetime | None = None) -> str:
    """``moment`` (now if None) as a report dates it: "2026-11-28 04:16 UTC"."""
    return (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def ms(seconds: float) -> str:
    """Seconds as whole milliseconds; a dash for NaN (no values measured)."""
    return "–" if math.isnan(seconds) else f"{seconds * 1000:.0f} ms"


def header(title: str, commands: Sequence[str], started: datetime) -> str:
    """The top of a report: what was measured, where, when, and how to repeat it."""
    details = {"date": utc_minute(started), "git commit": machine.git_commit(), **machine.facts()}
    lines = [f"# {title}", "", table(["", ""], details.items()), "", "Commands:", "", "```"]
    lines += [*commands, "```", ""]
    return "\n".join(lines)


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (creating its folder), ending in exactly one new line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n", encoding="utf-8")
    return path
