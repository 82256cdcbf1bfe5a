"""The SQL tracker store configured from ALMERE_TRACKER_URL keeps conversations."""

from __future__ import annotations

import uuid

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from support import POSTGRES_URL, require_service

from bot.tracker_store import ConfiguredSQLTrackerStore, sql_store_arguments


def test_sqlite_url_becomes_a_file_and_its_folder_is_made(tmp_path):
    path = tmp_path / "new" / "tracker.db"
    assert sql_store_arguments(f"sqlite:///{path}") == {"dialect": "sqlite", "db": str(path)}
    assert path.parent.is_dir()


def test_a_sqlite_url_without_a_file_is_refused():
    with pytest.raises(ValueError, match="needs a file"):
        sql_store_arguments("sqlite://")


def test_postgres_url_is_split_into_rasa_arguments():
    arguments = sql_store_arguments("postgresql://bot:secret@db.internal:5433/rasa")
    assert arguments == {"dialect": "postgresql", "host": "db.internal", "port": 5433, "db": "rasa",
                         "username": "bot", "password": "secret", "query": None}


def postgres_available() -> bool:
    import sqlalchemy.exc

    try:
        sqlalchemy.create_engine(POSTGRES_URL).connect().close()
        return True
    except sqlalchemy.exc.OperationalError:
        return False


@pytest.fixture(params=["sqlite", "postgres"])
def tracker_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    require_service(postgres_available(), f"no PostgreSQL at {POSTGRES_URL}")
    return POSTGRES_URL


async def test_a_conversation_survives_a_new_store(tracker_url, monkeypatch):
    monkeypatch.setenv("ALMERE_TRACKER_URL", tracker_url)
    domain = Domain.empty()
    sender = f"test-{uuid.uuid4()}"
    tracker = DialogueStateTracker.from_events(sender, [UserUttered("How many jobs?")])
    await ConfiguredSQLTrackerStore(domain=domain).save(tracker)

    reopened = await ConfiguredSQLTrackerStore(domain=domain).retrieve(sender)
    assert reopened is not None
    assert reopened.latest_message.text == "How many jobs?"
