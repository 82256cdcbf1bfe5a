"""The action server's start: a SQLite ticket schema is upgraded, any other must be current."""

from __future__ import annotations

import logging

import pytest
from alembic import command
from sqlalchemy import inspect
from support import free_port

from bot.rasa import action_server
from bot.tickets.database import alembic_config, create_engine_for, ensure_schema_current
from bot.tickets.models import metadata


class Started:
    """Stands in for the Sanic app: records that the server would have started."""

    def __init__(self) -> None:
        self.runs = 0

    def run(self, **_options) -> None:
        self.runs += 1


@pytest.fixture
def started(monkeypatch) -> Started:
    app = Started()
    monkeypatch.setattr(action_server, "create_app", lambda _secret, _actions: app)
    monkeypatch.setenv("ALMERE_ACTION_SERVER_SECRET", "test-secret")
    return app


def start_with(monkeypatch, database_url: str) -> None:
    monkeypatch.setenv("ALMERE_DATABASE_URL", database_url)
    action_server.main(["--port", "0"])


def test_an_empty_sqlite_database_is_upgraded_at_start(tmp_path, monkeypatch, started):
    url = f"sqlite:///{tmp_path / 'var' / 'desk.db'}"
    start_with(monkeypatch, url)
    engine = create_engine_for(url)
    ensure_schema_current(engine)
    assert set(inspect(engine).get_table_names()) >= set(metadata.tables)
    engine.dispose()
    assert started.runs == 1


def test_a_database_behind_is_upgraded_if_sqlite_else_the_server_does_not_start(
    database_url, engine, monkeypatch, started
):
    command.downgrade(alembic_config(database_url), "base")
    if database_url.startswith("sqlite"):
        start_with(monkeypatch, database_url)
        ensure_schema_current(engine)
        assert started.runs == 1
        return
    # Several servers may start at once on a shared database: the deployment migrates it first.
    with pytest.raises(SystemExit, match=r"does not start: .*Run `almere db upgrade` first"):
        start_with(monkeypatch, database_url)
    assert not set(inspect(engine).get_table_names()) & set(metadata.tables)
    assert started.runs == 0


def test_an_unreachable_database_does_not_stop_the_start(monkeypatch, started, caplog):
    with caplog.at_level(logging.WARNING, logger=action_server.__name__):
        start_with(monkeypatch, f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere")
    assert started.runs == 1
    assert "no handoff can be stored" in caplog.text
