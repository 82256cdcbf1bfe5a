"""The handoff conversation's plain-Python parts: reading Rasa events and contact answers.

Rasa sends the action server the tracker's events as dictionaries; these functions
read them without Rasa, so that they are tested on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from bot.conversation.follow_ups import TOPIC_INTENT_PREFIX
from bot.conversation.quick_replies import QuickReply, offered_buttons, title_of
from bot.privacy.contact_patterns import EMAIL_IN_TEXT, PHONE_IN_TEXT
from bot.tickets.errors import InvalidTicket
from bot.tickets.models import QUICK_REPLY_MAX
from bot.tickets.records import MessageRecord, TranscriptEntry
from bot.tickets.validation import clean_email, clean_phone

INTERNATIONAL = "international"
BUSINESS = "business"

_QUICK_REPLY = re.compile(r"/([a-z_]+)")
# How transcripts stored before the buttons' titles were kept show a click.
_STORED_QUICK_REPLY = re.compile(r"\[quick reply: ([a-z ]+)\]")

# A message the server itself put in the conversation ("EXTERNAL: request_human") is no one's words.
EXTERNAL_PREFIX = "EXTERNAL: "
# Where a live chat's bot event names the colleague who wrote it (bot.rasa.live_chat_relay writes it).
STAFF_AUTHOR_KEY = "almere_staff"
BUSINESS_TOPICS = frozenset(
    {"business_climate", "business_location", "startups", "foreign_companies", "business_desk"}
)

# The action that starts the handoff form: the question asked before it is the ticket's topic.
HANDOFF_START = "action_prepare_handoff"
# Intents named ask_<topic> (TOPIC_INTENT_PREFIX) ask about a topic of the knowledge file; these two
# were declined.
DECLINED_INTENTS = ("out_of_scope", "nlu_fallback")
DECLINED_TOPIC_LABEL = "Not in the assistant's knowledge (declined)"


@dataclass(frozen=True)
class ContactDetails:
    email: str | None
    phone: str | None

    def describe(self) -> str:
        return self.email or self.phone or ""


# Answers that are no name ("yes", "ok", "nee"): said to the question "What is your name?" they
# answer something else, such as the offer before it.
_NOT_A_NAME = frozenset(
    "yes yeah yep yup sure ok okay fine no nope nah maybe thanks thank you please hi hello hey "
    "ja jawel jazeker hoor nee neen oke oké prima goed misschien bedankt dank je dankjewel "
    "graag hallo hoi".split()
)
NAME_MAX_WORDS = 8


def is_a_name(text: str) -> bool:
    """Whether ``text`` can be the person's name: some letters, no more than a few words, no yes or
    no, no digits, question or address ("yes", "ok sure", "jan@example.nl", "why?" are none)."""
    words = re.findall(r"[^\W\d_][^\W\d_'.-]*", text.lower())
    if not words or len(text.split()) > NAME_MAX_WORDS or re.search(r"[\d@?]", text):
        return False
    return not all(word in _NOT_A_NAME for word in words)


def parse_contact(text: str) -> ContactDetails | None:
    """The e-mail address or phone number in a person's answer, or None if it has neither.

    "you can mail me at jan@example.nl" gives the address; "06-12345678" the number.
    """
    email_match = EMAIL_IN_TEXT.search(text or "")
    if email_match:
        try:
            return ContactDetails(email=clean_email(email_match.group(0).rstrip(".")), phone=None)
        except InvalidTicket:
            return None
    phone_match = PHONE_IN_TEXT.search(text or "")
    if phone_match:
        try:
            return ContactDetails(email=None, phone=clean_phone(phone_match.group(0)))
        except InvalidTicket:
            return None
    return None


def _button_titles(event: Mapping[str, Any]) -> dict[str, str]:
    """payload -> title of the buttons a bot message came with."""
    buttons = (event.get("data") or {}).get("buttons") or ()
    return {
        button["payload"]: button["title"]
        for button in buttons
        if isinstance(button, Mapping)
        and isinstance(button.get("payload"), str)
        and isinstance(button.get("title"), str)
    }


def transcript_from_events(
    events: Iterable[Mapping[str, Any]], buttons: Iterable[QuickReply] | None = None
) -> list[TranscriptEntry]:
    """Every user and bot message of the conversation, in order, with its time.

    A button click arrives as its payload ("/affirm"); it is kept as the title of the button the
    person clicked ("Yes, I agree"), read from the last bot message that offered it, or else from
    the assistant's buttons (``buttons``, default :func:`offered_buttons`).
    """
    offered: dict[str, str] = {}
    last_bot_text: str | None = None
    entries = []
    for event in events:
        kind = event.get("event")
        role = kind if kind in ("user", "bot") else None
        if role == "bot":
            offered = _button_titles(event) or offered
        text = event.get("text")
        if role is None or not isinstance(text, str) or not text or text.startswith(EXTERNAL_PREFIX):
            continue
        timestamp = datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)
        author = staff_author(event) if role == "bot" else None
        if author is not None:
            entries.append(TranscriptEntry(role="staff", text=text, timestamp=timestamp, author=author))
            continue
        if role == "bot":
            last_bot_text = text
        elif _QUICK_REPLY.fullmatch(text) and len(text) <= QUICK_REPLY_MAX:
            title = offered.get(text) or title_of(
                text, last_bot_text, offered_buttons() if buttons is None else buttons
            )
            entries.append(
                TranscriptEntry(role=role, text=title or _words(text), timestamp=timestamp, quick_reply=text)
            )
            continue
        entries.append(TranscriptEntry(role=role, text=text, timestamp=timestamp))
    return entries


def staff_author(event: Mapping[str, Any]) -> str | None:
    """The username of the colleague who wrote this bot event in a live chat, or None for the
    assistant's own messages (the live chat stores its messages as bot events with this metadata)."""
    author = (event.get("metadata") or {}).get(STAFF_AUTHOR_KEY)
    return author if isinstance(author, str) and author else None


