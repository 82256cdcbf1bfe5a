"""deploy/haproxy.cfg in front of the two Rasa servers and the desk, on 127.0.0.1.

Hashing on the conversation id sends one conversation's messages to one Rasa server, so
messages arriving at once are taken one at a time even with Rasa 3.6's own Redis lock store;
many conversations at once pass the proxy and wait in line in each server, and are answered.

The public frontend, whole, limits each client address: its open connections (so that one
address cannot take all of maxconn), its socket.io connections, and slow request bodies wait at
the proxy, not in the desk; the desk behind it counts sign-ins and votes per client. Clients are
told apart by their loopback source address (127.0.0.2, 127.0.0.3).
"""

from __future__ import annotations

import base64
import http.client
import inspect
import json
import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from support import require_service
from test_scale_out import burst_problems

from bot.config import REPO_ROOT
from bot.launcher import processes
from bot.launcher.processes import REST_PATH, free_port
from bot.site.desk.accounts import StaffAccounts
from bot.site.public.answer_votes import VOTES_PER_MINUTE
from bot.site.server import THREADS
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database
from operations.handoff_script import TROUBLE, fact_questions, reply_text
from operations.proxy import rasa_proxy


@pytest.fixture(autouse=True)
def haproxy_installed() -> None:
    require_service(shutil.which("haproxy") is not None, "no haproxy here (make e2e installs it)")


ROUNDS = 10


@pytest.fixture(scope="module")
def proxy_url(scaled_out, tmp_path_factory):
    """deploy/haproxy.cfg's Rasa backends in front of the two servers (operations/proxy.py)."""
    with rasa_proxy(tmp_path_factory.mktemp("haproxy"), scaled_out.urls) as origin:
        yield origin + REST_PATH


def say(url: str, sender: str, message: str) -> str:
    response = requests.post(url, json={"sender": sender, "message": message}, timeout=60)
    assert response.status_code == 200, response.text
    return reply_text(response.json())


def test_messages_of_one_conversation_at_once_through_the_proxy_are_taken_one_at_a_time(
    scaled_out, proxy_url
):
    problems = []
    for _ in range(ROUNDS):
        sender = f"ops-proxy-{uuid.uuid4()}"
        opening, questions = fact_questions()[0], fact_questions()[1:5]
        assert opening.expect in say(proxy_url, sender, opening.message)
        with ThreadPoolExecutor(max_workers=len(questions)) as pool:
            replies = list(
                pool.map(
                    say,
                    [proxy_url] * len(questions),
                    [sender] * len(questions),
                    [q.message for q in questions],
                )
            )
        for question, reply in zip(questions, replies, strict=True):
            assert TROUBLE not in reply and question.expect in reply, (question.message, reply)
        found = burst_problems(scaled_out.events(sender), opening, questions)
        problems += [f"{sender}: {problem}" for problem in found]
    assert problems == []


def test_many_conversations_at_once_are_all_answered_through_the_proxy(scaled_out, proxy_url):
    """40 conversations' messages at once: 4 in flight per server, the rest wait in line in the
    servers (well within the wait budget), none is refused or late."""
    senders = [f"ops-proxy-many-{uuid.uuid4()}" for _ in range(40)]
    question = fact_questions()[2]
    with ThreadPoolExecutor(max_workers=len(senders)) as pool:
        replies = list(pool.map(lambda sender: say(proxy_url, sender, question.message), senders))
    assert all(question.expect in reply and TROUBLE not in reply for reply in replies), replies


# --- The public frontend, whole, in front of the Rasa servers and a real desk ------------------

DEPLOY_CONFIG = REPO_ROOT / "deploy" / "haproxy.cfg"
ATTACKER, VISITOR = "127.0.0.2", "127.0.0.3"
# Connections beyond one address's share that the test tries to open; maxconn is set to the share
# plus this, so that without the limit one address could take every connection.
EXTRA = 20
LOGIN_ATTEMPTS_PER_ADDRESS = 5
STAFF_USER, STAFF_PASSWORD = "marit", "a long desk password"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def per_address_limits(config: str) -> tuple[int, int]:
    """The connections, and the socket.io connections, one client address may have open at once."""
    connections = re.search(r"tcp-request connection reject if \{ sc0_conn_cur gt (\d+) \}", config)
    socketio = re.search(
        r"http-request deny deny_status 429 if socketio \{ sc_conn_cur\(1\) gt (\d+) \}", config
    )
    assert connections and socketio, "deploy/haproxy.cfg limits no connections per client address"
    return int(connections.group(1)), int(socketio.group(1))


