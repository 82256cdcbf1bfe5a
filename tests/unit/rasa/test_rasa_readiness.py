"""The Rasa server's readiness probe (GET /webhooks/rest/ready): ready only when the model is loaded
and the conversation database can be written, whatever the last turn did."""

from __future__ import annotations

import json
import weakref
from types import SimpleNamespace

import pytest
from rasa.shared.core.domain import Domain
from sqlalchemy import create_engine, text

from bot.rasa import tracker_store
from bot.rasa.rest_channel import CheckedRestInput
from bot.rasa.tracker_store import ConfiguredSQLTrackerStore

NOT_LOADED = (503, {"status": "unavailable", "model": "not loaded"})
CANNOT_SAVE = (503, {"status": "unavailable", "conversations": "cannot be saved"})
READY = (200, {"status": "ready"})


class Agent:
    def __init__(self, ready: bool) -> None:
        self.ready = ready

    def is_ready(self) -> bool:
        return self.ready


async def ready(agent: Agent | None) -> tuple:
    async def on_new_message(message):
        raise AssertionError("the probe takes no turn")

    blueprint = CheckedRestInput().blueprint(on_new_message)
    [route] = [r for r in blueprint._future_routes if r.uri == "/ready" and "GET" in r.methods]
    ctx = SimpleNamespace() if agent is None else SimpleNamespace(agent=agent)
    result = await route.handler(SimpleNamespace(app=SimpleNamespace(ctx=ctx)))
    return result.status, json.loads(result.body)


@pytest.fixture
def database(tmp_path, monkeypatch):
    """A conversation database in a fresh SQLite file, the only store this process knows, and a way
    to take its events table away and give it back."""
    monkeypatch.setattr(tracker_store, "_STORES", weakref.WeakSet())
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("ALMERE_TRACKER_URL", url)
    store = ConfiguredSQLTrackerStore(domain=Domain.empty())
    engine = create_engine(url)

    def rename(old: str, new: str) -> None:
        with engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))

    yield SimpleNamespace(store=store, rename=rename)
    engine.dispose()


async def test_not_ready_before_the_model_is_loaded(database):
    assert await ready(None) == NOT_LOADED
    assert await ready(Agent(ready=False)) == NOT_LOADED
    assert await ready(Agent(ready=True)) == READY


async def test_not_ready_while_the_conversation_database_cannot_be_written(database):
    database.rename("events", "events_away")
    # No turn has failed yet (the store's last write succeeded): the probe itself finds out.
    assert database.store.write_problem is None
    assert await ready(Agent(ready=True)) == CANNOT_SAVE
    database.rename("events_away", "events")
    assert await ready(Agent(ready=True)) == READY
