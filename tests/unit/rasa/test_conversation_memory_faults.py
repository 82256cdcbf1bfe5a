"""A conversation database that cannot be written: the person is told and the
health check shows it, instead of Rasa silently keeping each turn in memory only."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text
from support import desk_phone

from bot.config import Settings
from bot.rasa.rest_channel import CheckedRestInput
from bot.rasa.tracker_store import ConfiguredSQLTrackerStore
from bot.rasa.turn import take_turn, trouble_reply

SETTINGS = replace(Settings(), reply_timeout_seconds=2)


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("ALMERE_TRACKER_URL", url)
    store = ConfiguredSQLTrackerStore(domain=Domain.empty())
    engine = create_engine(url)

    def writable(yes: bool) -> None:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "ALTER TABLE events RENAME TO events_away"
                    if not yes
                    else "ALTER TABLE events_away RENAME TO events"
                )
            )

    store.writable = writable
    yield store
    engine.dispose()


def rasa(store):
    """Like Rasa: answer, then save the tracker; a failed save is swallowed (FailSafeTrackerStore)."""

    async def handle(message):
        await message.output_channel.send_response(message.sender_id, {"text": f"echo {message.text}"})
        try:
            await store.save(DialogueStateTracker.from_events(message.sender_id, [UserUttered(message.text)]))
        except Exception:
            pass

    return handle


async def turn(handler, message="How many jobs?"):
    output = CollectingOutputChannel()
    await take_turn(handler, output, message, "tester", "rest", SETTINGS)
    return [m["text"] for m in output.messages]


async def health() -> tuple:
    blueprint = CheckedRestInput().blueprint(rasa(None))
    [route] = [r for r in blueprint._future_routes if r.uri == "/" and "GET" in r.methods]
    result = await route.handler(None)
    return result.status, json.loads(result.body)


async def test_a_turn_that_could_not_be_saved_is_followed_by_the_trouble_reply(store):
    assert await turn(rasa(store)) == ["echo How many jobs?"]
    assert await health() == (200, {"status": "ok"})

    store.writable(False)
    assert await turn(rasa(store)) == ["echo How many jobs?", trouble_reply()]
    assert await health() == (503, {"status": "unavailable", "conversations": "cannot be saved"})

    async def must_not_run(message):
        raise AssertionError("no turn while conversations cannot be saved")

    assert await turn(must_not_run) == [trouble_reply()]
    assert desk_phone() in trouble_reply()

    store.writable(True)
    assert await turn(rasa(store)) == ["echo How many jobs?"]
    assert await health() == (200, {"status": "ok"})