def desk_for_topic(topic: str | None) -> str:
    """The desk that answers questions on ``topic``: the business desk for the business topics."""
    return BUSINESS if topic in BUSINESS_TOPICS else INTERNATIONAL


def _words(payload: str) -> str:
    """A payload whose button is not known, readable: "/choose_private" -> "choose private"."""
    return payload.lstrip("/").replace("_", " ")


@dataclass(frozen=True)
class ShownMessage:
    """A transcript message as staff read it; ``clicked`` marks a quick reply."""

    role: str
    text: str
    timestamp: datetime
    clicked: bool
    # The colleague who wrote a ``staff`` message of a live chat.
    author: str | None = None


def readable_transcript(
    messages: Iterable[MessageRecord], buttons: Iterable[QuickReply] | None = None
) -> list[ShownMessage]:
    """A stored transcript for staff. Transcripts stored before titles were kept hold a click as
    "[quick reply: affirm]": shown as the title of the button that fits the message before it."""
    buttons = offered_buttons() if buttons is None else tuple(buttons)
    shown = []
    last_bot_text: str | None = None
    for message in messages:
        text, clicked = message.text, message.quick_reply is not None
        stored = _STORED_QUICK_REPLY.fullmatch(text) if message.role == "user" and not clicked else None
        if stored:
            payload = "/" + stored.group(1).replace(" ", "_")
            text, clicked = title_of(payload, last_bot_text, buttons) or stored.group(1), True
        if message.role == "bot":
            last_bot_text = message.text
        shown.append(ShownMessage(message.role, text, message.timestamp, clicked, message.author))
    return shown


def _intent(event: Mapping[str, Any]) -> str | None:
    name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return name if isinstance(name, str) else None


def handoff_topic(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The topic of the last question the person asked before the handoff began: the knowledge
    file's topic ("housing") of an ``ask_<topic>`` intent, or the declined intent ("out_of_scope").
    None if the person asked for a colleague before asking anything."""
    starts = [i for i, e in enumerate(events) if (e.get("event"), e.get("name")) == ("action", HANDOFF_START)]
    before = events[: starts[-1]] if starts else events
    for event in reversed(before):
        intent = _intent(event) if event.get("event") == "user" else None
        if intent is None:
            continue
        if intent.startswith(TOPIC_INTENT_PREFIX):
            return intent[len(TOPIC_INTENT_PREFIX) :]
        if intent in DECLINED_INTENTS:
            return intent
    return None


def topic_label(topic: str | None) -> str | None:
    """A ticket's topic as staff read it ("International community"); topics stored as the
    intent's name ("ask_housing") read the same."""
    if not topic:
        return None
    if topic in DECLINED_INTENTS:
        return DECLINED_TOPIC_LABEL
    return topic.removeprefix(TOPIC_INTENT_PREFIX).replace("_", " ").capitalize()
