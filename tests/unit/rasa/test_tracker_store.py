"""The SQL tracker store configured from ALMERE_TRACKER_URL keeps conversations."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy.exc
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text
from support import POSTGRES_URL, require_service

from bot.privacy.redaction import REMOVED
from bot.rasa.tracker_store import (
    ConfiguredSQLTrackerStore,
    TrackerStoreUnwritable,
    conversation_memory_problem,
    just_created,
    sql_store_arguments,
)


def test_sqlite_url_becomes_a_file_and_its_folder_is_made(tmp_path):
    path = tmp_path / "new" / "tracker.db"
    assert sql_store_arguments(f"sqlite:///{path}") == {"dialect": "sqlite", "db": str(path)}
    assert path.parent.is_dir()


def test_a_sqlite_url_without_a_file_is_refused():
    with pytest.raises(ValueError, match="needs a file"):
        sql_store_arguments("sqlite://")


def test_postgres_url_is_split_into_rasa_arguments():
    arguments = sql_store_arguments("postgresql://bot:secret@db.internal:5433/rasa")
    assert arguments == {
        "dialect": "postgresql",
        "host": "db.internal",
        "port": 5433,
        "db": "rasa",
        "username": "bot",
        "password": "secret",
        "query": None,
    }


def postgres_available() -> bool:
    try:
        sqlalchemy.create_engine(POSTGRES_URL).connect().close()
        return True
    except sqlalchemy.exc.OperationalError:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
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


async def test_a_new_conversation_is_written_with_its_first_turn_in_one_commit(tracker_url, monkeypatch):
    monkeypatch.setenv("ALMERE_TRACKER_URL", tracker_url)
    domain = Domain.empty()
    store = ConfiguredSQLTrackerStore(domain=domain)
    commits = []
    sqlalchemy.event.listen(store.engine, "commit", lambda _connection: commits.append(1))
    sender = f"test-{uuid.uuid4()}"

    tracker = await store.get_or_create_tracker(sender)  # Rasa saves it as soon as it creates it
    assert await ConfiguredSQLTrackerStore(domain=domain).retrieve(sender) is None
    assert commits == []
    for event in (
        user("How many jobs?", "ask_jobs"),
        ActionExecuted("action_answer_fact"),
        BotUttered("Many."),
    ):
        tracker.update(event)
    await store.save(tracker)

    assert commits == [1]
    reopened = await ConfiguredSQLTrackerStore(domain=domain).retrieve(sender)
    assert reopened is not None
    assert [e.as_dict()["event"] for e in reopened.events] == ["action", "user", "action", "bot"]
    assert reopened.events[0].action_name == "action_listen"


def test_only_a_conversation_never_stored_that_holds_rasas_first_action_listen_alone_waits():
    assert just_created(DialogueStateTracker.from_events("a", [ActionExecuted("action_listen")]))
    assert not just_created(DialogueStateTracker.from_events("b", [ActionExecuted("action_greet")]))
    assert not just_created(
        DialogueStateTracker.from_events("c", [ActionExecuted("action_listen"), user("hi")])
    )
    assert not just_created(DialogueStateTracker.from_events("d", []))


NAME, EMAIL, QUESTION = "Zoltan Kwiatkowski", "zoltan.k@example.org", "Can my cat come to the town hall?"
DOMAIN_YAML = """
version: "3.1"
slots:
  requested_slot: {type: any, influence_conversation: false, mappings: [{type: custom}]}
  unanswered_question: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  handoff_name: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  handoff_contact: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  handoff_question: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  handoff_consent: {type: bool, influence_conversation: false, mappings: [{type: custom}]}
  handoff_reference: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  handoff_forget: {type: bool, influence_conversation: false, mappings: [{type: custom}]}
