"""Engines, sessions and schema migrations of the ticket database.

A process has one engine (one connection pool) and one session factory per database:
:func:`engine_for` and :func:`sessions_for` make them on first use and hand out the same ones after.
They belong to the process that made them: a forked child (a gunicorn worker) makes its own, and
never uses the connections its parent opened.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import REPO_ROOT
from bot.tickets.errors import TicketStoreUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

ALEMBIC_INI = REPO_ROOT / "alembic.ini"
SQLITE_BUSY_TIMEOUT_SECONDS = 30


class SchemaNotCurrent(RuntimeError):
    """The database is not migrated to the revision this code expects."""


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine_for(url: str) -> Engine:
    """An engine for ``url``; for SQLite the file's folder is created if missing."""
    parsed = make_url(url)
    options: dict = {"future": True, "pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    engine = create_engine(url, **options)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose loaded objects stay readable after commit."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


class _ProcessEngines:
    """This process's engines by name (a URL, or what else tells two engines of one database apart)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._engines: dict[str, Engine] = {}
        self._sessions: dict[str, sessionmaker[Session]] = {}

    def _forget_parents(self) -> None:
        """In a forked child: drop the parent's engines without closing its connections (which
        the parent still uses), so that the child opens its own."""
        if self._pid != os.getpid():
            for engine in self._engines.values():
                engine.dispose(close=False)
            self._pid, self._engines, self._sessions = os.getpid(), {}, {}

    def engine(self, name: str, build: Callable[[], Engine]) -> Engine:
        with self._lock:
            self._forget_parents()
            if name not in self._engines:
                self._engines[name] = build()
            return self._engines[name]

    def sessions(self, url: str) -> sessionmaker[Session]:
        engine = engine_for(url)
        with self._lock:
            if url not in self._sessions:
                self._sessions[url] = create_session_factory(engine)
            return self._sessions[url]

    def dispose(self) -> None:
        with self._lock:
            self._forget_parents()
            for engine in self._engines.values():
                engine.dispose()
            self._engines, self._sessions = {}, {}


_PROCESS_ENGINES = _ProcessEngines()


def shared_engine(name: str, build: Callable[[], Engine]) -> Engine:
    """This process's engine called ``name``, built by ``build`` the first time it is asked for."""
    return _PROCESS_ENGINES.engine(name, build)


def engine_for(url: str) -> Engine:
    """This process's engine for the database at ``url`` (:func:`create_engine_for`, made once)."""
    return shared_engine(url, lambda: create_engine_for(url))


def sessions_for(url: str) -> sessionmaker[Session]:
    """This process's session factory for the database at ``url``, on :func:`engine_for`'s engine."""
    return _PROCESS_ENGINES.sessions(url)


def dispose_engines() -> None:
    """Close this process's engines and forget them (at the end of a test; the next use makes new ones)."""
    _PROCESS_ENGINES.dispose()


def alembic_config(url: str) -> Config:
    """Alembic configuration for the database at ``url``."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = url
    config.attributes["configure_logging"] = False
    return config


def upgrade_database(url: str) -> None:
    """Run all migrations on the database at ``url`` (``alembic upgrade head``)."""
    command.upgrade(alembic_config(url), "head")


def current_revision(engine: Engine) -> str | None:
    """The migration revision the database is at, or None if never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest migration revision shipped with this code."""
    return ScriptDirectory.from_config(Config(str(ALEMBIC_INI))).get_current_head()


def ensure_schema_current(engine: Engine) -> None:
    """Raise :class:`SchemaNotCurrent` unless the database is at the newest revision."""
    found, expected = current_revision(engine), head_revision()
    if found != expected:
        raise SchemaNotCurrent(
            f"The ticket database is at revision {found or 'none'}, this code expects "
            f"{expected}. Run `almere db upgrade` first."
        )


def prepare_schema(url: str) -> None:
    """At a server's start: upgrade a SQLite database to the newest revision, check any other.

    A SQLite file belongs to one machine (``make run``, ``python -m bot.rasa.action_server``), where
    upgrading at start is what one expects. A PostgreSQL database is shared by servers that start
    at the same time, so a deployment migrates it once before them (``almere db upgrade``, the
    ``migrate`` service of deploy/docker-compose.yml); behind, it raises :class:`SchemaNotCurrent`,
    whose message says to run that.
    """
    if make_url(url).get_backend_name() == "sqlite":
        upgrade_database(url)
        return
    engine = engine_for(url)
    try:
        ensure_schema_current(engine)
    finally:
        engine.dispose()  # the server's own processes (forked or not) open their connections afresh


def in_transaction(session_factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction; IntegrityError is left to the caller, every other database
    error becomes :class:`TicketStoreUnavailable` (rolled back)."""
    try:
        with session_factory() as session, session.begin():
            return work(session)
    except IntegrityError:
        raise
    except SQLAlchemyError as error:
        logger.warning("Ticket database unavailable: %s", error)
        raise TicketStoreUnavailable("The ticket database is unavailable.") from error


def guarded(session_factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """:func:`in_transaction`, with an IntegrityError too becoming TicketStoreUnavailable."""
    try:
        return in_transaction(session_factory, work)
    except IntegrityError as error:
        raise TicketStoreUnavailable("The ticket could not be saved.") from error
