"""Migrated ticket databases: SQLite always, PostgreSQL when reachable (required under CI)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from support import TcpProxy, free_port

from bot.tickets import TicketService
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the test server; skipped when unreachable, but a failure under CI."""
    engine = create_engine(POSTGRES_URL, future=True, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        engine.dispose()
        reason = f"PostgreSQL at {POSTGRES_URL} is unreachable: {error.orig}".strip()
        if running_in_ci():
            pytest.fail(f"{reason} (CI is set, so PostgreSQL is required)")
        pytest.skip(reason)
    yield engine
    engine.dispose()


@contextmanager
def fresh_postgres_schema(admin: Engine) -> Iterator[str]:
    """A URL whose search_path is a new, empty schema, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'db' / 'tickets.db'}"
    upgrade_database(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request) -> Iterator[str]:
    """A freshly migrated database of each backend."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    with fresh_postgres_schema(request.getfixturevalue("postgres_admin")) as url:
        upgrade_database(url)
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine_for(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def service(engine: Engine) -> TicketService:
    return TicketService(create_session_factory(engine))


@pytest.fixture
def unreachable_service(engine: Engine, tmp_path) -> Iterator[TicketService]:
    """A service whose database (of the same backend as ``engine``) cannot be reached."""
    if engine.dialect.name == "sqlite":
        directory = tmp_path / "not-a-database"
        directory.mkdir()
        url = f"sqlite:///{directory}"
    else:
        url = f"postgresql://postgres@127.0.0.1:{free_port()}/test"
    down = create_engine_for(url)
    yield TicketService(create_session_factory(down))
    down.dispose()


@dataclass
class Outage:
    """A service whose database can be taken away (begin) and given back (end)."""

    service: TicketService
    begin: Callable[[], None]
    end: Callable[[], None]


@pytest.fixture
def database_outage(engine: Engine) -> Iterator[Outage]:
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        away = path.with_suffix(".away")

        def begin() -> None:
            path.rename(away)
            path.mkdir()  # SQLite cannot open a directory: the database is gone

        def end() -> None:
            path.rmdir()
            away.rename(path)

        yield Outage(TicketService(create_session_factory(engine)), begin, end)
        return

    proxy = TcpProxy(engine.url.host, engine.url.port)
    proxy.start()
    proxied = create_engine_for(
        engine.url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    )
    try:
        yield Outage(TicketService(create_session_factory(proxied)), proxy.stop, proxy.start)
    finally:
        proxied.dispose()
        proxy.stop()
