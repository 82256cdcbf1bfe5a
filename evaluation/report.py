"""Markdown reports: the machine, the commit, tables, and figures checked against targets."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from evaluation.common import REPO_ROOT


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


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, OS and the versions that matter for the figures."""
    cpu = "unknown"
    ram_gib = 0.0
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        ram_gib = kib / 1024**2
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": f"{ram_gib:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Rasa": _version("rasa"),
        "Sanic": _version("sanic"),
    }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_commit() -> str:
    """The checked-out commit, noting uncommitted changes (which the figures include)."""

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


def header(title: str, commands: Sequence[str], started: datetime) -> str:
    """The top of a report: what was measured, where, when, and how to repeat it."""
    details = {
        "date": started.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "git commit": git_commit(),
        **machine(),
    }
    lines = [f"# {title}", "", table(["", ""], details.items()), "", "Commands:", "", "```"]
    lines += [*commands, "```", ""]
    return "\n".join(lines)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n", encoding="utf-8")
    return path
