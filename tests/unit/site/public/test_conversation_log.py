"""The log a widget shows when it continues a conversation on another subdomain
(bot/site/public/conversation_log.py), read from a tracker database written by Rasa's own SQL
tracker store; no Flask."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from insights_events import DOMAIN, answered, live_chat_joined, save_conversation
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from support import figure

from bot.privacy.redaction import REMOVED, redact_handoff
from bot.site.public.conversation_log import (
    MAX_MESSAGES,
    ConversationLog,
    LogUnavailable,
    NoConversation,
    session_lifetime,
)

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
LIFETIME = timedelta(minutes=60)
JOBS = [{"title": "Jobs in Almere", "payload": "/ask_jobs"}]
JOBS_ANSWER = f"Almere has about {figure('jobs')} jobs."
OFFER = [{"title": "Yes, please", "payload": "/affirm"}, {"title": "No, thanks", "payload": "/deny"}]


def log_at(tracker_path, when: datetime) -> ConversationLog:
    return ConversationLog(f"sqlite:///{tracker_path}", LIFETIME, clock=lambda: when)


@pytest.fixture
def tracker_path(tmp_path):
    path = tmp_path / "tracker.db"
    save_conversation(
        path,
        "person",
        START,
        [UserUttered("/ask_jobs", {"name": "ask_jobs"}), ActionExecuted("action_answer_topic")],
        [
            BotUttered(f"{JOBS_ANSWER}\n\nMany are in logistics.", data={"buttons": OFFER}),
            UserUttered("/affirm", {"name": "affirm"}),
        ],
        live_chat_joined(),
        [
            UserUttered("Is the ferry running?", {"name": "out_of_scope"}),
            BotUttered("Let me check.", metadata={"almere_staff": "jan.devries", "staff_name": "Jan"}),
        ],
    )
    save_conversation(path, "someone-else", START, answered("What about housing for me alone?", "housing"))
    return path


def test_the_log_is_what_the_widget_showed_in_order(tracker_path):
    messages = log_at(tracker_path, START + timedelta(minutes=10)).messages(
        "person", {"/ask_jobs": "Jobs in Almere"}
    )
    assert [(m["role"], m["text"]) for m in messages] == [
        ("user", "Jobs in Almere"),  # the widget's own button: its title, not its payload
        ("bot", JOBS_ANSWER),  # cut where the socket.io channel cuts it
        ("bot", "Many are in logistics."),
        ("user", "Yes, please"),  # a button of the assistant: its title
        ("bot", "Jan from the desk has joined the chat."),
        ("user", "Is the ferry running?"),
        ("staff", "Let me check."),
    ]
    assert messages[1]["buttons"] == [] and messages[2]["buttons"] == OFFER  # on the last part
    assert messages[-1]["name"] == "Jan" and "jan.devries" not in str(messages)  # not their username
    assert datetime.fromisoformat(messages[0]["time"]) >= START
    assert "housing" not in str(messages)  # nothing of another conversation


def test_a_payload_whose_title_is_not_known_is_left_out(tracker_path):
    messages = log_at(tracker_path, START + timedelta(minutes=10)).messages("person")
    assert messages[0]["text"] == JOBS_ANSWER
    assert [m["text"] for m in messages if m["role"] == "user"] == ["Yes, please", "Is the ferry running?"]


def test_only_the_last_messages_are_given(tmp_path):
    path = tmp_path / "tracker.db"
    turns = [answered(f"Question number {n}?", "jobs") for n in range(MAX_MESSAGES)]
    save_conversation(path, "long", START, *turns)
    messages = log_at(path, START + timedelta(minutes=MAX_MESSAGES)).messages("long")
    assert len(messages) == MAX_MESSAGES
    assert (
        messages[-1]["text"] == "About jobs: ..."
        and messages[-2]["text"] == f"Question number {MAX_MESSAGES - 1}?"
    )
    assert log_at(path, START + timedelta(minutes=MAX_MESSAGES)).messages("long", limit=3)[0]["role"] == "bot"


def test_an_expired_or_unknown_conversation_is_not_given(tracker_path):
    # The last event is the fourth turn's, three minutes after the start.
    assert log_at(tracker_path, START + timedelta(minutes=3) + LIFETIME - timedelta(seconds=1)).messages(
        "person"
    )
    with pytest.raises(NoConversation):
        log_at(tracker_path, START + timedelta(minutes=4) + LIFETIME).messages("person")
    with pytest.raises(NoConversation):
        log_at(tracker_path, START).messages("0123456789abcdef0123456789abcdef")


def test_no_tracker_database_yet_is_no_conversation(tmp_path):
    with pytest.raises(NoConversation):
        log_at(tmp_path / "missing.db", START).messages("person")
    assert not (tmp_path / "missing.db").exists()


def test_an_unreadable_database_is_said_so(tmp_path):
    broken = tmp_path / "tracker.db"
    broken.write_text("not a database")
    with pytest.raises(LogUnavailable):
        log_at(broken, START).messages("person")


def save_redacted(path, sender: str, events: list[Event]) -> None:
    """Store ``events`` as the project's tracker store does after a handoff that stored nothing."""
    for index, event in enumerate(events):
        event.timestamp = START.timestamp() + index
    redacted = [Event.from_parameters(event) for event in redact_handoff([e.as_dict() for e in events])]
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, redacted, slots=DOMAIN.slots)))
    store.engine.dispose()


def test_text_that_redaction_removed_does_not_come_back(tmp_path):
    path = tmp_path / "tracker.db"
    events: list[Event] = [
        UserUttered("Can my cat come along?", {"name": "out_of_scope"}),
        SlotSet("unanswered_question", "Can my cat come along?"),
        BotUttered("I'm sorry, I don't know that."),
        SlotSet("requested_slot", "handoff_name"),
        BotUttered("What is your name?"),
        UserUttered("Ana Silva", {"name": "inform"}),
        SlotSet("requested_slot", "handoff_contact"),
        BotUttered("Thank you, Ana Silva. How can a colleague reach you?"),
        UserUttered("ana@example.org", {"name": "inform"}),
        SlotSet("requested_slot", None),
        BotUttered("Your question: Can my cat come along?"),
        UserUttered("/deny", {"name": "deny"}),
        BotUttered("Understood: nothing was stored."),
    ]
    save_redacted(path, "forgotten", events)
    messages = log_at(path, START + timedelta(minutes=1)).messages("forgotten")
    shown = " ".join(m["text"] for m in messages)
    for personal in ("Ana Silva", "ana@example.org", "cat", REMOVED):
        assert personal not in shown
    assert [m["text"] for m in messages] == [
        "I'm sorry, I don't know that.",
        "What is your name?",
        "Understood: nothing was stored.",
    ]


def test_the_session_lifetime_is_the_domains(tmp_path):
    domain = tmp_path / "domain.yml"
    domain.write_text("session_config:\n  session_expiration_time: 15\n")
    assert session_lifetime(domain) == timedelta(minutes=15)
    domain.write_text("session_config:\n  session_expiration_time: 0\n")  # never: Rasa's default then
    assert session_lifetime(domain) == timedelta(minutes=60)
