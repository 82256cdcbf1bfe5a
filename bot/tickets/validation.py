"""Checks and clean-up of what the assistant and staff send to the ticket service."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.access import limits
from bot.privacy.contact_patterns import is_email, is_phone
from bot.tickets.errors import InvalidTicket
from bot.tickets.models import (
    CHANNEL_MAX,
    CONVERSATION_ID_MAX,
    DESKS,
    QUICK_REPLY_MAX,
    RATING_CHANNELS,
    ROLES,
    USERNAME_MAX,
)
from bot.tickets.records import TranscriptEntry

# The limits of bot/access/limits.py, under the names this module has always exported.
NAME_MAX = limits.NAME_CHARS
EMAIL_MAX = limits.EMAIL_CHARS
PHONE_MAX = limits.PHONE_CHARS
TOPIC_MAX = limits.TOPIC_CHARS
QUESTION_MAX = limits.QUESTION_CHARS
NOTE_MAX = limits.NOTE_CHARS
REPLY_MAX = limits.REPLY_CHARS
CALL_NOTE_MAX = limits.CALL_NOTE_CHARS
RATING_COMMENT_MAX = limits.RATING_COMMENT_CHARS
SCORES = range(1, 6)
# What staff can record about a call they made: the person answered, or did not pick up.
CALL_OUTCOMES = ("answered", "no_answer")
# Line breaks and tabs are text; every other control character (NUL, escape, backspace, ...) is refused.
_ALLOWED_CONTROLS = frozenset("\n\t")

_USERNAME = re.compile(rf"^[a-z0-9._-]{{2,{USERNAME_MAX}}}$")


@dataclass(frozen=True)
class Contact:
    """Validated details of the person asking for help."""

    name: str
    email: str | None
    phone: str | None
    question: str
    desk: str
    topic: str | None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _required(field: str, value: str | None, label: str, limit: int) -> str:
    cleaned = _clean(value)
    if cleaned is None:
        raise InvalidTicket(field, f"{label} is required.")
    if len(cleaned) > limit:
        raise InvalidTicket(field, f"{label} is longer than {limit} characters.")
    return cleaned


def clean_email(value: str | None) -> str | None:
    """The address without surrounding blanks, None if empty, or :class:`InvalidTicket`."""
    cleaned = _clean(value)
    if cleaned is None:
        return None
    if len(cleaned) > EMAIL_MAX or not is_email(cleaned):
        raise InvalidTicket("email", "The e-mail address does not look valid.")
    return cleaned


def clean_phone(value: str | None) -> str | None:
    """The number without surrounding blanks, None if empty, or :class:`InvalidTicket`."""
    cleaned = _clean(value)
    if cleaned is None:
        return None
    if len(cleaned) > PHONE_MAX or not is_phone(cleaned):
        raise InvalidTicket("phone", "The phone number does not look valid.")
    return cleaned


def validate_contact(
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    question: str | None,
    desk: str,
    topic: str | None,
) -> Contact:
    """Clean the contact details, or raise :class:`InvalidTicket`."""
    if desk not in DESKS:
        raise InvalidTicket("desk", f"Unknown desk {desk!r}; expected one of {', '.join(DESKS)}.")
    cleaned_question = (question or "").strip()
    if not cleaned_question:
        raise InvalidTicket("question", "A question is required.")
    if len(cleaned_question) > QUESTION_MAX:
        raise InvalidTicket("question", f"The question is longer than {QUESTION_MAX} characters.")
    contact = Contact(
        name=_required("name", name, "A name", NAME_MAX),
        email=clean_email(email),
        phone=clean_phone(phone),
        question=cleaned_question,
        desk=desk,
        topic=_clean(topic),
    )
    if contact.email is None and contact.phone is None:
        raise InvalidTicket("email", "An e-mail address or a phone number is required.")
    if contact.topic is not None and len(contact.topic) > TOPIC_MAX:
        raise InvalidTicket("topic", f"The topic is longer than {TOPIC_MAX} characters.")
    return contact


def validate_conversation(conversation_id: str | None, channel: str | None) -> None:
    """Raise :class:`InvalidTicket` unless both identify a conversation."""
    if not conversation_id or len(conversation_id) > CONVERSATION_ID_MAX:
        raise InvalidTicket("conversation_id", "A conversation id is required.")
    if not channel or len(channel) > CHANNEL_MAX:
        raise InvalidTicket("channel", "A channel name is required.")


def validate_transcript(transcript: Sequence[TranscriptEntry]) -> None:
    """Raise :class:`InvalidTicket` for an unknown role or a timestamp without timezone."""
    for index, entry in enumerate(transcript):
        if entry.role not in ROLES:
            raise InvalidTicket("transcript", f"Message {index}: unknown role {entry.role!r}.")
        if not isinstance(entry.text, str):
            raise InvalidTicket("transcript", f"Message {index}: text must be a string.")
        if entry.timestamp.tzinfo is None or entry.timestamp.utcoffset() is None:
            raise InvalidTicket("transcript", f"Message {index}: timestamp needs a timezone.")
        if (entry.role == "staff") != (entry.author is not None):
            raise InvalidTicket(
                "transcript", f"Message {index}: a staff message, and only a staff message, has an author."
            )
        if entry.author is not None:
            normalise_username(entry.author)
        if entry.quick_reply is not None and (
            entry.role != "user"
            or not isinstance(entry.quick_reply, str)
            or not 0 < len(entry.quick_reply) <= QUICK_REPLY_MAX
        ):
            raise InvalidTicket(
                "transcript",
                f"Message {index}: a quick reply is a person's, of 1 to {QUICK_REPLY_MAX} characters.",
            )


def normalise_username(username: str | None) -> str:
    """A staff username in lower case, or :class:`InvalidTicket` if not allowed."""
    cleaned = (username or "").strip().lower()
    if not _USERNAME.match(cleaned):
        raise InvalidTicket(
            "username",
            f"A username has 2 to {USERNAME_MAX} characters: letters, digits, '.', '_' or '-'.",
        )
    return cleaned


def validate_note(text: str | None) -> str:
    """A note's text without surrounding blanks, or :class:`InvalidTicket`."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidTicket("text", "A note cannot be empty.")
    if len(cleaned) > NOTE_MAX:
        raise InvalidTicket("text", f"A note is longer than {NOTE_MAX} characters.")
    return cleaned


