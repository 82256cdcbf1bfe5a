"""What became of each conversation, read from the events Rasa stored (its SQL tracker store).

Each figure is defined here once; the page (``desk/insights.html``) says the same in words.

* **small talk** — a message whose intent is one of :data:`SMALL_TALK_INTENTS` (greetings, thanks,
  goodbyes, "are you a bot?", "what can you do?", yes, no, stop, the language asked for);
* **question** — any other message of the person to the assistant: not small talk, not typed while a
  colleague had the chat (a live chat, from Rasa's pause to its resume: the colleague's
  conversation), not an answer to the handoff form's questions (their name, address, ...);
* **topic** — what the classifier took a question to be about (``ask_housing``: "housing"), also when
  the assistant then declined it; a question without a topic (``out_of_scope``) has none, a message
  that asked several ("What is the business climate like? And is there an international school?")
  has the topic of each;
* **unanswered question** — what the person typed when the assistant declined a question
  (``action_decline``, or a topic answer that declined: it then offers a colleague) or did not reply
  to it at all.

Per conversation, its one outcome, the first of these that applies:

* **handed over** — a ticket exists for it (the handoff form's or a live chat's), or the handoff stored
  one (its reference was set);
* **abandoned** — the handoff form started but no ticket came of it (stopped, consent refused, or the
  person left);
* **answered** — the assistant answered at least one question: an action of :data:`ANSWER_ACTIONS`
  that did not decline, or any answer that names what it answered (a bot message with an
  ``{"answer": ...}`` payload: the topic answers, and the desk's own answers);
* **declined** — at least one unanswered question, and none answered;
* **small talk only** — none of these: the person asked no question.

A conversation is one sender id (one chat session of the widget, or a REST caller's id), dated by its
first message; conversations that started before the period are not counted in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from bot.privacy.redaction import REMOVED

ANSWER_ACTION = "action_answer_topic"
# The actions that answer a question from the knowledge file (see the module's definitions).
ANSWER_ACTIONS = frozenset({ANSWER_ACTION, "action_answer_office_hours", "action_answer_source"})
DECLINE_ACTION = "action_decline"
LISTEN_ACTION = "action_listen"
MORE_QUESTIONS = "more_questions"  # a message's other questions, in its parse data
HANDOFF_FORM = "handoff_form"
OFFER_SLOT = "handoff_offered"
REFERENCE_SLOT = "handoff_reference"
TOPIC_INTENT_PREFIX = "ask_"
# Messages that ask nothing (domain.yml's intents): greetings, thanks, goodbyes and the like.
SMALL_TALK_INTENTS = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "bot_challenge",
        "help",
        "switch_language",
        "affirm",
        "deny",
        "stop",
        "choose_private",
        "choose_business",
    }
)

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
    OTHER: "Small talk only",
}
# The event types that say what happened; the rest (session starts, listening) do not. A colleague
# joining a live chat pauses the conversation, its end resumes it.
EVENT_TYPES = ("user", "action", "bot", "slot", "active_loop", "pause", "resume")

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
    if action in ANSWER_ACTIONS:
        return ANSWERED  # the topic answers stored before they carried their payload, the desk's hours
    return None


def is_small_talk(intent: str) -> bool:
    """Whether a message of ``intent`` asks nothing (see :data:`SMALL_TALK_INTENTS`)."""
    return intent in SMALL_TALK_INTENTS


def question_topic(intent: str) -> str | None:
    """The topic of a question of ``intent`` ("ask_housing": "housing"); None for a question without
    one (``out_of_scope``) and for small talk."""
    if is_small_talk(intent) or not intent.startswith(TOPIC_INTENT_PREFIX):
        return None
    return intent.removeprefix(TOPIC_INTENT_PREFIX)


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
    unanswered: tuple[str, ...]  # what the person typed for each unanswered question


@dataclass
class _Action:
    name: str
    answer_sent: bool = False
    colleague_offered: bool = False


@dataclass
class _Question:
    text: str | None
    replied: bool = False
    unanswered: bool = False


@dataclass
class _Reading:
    """What one conversation's events said so far."""

    topics: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    answered: bool = False
    declined: bool = False
    form_started: bool = False
    form_active: bool = False
    live_chat: bool = False
    ticket_stored: bool = False
    question: _Question | None = None
    action: _Action | None = None

    def not_answered(self, question: _Question | None) -> None:
        """The assistant declined ``question`` (None: a decline after no question) or left it unreplied."""
        self.declined = True
        if question is None or question.unanswered:
            return
        question.unanswered = True
        if question.text and question.text.strip() and question.text != REMOVED:
            self.unanswered.append(question.text)

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
            self.not_answered(self.question)

    def close_question(self) -> None:
        self.close_action()
        question, self.question = self.question, None
        if question is not None and not question.replied:
            self.not_answered(question)

    def message(self, text: str | None, intent: str, more: list[str]) -> None:
        """A message of the person: a question unless small talk, a live chat's or the form's (or
        stored without an intent); ``more``: the intents of the other questions it asked."""
        self.close_question()
        if not intent or self.live_chat or self.form_active or is_small_talk(intent):
            return
        self.question = _Question(text)
        self.topics += [topic for asked in (intent, *more) if (topic := question_topic(asked))]

    def action_ran(self, name: str) -> None:
        self.close_action()
        if name == LISTEN_ACTION:
            return
        self.action = _Action(name)
        if self.question is not None:
            self.question.replied = True
        if name == HANDOFF_FORM:
            self.form_started = True


def _intent(event: StoredEvent) -> str:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    return intent.get("name") or "" if isinstance(intent, Mapping) else ""


def _more_intents(event: StoredEvent) -> list[str]:
    """The intents of a message's other questions ("... And is there an international school?"),
    which the assistant answers after the first (bot/rasa/components.py)."""
    more = (event.get("parse_data") or {}).get(MORE_QUESTIONS)
    if not isinstance(more, list):
        return []
    return [str(q.get("intent")) for q in more if isinstance(q, Mapping) and q.get("intent")]


def read_conversation(sender_id: str, events: Iterable[StoredEvent], has_ticket: bool) -> Conversation | None:
    """The conversation of ``events`` (in stored order), or None if the person said nothing.
    ``has_ticket``: the ticket database has a ticket for it."""
    reading = _Reading()
    started_at: datetime | None = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            if started_at is None:
                started_at = datetime.fromtimestamp(float(event.get("timestamp") or 0), timezone.utc)
            text = event.get("text")
            reading.message(text if isinstance(text, str) else None, _intent(event), _more_intents(event))
        elif kind == "action":
            reading.action_ran(event.get("name") or "")
        elif kind in ("pause", "resume"):
            reading.close_question()
            reading.live_chat = kind == "pause"
        elif kind == "bot" and reading.action is not None and answer_payload(event) is not None:
            reading.action.answer_sent = True
        elif kind == "slot":
            if event.get("name") == OFFER_SLOT and event.get("value") is True and reading.action is not None:
                reading.action.colleague_offered = True
            elif event.get("name") == REFERENCE_SLOT and event.get("value"):
                reading.ticket_stored = True
        elif kind == "active_loop":
            reading.form_active = event.get("name") == HANDOFF_FORM
            reading.form_started = reading.form_started or reading.form_active
    reading.close_question()
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
