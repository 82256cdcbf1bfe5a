"""Where and on what code a figure was measured: CPU, memory, versions, the git commit."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from bot.config import REPO_ROOT


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> float | None:
    """Total RAM in GiB; None where /proc/meminfo cannot be read."""
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024**2
    except (OSError, ValueError, IndexError):
        pass
    return None


def usable_cpus() -> int:
    """The CPUs this process may run on (a container or taskset may allow fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def package_version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_commit(root: Path = REPO_ROOT) -> str:
    """The checked-out commit, noting uncommitted changes (which the figures include);
    "unknown" outside a git repository or without git."""

    def git(*arguments: str) -> str:
        result = subprocess.run(
            ["git", *arguments], cwd=root, capture_output=True, text=True, timeout=10, check=False
        )
        return result.stdout.strip() if result.returncode == 0 else ""

    try:
        commit = git("rev-parse", "--short", "HEAD")
        # Untracked files count: a new module that is not committed yet is measured too.
        changed = bool(commit) and bool(git("status", "--porcelain"))
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if not commit:
        return "unknown"
    return commit + (" (with uncommitted changes)" if changed else "")


def facts() -> dict[str, str]:
    """CPU model, cores, RAM, OS and the versions that matter for the figures, for a report's header."""
    memory = memory_gib()
    return {
        "CPU": cpu_model(),
        "cores": str(usable_cpus()),
        "RAM": "unknown" if memory is None else f"{memory:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Rasa": package_version("rasa"),
        "Sanic": package_version("sanic"),
    }


def summary() -> str:
    """One line about the machine: usable CPUs, model, memory, load average now, OS."""
    memory = memory_gib()
    parts = [f"{usable_cpus()} CPUs ({cpu_model()})"]
    if memory:
        parts.append(f"{memory:.0f} GiB RAM")
    if hasattr(os, "getloadavg"):
        load = os.getloadavg()
        parts.append(f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min) at the start")
    parts.append(f"{platform.system()} {platform.release()}, Python {platform.python_version()}")
    return "; ".join(parts)