def _multiline(field: str, text: object, label: str, limit: int) -> str | None:
    """Text typed into a box: line endings made ``\\n``, surrounding blanks removed, None if empty;
    :class:`InvalidTicket` if it is not text, too long or holds control characters (they would
    garble an e-mail or hide what was written)."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise InvalidTicket(field, f"{label} must be text.")
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(cleaned) > limit:
        raise InvalidTicket(field, f"{label} is longer than {limit} characters.")
    if any(unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS for char in cleaned):
        raise InvalidTicket(field, f"{label} contains control characters; please remove them.")
    return cleaned or None


def validate_reply(text: object) -> str:
    """The text of an e-mail staff send to the person, or :class:`InvalidTicket`."""
    cleaned = _multiline("text", text, "A reply", REPLY_MAX)
    if cleaned is None:
        raise InvalidTicket("text", "Write the reply before sending it.")
    return cleaned


def validate_call(outcome: object, note: object) -> tuple[str, str | None]:
    """The outcome (``answered`` or ``no_answer``) and optional note of a call, or :class:`InvalidTicket`."""
    if outcome not in CALL_OUTCOMES:
        raise InvalidTicket("outcome", "Choose whether the person answered the call or not.")
    return str(outcome), _multiline("note", note, "A note about the call", CALL_NOTE_MAX)


def validate_rating_channel(channel: object) -> str:
    """``chat`` or ``email``: where the person was asked how helpful it was."""
    if channel not in RATING_CHANNELS:
        raise InvalidTicket("channel", f"A rating is asked in one of: {', '.join(RATING_CHANNELS)}.")
    return str(channel)


def validate_rating(score: object, comment: object) -> tuple[int, str | None]:
    """A score from 1 to 5 (a whole number, or its digit as a form sends it) and an optional comment.

    ``True`` is not a score, though Python counts it as 1.
    """
    if isinstance(score, str) and score.strip() in {str(n) for n in SCORES}:
        score = int(score)
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise InvalidTicket("score", "Choose how helpful it was, from 1 (not at all) to 5 (very).")
    return score, _multiline("comment", comment, "The comment", RATING_COMMENT_MAX)
