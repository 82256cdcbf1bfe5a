"""The assistant's real servers (and the trivial baseline) on free loopback ports, and their memory.

Built on bot.processes, as the e2e tests are: a temporary endpoints.yml points the Rasa
server at the action server's port, and the conversations go to a temporary SQLite file.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot import processes
from bot.tickets.database import upgrade_database
from evaluation.common import MODEL, child_env

LOOPBACK = "127.0.0.1"
REST_PATH = "/webhooks/rest/webhook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _status_kib(pid: int | str, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def peak_rss_mb(pid: int | str = "self") -> float:
    """The peak resident memory (VmHWM) of one process, in MB (10^6 bytes)."""
    return _status_kib(pid, "VmHWM") * 1024 / 1e6


def rss_split_mb(pid: int) -> tuple[float, float]:
    """Current resident memory of one process: (anonymous, file-backed e.g. shared libraries)."""
    return _status_kib(pid, "RssAnon") * 1024 / 1e6, _status_kib(pid, "RssFile") * 1024 / 1e6


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants that are still running."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def tree_peak_rss_mb(server: processes.Server) -> float:
    """The summed peak memory of a server's process and its children (e.g. Sanic workers)."""
    assert server.process is not None
    total = 0.0
    for pid in process_tree(server.process.pid):
        try:
            total += peak_rss_mb(pid)
        except OSError:
            continue
    return total


@dataclass
class Running:
    """Servers that answer on a REST URL, with the time each took to become ready."""

    rest_url: str
    servers: list[processes.Server]
    started_at: float  # time.perf_counter() when the first process was started
    ready_seconds: dict[str, float] = field(default_factory=dict)
    work: Path | None = None

    def server(self, name: str) -> processes.Server:
        return next(server for server in self.servers if server.name == name)


def write_endpoints(path: Path, action_port: int) -> Path:
    """endpoints.yml with the action server on ``action_port`` (everything else unchanged)."""
    return processes.write_endpoints(path, f"http://{LOOPBACK}:{action_port}/webhook")


def _start_all(
    stack: ExitStack,
    servers: Sequence[processes.Server],
    rest_url: str,
    env: Mapping[str, str],
    logs: Path,
    timeout: float,
) -> Running:
    """Start ``servers`` together and wait until each answers its ready URL."""
    started = time.perf_counter()
    for server in servers:
        processes.start(server, env=dict(env), log_dir=logs)
        stack.callback(processes.stop, server)
    running = Running(rest_url, list(servers), started, work=logs.parent)
    for server in servers:
        processes.wait_until_ready(server, timeout=timeout)
        running.ready_seconds[server.name] = time.perf_counter() - started
    return running


@contextmanager
def assistant(
    work: Path,
    model: Path = MODEL,
    rasa_arguments: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = 240.0,
    profile_dir: Path | None = None,
    experiments: Sequence[str] = (),
    speedups: bool = True,
) -> Iterator[Running]:
    """The action server and the Rasa server (REST channel) of ``model``, started together.

    Conversations and tickets go to SQLite files in ``work``; both servers listen on
    loopback only. ``rasa_arguments`` are added to `rasa run` (e.g. ``--enable-api``).
    The Rasa server runs with bot.rasa.speedups as `make run` runs it, or as stock Rasa if
    ``speedups`` is false. ``experiments`` names patches of evaluation.experiments to apply to it;
    with ``profile_dir``, both servers run under evaluation.profiled.
    """
    work.mkdir(parents=True, exist_ok=True)
    action_port, rasa_port = free_port(), free_port()
    endpoints = write_endpoints(work / "endpoints.yml", action_port)
    environment = child_env(
        {
            "ALMERE_TRACKER_URL": f"sqlite:///{work / 'tracker.db'}",
            "ALMERE_DATABASE_URL": f"sqlite:///{work / 'desk.db'}",
            "SANIC_HOST": LOOPBACK,  # the action server's interface
            **(env or {}),
        }
    )
    upgrade_database(environment["ALMERE_DATABASE_URL"])  # the handoff stores tickets
    actions = processes.action_server(port=action_port, host=LOOPBACK)
    rasa = processes.rasa_server(port=rasa_port, model=model, endpoints=endpoints, speedups=speedups)
    rasa = dataclasses.replace(rasa, command=[*rasa.command, "--interface", LOOPBACK, *rasa_arguments])
    if experiments:
        rasa = wrapped(rasa, "evaluation.experiments", ",".join(experiments))
    if profile_dir is not None:
        actions, rasa = (
            wrapped(server, "evaluation.profiled", str(profile_dir / server.name.replace(" ", "-")))
            for server in (actions, rasa)
        )
    with ExitStack() as stack:
        url = f"http://{LOOPBACK}:{rasa_port}{REST_PATH}"
        yield _start_all(stack, [actions, rasa], url, environment, work / "logs", timeout)


def wrapped(server: processes.Server, wrapper: str, option: str) -> processes.Server:
    """``server`` (``python -m MODULE ...``) run as ``python -m WRAPPER OPTION -- MODULE ...``."""
    python, flag, *rest = server.command
    assert flag == "-m", server.command
    return dataclasses.replace(server, command=[python, "-m", wrapper, option, "--", *rest])


@contextmanager
def trivial(work: Path, timeout: float = 60.0) -> Iterator[Running]:
    """The trivial Sanic app (evaluation.baselines.trivial_app): the floor of this stack."""
    port = free_port()
    server = processes.Server(
        name="trivial server",
        command=[sys.executable, "-m", "evaluation.baselines.trivial_app", "--port", str(port)],
        ready_url=f"http://{LOOPBACK}:{port}/",
    )
    with ExitStack() as stack:
        url = f"http://{LOOPBACK}:{port}{REST_PATH}"
        yield _start_all(stack, [server], url, child_env(), work / "logs", timeout)


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU time used so far by the whole machine and by some processes, in clock ticks."""

    at: float
    machine_busy: int
    processes: int


def cpu_snapshot(pids: Sequence[int]) -> CpuSnapshot:
    """Busy ticks of all CPUs (/proc/stat) and user+system ticks of ``pids`` and their children."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(values[:8]) - values[3] - values[4]  # all but idle and iowait
    ticks = 0
    for pid in {p for root in pids for p in process_tree(root)}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return CpuSnapshot(time.perf_counter(), busy, ticks)


def cpu_between(before: CpuSnapshot, after: CpuSnapshot) -> tuple[float, float]:
    """(cores used by the measured processes, cores used by everything else) between snapshots."""
    seconds = max(after.at - before.at, 1e-9) * os.sysconf("SC_CLK_TCK")
    ours = (after.processes - before.processes) / seconds
    return ours, max(0.0, (after.machine_busy - before.machine_busy) / seconds - ours)