def public_proxy_on_loopback(port: int, desk_port: int, rasa_urls, maxconn: int) -> str:
    """deploy/haproxy.cfg whole, but on 127.0.0.1:``port`` without TLS or Docker's DNS, its servers
    on loopback, not logging, with ``maxconn`` connections in all."""
    config = DEPLOY_CONFIG.read_text(encoding="utf-8")
    config = re.sub(r"^resolvers docker\n(?:[ \t]+.*\n)+", "", config, flags=re.MULTILINE)
    config = config.replace(" resolvers docker", "")
    config = re.sub(r"^[ \t]+log stdout .*\n", "", config, flags=re.MULTILINE)
    config = re.sub(r"^([ \t]+)maxconn \d+$", rf"\g<1>maxconn {maxconn}", config, count=1, flags=re.MULTILINE)
    config = config.replace("    bind :8080\n", f"    bind 127.0.0.1:{port}\n")
    config = re.sub(r"^[ \t]+bind :8443 .*\n", "", config, flags=re.MULTILINE)
    config = re.sub(r"^[ \t]+http-request redirect scheme https .*\n", "", config, flags=re.MULTILINE)
    for index, url in enumerate(rasa_urls, start=1):
        rasa_port = re.search(r":(\d+)/", url).group(1)
        config = config.replace(f"rasa-{index}:5005", f"127.0.0.1:{rasa_port}")
    config = config.replace("server desk desk:8000", f"server desk 127.0.0.1:{desk_port}")
    assert not re.search(r"^[ \t]+server \S+ (?!127\.0\.0\.1:)", config, flags=re.MULTILINE), config
    return config


@dataclass
class PublicProxy:
    port: int
    connections_per_address: int
    socketio_per_address: int
    work: Path


