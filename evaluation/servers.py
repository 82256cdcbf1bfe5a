"""The assistant's real servers (and the trivial baseline) on free loopback ports, and their memory.

Started by bot.launcher.processes, as the e2e tests' are: a temporary endpoints.yml points the Rasa
server at the action server's port, and the conversations go to a temporary SQLite file.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.access.action_secret import SECRET_ENV
from bot.launcher import processes
from bot.launcher.processes import LOOPBACK, REST_PATH
from bot.tickets.database import upgrade_database
from evaluation.common import MODEL, child_env


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
    """Servers that answer on a REST URL."""

    rest_url: str
    servers: list[processes.Server]
    started_at: float  # time.perf_counter() when the first process was started
    work: Path | None = None

    def server(self, name: str) -> processes.Server:
        return next(server for server in self.servers if server.name == name)


@contextmanager
def assistant(
    work: Path,
    model: Path = MODEL,
    env: Mapping[str, str] | None = None,
    timeout: float = 240.0,
    profile_dir: Path | None = None,
    experiments: Sequence[str] = (),
    speedups: bool = True,
    seed_database: Callable[[str], object] | None = None,
) -> Iterator[Running]:
    """The action server and the Rasa server (REST channel) of ``model``, started together.

    Conversations and tickets go to SQLite files in ``work``; both servers listen on
    loopback only. The Rasa server runs with bot.rasa.speedups as `make run` runs it, or as
    stock Rasa if ``speedups`` is false. ``experiments`` names patches of evaluation.experiments
    to apply to it; with ``profile_dir``, both servers run under evaluation.run_profiled.
    ``seed_database(url)`` fills the migrated ticket database before they start (e.g. desk answers).
    """
    environment = child_env(
        {
            "ALMERE_TRACKER_URL": f"sqlite:///{work / 'tracker.db'}",
            "ALMERE_DATABASE_URL": f"sqlite:///{work / 'desk.db'}",
            "SANIC_HOST": LOOPBACK,  # the action server's interface
            **(env or {}),
        }
    )
    servers = processes.assistant_stack(
        work, processes.Ports.free(), environment, model=model, speedups=speedups
    )
    if not speedups:
        use_stock_rasa(servers, work, model)
    upgrade_database(environment["ALMERE_DATABASE_URL"])  # the handoff stores tickets
    if seed_database is not None:
        seed_database(environment["ALMERE_DATABASE_URL"])

    def adapted(server: processes.Server) -> processes.Server:
        if experiments and server in servers.rasa:
            server = wrapped(server, "evaluation.experiments", ",".join(experiments))
        if profile_dir is not None:
            server = wrapped(
                server, "evaluation.run_profiled", str(profile_dir / server.name.replace(" ", "-"))
            )
        return server

    servers.servers = [adapted(server) for server in servers.servers]
    with processes.running(servers, together=True, timeout=timeout) as started:
        yield Running(started.rest_urls[0], started.servers, started.started_at, work=work)


# Stock Rasa as `rasa init` sets it up, with the project's action server (and its secret).
STOCK_ENDPOINTS = """action_endpoint:
  url: "{action_url}"
  headers:
    Authorization: Bearer ${{{secret}}}
tracker_store:
  type: sql
  dialect: sqlite
  db: {db}
"""
STOCK_CREDENTIALS = "rest:\n"


def use_stock_rasa(stack: processes.Stack, work: Path, model: Path) -> None:
    """Make ``stack``'s Rasa servers stock Rasa: its own SQL tracker store (SQLite in ``work``) and
    REST channel, still with this stack's action server."""
    action_url = stack.server("action server").ready_url.replace("/health", "/webhook")
    endpoints = work / "stock-endpoints.yml"
    endpoints.write_text(
        STOCK_ENDPOINTS.format(action_url=action_url, secret=SECRET_ENV, db=work / "stock-tracker.db"),
        encoding="utf-8",
    )
    credentials = work / "stock-credentials.yml"
    credentials.write_text(STOCK_CREDENTIALS, encoding="utf-8")

    def stock(server: processes.Server) -> processes.Server:
        if server not in stack.rasa:
            return server
        port = int(server.ready_url.rstrip("/").rsplit(":", 1)[1])
        replaced = processes.rasa_server(
            port=port,
            model=model,
            endpoints=endpoints,
            credentials=credentials,
            host=LOOPBACK,
            speedups=False,
        )
        replaced.name = server.name
        return replaced

    stack.servers = [stock(server) for server in stack.servers]


def wrapped(server: processes.Server, wrapper: str, option: str) -> processes.Server:
    """``server`` (``python -m MODULE ...``) run as ``python -m WRAPPER OPTION -- MODULE ...``."""
    python, flag, *rest = server.command
    assert flag == "-m", server.command
    return dataclasses.replace(server, command=[python, "-m", wrapper, option, "--", *rest])


@contextmanager
def trivial(work: Path, timeout: float = 60.0) -> Iterator[Running]:
    """The trivial Sanic app (evaluation.baselines.trivial_app): the floor of this stack."""
    port = processes.free_port()
    server = processes.Server(
        name="trivial server",
        command=[sys.executable, "-m", "evaluation.baselines.trivial_app", "--port", str(port)],
        ready_url=f"http://{LOOPBACK}:{port}/",
    )
    servers = processes.Stack([server], env=child_env(), log_dir=work / "logs")
    with processes.running(servers, together=True, timeout=timeout) as started:
        yield Running(f"http://{LOOPBACK}:{port}{REST_PATH}", started.servers, started.started_at, work=work)


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
