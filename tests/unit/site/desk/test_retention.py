"""Retention: `almere tickets purge --older-than 90d` deletes old resolved tickets and conversations."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import click
import pytest
from click.testing import CliRunner
from desk_helpers import make_ticket
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from bot.privacy.retention import delete_conversations, parse_age
from bot.rasa.tracker_store import ConfiguredSQLTrackerStore
from bot.tickets import TicketService
from bot.tickets.cli import tickets_group
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.live_chat_tickets import LiveChatService


@pytest.mark.parametrize(
    "text, age",
    [
        ("90d", timedelta(days=90)),
        ("12w", timedelta(weeks=12)),
        ("36h", timedelta(hours=36)),
        (" 7D ", timedelta(days=7)),
    ],
)
def test_ages(text, age):
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["90", "0d", "-5d", "ninety days", "3m", ""])
def test_bad_ages_are_refused(text):
    with pytest.raises(ValueError):
        parse_age(text)


@pytest.fixture
def service(database_url):
    engine = create_engine_for(database_url)
    yield TicketService(create_session_factory(engine))
    engine.dispose()


def age_ticket(database_url: str, reference: str, days: int) -> None:
    engine = create_engine_for(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE tickets SET updated_at = :when WHERE reference = :ref"),
            {"when": datetime.now(timezone.utc) - timedelta(days=days), "ref": reference},
        )
    engine.dispose()


async def store_conversation(tracker_url: str, sender: str, monkeypatch) -> None:
    monkeypatch.setenv("ALMERE_TRACKER_URL", tracker_url)
    store = ConfiguredSQLTrackerStore(domain=Domain.empty())
    await store.save(DialogueStateTracker.from_events(sender, [UserUttered("my question")]))


async def test_purge_deletes_only_old_resolved_tickets_and_their_conversations(
    service, database_url, tmp_path, monkeypatch
):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    old_resolved = make_ticket(service, "conv-old")
    service.resolve(old_resolved, "anna")
    age_ticket(database_url, old_resolved, days=100)
    recent_resolved = make_ticket(service, "conv-recent")
    service.resolve(recent_resolved, "anna")
    old_open = make_ticket(service, "conv-open")
    age_ticket(database_url, old_open, days=100)
    for sender in ("conv-old", "conv-recent", "conv-open"):
        await store_conversation(tracker_url, sender, monkeypatch)

    group = click.Group("almere")
    group.add_command(tickets_group)
    env = {"ALMERE_DATABASE_URL": database_url, "ALMERE_TRACKER_URL": tracker_url}
    result = CliRunner().invoke(group, ["tickets", "purge", "--older-than", "90d"], env=env)

    assert result.exit_code == 0, result.output
    assert "Deleted 1 resolved ticket(s)" in result.output
    assert {t.reference for t in service.list()} == {recent_resolved, old_open}
    store = ConfiguredSQLTrackerStore(domain=Domain.empty())
    assert await store.retrieve("conv-old") is None
    assert await store.retrieve("conv-recent") is not None


def test_purge_refuses_a_bad_age(database_url):
    group = click.Group("almere")
    group.add_command(tickets_group)
    result = CliRunner().invoke(
        group, ["tickets", "purge", "--older-than", "soon"], env={"ALMERE_DATABASE_URL": database_url}
    )
    assert result.exit_code == 2 and "90d" in result.output


def test_deleting_conversations_from_an_empty_tracker_store(tmp_path):
    assert delete_conversations(f"sqlite:///{tmp_path / 'none.db'}", ["x"]) == 0
    assert delete_conversations(f"sqlite:///{tmp_path / 'none.db'}", []) == 0


def age_conversation(tracker_url: str, sender: str, days: int) -> None:
    engine = create_engine_for(tracker_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE events SET timestamp = :when WHERE sender_id = :sender"),
            {"when": (datetime.now(timezone.utc) - timedelta(days=days)).timestamp(), "sender": sender},
        )
    engine.dispose()


async def test_purge_deletes_idle_conversations_without_a_ticket(
    service, database_url, tmp_path, monkeypatch
):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    make_ticket(service, "conv-open")
    for sender in ("conv-open", "conv-idle", "conv-active"):
        await store_conversation(tracker_url, sender, monkeypatch)
    for sender in ("conv-open", "conv-idle"):
        age_conversation(tracker_url, sender, days=31)
    age_conversation(tracker_url, "conv-active", days=29)

    group = click.Group("almere")
    group.add_command(tickets_group)
    env = {"ALMERE_DATABASE_URL": database_url, "ALMERE_TRACKER_URL": tracker_url}
    result = CliRunner().invoke(group, ["tickets", "purge", "--older-than", "90d"], env=env)

    assert result.exit_code == 0, result.output
    assert "Deleted 1 event(s) of conversations without a ticket, idle for more than 30 days" in result.output
    store = ConfiguredSQLTrackerStore(domain=Domain.empty())
    assert await store.retrieve("conv-idle") is None
    assert await store.retrieve("conv-open") is not None  # its ticket is open
    assert await store.retrieve("conv-active") is not None

    env["ALMERE_CONVERSATION_RETENTION_DAYS"] = "7"
    result = CliRunner().invoke(group, ["tickets", "purge", "--older-than", "90d"], env=env)
    assert "idle for more than 7 days" in result.output
    assert await store.retrieve("conv-active") is None


async def test_purge_deletes_missed_live_chats_left_without_contact_details(
    service, database_url, tmp_path, monkeypatch
):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    live = LiveChatService(service._session_factory)
    chats = {
        conversation: live.request(
            conversation, "socketio", desk="international", question=None, topic=None, transcript=[]
        )
        for conversation in ("conv-abandoned", "conv-young", "conv-details")
    }
    for chat in chats.values():
        live.expire(chat.reference)
    make_ticket(service, "conv-details")  # the form after the missed chat completed its ticket
    for conversation, chat in chats.items():
        await store_conversation(tracker_url, conversation, monkeypatch)
        age_ticket(database_url, chat.reference, days=10 if conversation == "conv-young" else 31)

    group = click.Group("almere")
    group.add_command(tickets_group)
    env = {"ALMERE_DATABASE_URL": database_url, "ALMERE_TRACKER_URL": tracker_url}
    result = CliRunner().invoke(group, ["tickets", "purge", "--older-than", "90d"], env=env)

    assert result.exit_code == 0, result.output
    assert "Deleted 1 unanswered live chat(s) without contact details." in result.output
    assert {t.reference for t in service.list()} == {
        chats["conv-young"].reference,
        chats["conv-details"].reference,
    }
    store = ConfiguredSQLTrackerStore(domain=Domain.empty())
    assert await store.retrieve("conv-abandoned") is None
    assert await store.retrieve("conv-young") is not None

    # A shorter --older-than than the conversations' retention applies to them as well.
    result = CliRunner().invoke(group, ["tickets", "purge", "--older-than", "7d"], env=env)
    assert "Deleted 1 unanswered live chat(s)" in result.output
    assert {t.reference for t in service.list()} == {chats["conv-details"].reference}
