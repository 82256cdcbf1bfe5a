"""The desk behind a proxy (ALMERE_PROXY_HOPS): the sign-in and vote limits count each client by
the address the proxy forwards, not the proxy's own address; and the limits shared through Redis
(ALMERE_RATE_LIMIT_REDIS_URL) hold across desk processes.

Every request here reaches the app from PROXY, as through deploy/'s HAProxy, which appends the
client's address to X-Forwarded-For (``option forwardfor``).
"""

from __future__ import annotations

import uuid

import pytest
import redis
from desk_helpers import PASSWORD, csrf_token, services_of
from flask import request
from support import require_service

from bot.site.desk.rate_limit import RedisSlidingWindowLimiter, SlidingWindowLimiter
from bot.site.public.answer_votes import VOTES_PER_MINUTE

PROXY = "10.0.0.2"
ATTEMPTS_PER_ADDRESS = 4
REDIS_URL = "redis://127.0.0.1:6379/0"


def through_proxy(client_address: str, forwarded_before: str | None = None) -> dict:
    """What the desk receives from the proxy for a client at ``client_address`` (who may have sent
    an X-Forwarded-For of their own, ``forwarded_before``, which the proxy keeps in front)."""
    chain = client_address if forwarded_before is None else f"{forwarded_before}, {client_address}"
    return {"environ_base": {"REMOTE_ADDR": PROXY}, "headers": {"X-Forwarded-For": chain}}


def sign_in_from(client, address: str, password: str, forwarded_before: str | None = None):
    token = csrf_token(client)
    return client.post(
        "/desk/login",
        data={"username": "jan", "password": password, "csrf_token": token},
        **through_proxy(address, forwarded_before),
    )


def proxied_app(make_app, **environ: str):
    return make_app(
        {
            "ALMERE_PROXY_HOPS": "1",
            "ALMERE_LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS": str(ATTEMPTS_PER_ADDRESS),
            "ALMERE_LOGIN_ATTEMPTS_PER_MINUTE": "100",
            **environ,
        }
    )


def test_wrong_sign_ins_from_one_client_do_not_lock_out_a_colleague_behind_the_proxy(make_app, staff):
    app = proxied_app(make_app)
    attacker, colleague = app.test_client(), app.test_client()
    for _ in range(ATTEMPTS_PER_ADDRESS):
        assert sign_in_from(attacker, "203.0.113.7", "wrong").status_code == 401
    assert sign_in_from(attacker, "203.0.113.7", "wrong").status_code == 429
    assert sign_in_from(attacker, "203.0.113.7", PASSWORD).status_code == 429  # the client waits

    assert sign_in_from(colleague, "198.51.100.20", PASSWORD).status_code == 302


def test_a_client_cannot_escape_its_limit_with_a_forwarding_header_of_its_own(make_app, staff):
    """The proxy appends the address it saw: what the client wrote before it is not believed."""
    client = proxied_app(make_app).test_client()
    for attempt in range(ATTEMPTS_PER_ADDRESS):
        forged = f"192.0.2.{attempt}"
        assert sign_in_from(client, "203.0.113.7", "wrong", forwarded_before=forged).status_code == 401
    assert sign_in_from(client, "203.0.113.7", "wrong", forwarded_before="192.0.2.99").status_code == 429


def test_without_a_proxy_a_forwarding_header_is_ignored(make_app, staff):
    """By default (no proxy configured) the connection's address counts, whatever the headers say."""
    limits = {"ALMERE_LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS": str(ATTEMPTS_PER_ADDRESS)}
    client = make_app({**limits, "ALMERE_LOGIN_ATTEMPTS_PER_MINUTE": "100"}).test_client()
    for attempt in range(ATTEMPTS_PER_ADDRESS):
        assert sign_in_from(client, f"192.0.2.{attempt}", "wrong").status_code == 401
    assert sign_in_from(client, "192.0.2.99", PASSWORD).status_code == 429


def test_one_clients_votes_do_not_use_up_everyones_limit_behind_the_proxy(make_app):
    client = proxied_app(make_app).test_client()
    body = {"topic": "housing", "helpful": True}
    for _ in range(VOTES_PER_MINUTE):
        assert client.post("/answer-feedback", json=body, **through_proxy("203.0.113.7")).status_code == 201
    assert client.post("/answer-feedback", json=body, **through_proxy("203.0.113.7")).status_code == 429
    assert client.post("/answer-feedback", json=body, **through_proxy("198.51.100.20")).status_code == 201


