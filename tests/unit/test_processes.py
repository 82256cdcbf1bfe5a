"""Starting and stopping servers as `almere run` does: ready checks, unexpected exits, Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import threading

import pytest
from support import free_port

from bot import processes
from bot.cli import _serve_until_interrupted


def http_server(name: str, serve_one_request_then_exit: bool = False) -> processes.Server:
    port = free_port()
    code = (
        "import http.server, sys\n"
        f"server = http.server.HTTPServer(('127.0.0.1', {port}), http.server.SimpleHTTPRequestHandler)\n"
        + (
            "server.handle_request(); sys.exit(3)\n"
            if serve_one_request_then_exit
            else "server.serve_forever()\n"
        )
    )
    return processes.Server(
        name=name, command=[sys.executable, "-c", code], ready_url=f"http://127.0.0.1:{port}/"
    )


@pytest.fixture
def restore_signals():
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_a_server_is_started_waited_for_and_stopped(tmp_path):
    server = processes.start(http_server("web"), log_dir=tmp_path)
    processes.wait_until_ready(server, timeout=30)
    processes.stop(server)
    assert server.process.poll() is not None


def test_a_server_that_exits_before_it_is_ready_is_reported():
    server = processes.Server("broken", [sys.executable, "-c", "raise SystemExit(2)"], "http://127.0.0.1:9/")
    processes.start(server)
    with pytest.raises(RuntimeError, match="exited with code 2"):
        processes.wait_until_ready(server, timeout=30)


def test_when_one_server_dies_the_others_are_stopped(restore_signals):
    steady, dying = http_server("steady"), http_server("dying", serve_one_request_then_exit=True)
    assert _serve_until_interrupted([steady, dying], "running") == 1
    assert steady.process.poll() is not None and dying.process.returncode == 3


def test_sigterm_stops_every_server(restore_signals):
    servers = [http_server("one"), http_server("two")]
    timer = threading.Timer(3.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        assert _serve_until_interrupted(servers, "running") == 0
    finally:
        timer.cancel()
    assert all(server.process.poll() is not None for server in servers)
