"""Starting and stopping servers as `almere run`, the tests, the evaluation and the operations do:
ready checks, unexpected exits, Ctrl-C, and a stack of them on free ports."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from pathlib import Path

import pytest
import yaml

from bot.launcher import processes
from bot.launcher.cli import _serve_until_interrupted


def http_server(
    name: str, serve_one_request_then_exit: bool = False, listen_once: Path | None = None
) -> processes.Server:
    """A tiny web server; with ``listen_once``, it listens only once that file exists."""
    port = processes.free_port()
    code = (
        "import http.server, pathlib, sys, time\n"
        + (
            f"while not pathlib.Path({str(listen_once)!r}).exists(): time.sleep(0.05)\n"
            if listen_once
            else ""
        )
        + f"server = http.server.HTTPServer(('127.0.0.1', {port}), http.server.SimpleHTTPRequestHandler)\n"
        + (
            "server.handle_request(); sys.exit(3)\n"
            if serve_one_request_then_exit
            else "server.serve_forever()\n"
        )
    )
    return processes.Server(
        name=name, command=[sys.executable, "-c", code], ready_url=f"http://127.0.0.1:{port}/"
    )


def file_maker(name: str, path: Path) -> processes.Server:
    """A web server that first creates ``path``."""
    server = http_server(name)
    server.command = [
        *server.command[:-1],
        f"import pathlib; pathlib.Path({str(path)!r}).touch()\n" + server.command[-1],
    ]
    return server


@pytest.fixture
def stops(monkeypatch) -> list[str]:
    """Names of the servers processes.stop is called for, in order (they are still stopped)."""
    names: list[str] = []
    real_stop = processes.stop

    def recording_stop(server, *args, **kwargs):
        names.append(server.name)
        real_stop(server, *args, **kwargs)

    monkeypatch.setattr(processes, "stop", recording_stop)
    return names


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


def test_free_ports_are_different_and_free():
    ports = processes.free_ports(5)
    assert len(set(ports)) == 5
    for port in ports:
        with socket.socket() as sock:
            sock.bind((processes.LOOPBACK, port))  # raises if something holds it


def test_endpoints_name_the_action_server_keep_placeholders_and_add_sections(tmp_path):
    path = processes.write_endpoints(
        tmp_path / "endpoints.yml",
        "http://127.0.0.1:6123/webhook",
        lock_store={"type": "redis", "url": "127.0.0.1", "port": 6379, "db": 7},
    )
    text = path.read_text(encoding="utf-8")
    assert processes.ACTION_URL not in text
    assert "${ALMERE_ACTION_SERVER_SECRET}" in text  # left for Rasa to fill in
    endpoints = yaml.safe_load(text)
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:6123/webhook"
    assert endpoints["lock_store"] == {"type": "redis", "url": "127.0.0.1", "port": 6379, "db": 7}
    assert endpoints["tracker_store"] == yaml.safe_load(processes.ENDPOINTS.read_text())["tracker_store"]


def test_endpoints_without_the_action_server_are_refused(tmp_path, monkeypatch):
    other = tmp_path / "other.yml"
    other.write_text('action_endpoint:\n  url: "http://elsewhere:5055/webhook"\n')
    monkeypatch.setattr(processes, "ENDPOINTS", other)
    with pytest.raises(ValueError, match="no longer names"):
        processes.write_endpoints(tmp_path / "endpoints.yml", "http://127.0.0.1:6123/webhook")


def test_an_assistant_stack_is_wired_on_its_ports(tmp_path, monkeypatch):
    monkeypatch.setenv("ALMERE_ACTION_SERVER_SECRET", "unit-test-secret")  # no key file under var/
    ports = processes.Ports(actions=6001, rasa=(6002, 6003), desk=6004)
    planned = processes.assistant_stack(
        tmp_path, ports, {"ALMERE_X": "1"}, sections={"lock_store": {"type": "redis", "db": 3}}
    )
    assert [server.name for server in planned.servers] == [
        "action server", "Rasa server 1", "Rasa server 2", "desk server",
    ]  # fmt: skip
    assert planned.rest_urls == [
        "http://127.0.0.1:6002/webhooks/rest/webhook",
        "http://127.0.0.1:6003/webhooks/rest/webhook",
    ]
    assert processes.origin(planned.server("desk server")) == "http://127.0.0.1:6004"
    endpoints = yaml.safe_load(planned.endpoints.read_text())
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:6001/webhook"
    assert endpoints["lock_store"] == {"type": "redis", "db": 3}
    for server in planned.rasa:
        assert str(planned.endpoints) in server.command
    assert planned.env == {"ALMERE_X": "1"} and planned.log_dir == tmp_path / "logs"
    assert planned.started == []  # nothing runs yet


def test_one_rasa_server_keeps_its_plain_name(tmp_path, monkeypatch):
    monkeypatch.setenv("ALMERE_ACTION_SERVER_SECRET", "unit-test-secret")
    planned = processes.assistant_stack(tmp_path, processes.Ports.free())
    assert [server.name for server in planned.servers] == ["action server", "Rasa server"]


def test_a_stack_starts_in_order_with_its_env_and_logs_and_stops_in_reverse(tmp_path, stops):
    servers = [http_server("first"), http_server("second"), http_server("third")]
    announced = []
    planned = processes.Stack(servers, env={"ALMERE_STACK_TEST": "yes"}, log_dir=tmp_path / "logs")
    with processes.running(planned, announce=lambda server: announced.append(server.name)) as started:
        assert announced == ["first", "second", "third"]
        assert started.started == servers
        assert all(server.process.poll() is None for server in servers)
        assert all(server.log_path.parent == tmp_path / "logs" for server in servers)
        pid = servers[0].process.pid
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"ALMERE_STACK_TEST=yes" in environ
    assert stops == ["third", "second", "first"]
    assert all(server.process.poll() is not None for server in servers)


def test_the_stack_is_stopped_when_the_block_raises(stops):
    servers = [http_server("first"), http_server("second")]
    with pytest.raises(KeyError), processes.running(processes.Stack(servers)):
        raise KeyError("a failing test")
    assert stops == ["second", "first"]
    assert all(server.process.poll() is not None for server in servers)


def test_a_server_that_fails_to_start_stops_those_already_started(stops):
    first, second = http_server("first"), http_server("second")
    broken = processes.Server("broken", [sys.executable, "-c", "raise SystemExit(2)"], "http://127.0.0.1:9/")
    never = http_server("never")
    with pytest.raises(RuntimeError, match="exited with code 2"):
        with processes.running(processes.Stack([first, second, broken, never])):
            pytest.fail("the stack must not be entered")
    assert stops == ["broken", "second", "first"]
    assert first.process.poll() is not None and second.process.poll() is not None
    assert never.process is None


def test_a_server_that_cannot_be_launched_stops_those_already_started(stops):
    first = http_server("first")
    missing = processes.Server("missing", ["/nonexistent/server"], "http://127.0.0.1:9/")
    with pytest.raises(FileNotFoundError), processes.running(processes.Stack([first, missing])):
        pytest.fail("the stack must not be entered")
    assert stops == ["first"]
    assert first.process.poll() is not None


def test_together_starts_every_server_before_waiting(tmp_path):
    """The first server answers only once the second has run: started one by one, it never would."""
    flag = tmp_path / "second-started"
    waiting, maker = http_server("waiting", listen_once=flag), file_maker("maker", flag)
    with processes.running(processes.Stack([waiting, maker]), together=True, timeout=30) as started:
        assert all(server.process.poll() is None for server in started.started)
    flag.unlink()
    waiting, maker = http_server("waiting", listen_once=flag), file_maker("maker", flag)
    with pytest.raises(TimeoutError), processes.running(processes.Stack([waiting, maker]), timeout=3):
        pass
    assert maker.process is None and waiting.process.poll() is not None


def test_signal_handlers_are_restored_after_stopping():
    handler = signal.getsignal(signal.SIGINT)
    with processes.running(processes.Stack([http_server("one")])):
        pass
    assert signal.getsignal(signal.SIGINT) is handler
