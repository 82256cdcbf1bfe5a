"""The desk server that `almere run` and the e2e tests start (bot/launcher/processes.py) is gunicorn.

A real `almere desk` process: it serves the public page and the staff sign-in, its sign-in limit
holds for requests served at the same time (one worker process, its threads share the limiter; or
several processes sharing it through Redis), slow clients do not keep others from being served,
and it stops promptly on SIGTERM (processes.stop, `docker stop`) and on Ctrl-C in a terminal.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from support import free_port, require_service

from bot.launcher import processes
from bot.site.desk.accounts import StaffAccounts
from bot.site.server import GRACEFUL_TIMEOUT, THREADS
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STAFF_USER, STAFF_PASSWORD = "marit", "a long desk password"
ATTEMPTS_PER_MINUTE = 3


@pytest.fixture(scope="module")
def desk_env(tmp_path_factory):
    work = tmp_path_factory.mktemp("desk-server")
    database_url = f"sqlite:///{work / 'desk.db'}"
    upgrade_database(database_url)
    engine = create_engine_for(database_url)
    StaffAccounts(create_session_factory(engine)).add(STAFF_USER, STAFF_PASSWORD)
    engine.dispose()
    return work, {
        "ALMERE_DATABASE_URL": database_url,
        "ALMERE_SECRET_KEY": "desk-server-test-secret",
        "ALMERE_LIVE_CHAT_SECRET": "desk-server-test-live-chat-secret",
        "ALMERE_LOGIN_ATTEMPTS_PER_MINUTE": str(ATTEMPTS_PER_MINUTE),
    }


def start_desk(desk_env, **extra_env: str) -> processes.Server:
    work, env = desk_env
    server = processes.start(
        processes.desk_server(port=free_port()), env={**env, **extra_env}, log_dir=work / "logs"
    )
    try:
        processes.wait_until_ready(server, timeout=60)
    except Exception:
        processes.stop(server)
        raise
    return server


@pytest.fixture(scope="module")
def desk(desk_env):
    server = start_desk(desk_env)
    yield server
    processes.stop(server)


def base_url(server: processes.Server) -> str:
    return server.ready_url.removesuffix("/desk/login")


def worker_pids(server: processes.Server) -> list[int]:
    """The gunicorn workers: the children of the `almere desk` process (gunicorn's master)."""
    children = subprocess.run(
        ["ps", "--ppid", str(server.process.pid), "-o", "pid="], capture_output=True, text=True, check=True
    )
    return [int(pid) for pid in children.stdout.split()]


def sign_in_form(session: requests.Session, server: processes.Server) -> str:
    page = session.get(f"{base_url(server)}/desk/login", timeout=10)
    assert page.status_code == 200
    return CSRF.search(page.text).group(1)


def test_gunicorn_serves_the_public_page_with_one_worker_process(desk):
    page = requests.get(base_url(desk) + "/", timeout=10)
    assert page.status_code == 200 and '/widget.js" data-language=' in page.text
    assert page.headers["Server"].startswith("gunicorn")
    assert page.headers["X-Frame-Options"] == "DENY"  # the app's own headers still come through
    assert len(worker_pids(desk)) == 1


def test_staff_sign_in_to_the_desk(desk):
    session = requests.Session()
    queue = session.get(f"{base_url(desk)}/desk/", timeout=10)
    assert queue.history and queue.url.startswith(f"{base_url(desk)}/desk/login")
    token = sign_in_form(session, desk)
    signed_in = session.post(
        f"{base_url(desk)}/desk/login",
        data={"csrf_token": token, "username": STAFF_USER, "password": STAFF_PASSWORD},
        timeout=30,
    )
    assert signed_in.status_code == 200 and signed_in.url == f"{base_url(desk)}/desk/"
    assert "Sign out" in signed_in.text


def test_the_sign_in_limit_holds_for_simultaneous_attempts(desk):
    session = requests.Session()
    token = sign_in_form(session, desk)
    cookies = session.cookies.get_dict()
    form = {"csrf_token": token, "username": STAFF_USER, "password": "wrong"}

    def attempt(_: int) -> int:
        url = f"{base_url(desk)}/desk/login"
        return requests.post(url, data=form, cookies=cookies, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(attempt, range(8)))
    assert statuses == [401] * ATTEMPTS_PER_MINUTE + [429] * (8 - ATTEMPTS_PER_MINUTE)


def test_the_worker_leaves_ctrl_c_to_the_master(desk):
    # A worker that got a terminal's SIGINT and then the master's SIGQUIT hung, now and then, until
    # gunicorn killed it (bot.site.server.leave_interrupt_to_master).
    [worker] = worker_pids(desk)
    status = Path(f"/proc/{worker}/status").read_text(encoding="ascii")
    ignored = int(re.search(r"^SigIgn:\s*([0-9a-f]+)$", status, re.MULTILINE).group(1), 16)
    assert ignored & (1 << (signal.SIGINT - 1))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_server_stops_promptly(desk_env, sig):
    server = start_desk(desk_env)
    started = time.monotonic()
    os.killpg(server.process.pid, sig)  # the whole group, as processes.stop and a terminal do
    try:
        assert server.process.wait(timeout=GRACEFUL_TIMEOUT + 10) == 0
    finally:
        processes.stop(server)
    assert time.monotonic() - started < GRACEFUL_TIMEOUT
    assert "SIGKILL" not in server.log_path.read_text(encoding="utf-8")


# Slow clients: each sends the start of a request, then a byte now and then, never finishing.
SLOW_CLIENTS = 8  # twice the four that blocked the desk when it had 4 threads
SLOW_ROUNDS = 4
SLOW_REQUESTS = (
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",  # headers that never end
    b"POST /feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 10000\r\n\r\n{",  # a body that never arrives
)


def test_a_few_slow_clients_do_not_keep_others_from_the_page(desk):
    assert SLOW_CLIENTS < THREADS
    port = int(base_url(desk).rsplit(":", 1)[1])
    clients = []
    try:
        for index in range(SLOW_CLIENTS):
            client = socket.create_connection(("127.0.0.1", port), timeout=5)
            client.sendall(SLOW_REQUESTS[index % 2])
            clients.append(client)
        time.sleep(1)  # every slow client has been given a thread
        for _ in range(SLOW_ROUNDS):
            for client in clients:
                client.sendall(b"x")
            started = time.monotonic()
            page = requests.get(base_url(desk) + "/", timeout=5)
            assert page.status_code == 200 and time.monotonic() - started < 2
            login = requests.get(f"{base_url(desk)}/desk/login", timeout=5)
            assert login.status_code == 200
            time.sleep(1)
    finally:
        for client in clients:
            client.close()


def test_two_worker_processes_share_the_sign_in_limit_through_redis(desk_env):
    """With ALMERE_DESK_WORKERS=2 both processes count attempts in one Redis limit."""
    import redis

    from operations.stack import LOOPBACK, claimed_redis_db

    try:
        redis.Redis(host=LOOPBACK, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        require_service(False, f"Redis at {LOOPBACK}:6379 is unreachable: {error}")
    with claimed_redis_db() as db:
        server = start_desk(
            desk_env, ALMERE_DESK_WORKERS="2", ALMERE_RATE_LIMIT_REDIS_URL=f"redis://{LOOPBACK}:6379/{db}"
        )
        try:
            assert len(worker_pids(server)) == 2
            session = requests.Session()
            token = sign_in_form(session, server)
            cookies = session.cookies.get_dict()
            form = {"csrf_token": token, "username": STAFF_USER, "password": "wrong"}
            url = f"{base_url(server)}/desk/login"
            attempts = 16  # on new connections: gunicorn hands them to either process
            with ThreadPoolExecutor(max_workers=8) as pool:
                statuses = sorted(
                    pool.map(
                        lambda _: requests.post(url, data=form, cookies=cookies, timeout=30).status_code,
                        range(attempts),
                    )
                )
        finally:
            processes.stop(server)
    assert statuses == [401] * ATTEMPTS_PER_MINUTE + [429] * (attempts - ATTEMPTS_PER_MINUTE)
