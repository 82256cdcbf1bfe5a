"""Conversations for the insights tests, written into a tracker database by Rasa's own SQL tracker
store, with the events the assistant's rules and actions produce (data/rules.yml, actions/)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  handoff_offered: {type: bool, influence_conversation: true, mappings: [{type: custom}]}
  unanswered_question: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  handoff_reference: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  requested_slot: {type: any, influence_conversation: false, mappings: [{type: custom}]}
"""
)


def _user(text: str, intent: str) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.93})


def answered(text: str, topic: str) -> list[Event]:
    """A topic answered (with the payload that names its topic, as actions/answers.py sends it)."""
    return [
        _user(text, f"ask_{topic}"),
        ActionExecuted("action_answer_topic"),
        BotUttered(f"About {topic}: ...", data={"custom": {"data": {"answer": {"topic": topic}}}}),
    ]


def answered_two(text: str, first: str, second: str) -> list[Event]:
    """One message with two questions, both answered (the second from its ``more_questions``)."""
    intent = {"name": f"ask_{first}", "confidence": 0.93}
    more = [{"intent": f"ask_{second}", "text": "And the second?"}]
    parse_data = {"intent": intent, "entities": [], "text": text, "more_questions": more}
    return [
        UserUttered(text, intent, parse_data=parse_data),
        ActionExecuted("action_answer_topic"),
        *(
            BotUttered(f"About {topic}: ...", data={"custom": {"data": {"answer": {"topic": topic}}}})
            for topic in (first, second)
        ),
    ]


def answered_before_payloads(text: str, topic: str) -> list[Event]:
    """A topic answered by the action as it was before answers carried their topic."""
    return [_user(text, f"ask_{topic}"), ActionExecuted("action_answer_topic"), BotUttered(f"About {topic}")]


def declined(text: str, intent: str = "out_of_scope") -> list[Event]:
    """A question the assistant does not know: action_decline, or a topic answer that declined."""
    action = "action_decline" if intent in ("out_of_scope", "nlu_fallback") else "action_answer_topic"
    return [
        _user(text, intent),
        ActionExecuted(action),
        BotUttered("I'm sorry, I don't know that."),
        BotUttered("Would you like me to pass your question on to a colleague at the desk?"),
        SlotSet("handoff_offered", True),
        SlotSet("unanswered_question", text),
    ]


def small_talk(text: str = "hello", intent: str = "greet") -> list[Event]:
    """A greeting (or, with ``intent``, thanks or a goodbye) and the assistant's reply to it."""
    reply = {"greet": "utter_greet", "thank": "utter_you_are_welcome", "goodbye": "utter_goodbye"}
    return [_user(text, intent), ActionExecuted(reply.get(intent, f"utter_{intent}")), BotUttered("Hello!")]


def office_hours(text: str = "When is the desk open?") -> list[Event]:
    """The desk's opening times, answered by their own action (its message names no topic)."""
    return [
        _user(text, "ask_office_hours"),
        ActionExecuted("action_answer_office_hours"),
        BotUttered("The desk is open Monday to Friday, 9:00 to 17:00."),
    ]


def live_chat_joined() -> list[Event]:
    """A colleague takes the chat: the assistant is paused (bot/rasa/live_chat_relay.py)."""
    return [ConversationPaused(), BotUttered("Jan from the desk has joined the chat.")]


def during_live_chat(text: str, intent: str) -> list[Event]:
    """The person's message while a colleague has the chat, and the colleague's reply: Rasa stores the
    message (classified as usual) and runs no action."""
    return [_user(text, intent), BotUttered("Let me check.", metadata={"almere_staff": "jan"})]


def live_chat_ended() -> list[Event]:
    return [ConversationResumed(), BotUttered("Jan has closed the chat.")]


def handoff_started() -> list[Event]:
    return [
        _user("yes please", "affirm"),
        ActionExecuted("action_prepare_handoff"),
        SlotSet("handoff_offered", False),
        ActionExecuted("handoff_form"),
        ActiveLoop("handoff_form"),
        SlotSet("requested_slot", "handoff_name"),
        BotUttered("What is your name?"),
    ]


def handoff_stored(reference: str | None) -> list[Event]:
    """The form's last answer and the submit: ``reference`` None when nothing was stored."""
    return [
        _user("/affirm", "affirm"),
        ActionExecuted("handoff_form"),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        ActionExecuted("action_submit_handoff"),
        BotUttered(f"Thank you! Your reference is {reference}." if reference else "Understood."),
        SlotSet("handoff_reference", reference),
    ]


def save_conversation(tracker_path, sender: str, start: datetime, *turns: list[Event]) -> None:
    """Store a conversation whose first message is at ``start`` (aware), one turn a minute, as Rasa
    does: a session start, then each turn followed by listening."""
    events: list[Event] = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]
    for event in events:
        event.timestamp = start.timestamp() - 1
    for index, turn in enumerate(turns):
        for offset, event in enumerate([*turn, ActionExecuted("action_listen")]):
            event.timestamp = (start + timedelta(minutes=index)).timestamp() + offset / 1000
            events.append(event)
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tracker_path))
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events, slots=DOMAIN.slots)))
    store.engine.dispose()
