"""What became of each conversation, read from the events Rasa stored (its SQL tracker store).

The definitions, per conversation (the page and the README repeat them):

* **answered** — the assistant answered at least one question: a topic answer that was not declined
  (``action_answer_topic`` that did not offer a colleague), or any answer that names what it
  answered (a bot message with an ``{"answer": ...}`` payload: the topic answers, and the desk's own
  answers when they come);
* **declined** — the assistant said at least once that it does not know (``action_decline``, or
  ``action_answer_topic`` that declined: it then offers a colleague) and answered nothing;
* **handed over** — a ticket exists for the conversation (the handoff form's or a live chat's), or
  the handoff stored one (its reference was set): this wins over the others;
* **abandoned** — the handoff form started but no ticket came of it (stopped, consent refused, or
  the person left);
* **other** — none of these: greetings, small talk, office hours.

A conversation is one sender id (one chat session of the widget, or a REST caller's id), dated by its
first message; conversations that started before the period are not counted in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from bot.redaction import REMOVED

ANSWER_ACTION = "action_answer_topic"
DECLINE_ACTION = "action_decline"
HANDOFF_FORM = "handoff_form"
OFFER_SLOT = "handoff_offered"
REFERENCE_SLOT = "handoff_reference"
TOPIC_INTENT_PREFIX = "ask_"

ANSWERED, DECLINED, HANDED_OVER, ABANDONED, OTHER = (
    "answered",
    "declined",
    "handed_over",
    "abandoned",
    "other",
)
OUTCOMES = (ANSWERED, DECLINED, HANDED_OVER, ABANDONED, OTHER)
OUTCOME_LABELS = {
    ANSWERED: "Answered",
    DECLINED: "Declined",
    HANDED_OVER: "Handed over",
    ABANDONED: "Handoff abandoned",
    OTHER: "Other (small talk only)",
}
# The event types that say what happened; the rest (session starts, listening) do not.
EVENT_TYPES = ("user", "action", "bot", "slot", "active_loop")

StoredEvent = Mapping[str, Any]  # an event as Rasa stores it (``Event.as_dict()``)


def answer_payload(event: StoredEvent) -> Mapping[str, Any] | None:
    """The ``{"topic": ...}`` a bot message carries when it is an answer (actions/answers.py)."""
    custom = (event.get("data") or {}).get("custom")
    data = custom.get("data") if isinstance(custom, Mapping) else None
    answer = data.get("answer") if isinstance(data, Mapping) else None
    return answer if isinstance(answer, Mapping) else None


def action_result(action: str, *, answer_sent: bool, colleague_offered: bool) -> str | None:
    """Whether one action of the assistant answered (``ANSWERED``), declined (``DECLINED``) or did
    neither (None): ``answer_sent`` if one of its messages carried an answer payload,
    ``colleague_offered`` if it set the offer of a colleague (what every decline does)."""
    if answer_sent:
        return ANSWERED
    if action == DECLINE_ACTION or (action == ANSWER_ACTION and colleague_offered):
        return DECLINED
    if action == ANSWER_ACTION:
        return ANSWERED  # stored before answers carried their payload
    return None


def conversation_outcome(*, answered: bool, declined: bool, form_started: bool, handed_over: bool) -> str:
    """One conversation's outcome (see the module's definitions)."""
    if handed_over:
        return HANDED_OVER
    if form_started:
        return ABANDONED
    if answered:
        return ANSWERED
    if declined:
        return DECLINED
    return OTHER


@dataclass(frozen=True)
class Conversation:
    sender_id: str
    started_at: datetime
    outcome: str
    topics: tuple[str, ...]  # the topic of each question the classifier gave one ("housing")
    unanswered: tuple[str, ...]  # what the person typed each time the assistant declined


@dataclass
class _Action:
    name: str
    question: str | None
    answer_sent: bool = False
    colleague_offered: bool = False


@dataclass
class _Reading:
    """What one conversation's events said so far."""

    topics: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    answered: bool = False
    declined: bool = False
    form_started: bool = False
    ticket_stored: bool = False
    last_text: str | None = None
    action: _Action | None = None

    def close_action(self) -> None:
        action, self.action = self.action, None
        if action is None:
            return
        result = action_result(
            action.name, answer_sent=action.answer_sent, colleague_offered=action.colleague_offered
        )
        if result == ANSWERED:
            self.answered = True
        elif result == DECLINED:
            self.declined = True
            if action.question and action.question.strip() and action.question != REMOVED:
                self.unanswered.append(action.question)


def _intent(event: StoredEvent) -> str:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    return intent.get("name") or "" if isinstance(intent, Mapping) else ""


def read_conversation(sender_id: str, events: Iterable[StoredEvent], has_ticket: bool) -> Conversation | None:
    """The conversation of ``events`` (in stored order), or None if the person said nothing.
    ``has_ticket``: the ticket database has a ticket for it."""
    reading = _Reading()
    started_at: datetime | None = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            reading.close_action()
            if started_at is None:
                started_at = datetime.fromtimestamp(float(event.get("timestamp") or 0), timezone.utc)
            text = event.get("text")
            reading.last_text = text if isinstance(text, str) else None
            intent = _intent(event)
            if intent.startswith(TOPIC_INTENT_PREFIX):
                reading.topics.append(intent.removeprefix(TOPIC_INTENT_PREFIX))
        elif kind == "action":
            reading.close_action()
            name = event.get("name") or ""
            reading.action = _Action(name, reading.last_text)
            if name == HANDOFF_FORM:
                reading.form_started = True
        elif kind == "bot" and reading.action is not None and answer_payload(event) is not None:
            reading.action.answer_sent = True
        elif kind == "slot":
            if event.get("name") == OFFER_SLOT and event.get("value") is True and reading.action is not None:
                reading.action.colleague_offered = True
            elif event.get("name") == REFERENCE_SLOT and event.get("value"):
                reading.ticket_stored = True
        elif kind == "active_loop" and event.get("name") == HANDOFF_FORM:
            reading.form_started = True
    reading.close_action()
    if started_at is None:
        return None
    return Conversation(
        sender_id=sender_id,
        started_at=started_at,
        outcome=conversation_outcome(
            answered=reading.answered,
            declined=reading.declined,
            form_started=reading.form_started,
            handed_over=has_ticket or reading.ticket_stored,
        ),
        topics=tuple(reading.topics),
        unanswered=tuple(reading.unanswered),
    )


def stored_event(data: str | None) -> StoredEvent:
    """An event from the ``data`` column of Rasa's ``events`` table ({} if unreadable)."""
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}