def request_from(
    source: str, port: int, method: str, path: str, body=None, headers=None, timeout: float = 5.0
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request to the proxy from the loopback address ``source``: status, headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def wait_for_proxy(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            if request_from(VISITOR, port, "GET", "/desk/login", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, "haproxy did not come up"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def public_proxy(scaled_out, tmp_path_factory):
    work = tmp_path_factory.mktemp("public-proxy")
    database_url = f"sqlite:///{work / 'desk.db'}"
    upgrade_database(database_url)
    engine = create_engine_for(database_url)
    StaffAccounts(create_session_factory(engine)).add(STAFF_USER, STAFF_PASSWORD)
    engine.dispose()
    env = {
        "ALMERE_DATABASE_URL": database_url,
        "ALMERE_SECRET_KEY": "public-proxy-test-secret",
        "ALMERE_LIVE_CHAT_SECRET": "public-proxy-test-live-chat-secret",
        "ALMERE_PROXY_HOPS": "1",
        "ALMERE_LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS": str(LOGIN_ATTEMPTS_PER_ADDRESS),
        "ALMERE_LOGIN_ATTEMPTS_PER_MINUTE": "100",
    }
    desk = processes.start(processes.desk_server(port=free_port()), env=env, log_dir=work / "logs")
    proxy = None
    try:
        processes.wait_until_ready(desk, timeout=60)
        connections, socketio = per_address_limits(DEPLOY_CONFIG.read_text(encoding="utf-8"))
        port = free_port()
        config = work / "haproxy.cfg"
        desk_port = int(desk.ready_url.split(":")[2].split("/")[0])
        config.write_text(public_proxy_on_loopback(port, desk_port, scaled_out.urls, connections + EXTRA))
        log = work / "haproxy.log"
        with open(log, "wb") as output:
            proxy = subprocess.Popen(
                ["haproxy", "-db", "-f", str(config)], stdout=output, stderr=subprocess.STDOUT
            )
        wait_for_proxy(proxy, port, log)
        yield PublicProxy(port, connections, socketio, work)
    finally:
        if proxy is not None:
            proxy.terminate()
            try:
                proxy.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proxy.kill()
        processes.stop(desk)


def closed_by_peer(sock: socket.socket, wait: float = 0.5) -> bool:
    """Whether the other side has closed ``sock`` (within ``wait`` seconds)."""
    sock.settimeout(wait)
    try:
        return sock.recv(1) == b""
    except (TimeoutError, BlockingIOError):
        return False
    except ConnectionError:
        return True


def open_websocket(source: str, port: int) -> tuple[socket.socket, int]:
    """A socket.io WebSocket through the proxy from ``source``: the socket and the HTTP status."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n" not in head:
        chunk = sock.recv(1024)
        assert chunk, f"closed without an answer: {head!r}"
        head += chunk
    return sock, int(head.split()[1])


def test_one_address_cannot_take_every_connection_of_the_proxy(public_proxy):
    """One address opens more idle connections than its share; maxconn is its share + EXTRA, so
    without the limit the proxy would accept nobody else (GET / from another address timed out)."""
    opened, refused = [], 0
    try:
        for _ in range(public_proxy.connections_per_address + EXTRA):
            try:
                opened.append(
                    socket.create_connection(
                        ("127.0.0.1", public_proxy.port), timeout=5, source_address=(ATTACKER, 0)
                    )
                )
            except ConnectionResetError:  # refused before connect() returned
                refused += 1
        time.sleep(1)  # the proxy has accepted (or refused) every one
        held = [sock for sock in opened if not closed_by_peer(sock, wait=0)]
        refused += len(opened) - len(held)
        assert (len(held), refused) == (public_proxy.connections_per_address, EXTRA)
        started = time.monotonic()
        status, _, page = request_from(VISITOR, public_proxy.port, "GET", "/", timeout=5)
        assert status == 200 and b"widget.js" in page and time.monotonic() - started < 2
        assert not any(closed_by_peer(sock, wait=0) for sock in held)  # the share stays open
    finally:
        for sock in opened:
            sock.close()


def test_one_address_cannot_hold_more_than_its_share_of_websockets(public_proxy):
    limit, sockets = public_proxy.socketio_per_address, []
    try:
        statuses = []
        for _ in range(limit + 5):
            sock, status = open_websocket(ATTACKER, public_proxy.port)
            sockets.append(sock)
            statuses.append(status)
        assert statuses == [101] * limit + [429] * 5
        sock, status = open_websocket(VISITOR, public_proxy.port)
        sockets.append(sock)
        assert status == 101  # another address still chats
        assert request_from(VISITOR, public_proxy.port, "GET", "/")[0] == 200
    finally:
        for sock in sockets:
            sock.close()


def test_idle_websockets_are_closed_soon_and_the_widget_reconnects():
    """An open WebSocket is idle only once its client is gone (socket.io pings every ping_interval
    and waits ping_timeout for the answer): the tunnel timeout is past that, and short; the widget
    leaves socket.io's reconnection on, so a closed connection comes back by itself."""
    import engineio

    defaults = inspect.signature(engineio.AsyncServer.__init__).parameters
    heartbeat = defaults["ping_interval"].default + defaults["ping_timeout"].default
    value, unit = re.search(
        r"^\s*timeout tunnel (\d+)([smh])$", DEPLOY_CONFIG.read_text(), re.MULTILINE
    ).groups()
    tunnel = int(value) * {"s": 1, "m": 60, "h": 3600}[unit]
    assert heartbeat < tunnel <= 120
    chat = (REPO_ROOT / "bot" / "site" / "public" / "static" / "chat.js").read_text(encoding="utf-8")
    [options] = re.findall(r"\bio\(rasaUrl\.origin, (\{[^}]*\})\)", chat)
    assert "reconnection:" not in options.replace(" ", "") or "reconnection:true" in options.replace(" ", "")
    assert "reconnectionAttempts" not in options


def test_slow_bodies_wait_at_the_proxy_and_the_page_is_still_served(public_proxy):
    """More slow bodies than the desk has threads: the proxy holds them (and answers 408 after
    timeout http-request), so the desk never waits for them."""
    request = (
        b"POST /feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10000\r\n\r\n{"
    )
    slow = []
    try:
        for _ in range(THREADS + 4):
            sock = socket.create_connection(
                ("127.0.0.1", public_proxy.port), timeout=5, source_address=(ATTACKER, 0)
            )
            sock.sendall(request)
            slow.append(sock)
        deadline = time.monotonic() + 10 + 3  # timeout http-request, and a margin
        while time.monotonic() < deadline:
            for sock in slow:
                try:
                    sock.sendall(b" ")
                except OSError:
                    pass
            started = time.monotonic()
            assert request_from(VISITOR, public_proxy.port, "GET", "/", timeout=5)[0] == 200
            assert time.monotonic() - started < 2
            time.sleep(1)
        answers = []
        for sock in slow:
            sock.settimeout(2)
            try:
                answers.append(sock.recv(64).split(b"\r\n")[0])
            except OSError as error:
                answers.append(repr(error).encode())
        assert answers == [b"HTTP/1.1 408 Request Time-out"] * len(slow)
    finally:
        for sock in slow:
            sock.close()


def sign_in_from(source: str, port: int, password: str) -> int:
    status, headers, page = request_from(source, port, "GET", "/desk/login")
    assert status == 200
    cookie = headers["Set-Cookie"].split(";")[0]
    token = CSRF.search(page.decode()).group(1)
    form = f"csrf_token={token}&username={STAFF_USER}&password={password.replace(' ', '+')}"
    headers = {
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        # Behind the proxy the desk knows the request came over HTTPS, so its CSRF check also wants
        # the form's own page as Referer, as a browser sends it (Referrer-Policy: same-origin).
        "Referer": f"https://127.0.0.1:{port}/desk/login",
    }
    return request_from(source, port, "POST", "/desk/login", body=form, headers=headers)[0]


def test_the_desk_limits_sign_ins_and_votes_per_client_behind_the_proxy(public_proxy):
    port = public_proxy.port
    statuses = [sign_in_from(ATTACKER, port, "wrong") for _ in range(LOGIN_ATTEMPTS_PER_ADDRESS + 1)]
    assert statuses == [401] * LOGIN_ATTEMPTS_PER_ADDRESS + [429]
    assert sign_in_from(VISITOR, port, STAFF_PASSWORD) == 302  # a colleague elsewhere signs in

    vote = json.dumps({"topic": "housing", "helpful": True})
    headers = {"Content-Type": "application/json"}
    votes = [
        request_from(ATTACKER, port, "POST", "/answer-feedback", body=vote, headers=headers)[0]
        for _ in range(VOTES_PER_MINUTE + 1)
    ]
    assert votes == [201] * VOTES_PER_MINUTE + [429]
    assert request_from(VISITOR, port, "POST", "/answer-feedback", body=vote, headers=headers)[0] == 201
