"""Where the time goes: `python -m evaluation.profile_report` writes reports/profile.md.

Starts the real servers under pyinstrument (evaluation.run_profiled), sends fact questions one at
a time over the REST channel, and records both servers only while those requests are
handled (not the start-up). Full interactive profiles: var/eval/profile/*.html.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from evaluation import servers
from evaluation.common import MODEL, REPORTS_DIR, WORK_DIR
from evaluation.questions import FACT_QUESTIONS
from measure import client, report
from measure.stats import percentile

MESSAGES = 300
WARM_UP = 24
TREE_LINES = 120
FLAT_LINES = 25


def profile(work: Path, model: Path, messages: int, experiments: Sequence[str] = ()) -> list[float]:
    """Profile ``messages`` fact questions at one conversation; return their latencies in ms."""
    if work.exists():
        shutil.rmtree(work)
    with servers.assistant(work, model, profile_dir=work / "profiles", experiments=experiments) as running:
        client.conversations(running.rest_url, 1, WARM_UP, FACT_QUESTIONS, prefix="warmup")
        pids = [server.process.pid for server in running.servers if server.process]
        for pid in pids:
            os.kill(pid, signal.SIGUSR1)
        time.sleep(0.5)
        load = client.conversations(running.rest_url, 1, messages, FACT_QUESTIONS, prefix="profile")
        for pid in pids:
            os.kill(pid, signal.SIGUSR2)
        # The HTML is written last; rendering a long profile takes a few seconds.
        expected = [work / "profiles" / f"{s.name.replace(' ', '-')}.html" for s in running.servers]
        deadline = time.monotonic() + 120
        while not all(path.exists() for path in expected) and time.monotonic() < deadline:
            time.sleep(0.5)
    return [e.seconds * 1000 for e in load.exchanges]


def render(
    started: datetime,
    work: Path,
    latencies: Sequence[float],
    model: Path,
    commands: Sequence[str],
    experiments: Sequence[str] = (),
) -> str:
    patched = f", Rasa server patched with {', '.join(experiments)}" if experiments else ""
    lines = [
        report.header("Where the time goes (profile)", commands, started),
        f"Model `{model.name}`{patched}; {len(latencies)} fact questions, one at a time, over the REST "
        f"channel while profiling (pyinstrument, {1000 * 0.0005:.1f} ms interval, start-up "
        f"excluded): p50 {statistics.median(latencies):.1f} ms, p95 "
        f"{percentile(latencies, 0.95):.1f} ms (profiling adds overhead). Only frames above "
        "pyinstrument's default threshold are shown; interactive HTML: `var/eval/profile/profiles/`.",
        "",
    ]
    for name in ("Rasa-server", "action-server"):
        tree, flat = work / "profiles" / f"{name}.txt", work / "profiles" / f"{name}-flat.txt"
        lines += [f"## {name.replace('-', ' ')}", ""]
        if flat.exists():
            top = [line for line in flat.read_text().splitlines() if "%" in line][:FLAT_LINES]
            lines += [f"Functions by own time (top {FLAT_LINES}):", "", "```", *top, "```", ""]
        text = tree.read_text().splitlines()[:TREE_LINES] if tree.exists() else ["(no profile written)"]
        lines += ["Call tree:", "", "```", *text, "```", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument(
        "--experiment",
        default="",
        metavar="NAMES",
        help="patch the Rasa server (comma-separated, see evaluation.experiments)",
    )
    parser.add_argument("--out", type=Path, default=REPORTS_DIR / "profile.md")
    parser.add_argument("--work", type=Path, default=WORK_DIR / "profile")
    arguments = parser.parse_args(argv)
    started = datetime.now(timezone.utc)
    experiments = [name for name in arguments.experiment.split(",") if name]
    latencies = profile(arguments.work, arguments.model, arguments.messages, experiments)
    command = "python -m evaluation.profile_report " + " ".join(sys.argv[1:] if argv is None else argv)
    report.write(
        arguments.out,
        render(started, arguments.work, latencies, arguments.model, [command.strip()], experiments),
    )
    print(f"p50 {statistics.median(latencies):.1f} ms; report: {arguments.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
