"""Live chat with a colleague (issue 12): when it is offered, what the person is told, and the secret
the desk proves itself with to the Rasa servers.

The flow: a person asks for a colleague; while the desk is open and a colleague has marked
themselves available in the desk, the handoff offers "Chat with a colleague now" beside the form.
The widget asks for it (socket.io event ``live_chat_request``); the chat waits for a colleague
(:class:`bot.tickets.live_chat.LiveChatService`). A colleague takes it in the desk: the assistant
is paused for that conversation, the person is told who joined, and messages go both ways until the
colleague hands the person back to the assistant or closes the chat (then one rating question).
If nobody takes it within ``live_chat_wait_seconds``, the person is asked for their details instead
(the handoff form) and told when to expect a reply.

The Rasa side is :mod:`bot.rasa.live_chat`; the desk side :mod:`bot.site.desk.live`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.config import REPO_ROOT, Settings
from bot.office_hours import desk_availability
from bot.secret_files import load_or_create_secret_key
from bot.tickets.live_chat import LiveChatService

SECRET_FILE = REPO_ROOT / "var" / "live_chat_secret"
DESK_NAMES = {"international": "International Affairs Department", "business": "business service desk"}

OFFER_TEXT = (
    "A colleague is available to chat with you now. If you choose to chat, they will see this "
    "conversation. Or leave your details below and a colleague will get back to you."
)
OFFER_BUTTON = "Chat with a colleague now"
WAITING_TEXT = (
    "I've asked a colleague to join this chat. Please keep this page open. If nobody can join "
    "within {minutes}, I'll ask for your details so that a colleague can answer you later."
)
NOBODY_FREE_TEXT = "I'm sorry, no colleague is free to chat right now."
JOINED_TEXT = "{name} of the {desk} has joined the chat."
MISSED_TEXT = (
    "I'm sorry, no colleague could join just now. If you leave your details, a colleague will "
    "answer you by e-mail or phone."
)
RETURNED_TEXT = (
    "{name} has handed the conversation back to me, the digital assistant. Ask me anything about Almere."
)
CLOSED_TEXT = "{name} has closed the chat. Thank you! If you have another question, just ask me."
RATING_QUESTION = "How helpful was this chat? (optional)"


def live_chat_secret(settings: Settings, secret_file: Path = SECRET_FILE) -> str:
    """ALMERE_LIVE_CHAT_SECRET, else a secret generated once into var/ (read by desk and Rasa)."""
    return settings.live_chat_secret or load_or_create_secret_key(secret_file)


def can_chat_now(settings: Settings, live_chats: LiveChatService, now: datetime) -> bool:
    """The desk is open (office hours, not a holiday) and at least one colleague is available."""
    return desk_availability(settings, now).is_open and bool(live_chats.available_staff(now))


def waiting_text(settings: Settings) -> str:
    seconds = settings.live_chat_wait_seconds
    minutes = round(seconds / 60)
    span = f"{seconds} seconds" if seconds < 90 else f"{minutes} minutes"
    return WAITING_TEXT.format(minutes=span)


def joined_text(first_name: str, desk: str) -> str:
    return JOINED_TEXT.format(name=first_name, desk=DESK_NAMES.get(desk, DESK_NAMES["international"]))


def ended_text(first_name: str, how: str) -> str:
    return (RETURNED_TEXT if how == "returned" else CLOSED_TEXT).format(name=first_name)
