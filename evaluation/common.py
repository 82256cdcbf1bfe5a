"""Paths, the environment of child processes, and running commands with a log and a timer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.config import REPO_ROOT

# The evaluation sets live next to the repository and are only ever read from there.
EVAL_SETS = REPO_ROOT.parent / "shared" / "eval"
WORK_DIR = REPO_ROOT / "var" / "eval"
REPORTS_DIR = REPO_ROOT / "reports"
MODEL = REPO_ROOT / "models" / "almere.tar.gz"
CONFIG = REPO_ROOT / "config.yml"

# What the Makefile exports; set here too so that `python -m evaluation.x` behaves the same.
QUIET_ENV: dict[str, str] = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "LOG_LEVEL": "WARNING",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "RASA_TELEMETRY_ENABLED": "false",
    "TQDM_DISABLE": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child process: quiet defaults, this process's env, then ``extra``."""
    return {**QUIET_ENV, **os.environ, **(extra or {})}


def run_logged(
    command: Sequence[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 1800.0,
) -> float:
    """Run ``command`` from the repository root with its output in ``log``; return seconds taken.

    Raises RuntimeError (naming the log and its last lines) if the command fails.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log, "wb") as output:
        result = subprocess.run(
            list(command),
            cwd=REPO_ROOT,
            env=child_env(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}); see {log}:\n{tail}")
    return elapsed


def shown(command: Sequence[str]) -> str:
    """``command`` as it would be typed from the repository root."""
    parts = ["python" if part == sys.executable else part for part in command]
    return " ".join(os.path.relpath(p, REPO_ROOT) if p.startswith(str(REPO_ROOT)) else p for p in parts)
