"""Rasa sees a window of a conversation's last turns (bot/rasa/conversation_window.py): it decides as
it would on the whole conversation, the database keeps every event, and the handoff gets them all."""

from __future__ import annotations

import uuid

import pytest
import yaml
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from test_tracker_store import save_turn_by_turn, stored_rows

from bot.config import REPO_ROOT
from bot.rasa.conversation_window import (
    KEEP_TURNS,
    MAX_RULE_TURNS,
    WindowCache,
    _turn_starts,
    stored_part,
    whole_conversation,
    window,
)
from bot.rasa.tracker_store import ConfiguredSQLTrackerStore

TOPICS = ["ask_population", "ask_jobs", "ask_schiphol", "ask_history"]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


def user(text: str, intent: str) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.95})


def topic_turn(number: int) -> list:
    """One question and its answer, as Rasa records them."""
    intent = TOPICS[number % len(TOPICS)]
    return [
        ActionExecuted("action_listen"),
        user(f"question {number}", intent),
        ActionExecuted("action_answer_topic"),
        BotUttered(f"answer {number}"),
        # Set in the first turn only: the window must carry it over from before its start.
        *([SlotSet("handoff_desk", "business")] if number == 0 else []),
    ]


def offer_turn(number: int) -> list:
    """A question the assistant cannot answer: the decline offers a colleague."""
    return [
        ActionExecuted("action_listen"),
        user(f"unknown question {number}", "out_of_scope"),
        ActionExecuted("action_decline"),
        BotUttered("I don't know that. Shall I pass it on to a colleague?"),
        SlotSet("handoff_offered", True),
        SlotSet("unanswered_question", f"unknown question {number}"),
    ]


def form_turn(number: int) -> list:
    """The person accepts: the handoff form starts and asks for a name."""
    return [
        ActionExecuted("action_listen"),
        user("yes", "affirm"),
        ActionExecuted("action_prepare_handoff"),
        SlotSet("handoff_offered", False),
        ActionExecuted("handoff_form"),
        ActiveLoop("handoff_form"),
        SlotSet("requested_slot", "handoff_name"),
        BotUttered("What is your name?"),
    ]


def conversation(turns: int, ending=()) -> list:
    events = [ActionExecuted("action_session_start"), *[e for n in range(turns) for e in topic_turn(n)]]
    for make in ending:
        events += make(turns)
    return events + [ActionExecuted("action_listen")]


ENDINGS = pytest.mark.parametrize(
    "ending", [(), (offer_turn,), (offer_turn, form_turn)], ids=["topics", "offer", "form"]
)


def tracker_of(events: list, domain: Domain) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("person", events, domain.slots)


def test_a_short_conversation_is_handed_out_whole(domain):
    tracker = tracker_of(conversation(2 * KEEP_TURNS - 2), domain)
    assert window(tracker, domain.slots) is tracker


@pytest.mark.parametrize(
    "ending", [(), (offer_turn,), (offer_turn, form_turn)], ids=["topics", "offer", "form"]
)
def test_a_long_conversation_is_cut_to_its_last_turns_with_the_slots_and_loop_it_had(domain, ending):
    whole = tracker_of(conversation(3 * KEEP_TURNS, ending), domain)
    cut = window(whole, domain.slots)

    assert len(_turn_starts(list(cut.events))) == KEEP_TURNS
    assert len(cut.events) < len(whole.events) / 2
    assert cut.current_slot_values() == whole.current_slot_values()
    assert cut.active_loop_name == whole.active_loop_name
    assert cut.latest_message.text == whole.latest_message.text
    assert cut.latest_action_name == whole.latest_action_name


@pytest.mark.parametrize(
    "ending", [(), (offer_turn,), (offer_turn, form_turn)], ids=["topics", "offer", "form"]
)
def test_the_rules_see_the_same_last_turns_in_the_window_as_in_the_whole_conversation(domain, ending):
    """The rule policy matches a rule against the conversation's last states; the window must give
    the same states for more turns than the longest rule has."""
    whole = tracker_of(conversation(3 * KEEP_TURNS, ending), domain)
    cut = window(whole, domain.slots)
    whole_states, cut_states = whole.past_states(domain), cut.past_states(domain)
    compared = 2 * (MAX_RULE_TURNS + 1)  # states per turn: the user's, then the action's
    assert len(cut_states) > compared
    assert cut_states[-compared:] == whole_states[-compared:]


def user_steps(rule: dict) -> int:
    return sum(1 for step in rule.get("steps", []) if "intent" in step or "or" in step or "user" in step)


