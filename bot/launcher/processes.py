"""Start, watch and stop the assistant's server processes: one at a time, or a stack of them.

`almere run`, the e2e and browser tests, the evaluation and the operations tests all start the
same servers: the action server, one or more Rasa servers reading an endpoints.yml that names
the action server's port, and sometimes the desk. This module is the one place that does it:
free ports, that endpoints.yml, the start order and stopping them all again. The stack lives
here beside the single-server functions rather than in a module of its own because it is the
same room of the house: the launcher, which may import the rest but which the domain and the
tickets never import (tests/unit/test_layout.py).

    ports = Ports.free(desk=True)
    with running(assistant_stack(work, ports, env)) as stack:
        ...  # stack.rest_urls, stack.server("desk server"), stack.logs()
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bot.access.action_secret import SECRET_ENV, action_server_secret
from bot.config import REPO_ROOT, load_settings

MODEL = REPO_ROOT / "models" / "almere.tar.gz"
ENDPOINTS = REPO_ROOT / "endpoints.yml"
CREDENTIALS = REPO_ROOT / "credentials.yml"
LOOPBACK = "127.0.0.1"
REST_PATH = "/webhooks/rest/webhook"
ACTION_URL = "http://localhost:5055/webhook"  # in ENDPOINTS


@dataclass
class Server:
    """A child process and the URL that answers once it is ready."""

    name: str
    command: Sequence[str]
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_path: Path | None = None


def free_ports(count: int) -> list[int]:
    """``count`` different TCP ports on LOOPBACK that nothing listens on right now.

    All are held open until the last is picked, so that the system cannot hand out one twice."""
    with ExitStack() as held:
        sockets = [held.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind((LOOPBACK, 0))
        return [sock.getsockname()[1] for sock in sockets]


def free_port() -> int:
    """A TCP port on LOOPBACK that nothing listens on right now."""
    return free_ports(1)[0]


def write_endpoints(path: Path, action_url: str, **sections: object) -> Path:
    """ENDPOINTS with the action server at ``action_url`` (the secret header kept) and
    ``sections`` added, e.g. ``lock_store={...}``. Edited as text: loading it as YAML in a process
    that has imported Rasa would replace ``${...}`` with the environment variables' values."""
    text = ENDPOINTS.read_text(encoding="utf-8")
    if ACTION_URL not in text:
        raise ValueError(f"{ENDPOINTS} no longer names {ACTION_URL}")
    text = text.replace(ACTION_URL, action_url)
    if sections:
        text += "\n" + yaml.safe_dump(dict(sections), sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def origin(server: Server) -> str:
    """``http://host:port`` of a server (from its ready URL)."""
    parts = urlsplit(server.ready_url)
    return f"{parts.scheme}://{parts.netloc}"


def rasa_command(*arguments: str, speedups: bool = False) -> list[str]:
    """The `rasa` CLI of this interpreter's environment (with bot.rasa.speedups if ``speedups``)."""
    return [sys.executable, "-m", "bot.rasa.command" if speedups else "rasa", *arguments]


def shared_secret_env() -> dict[str, str]:
    """The action server's secret for both servers (Rasa fills endpoints.yml's header from it)."""
    return {SECRET_ENV: action_server_secret(load_settings())}


def action_server(port: int = 5055, host: str = "127.0.0.1") -> Server:
    """The action server (bot.rasa.action_server: Rasa callers only); it listens on ``host`` only."""
    return Server(
        name="action server",
        command=[sys.executable, "-m", "bot.rasa.action_server", "--port", str(port), "--host", host],
        ready_url=f"http://{host}:{port}/health",
        env=shared_secret_env(),
    )


def rasa_server(
    port: int = 5005,
    model: Path = MODEL,
    endpoints: Path = ENDPOINTS,
    credentials: Path = CREDENTIALS,
    cors: Sequence[str] = (),
    host: str = "127.0.0.1",
    speedups: bool = True,
) -> Server:
    """The Rasa server with the project's channels; it listens on ``host`` only.

    It runs with bot.rasa.speedups unless ``speedups`` is false (stock Rasa, for comparison).
    """
    arguments = [
        "run",
        "--interface",
        host,
        "--port",
        str(port),
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
    ]
    if cors:
        arguments += ["--cors", *cors]
    return Server(
        name="Rasa server",
        command=rasa_command(*arguments, speedups=speedups),
        ready_url=f"http://{host}:{port}/",
        env=shared_secret_env(),
    )


def desk_server(port: int = 8000, host: str = "127.0.0.1") -> Server:
    """The staff desk and the public page with the chat: `almere desk`, gunicorn serving the Flask app."""
    return Server(
        name="desk server",
        command=[sys.executable, "-m", "bot", "desk", "--host", host, "--port", str(port)],
        ready_url=f"http://{host}:{port}/desk/login",
    )


def start(server: Server, env: dict[str, str] | None = None, log_dir: Path | None = None) -> Server:
    """Start ``server`` from the repository root; output goes to ``log_dir`` if given."""
    output = None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        server.log_path = log_dir / (server.name.replace(" ", "-").lower() + ".log")
        output = open(server.log_path, "wb")
    server.process = subprocess.Popen(
        list(server.command),
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {}), **server.env},
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
        start_new_session=True,
    )
    if output is not None:
        output.close()
    return server


