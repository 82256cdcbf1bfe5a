"""One chat turn as every channel of the project takes it.

The person's text is made safe first (bot.chat_input; only the quick replies of
bot.quick_replies reach Rasa as "/intent"). Then Rasa answers it; if that
fails, takes too long (action server down or slow) or says nothing at all, the person
still gets a reply with the desk's phone numbers instead of silence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot import services
from bot.chat_input import prepare_message
from bot.config import Settings
from bot.quick_replies import offered_payloads
from bot.rasa.tracker_store import conversation_memory_problem

logger = logging.getLogger(__name__)


def trouble_reply() -> str:
    return (
        "I'm sorry, I can't answer right now because of a technical problem. "
        + services.knowledge().desk_contact()
    )


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
) -> None:
    """Answer ``raw_text`` from ``sender_id`` through ``output``; never leaves them without a reply."""
    inbound = prepare_message(
        raw_text, max_chars=settings.max_message_chars, quick_replies=offered_payloads()
    )
    if inbound.reply is not None:
        await output.send_text_message(sender_id, inbound.reply)
        return
    if conversation_memory_problem() is not None:  # the turn could not be kept: say so (issue 18)
        await output.send_text_message(sender_id, trouble_reply())
        return
    watched = WatchedOutput(output)
    message = UserMessage(inbound.text, watched, sender_id, input_channel=input_channel, metadata=metadata)
    try:
        await asyncio.wait_for(on_new_message(message), timeout=settings.reply_timeout_seconds)
    except asyncio.TimeoutError:
        logger.error("No answer for %s within %ss.", sender_id, settings.reply_timeout_seconds)
    except Exception:
        logger.exception("Answering %s failed.", sender_id)
    if watched.sent == 0 or conversation_memory_problem() is not None:
        await output.send_text_message(sender_id, trouble_reply())