def test_no_rule_is_longer_than_the_window_is_proven_for():
    rules = yaml.safe_load((REPO_ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    assert rules and max(user_steps(rule) for rule in rules) <= MAX_RULE_TURNS < KEEP_TURNS
    assert not [rule["rule"] for rule in rules if rule.get("conversation_start")], (
        "a conversation_start rule looks at the conversation's first turn, which a window does not hold"
    )


def test_the_cache_hands_a_window_out_once_and_forgets_idle_and_old_ones(domain):
    now = [0.0]
    cache = WindowCache(size=2, idle_seconds=60, clock=lambda: now[0])
    first, second, third = (DialogueStateTracker(name, domain.slots) for name in ("a", "b", "c"))
    cache.put(first, 1)
    assert cache.take("a") == (first, 1)
    assert cache.take("a") is None  # taken: a turn that fails before saving leaves nothing behind

    cache.put(first, 1)
    cache.put(second, 2)
    cache.put(third, 3)
    assert len(cache) == 2 and cache.take("a") is None  # the least recently used went first

    now[0] = 61
    assert cache.take("b") is None  # idle too long


@pytest.fixture
def store(tmp_path, monkeypatch, domain):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("ALMERE_TRACKER_URL", url)
    store = ConfiguredSQLTrackerStore(domain=domain)
    store.url = url
    return store


def turns(count: int, first: int = 0) -> list:
    return [topic_turn(number) for number in range(first, first + count)]


async def test_a_long_conversation_is_served_from_a_window_and_stored_whole(store):
    sender = f"test-{uuid.uuid4()}"
    saved = turns(3 * KEEP_TURNS)
    await save_turn_by_turn(store, sender, saved)

    rows = stored_rows(store.url, sender)
    assert len(rows) == sum(len(turn) for turn in saved)
    tracker = await store.retrieve(sender)
    assert stored_part(tracker).cut and len(tracker.events) < len(rows) / 2
    assert tracker.latest_message.text == f"question {3 * KEEP_TURNS - 1}"
    assert tracker.get_slot("handoff_desk") == "business"
    assert [event["text"] for event in whole_conversation(tracker) if event["event"] == "user"] == [
        f"question {n}" for n in range(3 * KEEP_TURNS)
    ]


async def test_a_turn_saved_by_another_server_is_read_from_the_database(store, domain):
    sender = f"test-{uuid.uuid4()}"
    await save_turn_by_turn(store, sender, turns(3 * KEEP_TURNS))
    other_server = ConfiguredSQLTrackerStore(domain=domain)
    await save_turn_by_turn(other_server, sender, turns(1, first=100))

    tracker = await store.retrieve(sender)
    assert tracker.latest_message.text == "question 100"
    saved = turns(3 * KEEP_TURNS) + turns(1, first=100)
    assert len(stored_rows(store.url, sender)) == sum(len(turn) for turn in saved)


async def test_a_turn_that_fails_before_it_is_saved_leaves_nothing_behind(store):
    sender = f"test-{uuid.uuid4()}"
    await save_turn_by_turn(store, sender, turns(3 * KEEP_TURNS))
    tracker = await store.retrieve(sender)
    tracker.update(user("never saved", "ask_jobs"))  # the turn fails here: no save

    again = await store.retrieve(sender)
    assert again.latest_message.text == f"question {3 * KEEP_TURNS - 1}"
    await save_turn_by_turn(store, sender, turns(1, first=200))
    texts = "\n".join(stored_rows(store.url, sender))
    assert "question 200" in texts and "never saved" not in texts


async def test_the_handoff_gets_the_whole_conversation_and_other_actions_the_window(store, domain):
    sender = f"test-{uuid.uuid4()}"
    await save_turn_by_turn(store, sender, turns(3 * KEEP_TURNS))
    tracker = await store.retrieve(sender)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(user("please pass it on", "request_human"))
    endpoint = EndpointConfig("http://localhost:5055/webhook")

    def events_sent_to(action: str) -> list:
        # Rasa runs an action on a copy of the tracker (MessageProcessor._run_action).
        return RemoteAction(action, endpoint)._action_call_format(tracker.copy(), domain)["tracker"]["events"]

    handoff = [
        event.get("text") for event in events_sent_to("action_submit_handoff") if event["event"] == "user"
    ]
    assert handoff == [f"question {n}" for n in range(3 * KEEP_TURNS)] + ["please pass it on"]
    answer = events_sent_to("action_answer_topic")
    assert len(answer) == len(tracker.events) and answer[-1]["text"] == "please pass it on"
