"""Start, watch and stop the assistant's server processes (used by `almere run` and the e2e tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.action_secret import SECRET_ENV, action_server_secret
from bot.config import REPO_ROOT, load_settings

MODEL = REPO_ROOT / "models" / "almere.tar.gz"
ENDPOINTS = REPO_ROOT / "endpoints.yml"
CREDENTIALS = REPO_ROOT / "credentials.yml"
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


def write_endpoints(path: Path, action_url: str, **sections: object) -> Path:
    """ENDPOINTS with the action server at ``action_url`` (the secret header kept) and ``sections``
    added, e.g. ``lock_store={...}``. Edited as text: loading it as YAML in a process that has
    imported Rasa would replace ``${...}`` with the environment variables' values."""
    text = ENDPOINTS.read_text(encoding="utf-8")
    if ACTION_URL not in text:
        raise ValueError(f"{ENDPOINTS} no longer names {ACTION_URL}")
    text = text.replace(ACTION_URL, action_url)
    if sections:
        text += "\n" + yaml.safe_dump(dict(sections), sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def rasa_command(*arguments: str, speedups: bool = False) -> list[str]:
    """The `rasa` CLI of this interpreter's environment (with bot.rasa.speedups if ``speedups``)."""
    return [sys.executable, "-m", "bot.rasa.cli" if speedups else "rasa", *arguments]


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
