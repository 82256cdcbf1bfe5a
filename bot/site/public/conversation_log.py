"""A conversation's log as the chat widget shows it, read from Rasa's tracker store: what a widget
on a page of another subdomain of the city's site shows when it continues the conversation.

Only the messages of one conversation (its id, from a session token the caller has checked), only
what the widget displayed: the person's messages, the assistant's (split where the socket.io channel
splits them, with their buttons) and a colleague's (with their first name), in order, the last
:data:`MAX_MESSAGES`. Nothing else of the events (intents, slots, metadata, a rating's token). A
message of the person that was a button's payload ("/ask_jobs") shows the button's title, as the
widget did; a payload whose title is not known is left out. Text that redaction removed
(:mod:`bot.privacy.redaction`) is left out, not shown as a placeholder.

A conversation whose last event is older than the chat session's lifetime (``domain.yml``'s
``session_expiration_time``, the lifetime of the widget's cookie too) is not given out: the session
token never expires by itself, so this bounds how long a copied token reads a conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import REPO_ROOT
from bot.insights.conversations import StoredEvent, stored_event
from bot.insights.tracker import EVENTS, read_only_engine
from bot.privacy.redaction import REMOVED

logger = logging.getLogger(__name__)

MAX_MESSAGES = 50
# Rasa's own default when domain.yml sets none (or 0, sessions that never expire).
DEFAULT_SESSION_MINUTES = 60
# The metadata of a colleague's message in a live chat (bot/rasa/live_chat_relay.py).
STAFF_AUTHOR_KEY = "almere_staff"
STAFF_NAME_KEY = "staff_name"
# How Rasa's socket.io channel cuts a bot message into the widget's messages.
PART_SEPARATOR = "\n\n"

Message = dict[str, Any]


class NoConversation(LookupError):
    """No conversation to continue: none stored under the id, or its session has expired."""


class LogUnavailable(RuntimeError):
    """The conversation database cannot be read right now."""


def session_lifetime(domain_file: Path = REPO_ROOT / "domain.yml") -> timedelta:
    """How long a chat session lasts after its last event (Rasa's ``session_expiration_time``)."""
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    minutes = (domain.get("session_config") or {}).get("session_expiration_time")
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or minutes <= 0:
        minutes = DEFAULT_SESSION_MINUTES
    return timedelta(minutes=minutes)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _buttons(data: object) -> list[dict[str, str]]:
    offered = []
    if isinstance(data, Mapping):
        for key in ("buttons", "quick_replies"):
            if isinstance(data.get(key), list):
                offered += data[key]
    return [
        {"title": button["title"], "payload": button["payload"]}
        for button in offered
        if isinstance(button, Mapping)
        and isinstance(button.get("title"), str)
        and isinstance(button.get("payload"), str)
    ]


def _time(event: StoredEvent) -> str | None:
    stamp = event.get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, (int, float)):
        return None
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat()


def visible_messages(
    events: Iterable[StoredEvent], titles: Mapping[str, str] | None = None, limit: int = MAX_MESSAGES
) -> list[Message]:
    """The widget's messages of ``events`` (a conversation's, in stored order): see the module.
    ``titles``: the payloads of buttons the widget offered itself (its welcome), with their titles."""
    known = dict(titles or {})
    messages: list[Message] = []
    for event in events:
        kind = event.get("event")
        text = _text(event.get("text"))
        when = _time(event)
        if kind == "user":
            shown = known.get(text, text) if text.startswith("/") else text
            if shown and shown != REMOVED and not shown.startswith("/"):
                messages.append({"role": "user", "text": shown, "time": when, "buttons": []})
        elif kind == "bot":
            metadata = event.get("metadata")
            metadata = metadata if isinstance(metadata, Mapping) else {}
            if STAFF_AUTHOR_KEY in metadata:
                if text and text != REMOVED:
                    name = _text(metadata.get(STAFF_NAME_KEY))
                    messages.append(
                        {"role": "staff", "name": name, "text": text, "time": when, "buttons": []}
                    )
                continue
            buttons = _buttons(event.get("data"))
            known.update((button["payload"], button["title"]) for button in buttons)
            parts = [part for part in text.split(PART_SEPARATOR) if part.strip()] if text != REMOVED else []
            if buttons and not parts and text != REMOVED:
                parts = [""]
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                messages.append(
                    {"role": "bot", "text": part.strip(), "time": when, "buttons": buttons if last else []}
                )
    return messages[-limit:] if limit > 0 else []


class ConversationLog:
    """The widget's log of a conversation stored at ``tracker_url`` (``ALMERE_TRACKER_URL``), read-only."""

    def __init__(
        self,
        tracker_url: str,
        lifetime: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self._url = make_url(tracker_url)
        self._engine = read_only_engine(tracker_url)
        self._lifetime = lifetime
        self._clock = clock

    def _missing(self) -> bool:
        """No conversation was ever stored: a SQLite file not made yet."""
        database = self._url.database
        return (
            self._url.get_backend_name() == "sqlite"
            and database not in (None, "", ":memory:")
            and not Path(database).exists()
        )

    def messages(
        self, conversation_id: str, titles: Mapping[str, str] | None = None, limit: int = MAX_MESSAGES
    ) -> list[Message]:
        """The log of ``conversation_id`` (see the module). Raises :class:`NoConversation` or
        :class:`LogUnavailable`."""
        if self._missing():
            raise NoConversation(conversation_id)
        of_conversation = EVENTS.c.sender_id == conversation_id
        last = sa.select(sa.func.max(EVENTS.c.timestamp)).where(of_conversation)
        shown = (
            sa.select(EVENTS.c.data)
            .where(of_conversation, EVENTS.c.type_name.in_(("user", "bot")))
            .order_by(EVENTS.c.id)
        )
        try:
            with self._engine.connect() as connection:
                last_event = connection.execute(last).scalar()
                if last_event is None or last_event < (self._clock() - self._lifetime).timestamp():
                    raise NoConversation(conversation_id)
                events = [stored_event(data) for data in connection.execute(shown).scalars()]
        except SQLAlchemyError as error:
            logger.warning("Conversation database unreadable: %s", error)
            raise LogUnavailable("The conversation database cannot be read right now.") from error
        return visible_messages(events, titles, limit)

    def dispose(self) -> None:
        self._engine.dispose()
