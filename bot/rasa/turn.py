"""One chat turn as every channel of the project takes it.

The person's text is made safe first (bot.chat_input; only the quick replies of
bot.quick_replies reach Rasa as "/intent"). Then Rasa answers it; if that
fails, takes too long (action server down or slow) or says nothing at all, the person
still gets a reply with the desk's phone numbers instead of silence.

A Rasa server takes at most ``ALMERE_MAX_CONCURRENT_TURNS`` turns at a time, on all its channels
together (:class:`TurnGate`). Rasa answers on one event loop, so turns beyond what it can serve
only queue: under overload every turn waits longer, until all of them time out at once. A turn
beyond the limit is refused before Rasa sees it (nothing is stored, nothing half-done) and the
person is told at once to try again in a moment, with the desk's phone number.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot import services
from bot.chat_input import prepare_message
from bot.config import Settings
from bot.quick_replies import offered_payloads
from bot.rasa.tracker_store import conversation_memory_problem
from bot.reply_language import detect

logger = logging.getLogger(__name__)

REFUSALS_LOGGED_EVERY_S = 10.0


_TROUBLE = {
    "en": "I'm sorry, I can't answer right now because of a technical problem. ",
    "nl": "Sorry, door een technisch probleem kan ik nu niet antwoorden. ",
}
_BUSY = {
    "en": "I'm very busy right now: please try again in a moment. ",
    "nl": "Het is nu erg druk: probeer het zo nog eens. ",
}


def trouble_reply(language: str = "en") -> str:
    return _TROUBLE[language] + services.knowledge().desk_contact(language)


def busy_reply(language: str = "en") -> str:
    return _BUSY[language] + services.knowledge().desk_contact(language)


def _language(text: str) -> str:
    """The message's language if it tells, for the replies given without Rasa (English otherwise:
    this turn never reached the conversation's language)."""
    return detect(text) or "en"


class Turn(enum.Enum):
    """How a turn ended, for the channel's response (the person got a reply in every case)."""

    TAKEN = "taken"
    REFUSED_BUSY = "refused_busy"


class TurnGate:
    """Admits at most ``limit`` turns at a time. Used from one event loop, so a counter suffices.

    Refusals are logged as a count, at most one line every ``REFUSALS_LOGGED_EVERY_S`` (under
    overload a line per refused turn would flood the log)."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.in_progress = 0
        self._clock = clock
        self._refused_unlogged = 0
        self._logged_at: float | None = None

    @contextmanager
    def admit(self) -> Iterator[bool]:
        """Yields whether the turn may go ahead; an admitted turn holds its place until it ends."""
        if self.in_progress >= self.limit:
            self._note_refusal()
            yield False
            return
        self.in_progress += 1
        try:
            yield True
        finally:
            self.in_progress -= 1

    def _note_refusal(self) -> None:
        self._refused_unlogged += 1
        now = self._clock()
        if self._logged_at is not None and now - self._logged_at < REFUSALS_LOGGED_EVERY_S:
            return
        logger.warning(
            "Too many turns at once (at most %d): %d asked to try again since the last such report.",
            self.limit,
            self._refused_unlogged,
        )
        self._refused_unlogged = 0
        self._logged_at = now


@functools.cache
def process_gate(limit: int) -> TurnGate:
    """The gate that every channel of this server process shares."""
    return TurnGate(limit)


class WatchedOutput(OutputChannel):
    """An output channel that counts what Rasa sends through it."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    def name(self) -> str:  # type: ignore[override]
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self.inner.send_response(recipient_id, message)


async def take_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    output: OutputChannel,
    raw_text: str,
    sender_id: str,
    input_channel: str,
    settings: Settings,
    metadata: dict[str, Any] | None = None,
    gate: TurnGate | None = None,
    *,
    paused: bool = False,
) -> Turn:
    """Answer ``raw_text`` from ``sender_id`` through ``output``; never leaves them without a reply.

    ``gate``: the turns this one shares the server with (default: the process's, of
    ``settings.max_concurrent_turns``). ``paused``: a colleague has the conversation (live chat),
    so Rasa stores the message and rightly says nothing; only a failure gets the trouble reply."""
    inbound = prepare_message(
        raw_text, max_chars=settings.max_message_chars, quick_replies=offered_payloads()
    )
    if inbound.reply is not None:
        await output.send_text_message(sender_id, inbound.reply)
        return Turn.TAKEN
    if conversation_memory_problem() is not None:  # the turn could not be kept: say so (issue 18)
        await output.send_text_message(sender_id, trouble_reply(_language(raw_text)))
        return Turn.TAKEN
    with (gate or process_gate(settings.max_concurrent_turns)).admit() as admitted:
        if not admitted:
            await output.send_text_message(sender_id, busy_reply(_language(raw_text)))
            return Turn.REFUSED_BUSY
        await _answer(
            on_new_message, output, inbound.text, sender_id, input_channel, settings, metadata, paused
        )
    return Turn.TAKEN


async def _answer(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    output: OutputChannel,
    text: str,
    sender_id: str,
    input_channel: str,
    settings: Settings,
    metadata: dict[str, Any] | None,
    paused: bool = False,
) -> None:
    watched = WatchedOutput(output)
    message = UserMessage(text, watched, sender_id, input_channel=input_channel, metadata=metadata)
    failed = False
    try:
        await asyncio.wait_for(on_new_message(message), timeout=settings.reply_timeout_seconds)
    except asyncio.TimeoutError:
        failed = True
        logger.error("No answer for %s within %ss.", sender_id, settings.reply_timeout_seconds)
    except Exception:
        failed = True
        logger.exception("Answering %s failed.", sender_id)
    # Silence is a failure, unless the conversation is paused and Rasa stored the message.
    unanswered = watched.sent == 0 and (failed or not paused)
    if unanswered or conversation_memory_problem() is not None:
        await output.send_text_message(sender_id, trouble_reply(_language(text)))
