"""The widget's "e-mail me a copy of this chat", after a live chat with a colleague ended.

Contract (socket.io, the chat widget's connection, after its session was confirmed):

* the widget emits ``live_chat_transcript`` with ``{"email": "name@example.org"}``;
* the server answers that connection only, with a ``bot_uttered`` message
  ``{"text": "<what to tell the person, in their language>", "live_chat": {"transcript": outcome}}``
  where ``outcome`` is one of :class:`bot.tickets.transcripts.TranscriptOutcome`'s values:
  ``sent``, ``invalid_address`` (ask again), ``no_chat`` (no chat of this conversation ended in the
  last day), ``already_sent`` (each chat is e-mailed once), ``not_configured`` or ``failed``
  (the mail server; the person may try again later), or ``unavailable`` (the ticket database).

The conversation is the one the connection's session is bound to, so nobody can ask for another
person's chat; each request counts as a message against the connection's limits.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.tickets.errors import TicketError
from bot.tickets.transcripts import TranscriptOutcome, TranscriptService

logger = logging.getLogger(__name__)

EVENT = "live_chat_transcript"
UNAVAILABLE = "unavailable"
NOT_NOW = {
    "en": "I'm sorry, the copy of the chat could not be e-mailed just now. Please try again later.",
    "nl": "Sorry, de kopie van de chat kon nu niet worden gemaild. Probeer het later nog eens.",
}
TEXTS = {
    "en": {
        TranscriptOutcome.SENT.value: "I have e-mailed you a copy of the chat.",
        TranscriptOutcome.INVALID_ADDRESS.value: (
            "That doesn't look like an e-mail address. Please check it and try again."
        ),
        TranscriptOutcome.NO_CHAT.value: "There is no ended chat with a colleague to send you a copy of.",
        TranscriptOutcome.ALREADY_SENT.value: "A copy of this chat has already been e-mailed.",
        TranscriptOutcome.NOT_CONFIGURED.value: "I'm sorry, I cannot e-mail a copy of the chat.",
        TranscriptOutcome.FAILED.value: NOT_NOW["en"],
        UNAVAILABLE: NOT_NOW["en"],
    },
    "nl": {
        TranscriptOutcome.SENT.value: "Ik heb je een kopie van de chat gemaild.",
        TranscriptOutcome.INVALID_ADDRESS.value: (
            "Dat lijkt geen e-mailadres. Controleer het en probeer het nog eens."
        ),
        TranscriptOutcome.NO_CHAT.value: (
            "Er is geen afgelopen chat met een medewerker om je een kopie van te sturen."
        ),
        TranscriptOutcome.ALREADY_SENT.value: "Er is al een kopie van deze chat gemaild.",
        TranscriptOutcome.NOT_CONFIGURED.value: "Sorry, ik kan geen kopie van de chat e-mailen.",
        TranscriptOutcome.FAILED.value: NOT_NOW["nl"],
        UNAVAILABLE: NOT_NOW["nl"],
    },
}


async def reply(
    transcripts: TranscriptService, conversation_id: str, data: Any, language: str
) -> dict[str, Any]:
    """Send the copy the widget asked for (``data``: ``{"email": ...}``); the message for the person."""
    address = data.get("email") if isinstance(data, dict) else None
    try:
        result = await asyncio.get_running_loop().run_in_executor(
            None, transcripts.send, conversation_id, address
        )
        outcome = result.outcome.value
    except TicketError:
        logger.exception("A copy of the live chat of %s could not be e-mailed.", conversation_id)
        outcome = UNAVAILABLE
    words = TEXTS.get(language, TEXTS["en"])
    return {"text": words[outcome], "live_chat": {"transcript": outcome}}
