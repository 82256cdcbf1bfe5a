"""One chat turn as every channel of the project takes it.

The person's text is made safe first (bot.conversation.chat_input; only the quick replies of
bot.conversation.quick_replies reach Rasa as "/intent"). Then Rasa answers it; if that
fails, takes too long (action server down or slow) or says nothing at all, the person
still gets a reply with the desk's phone numbers instead of silence.

A Rasa server works on at most ``ALMERE_MAX_CONCURRENT_TURNS`` turns at a time, on all its
channels together; the next ones wait in line, in arrival order
(:class:`bot.access.turn_admission.TurnQueue`).
A turn whose answer could not come within ``ALMERE_TURN_WAIT_BUDGET_SECONDS`` is refused at once,
before Rasa sees it (nothing is stored, nothing half-done): the person is told to try again in a
moment, with the desk's phone number. The reply timeout counts from when Rasa starts on the turn, so a
turn that waited in line has as long as any other.

While an administrator has switched the assistant off (bot.access.assistant_switch), the turn is answered
without Rasa (nothing stored): the assistant is off for now, with the desk's phone numbers and a
button that starts the handoff form. That button's message and the form's answers (while the
conversation is in the form), and a live chat with a colleague, still go to Rasa.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot import services
from bot.access.assistant_switch import SwitchState
from bot.access.turn_admission import TurnQueue
from bot.config import Settings
from bot.conversation.chat_input import prepare_message
from bot.conversation.quick_replies import offered_payloads
from bot.conversation.reply_language import detect
from bot.observability.metrics import (
    ANSWERED,
    BUSY,
    DECLINED,
    LIVE_CHAT,
    OUTCOME_KEY,
    TROUBLE,
    count_queue_wait,
    count_turn,
    turn_outcome,
)
from bot.rasa.tracker_store import active_form, conversation_memory_problem

logger = logging.getLogger(__name__)


_TROUBLE = {
    "en": "I'm sorry, I can't answer right now because of a technical problem. ",
    "nl": "Sorry, door een technisch probleem kan ik nu niet antwoorden. ",
}
_BUSY = {
    "en": "I'm very busy right now: please try again in a moment. ",
    "nl": "Het is nu erg druk: probeer het zo nog eens. ",
}


_SWITCHED_OFF = {
    "en": "The assistant is switched off for now. ",
    "nl": "De assistent staat op dit moment uit. ",
}
_SWITCHED_OFF_NOTICE = {
    "en": "The assistant is switched off for now.",
    "nl": "De assistent staat op dit moment uit.",
}
_HANDOFF_BUTTON = {"en": "Leave your question for the desk", "nl": "Laat uw vraag achter voor de balie"}
# The handoff form's start (data/rules.yml), offered while the assistant is switched off.
HANDOFF_PAYLOAD = "/request_human"
HANDOFF_FORM = "handoff_form"


def switched_off_reply(language: str = "en") -> str:
    return _SWITCHED_OFF[language] + services.knowledge().desk_contact(language)


async def switch_state() -> SwitchState:
    """The assistant's switch, from this process's cache or read in a thread."""
    switch = services.assistant_switch()
    cached = switch.cached()
    return cached if cached is not None else await asyncio.to_thread(switch.state)


async def say_switched_off(output: OutputChannel, sender_id: str, language: str) -> None:
    """The assistant is off: the desk's phone numbers, the handoff form's button, and the widget's marker."""
    button = {"title": _HANDOFF_BUTTON[language], "payload": HANDOFF_PAYLOAD}
    await output.send_text_with_buttons(sender_id, switched_off_reply(language), [button])
    marker = {"assistant": "off", "notice": _SWITCHED_OFF_NOTICE[language]}
    await output.send_custom_json(sender_id, {"data": marker})


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


@functools.cache
def process_queue(concurrency: int, wait_budget: float) -> TurnQueue:
    """The queue that every channel of this server process shares."""
    return TurnQueue(concurrency, wait_budget)


class WatchedOutput(OutputChannel):
    """An output channel that counts what Rasa sends through it, and notes how the actions said the
    turn ended (:data:`bot.observability.metrics.OUTCOME_KEY`)."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0
        self.outcomes: list[object] = []

    def name(self) -> str:
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        self.outcomes.append(message.get(OUTCOME_KEY))
        await self.inner.send_response(recipient_id, message)


async def take_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    output: OutputChannel,
    raw_text: str,
    sender_id: str,
    input_channel: str,
    settings: Settings,
    metadata: dict[str, Any] | None = None,
    queue: TurnQueue | None = None,
    *,
    paused: bool = False,
    waited: float = 0.0,
) -> Turn:
    """Answer ``raw_text`` from ``sender_id`` through ``output``; never leaves them without a reply.

    ``queue``: the turns this one shares the server with (default: the process's, of
    ``settings.max_concurrent_turns`` and ``settings.turn_wait_budget_seconds``). ``paused``: a
    colleague has the conversation (live chat), so Rasa stores the message and rightly says
    nothing; only a failure gets the trouble reply. ``waited``: seconds the turn waited before it
    reached this server (bot.access.turn_admission.waited_since), taken from its wait budget. Each turn is
    counted by how it ended (bot/observability/metrics.py)."""
    started = time.monotonic()
    switched_off = not paused and not (await switch_state()).answering
    payloads = offered_payloads() | {HANDOFF_PAYLOAD} if switched_off else offered_payloads()
    inbound = prepare_message(raw_text, max_chars=settings.max_message_chars, quick_replies=payloads)
    if inbound.text is None:  # not for Rasa: its reply at once
        await output.send_text_message(sender_id, inbound.reply)
        count_turn(ANSWERED, time.monotonic() - started)
        return Turn.TAKEN
    if (
        switched_off
        and inbound.text != HANDOFF_PAYLOAD
        and await asyncio.to_thread(active_form, sender_id) != HANDOFF_FORM
    ):
        await say_switched_off(output, sender_id, _language(raw_text))
        count_turn(DECLINED, time.monotonic() - started)
        return Turn.TAKEN
    if conversation_memory_problem() is not None:  # the turn could not be kept: say so
        await output.send_text_message(sender_id, trouble_reply(_language(raw_text)))
        count_turn(TROUBLE, time.monotonic() - started)
        return Turn.TAKEN
    queue = queue or process_queue(settings.max_concurrent_turns, settings.turn_wait_budget_seconds)
    queued = time.monotonic()
    async with queue.admit(waited) as admitted:
        count_queue_wait(time.monotonic() - queued)
        if not admitted:
            await output.send_text_message(sender_id, busy_reply(_language(raw_text)))
            count_turn(BUSY, None)
            return Turn.REFUSED_BUSY
        outcome = await _answer(
            on_new_message, output, inbound.text, sender_id, input_channel, settings, metadata, paused
        )
    count_turn(outcome, time.monotonic() - started)
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
) -> str:
    """How the turn ended (:data:`bot.observability.metrics.OUTCOMES`)."""
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
        return TROUBLE
    if watched.sent == 0:  # paused: a colleague answers
        return LIVE_CHAT
    return turn_outcome(watched.outcomes)
