"""Forgetting what a person typed into a handoff that stored nothing.

When the person refuses consent, stops the form, or the ticket could not be stored, they are
told that nothing was kept; the conversation memory (Rasa's tracker) must then not keep it
either. These functions work on events as Rasa stores them (``Event.as_dict()``), so that
the tracker store (bot/tracker_store.py) can rewrite a conversation when it saves it.

What is removed: every user message typed while the handoff form asked for one of its slots,
every value of the personal slots (name, contact, question, the unanswered question that
prefilled it), the user message that was that unanswered question, and every bot message that
repeats one of these values ("Your question: ...").
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Iterable, List, Optional, Set

# The actions that end a handoff (their names in domain.yml; tests check actions/handoff.py).
SUBMIT_ACTION = "action_submit_handoff"
CANCEL_ACTION = "action_cancel_handoff"
# action_submit_handoff sets this slot to the ticket's reference, or to null when nothing was stored.
REFERENCE_SLOT = "handoff_reference"
FORM_SLOT_PREFIX = "handoff_"
PERSONAL_SLOTS = frozenset({"handoff_name", "handoff_contact", "handoff_question", "unanswered_question"})
REMOVED = "[removed]"

Event = Dict[str, Any]


def ends_handoff_without_ticket(events: Iterable[Event]) -> bool:
    """Whether ``events`` (those new in a turn) stop a handoff or end one that stored nothing."""
    after_submit = False
    for event in events:
        kind = event.get("event")
        if kind == "action":
            if event.get("name") == CANCEL_ACTION:
                return True
            after_submit = event.get("name") == SUBMIT_ACTION
        elif after_submit and kind == "slot" and event.get("name") == REFERENCE_SLOT:
            if not event.get("value"):
                return True
    return False


def _form_answers_and_values(events: List[Event]) -> tuple[Set[int], Set[str]]:
    """Positions of user messages typed while the form asked for a slot, and every personal value."""
    answers: Set[int] = set()
    values: Set[str] = set()
    requested: Optional[str] = None
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


def redact_handoff(events: List[Event]) -> List[Event]:
    """Copies of ``events`` without what the person typed into the handoff form (see the module)."""
    answers, values = _form_answers_and_values(events)
    redacted = []
    for position, original in enumerate(events):
        event = copy.deepcopy(original)
        kind = event.get("event")
        text = event.get("text") if isinstance(event.get("text"), str) else ""
        if kind == "slot" and event.get("name") in PERSONAL_SLOTS and event.get("value") is not None:
            event["value"] = None
        elif kind == "user" and (position in answers or text.strip() in values):
            event = _without_user_text(event)
        elif kind == "bot" and any(value in text for value in values):
            event["text"] = REMOVED
        redacted.append(event)
    return redacted
