"""The handoff conversation's plain-Python parts: reading Rasa events and contact answers.

Rasa sends the action server the tracker's events as dictionaries; these functions
read them without Rasa, so that they are tested on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from bot.tickets.errors import InvalidTicket
from bot.tickets.records import TranscriptEntry
from bot.tickets.validation import clean_email, clean_phone

INTERNATIONAL = "international"
BUSINESS = "business"

_EMAIL_CANDIDATE = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
_PHONE_CANDIDATE = re.compile(r"\+?[0-9][0-9 ()./-]{4,}[0-9]")
_QUICK_REPLY = re.compile(r"/([a-z_]+)")


@dataclass(frozen=True)
class ContactDetails:
    email: str | None
    phone: str | None

    def describe(self) -> str:
        return self.email or self.phone or ""


def parse_contact(text: str) -> ContactDetails | None:
    """The e-mail address or phone number in a person's answer, or None if it has neither.

    "you can mail me at jan@example.nl" gives the address; "06-12345678" the number.
    """
    email_match = _EMAIL_CANDIDATE.search(text or "")
    if email_match:
        try:
            return ContactDetails(email=clean_email(email_match.group(0).rstrip(".")), phone=None)
        except InvalidTicket:
            return None
    phone_match = _PHONE_CANDIDATE.search(text or "")
    if phone_match:
        try:
            return ContactDetails(email=None, phone=clean_phone(phone_match.group(0)))
        except InvalidTicket:
            return None
    return None


def transcript_from_events(events: Iterable[Mapping[str, Any]]) -> list[TranscriptEntry]:
    """Every user and bot message of the conversation, in order, with its time."""
    entries = []
    for event in events:
        role = {"user": "user", "bot": "bot"}.get(event.get("event"))
        text = event.get("text")
        if role is None or not isinstance(text, str) or not text:
            continue
        timestamp = datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)
        quick_reply = _QUICK_REPLY.fullmatch(text) if role == "user" else None
        if quick_reply:  # a button click arrives as its payload: show staff what it meant
            text = f"[quick reply: {quick_reply.group(1).replace('_', ' ')}]"
        entries.append(TranscriptEntry(role=role, text=text, timestamp=timestamp))
    return entries