def test_the_desk_sees_the_clients_address_and_https_from_the_proxy(make_app):
    app = proxied_app(make_app)
    seen = []
    app.before_request(lambda: seen.append((request.remote_addr, request.scheme)))
    headers = {"X-Forwarded-For": "192.0.2.1, 203.0.113.7", "X-Forwarded-Proto": "https"}
    assert app.test_client().get("/", environ_base={"REMOTE_ADDR": PROXY}, headers=headers).status_code == 200
    assert seen == [("203.0.113.7", "https")]


# --- The limits shared by several desk processes (Redis) ----------------------------------


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        require_service(False, f"Redis at {REDIS_URL} is unreachable: {error}")
    yield client
    client.close()


@pytest.fixture
def limit_name(redis_client):
    """A limit name of this test only; its keys are removed afterwards."""
    name = f"test-{uuid.uuid4().hex}"
    yield name
    for key in redis_client.scan_iter(match=f"almere:limit:{name}:*", count=100):
        redis_client.delete(key)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_the_redis_limiter_slides_its_window_like_the_memory_one(redis_client, limit_name):
    clock = FakeClock()
    limiter = RedisSlidingWindowLimiter(redis_client, limit_name, 2, window_seconds=60, clock=clock)
    assert limiter.try_acquire("a") and limiter.try_acquire("a")
    assert not limiter.try_acquire("a")
    assert limiter.try_acquire(("jan", "203.0.113.7"))
    assert limiter.retry_after("a") == 60

    clock.now += 59.5
    assert limiter.retry_after("a") == 1 and not limiter.try_acquire("a")
    clock.now += 0.5  # the first attempt left the window
    assert limiter.retry_after("a") == 0 and limiter.try_acquire("a")

    limiter.reset("a")
    assert limiter.try_acquire("a")
    assert all(
        0 < redis_client.pttl(key) <= 60_000 for key in redis_client.scan_iter(f"almere:limit:{limit_name}:*")
    )


def test_two_desk_processes_share_one_limit_through_redis(redis_client, limit_name):
    """Two limiters on the same name, as in two gunicorn workers: one count, not one each."""
    first = RedisSlidingWindowLimiter(redis.Redis.from_url(REDIS_URL), limit_name, 3)
    second = RedisSlidingWindowLimiter(redis.Redis.from_url(REDIS_URL), limit_name, 3)
    assert [first.try_acquire("a"), second.try_acquire("a"), first.try_acquire("a")] == [True] * 3
    assert not second.try_acquire("a") and not first.try_acquire("a")
    assert second.retry_after("a") >= 59


def test_without_redis_each_process_still_limits_on_its_own(limit_name, caplog):
    down = redis.Redis(host="127.0.0.1", port=1, socket_timeout=1, socket_connect_timeout=1)
    limiter = RedisSlidingWindowLimiter(down, limit_name, 2)
    assert limiter.try_acquire("a") and limiter.try_acquire("a")
    assert not limiter.try_acquire("a") and limiter.retry_after("a") >= 59
    limiter.reset("a")
    assert limiter.try_acquire("a")
    assert sum("Redis is unavailable" in r.getMessage() for r in caplog.records) == 1  # once a window


def test_the_desk_keeps_its_limits_in_redis_when_configured(make_app, staff, redis_client):
    """Two desk apps (two worker processes) with ALMERE_RATE_LIMIT_REDIS_URL count one client's
    sign-ins and votes together; without it each keeps its own (the default, one process)."""
    environ = {"ALMERE_RATE_LIMIT_REDIS_URL": REDIS_URL, "ALMERE_DESK_WORKERS": "2"}
    apps = [proxied_app(make_app, **environ) for _ in range(2)]
    address = f"192.0.2.{uuid.uuid4().int % 250}"
    try:
        clients = [app.test_client() for app in apps]
        for attempt in range(ATTEMPTS_PER_ADDRESS):
            assert sign_in_from(clients[attempt % 2], address, "wrong").status_code == 401
        assert [sign_in_from(client, address, "wrong").status_code for client in clients] == [429, 429]

        body = {"topic": "housing", "helpful": True}
        statuses = [
            clients[vote % 2].post("/answer-feedback", json=body, **through_proxy(address)).status_code
            for vote in range(VOTES_PER_MINUTE + 2)
        ]
        assert statuses == [201] * VOTES_PER_MINUTE + [429, 429]
    finally:
        services = services_of(apps[0])
        services.address_limiter.reset(address)
        services.login_limiter.reset(("jan", address))
        services.vote_limiter.reset(address)
    assert isinstance(services_of(proxied_app(make_app)).vote_limiter, SlidingWindowLimiter)