def wait_until_ready(server: Server, timeout: float = 120.0) -> None:
    """Block until ``server.ready_url`` answers; raise if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(
                f"the {server.name} exited with code {server.process.returncode}"
                + (f"; see {server.log_path}" if server.log_path else "")
            )
        try:
            with urllib.request.urlopen(server.ready_url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise TimeoutError(f"the {server.name} did not answer at {server.ready_url} within {timeout:.0f}s")


def stop(server: Server, grace: float = 15.0) -> None:
    """Stop ``server`` and everything it started: SIGTERM, then SIGKILL after ``grace`` seconds."""
    process = server.process
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass(frozen=True)
class Ports:
    """Where the servers of an assistant stack listen, on LOOPBACK.

    Picked before the stack is built, so that settings naming them (the page's origin, the Rasa
    server's public URL) can be part of the environment the servers start with."""

    actions: int
    rasa: tuple[int, ...]
    desk: int | None = None

    @classmethod
    def free(cls, rasa_servers: int = 1, desk: bool = False) -> Ports:
        actions, *others = free_ports(1 + rasa_servers + int(desk))
        return cls(actions, tuple(others[:rasa_servers]), others[-1] if desk else None)


@dataclass
class Stack:
    """Servers in the order they start, and what they start with.

    ``started`` holds those started so far (all of them inside ``running``), in that order."""

    servers: list[Server]
    env: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    endpoints: Path | None = None  # the endpoints.yml the Rasa servers read
    started: list[Server] = field(default_factory=list)
    started_at: float = 0.0  # time.perf_counter() when the first server was started

    def server(self, name: str) -> Server:
        return next(server for server in self.servers if server.name == name)

    @property
    def rasa(self) -> list[Server]:
        """The Rasa servers (named "Rasa server" or "Rasa server N" by assistant_stack)."""
        return [server for server in self.servers if server.name.startswith("Rasa server")]

    @property
    def rest_urls(self) -> list[str]:
        """The REST webhook of each Rasa server, in order."""
        return [origin(server) + REST_PATH for server in self.rasa]

    def logs(self) -> str:
        """The tail of every started server's log, for a failing test's message."""
        parts = []
        for server in self.started:
            if server.log_path and server.log_path.exists():
                tail = server.log_path.read_text(errors="replace")[-3000:]
                parts.append(f"--- {server.name} ({server.log_path}) ---\n{tail}")
        return "\n".join(parts)


def assistant_stack(
    work: Path,
    ports: Ports,
    env: Mapping[str, str] | None = None,
    *,
    sections: Mapping[str, object] | None = None,
    model: Path = MODEL,
    cors: Sequence[str] = (),
    speedups: bool = True,
) -> Stack:
    """The action server, a Rasa server per port of ``ports.rasa`` and the desk if ``ports.desk``:
    not started yet, all on LOOPBACK, logging to ``work``/logs.

    Writes ``work``/endpoints.yml: ENDPOINTS with this action server and ``sections``
    added (e.g. ``{"lock_store": {...}}``). ``model``, ``cors`` and ``speedups`` are the Rasa
    servers' (rasa_server). Two or more are named "Rasa server 1", "Rasa server 2", …
    """
    work.mkdir(parents=True, exist_ok=True)
    endpoints = write_endpoints(
        work / "endpoints.yml", f"http://{LOOPBACK}:{ports.actions}/webhook", **dict(sections or {})
    )
    servers = [action_server(port=ports.actions, host=LOOPBACK)]
    for index, port in enumerate(ports.rasa, start=1):
        rasa = rasa_server(
            port=port, model=model, endpoints=endpoints, cors=cors, host=LOOPBACK, speedups=speedups
        )
        if len(ports.rasa) > 1:
            rasa.name = f"{rasa.name} {index}"
        servers.append(rasa)
    if ports.desk is not None:
        servers.append(desk_server(port=ports.desk, host=LOOPBACK))
    return Stack(servers, env=dict(env or {}), log_dir=work / "logs", endpoints=endpoints)


@contextmanager
def running(
    stack: Stack,
    *,
    together: bool = False,
    timeout: float = 120.0,
    announce: Callable[[Server], object] | None = None,
) -> Iterator[Stack]:
    """Start ``stack``'s servers in order, each with its env and log directory; stop them all on leaving.

    Each server must answer within ``timeout`` seconds of being started. By default each starts
    once the one before answers; ``together`` starts all first and then waits, so that they load
    at the same time (most of it is imports and reading files, not CPU). ``announce(server)`` is
    called before each start. Leaving the block, or a start that fails half-way, stops every server
    started so far, last first: none is left running.
    """
    try:
        stack.started_at = time.perf_counter()
        deadlines = []
        for server in stack.servers:
            if announce is not None:
                announce(server)
            stack.started.append(start(server, env=stack.env, log_dir=stack.log_dir))
            deadlines.append(time.monotonic() + timeout)
            if not together:
                wait_until_ready(server, timeout=timeout)
        if together:
            for server, deadline in zip(stack.started, deadlines, strict=True):
                wait_until_ready(server, timeout=max(1.0, deadline - time.monotonic()))
        yield stack
    finally:
        _stop_all(stack.started)


def _stop_all(servers: Sequence[Server]) -> None:
    """Stop ``servers``, last first.

    SIGINT and SIGTERM are ignored meanwhile (in the main thread, the only one Python delivers
    them to): a second Ctrl-C must not cut the shutdown short, and a server left behind runs on,
    as each runs in its own session, where the terminal's Ctrl-C does not reach it.
    """
    with _signals_ignored():
        for server in reversed(servers):
            stop(server)


@contextmanager
def _signals_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():  # None: a handler not set from Python, restored as the default
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