"""


def user(text_: str, intent: str = "inform", entities=()) -> UserUttered:
    return UserUttered(text_, {"name": intent, "confidence": 0.9}, list(entities))


def handoff_turns(ending: list) -> list:
    """The turns of a handoff (each a list of events, saved one turn at a time)."""
    return [
        [
            ActionExecuted("action_listen"),
            user(QUESTION, "ask_unknown_fact"),
            ActionExecuted("action_decline"),
            BotUttered("I don't know that."),
            SlotSet("unanswered_question", QUESTION),
        ],
        [
            ActionExecuted("action_listen"),
            user("yes please", "affirm"),
            ActionExecuted("action_prepare_handoff"),
            SlotSet("handoff_question", QUESTION),
            ActionExecuted("handoff_form"),
            ActiveLoop("handoff_form"),
            SlotSet("requested_slot", "handoff_name"),
            BotUttered("What is your name?"),
        ],
        [
            ActionExecuted("action_listen"),
            user(NAME),
            ActionExecuted("handoff_form"),
            SlotSet("handoff_name", NAME),
            SlotSet("requested_slot", "handoff_contact"),
            BotUttered("How can the desk reach you?"),
        ],
        [
            ActionExecuted("action_listen"),
            user(
                f"mail me at {EMAIL}", entities=[{"entity": "email", "value": EMAIL, "start": 11, "end": 31}]
            ),
            ActionExecuted("handoff_form"),
            SlotSet("handoff_contact", EMAIL),
            SlotSet("requested_slot", "handoff_question_confirmed"),
            BotUttered(f'Your question: "{QUESTION}". Shall I pass it on like this?'),
        ],
        [
            ActionExecuted("action_listen"),
            user("yes", "affirm"),
            ActionExecuted("handoff_form"),
            SlotSet("requested_slot", "handoff_consent"),
            BotUttered("May we store and share this?"),
        ],
        ending,
    ]


REFUSED = [
    ActionExecuted("action_listen"),
    user("no", "deny"),
    ActionExecuted("handoff_form"),
    SlotSet("handoff_consent", False),
    ActiveLoop(None),
    SlotSet("requested_slot", None),
    ActionExecuted("action_submit_handoff"),
    BotUttered("Understood: I have not stored anything."),
    SlotSet("handoff_name", None),
    SlotSet("handoff_reference", None),
    SlotSet("handoff_forget", True),
]
STOPPED = [
    ActionExecuted("action_listen"),
    user("never mind", "stop"),
    ActionExecuted("action_cancel_handoff"),
    BotUttered("Okay, I've stopped."),
    ActiveLoop(None),
    SlotSet("requested_slot", None),
    SlotSet("handoff_name", None),
    SlotSet("handoff_forget", True),
]
# The ticket database was down: the person consented and is asked to try again later.
NOT_SAVED = [
    ActionExecuted("action_listen"),
    user("yes", "affirm"),
    ActionExecuted("handoff_form"),
    SlotSet("handoff_consent", True),
    ActiveLoop(None),
    SlotSet("requested_slot", None),
    ActionExecuted("action_submit_handoff"),
    BotUttered("I could not save your request."),
    SlotSet("handoff_reference", None),
]
SUBMITTED = [
    ActionExecuted("action_listen"),
    user("yes", "affirm"),
    ActionExecuted("handoff_form"),
    SlotSet("handoff_consent", True),
    ActiveLoop(None),
    SlotSet("requested_slot", None),
    ActionExecuted("action_submit_handoff"),
    BotUttered("Your reference is ALM-000001."),
    SlotSet("handoff_reference", "ALM-000001"),
]


def stored_rows(url: str, sender: str) -> list:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = (
            connection.execute(
                text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            )
            .scalars()
            .all()
        )
    engine.dispose()
    return rows


async def save_turn_by_turn(store, sender: str, turns: list) -> DialogueStateTracker:
    for turn in turns:
        tracker = await store.retrieve(sender) or DialogueStateTracker(sender, store.domain.slots)
        for event in turn:
            tracker.update(event)
        await store.save(tracker)
    return tracker


@pytest.mark.parametrize("ending", [REFUSED, STOPPED], ids=["consent refused", "stopped"])
async def test_a_handoff_that_stored_nothing_leaves_no_personal_data_in_the_tracker(
    tracker_url, monkeypatch, ending
):
    monkeypatch.setenv("ALMERE_TRACKER_URL", tracker_url)
    store = ConfiguredSQLTrackerStore(domain=Domain.from_yaml(DOMAIN_YAML))
    sender = f"test-{uuid.uuid4()}"
    turns = handoff_turns(ending)
    await save_turn_by_turn(store, sender, turns)

    rows = stored_rows(tracker_url, sender)
    assert len(rows) == sum(len(turn) for turn in turns)  # rewritten, not deleted
    everything = "\n".join(rows)
    for secret in (NAME, EMAIL, "Kwiatkowski", "zoltan.k", QUESTION, "cat come"):
        assert secret not in everything
    assert REMOVED in everything

    tracker = await store.retrieve(sender)
    assert tracker.get_slot("unanswered_question") is None and tracker.get_slot("handoff_name") is None
    # The rest of the conversation is kept: what the assistant said and the person's intents.
    assert "What is your name?" in everything and "May we store and share this?" in everything
    await save_turn_by_turn(store, sender, [[ActionExecuted("action_listen"), user("How many jobs?")]])
    assert (await store.retrieve(sender)).latest_message.text == "How many jobs?"


@pytest.mark.parametrize("ending", [SUBMITTED, NOT_SAVED], ids=["stored", "database down, to retry"])
async def test_a_consented_handoff_keeps_the_conversation_as_it_was(tracker_url, monkeypatch, ending):
    monkeypatch.setenv("ALMERE_TRACKER_URL", tracker_url)
    store = ConfiguredSQLTrackerStore(domain=Domain.from_yaml(DOMAIN_YAML))
    sender = f"test-{uuid.uuid4()}"
    await save_turn_by_turn(store, sender, handoff_turns(ending))
    everything = "\n".join(stored_rows(tracker_url, sender))
    assert NAME in everything and EMAIL in everything and REMOVED not in everything


@pytest.mark.postgres
def test_a_database_that_cannot_be_written_stops_the_start(monkeypatch):
    require_service(postgres_available(), f"no PostgreSQL at {POSTGRES_URL}")
    monkeypatch.setenv("ALMERE_TRACKER_URL", POSTGRES_URL)
    ConfiguredSQLTrackerStore(domain=Domain.empty())  # the tables exist
    read_only = POSTGRES_URL + "?options=-c%20default_transaction_read_only%3Don"
    monkeypatch.setenv("ALMERE_TRACKER_URL", read_only)
    with pytest.raises(TrackerStoreUnwritable, match="cannot be written to: .*read-only"):
        ConfiguredSQLTrackerStore(domain=Domain.empty())


async def test_a_failed_write_is_reported_until_the_database_can_be_written_again(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("ALMERE_TRACKER_URL", url)
    store = ConfiguredSQLTrackerStore(domain=Domain.empty())
    assert conversation_memory_problem() is None
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE events RENAME TO events_away"))
    with pytest.raises(sqlalchemy.exc.OperationalError):
        await store.save(DialogueStateTracker.from_events("s", [UserUttered("hello")]))
    assert "no such table" in (conversation_memory_problem() or "")
    assert "no such table" in (conversation_memory_problem() or "")  # probed again: still broken
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE events_away RENAME TO events"))
    engine.dispose()
    assert conversation_memory_problem() is None
