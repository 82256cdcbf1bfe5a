"""Live chat with a colleague: when it is offered, what the person is told, and the secret
the desk proves itself with to the Rasa servers.

The flow: a person asks for a colleague; while the desk is open and a colleague has marked
themselves available in the desk, the handoff offers "Chat with a colleague now" beside the form.
The widget asks for it (socket.io event ``live_chat_request``); the chat waits for a colleague
(:class:`bot.tickets.live_chat_tickets.LiveChatService`). A colleague takes it in the desk: the assistant
is paused for that conversation, the person is told who joined, and messages go both ways until the
colleague hands the person back to the assistant or closes the chat (then one rating question).
If nobody takes it within ``live_chat_wait_seconds``, the person is asked for their details instead
(the handoff form) and told when to expect a reply.

The Rasa side is :mod:`bot.rasa.live_chat_relay`; the desk side :mod:`bot.site.desk.live_chats`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.access.secret_files import load_or_create_secret_key
from bot.config import REPO_ROOT, Settings
from bot.office_hours.schedule import desk_availability
from bot.tickets.live_chat_tickets import LiveChatService

SECRET_FILE = REPO_ROOT / "var" / "live_chat_secret"
# The metadata key of the assistant's "I've asked a colleague" message: the chat asked for after the
# latest offer (a request takes up one offer).
REQUESTED_KEY = "live_chat_requested"
DESK_NAMES = {
    "en": {"international": "International Affairs Department", "business": "business service desk"},
    "nl": {"international": "de afdeling International Affairs", "business": "het ondernemersloket"},
}
# What the person is told, per language.
TEXTS = {
    "en": {
        "waiting": (
            "I've asked a colleague to join this chat. Please keep this page open. If nobody can join "
            "within {wait}, I'll ask for your details so that a colleague can answer you later."
        ),
        "seconds": "{n} seconds",
        "minutes": "{n} minutes",
        "nobody_free": "I'm sorry, no colleague is free to chat right now.",
        "joined": "{name} of the {desk} has joined the chat.",
        "missed": (
            "I'm sorry, no colleague could join just now. If you leave your details, a colleague will "
            "answer you by e-mail or phone."
        ),
        "returned": (
            "{name} has handed the conversation back to me, the digital assistant. "
            "Ask me anything about Almere."
        ),
        "closed": "{name} has closed the chat. Thank you! If you have another question, just ask me.",
        "rating": "How helpful was this chat? (optional)",
        "trouble": (
            "I'm sorry, I can't start a chat with a colleague right now because of a technical problem. "
            "You can still leave your details below."
        ),
        "not_offered": (
            "A chat with a colleague starts from my offer in this chat: ask me for a colleague, and "
            "I'll offer one if a colleague is free."
        ),
        "too_many": (
            "I'm sorry, you have asked for a chat with a colleague several times already. If you leave "
            "your details, a colleague will answer you by e-mail or phone."
        ),
    },
    "nl": {
        "waiting": (
            "Ik heb een medewerker gevraagd om aan dit gesprek deel te nemen. Houd deze pagina open. "
            "Als er binnen {wait} niemand kan komen, vraag ik je gegevens, zodat een medewerker je later "
            "kan antwoorden."
        ),
        "seconds": "{n} seconden",
        "minutes": "{n} minuten",
        "nobody_free": "Sorry, er is nu geen medewerker vrij om te chatten.",
        "joined": "{name} van {desk} neemt nu deel aan het gesprek.",
        "missed": (
            "Sorry, er kon nu geen medewerker komen. Als je je gegevens achterlaat, antwoordt een "
            "medewerker je per e-mail of telefoon."
        ),
        "returned": (
            "{name} heeft het gesprek teruggegeven aan mij, de digitale assistent. "
            "Vraag me gerust iets over Almere."
        ),
        "closed": "{name} heeft de chat afgesloten. Bedankt! Heb je nog een vraag, stel hem gerust.",
        "rating": "Hoe nuttig was deze chat? (niet verplicht)",
        "trouble": (
            "Sorry, door een technisch probleem kan ik nu geen chat met een medewerker starten. Je kunt "
            "hieronder nog wel je gegevens achterlaten."
        ),
        "not_offered": (
            "Een chat met een medewerker begint met mijn aanbod in dit gesprek: vraag me om een "
            "medewerker, dan bied ik een chat aan als er een vrij is."
        ),
        "too_many": (
            "Sorry, je hebt al een paar keer om een chat met een medewerker gevraagd. Als je je gegevens "
            "achterlaat, antwoordt een medewerker je per e-mail of telefoon."
        ),
    },
}


def text(name: str, language: str = "en", /, **values: str) -> str:
    """One of the live chat's sentences in ``language`` (English if unknown)."""
    return TEXTS.get(language, TEXTS["en"])[name].format(**values)


def live_chat_secret(settings: Settings, secret_file: Path = SECRET_FILE) -> str:
    """ALMERE_LIVE_CHAT_SECRET, else a secret generated once into var/ (read by desk and Rasa)."""
    return settings.live_chat_secret or load_or_create_secret_key(secret_file)


def can_chat_now(settings: Settings, live_chats: LiveChatService, now: datetime) -> bool:
    """The desk is open (office hours, not a holiday) and at least one colleague is available."""
    return desk_availability(settings, now).is_open and bool(live_chats.available_staff(now))


def waiting_text(settings: Settings, language: str = "en") -> str:
    seconds = settings.live_chat_wait_seconds
    span = (
        text("seconds", language, n=str(seconds))
        if seconds < 90
        else text("minutes", language, n=str(round(seconds / 60)))
    )
    return text("waiting", language, wait=span)


def joined_text(first_name: str, desk: str, language: str = "en") -> str:
    names = DESK_NAMES.get(language, DESK_NAMES["en"])
    return text("joined", language, name=first_name, desk=names.get(desk, names["international"]))


def ended_text(first_name: str, how: str, language: str = "en") -> str:
    return text("returned" if how == "returned" else "closed", language, name=first_name)


def _offers_live_chat(event: dict[str, Any]) -> bool:
    """Whether this is the handoff's offer of a live chat (a bot event with a ``live_chat.offer``)."""
    custom = (event.get("data") or {}).get("custom")
    data = custom.get("data") if isinstance(custom, dict) else None
    live = data.get("live_chat") if isinstance(data, dict) else None
    return isinstance(live, dict) and bool(live.get("offer"))


def offer_standing(events: Iterable[dict[str, Any]]) -> bool:
    """Whether the conversation (its events as dicts) was offered a live chat that it has not asked
    for yet: each offer opens one chat at most."""
    standing = False
    for event in events:
        if event.get("event") != "bot":
            continue
        if _offers_live_chat(event):
            standing = True
        elif (event.get("metadata") or {}).get(REQUESTED_KEY):
            standing = False
    return standing
