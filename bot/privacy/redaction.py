"""Forgetting what a person typed into a handoff that stored nothing.

When the person refuses consent, stops the form, or the ticket was refused as invalid, they are
told that nothing was kept; the conversation memory (Rasa's tracker) must then not keep it
either. (When the ticket database is down, the person has consented and is told to try again:
the conversation keeps their answers, so that the retry and its ticket have them.)
These functions work on events as Rasa stores them (``Event.as_dict()``), so that
the tracker store (bot/rasa/tracker_store.py) can rewrite a conversation when it saves it.

What is removed: every user message typed while the handoff form asked for one of its slots,
every value of the personal slots (name, contact, question, the unanswered question that
prefilled it), the user message that was that unanswered question, and every bot message that
repeats one of these values ("Your question: ...").
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

# The handoff actions set this slot to true when what the person typed must be forgotten.
FORGET_SLOT = "handoff_forget"
FORM_SLOT_PREFIX = "handoff_"
PERSONAL_SLOTS = frozenset({"handoff_name", "handoff_contact", "handoff_question", "unanswered_question"})
REMOVED = "[removed]"

Event = dict[str, Any]


def asks_to_forget(events: Iterable[Event]) -> bool:
    """Whether ``events`` (those new in a turn) end a handoff whose answers must be forgotten."""
    return any(
        event.get("event") == "slot" and event.get("name") == FORGET_SLOT and event.get("value") is True
        for event in events
    )


def _form_answers_and_values(events: list[Event]) -> tuple[set[int], set[str]]:
    """Positions of user messages typed while the form asked for a slot, and every personal value."""
    answers: set[int] = set()
    values: set[str] = set()
    requested: str | None = None
    for position, event in enumerate(events):
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind == "slot" and event.get("name") in PERSONAL_SLOTS and isinstance(event.get("value"), str):
            values.add(event["value"])
        elif kind == "user" and isinstance(requested, str) and requested.startswith(FORM_SLOT_PREFIX):
            answers.add(position)
            if isinstance(event.get("text"), str):
                values.add(event["text"])
    values.discard("")
    return answers, {value.strip() for value in values if value.strip()}


def _without_user_text(event: Event) -> Event:
    event["text"] = REMOVED
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict):
        parse_data["text"] = REMOVED
        parse_data["entities"] = []
    return event


def redact_handoff(events: list[Event]) -> list[Event]:
    """Copies of ``events`` without what the person typed into the handoff form (see the module)."""
    answers, values = _form_answers_and_values(events)
    redacted = []
    for position, original in enumerate(events):
        event = copy.deepcopy(original)
        kind = event.get("event")
        text: str = event["text"] if isinstance(event.get("text"), str) else ""
        if kind == "slot" and event.get("name") in PERSONAL_SLOTS and event.get("value") is not None:
            event["value"] = None
        elif kind == "user" and (position in answers or text.strip() in values):
            event = _without_user_text(event)
        elif kind == "bot" and any(value in text for value in values):
            event["text"] = REMOVED
        redacted.append(event)
    return redacted
