"""A local, loopback-only copy of the production layout (deploy/docker-compose.yml).

N Rasa servers share one tracker store (``ALMERE_TRACKER_URL``) and, when given, a Redis
lock store; one action server stores tickets in ``ALMERE_DATABASE_URL``. Also the
throw-away PostgreSQL database and Redis database the tests and the load run use.

The servers are bot.launcher.processes': every one listens on 127.0.0.1 only, on a free port.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bot.launcher import processes
from bot.launcher.processes import LOOPBACK, Ports, Stack, assistant_stack, running
from bot.tickets.database import upgrade_database

# Quiet, offline servers unless the caller's environment says otherwise (as the Makefile does).
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "LOG_LEVEL": "WARNING",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}
# Conversation ids the operations tests and load runs use start with this.
SENDER_PREFIX = "ops-"
REDIS_MARKER = "almere-operations:claimed-by"


def redis_lock_store(
    db: int, host: str = LOOPBACK, port: int = 6379, lock_store_type: str = "redis"
) -> dict[str, object]:
    """The ``lock_store`` section of endpoints.yml for Rasa's Redis lock store (or another class
    with the same settings, named by its module path)."""
    return {"type": lock_store_type, "url": host, "port": port, "db": db}


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@contextmanager
def fresh_postgres_database(admin_url: str, prefix: str = "almere_ops") -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped afterwards with its connections."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(
        admin_url, future=True, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield with_database(admin_url, name)
        finally:
            with engine.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()


def _stale_keys_only(client, sender_prefix: str) -> bool:
    """Whether every key left in a database is a Rasa lock of an earlier operations run."""
    keys = list(client.scan_iter(count=100))[:1000]
    return all(key.decode(errors="replace").startswith(f"lock:{sender_prefix}") for key in keys)


@contextmanager
def claimed_redis_db(
    host: str = LOOPBACK,
    port: int = 6379,
    candidates: Sequence[int] = (13, 12, 11, 10, 9, 8, 7, 6),
    sender_prefix: str = SENDER_PREFIX,
) -> Iterator[int]:
    """A Redis database number nobody else uses, flushed before and after.

    A database counts as unused when it is empty (or holds only lock keys of an earlier run of
    these tools); it is claimed with a marker key set only if absent, so two runs at the same
    time do not share one.
    """
    import redis

    token = uuid.uuid4().hex
    chosen: int | None = None
    for db in candidates:
        client = redis.Redis(host=host, port=port, db=db, socket_timeout=5, socket_connect_timeout=5)
        try:
            unused = client.dbsize() == 0 or _stale_keys_only(client, sender_prefix)
            if client.exists(REDIS_MARKER) or not unused:
                continue
            if client.set(REDIS_MARKER, token, nx=True, ex=3600):
                for key in client.scan_iter(count=100):  # flush everything but our marker
                    if key.decode(errors="replace") != REDIS_MARKER:
                        client.delete(key)
                chosen = db
                break
        finally:
            client.close()
    if chosen is None:
        raise RuntimeError(f"no unused Redis database among {list(candidates)} on {host}:{port}")
    client = redis.Redis(host=host, port=port, db=chosen, socket_timeout=5, socket_connect_timeout=5)
    try:
        yield chosen
    finally:
        try:
            if client.get(REDIS_MARKER) == token.encode():
                client.flushdb()
        finally:
            client.close()


POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class LocalStack:
    """A started stack and where its data lives.

    ``database_url`` is the ticket database as the CLI and the checks reach it; the action
    server may reach it another way (``ticket_port``, e.g. through a proxy).
    """

    stack: Stack
    backend: str
    tracker_url: str
    database_url: str
    redis_db: int | None
    live_chat_secret: str

    @property
    def cli_env(self) -> dict[str, str]:
        """Environment for ``almere`` commands on this stack's tickets."""
        return {"ALMERE_DATABASE_URL": self.database_url, "ALMERE_TRACKER_URL": self.tracker_url}

    def describe(self) -> list[str]:
        tracker = "SQLite file" if self.backend == "sqlite" else "PostgreSQL (fresh database)"
        lock = "in-memory lock store"
        if self.redis_db is not None:
            lock = f"Redis lock store (db {self.redis_db})"
        return [
            f"{len(self.stack.rasa)} Rasa server(s) (`rasa run`, REST channel), one action server",
            f"tracker store: {tracker} via bot.rasa.tracker_store.ConfiguredSQLTrackerStore; {lock}",
            "socket.io: "
            + ("Redis message queue shared by the servers" if self.redis_db is not None else "one server"),
            f"tickets: {'SQLite file' if self.database_url.startswith('sqlite') else 'PostgreSQL'}, "
            "migrated with bot.tickets.database.upgrade_database",
        ]


@contextmanager
def local_stack(
    work: Path,
    backend: str = "postgres",
    rasa_servers: int = 2,
    admin_url: str = POSTGRES_ADMIN_URL,
    ticket_port: int | None = None,
    extra_env: dict[str, str] | None = None,
    lock_store_type: str = "redis",
) -> Iterator[LocalStack]:
    """Start a stack on fresh data, stop it and remove the data afterwards.

    ``backend`` "postgres": tracker and tickets in a new PostgreSQL database, a Redis lock store
    on a claimed database. "sqlite": both in SQLite files under ``work``, no Redis (then more
    than one Rasa server would each keep their own locks: refused).
    """
    if backend not in ("postgres", "sqlite"):
        raise ValueError(f"unknown backend {backend!r}")
    if not processes.MODEL.exists():
        raise FileNotFoundError(f"no trained model at {processes.MODEL}: run `make train` first")
    if backend == "sqlite" and rasa_servers != 1:
        raise ValueError("SQLite has no lock store shared between servers: use one Rasa server")
    with ExitStack() as cleanup:
        redis_db: int | None = None
        if backend == "postgres":
            tracker_url = database_url = cleanup.enter_context(fresh_postgres_database(admin_url))
            redis_db = cleanup.enter_context(claimed_redis_db())
            lock_store: dict[str, object] | None = redis_lock_store(redis_db, lock_store_type=lock_store_type)
        else:
            tracker_url = f"sqlite:///{work / 'tracker.db'}"
            database_url = f"sqlite:///{work / 'desk.db'}"
            lock_store = None
        upgrade_database(database_url)
        live_chat_secret = secrets.token_hex(32)
        # As deploy/: with several servers, socket.io's emits go through Redis to every server.
        socketio_queue = (
            {} if redis_db is None else {"ALMERE_SOCKETIO_REDIS_URL": f"redis://{LOOPBACK}:6379/{redis_db}"}
        )
        served_url = database_url
        if ticket_port is not None:
            served_url = make_url(database_url).set(port=ticket_port).render_as_string(hide_password=False)
        env = {
            **{k: v for k, v in QUIET_ENV.items() if k not in os.environ},
            "ALMERE_TRACKER_URL": tracker_url,
            "ALMERE_DATABASE_URL": served_url,
            "ALMERE_LIVE_CHAT_SECRET": live_chat_secret,
            **socketio_queue,
            **(extra_env or {}),
        }
        servers = assistant_stack(
            work,
            Ports.free(rasa_servers),
            env,
            sections=None if lock_store is None else {"lock_store": lock_store},
        )
        # Started together: loading the model is mostly waiting on I/O and imports.
        stack = cleanup.enter_context(running(servers, together=True, timeout=300.0))
        yield LocalStack(stack, backend, tracker_url, database_url, redis_db, live_chat_secret)
