"""The live chat's Rasa side (the flow is in :mod:`bot.handoff.live_chat`).

:class:`LiveChatRelay` belongs to the socket.io channel (:mod:`bot.rasa.socketio_channel`):

* the widget's ``live_chat_request`` event, after the assistant offered a chat, opens a waiting
  chat (the handoff form is stopped: the person may keep asking the assistant while they wait) and
  starts its expiry timer;
* the desk's calls to ``POST /webhooks/socketio/live`` (with the live-chat secret) put what a
  colleague does into the conversation and send it to the person's widget: joined (the assistant
  is paused, Rasa's ``ConversationPaused``), a message, ended (resumed, handed back or closed).
  Each is checked against the chat in the ticket database (active, and the author the colleague
  who has it) and delivered once per request id;
* the person's messages while a colleague has the chat reach Rasa as usual, which stores them but
  says nothing (the conversation is paused); the channel then copies them to the ticket;
* typing, both ways (:meth:`LiveChatRelay.staff_typing`, :meth:`LiveChatRelay.person_typing`).

Every change to a conversation is made under Rasa's lock for it and saved in the tracker store,
and the ticket's transcript is brought up to date from the tracker after each one, so both hold
the whole conversation. A message reaches the person through ``sio.emit`` to their session's
room: with ``ALMERE_SOCKETIO_REDIS_URL`` set, every Rasa server's socket.io server shares a Redis
message queue, so the person gets it whichever server holds their socket.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.channels.socketio import SocketIOOutput
from rasa.shared.core.events import (
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SlotSet,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.access.action_secret import is_authorised
from bot.config import Settings
from bot.conversation.reply_language import LANGUAGES
from bot.handoff.contact_answers import (
    STAFF_AUTHOR_KEY,
    desk_for_topic,
    handoff_topic,
    transcript_from_events,
)
from bot.handoff.live_chat import (
    REQUESTED_KEY,
    can_chat_now,
    ended_text,
    joined_text,
    offer_standing,
    text,
    waiting_text,
)
from bot.observability.metrics import count_handoff
from bot.rasa.conversation_window import whole_conversation
from bot.tickets.errors import TicketError, TicketNotFound
from bot.tickets.live_chat_tickets import ENDINGS, LiveChat, LiveChatService
from bot.tickets.models import USERNAME_MAX, utc_now
from bot.tickets.validation import normalise_username

logger = logging.getLogger(__name__)

HANDOFF_FORM = "handoff_form"
# Typing is passed on at most once in this many seconds per chat, each way.
TYPING_EVERY_SECONDS = 2.0
# What the person's widget receives while the colleague types (no text: nothing is added to the chat).
STAFF_TYPING = {"live_chat": {"state": "connected", "typing": True}}
# The metadata key under which a colleague's event keeps the desk's request id (delivered once).
REQUEST_ID_KEY = "desk_request_id"
REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


async def append_events(
    agent: Any, conversation_id: str, events: list[Event], request_id: str | None = None
) -> list[dict[str, Any]] | None:
    """Add ``events`` to the conversation (under its lock) and save it; returns the session's events.

    A conversation that has not begun (or whose session expired) is started first, as a message
    would start it: without its ``action_session_start`` and ``action_listen`` the rules would not
    recognise the next message's turn. With ``request_id`` (which one of the events carries in its
    metadata), nothing is added and None returned if the conversation has that request already."""
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.processor.fetch_tracker_and_update_session(
            conversation_id, CollectingOutputChannel()
        )
        if request_id is not None and any(
            (event.get("metadata") or {}).get(REQUEST_ID_KEY) == request_id
            for event in whole_conversation(tracker)
        ):
            return None
        for event in events:
            tracker.update(event, agent.domain)
        await agent.processor.save_tracker(tracker)
        return whole_conversation(tracker)


class BadStaffEvent(ValueError):
    """A desk call that cannot be carried out; the message says why (a 400, 403, 404 or 409)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class LiveChatRelay:
    """Carries a live chat between the person's socket, the conversation and the desk."""

    def __init__(
        self,
        sio: AsyncServer,
        namespace: str,
        bot_message_evt: str,
        settings: Settings,
        live_chats: LiveChatService,
        secret: str,
    ) -> None:
        self._sio = sio
        self._namespace = namespace
        self._bot_message_evt = bot_message_evt
        self._settings = settings
        self._live = live_chats
        self._secret = secret
        self._app: Any = None
        self._timers: set[asyncio.Task] = set()
        self._typed: dict[tuple[str, str], float] = {}  # (who, chat) -> when it was last passed on

    # --- Wiring -----------------------------------------------------------------------------------

    def add_routes(self, blueprint: Blueprint) -> None:
        """The desk's endpoint, and the app (its agent) once the server runs."""

        async def remember_app(app: Any, _loop: Any) -> None:
            self._app = app

        async def staff_event(request: Request) -> HTTPResponse:
            if not is_authorised(request.headers.get("Authorization"), self._secret):
                return response.json({"error": "Only the desk may call this."}, status=401)
            body = request.json if isinstance(request.json, dict) else None
            if body is None:
                return response.json({"error": "Send a JSON object."}, status=400)
            try:
                delivered = await self.staff_event(body)
            except BadStaffEvent as error:
                return response.json({"error": str(error)}, status=error.status)
            except TicketError:
                logger.exception("A desk call for a live chat could not be carried out.")
                return response.json({"error": "The ticket database cannot be used right now."}, status=503)
            return response.json({"ok": True, "repeated": not delivered})

        blueprint.listener("after_server_start")(remember_app)
        blueprint.add_route(staff_event, "/live", methods=["POST"], name="live_chat_staff_event")

    @property
    def _agent(self) -> Any:
        return self._app.ctx.agent

    async def _emit(self, conversation_id: str, message: dict[str, Any]) -> None:
        await self._sio.emit(self._bot_message_evt, message, room=conversation_id, namespace=self._namespace)

    async def language(self, conversation_id: str) -> str:
        """The language the conversation is answered in (its ``language`` slot)."""
        tracker = await self._agent.processor.get_tracker(conversation_id)
        return "nl" if tracker.get_slot("language") == "nl" else "en"

    async def _append(self, conversation_id: str, events: list[Event]) -> list[dict[str, Any]]:
        stored = await append_events(self._agent, conversation_id, events)
        assert stored is not None  # only a request id makes an append a repeat
        return stored

    async def set_language(self, conversation_id: str, language: str) -> None:
        """The person chose a language in the widget: the assistant answers in it."""
        if language not in LANGUAGES:
            raise BadStaffEvent(f"unknown language {language!r}")
        await self._append(conversation_id, [SlotSet("language", language)])

    async def _record(
        self, reference: str, events: list[dict[str, Any]] | None = None, *, of: str = ""
    ) -> None:
        """Bring the ticket's transcript up to date with the conversation."""
        if events is None:
            tracker = await self._agent.processor.get_tracker(of)
            events = whole_conversation(tracker)
        self._live.record_transcript(reference, transcript_from_events(events))

    # --- The person -------------------------------------------------------------------------------

    def chat_of(self, conversation_id: str) -> LiveChat | None:
        """The conversation's waiting or active chat, if any."""
        chat = self._live.current(conversation_id)
        return chat if chat is not None and chat.state in ("waiting", "active") else None

    async def after_person_message(self, chat: LiveChat) -> None:
        """Copy the person's message (and any answer) to the chat's ticket."""
        try:
            await self._record(chat.reference, of=chat.conversation_id)
        except TicketError:
            logger.exception("Could not copy a message of %s to its ticket.", chat.reference)

    async def request(self, conversation_id: str, channel: str, may_open: Callable[[], bool]) -> None:
        """The person asked to chat with a colleague now. A chat opens only after the assistant
        offered one and the offer was not taken up yet, and only if ``may_open()`` (the channel's
        limit of chats per conversation, asked only when one would open)."""
        chat = self._live.current(conversation_id)
        if chat is not None and chat.state in ("waiting", "active"):
            await self._emit(conversation_id, {"live_chat": {"state": chat.state}})
            return
        agent = self._agent
        tracker = await agent.processor.get_tracker(conversation_id)
        language = "nl" if tracker.get_slot("language") == "nl" else "en"
        events = whole_conversation(tracker)
        missed_before = chat is not None and chat.state == "missed"
        if not offer_standing(events):
            refusal = "not_offered"
        elif missed_before or not can_chat_now(self._settings, self._live, utc_now()):
            refusal = "nobody_free"
        elif not may_open():
            refusal = "too_many"
        else:
            refusal = None
        if refusal is not None:
            message = {"text": text(refusal, language), "live_chat": {"state": "unavailable"}}
            await self._emit(conversation_id, message)
            return
        topic = handoff_topic(events)
        chat = self._live.request(
            conversation_id,
            channel,
            desk=desk_for_topic(topic),
            question=tracker.get_slot("unanswered_question"),
            topic=topic,
            transcript=transcript_from_events(events),
            language=language,
        )
        count_handoff(chat.desk, "live_chat")
        waiting = waiting_text(self._settings, language)
        form_slots = agent.domain.required_slots_for_form(HANDOFF_FORM)
        stop_form: list[Event] = [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *(SlotSet(slot, None) for slot in form_slots),
            SlotSet("handoff_offered", False),
        ]
        requested = BotUttered(waiting, metadata={REQUESTED_KEY: True})
        events = await self._append(conversation_id, [*stop_form, requested])
        await self._record(chat.reference, events)
        await self._emit(conversation_id, {"text": waiting, "live_chat": {"state": "waiting"}})
        timer = asyncio.create_task(self._expire_later(chat))
        self._timers.add(timer)
        timer.add_done_callback(self._timers.discard)

    async def _expire_later(self, chat: LiveChat) -> None:
        await asyncio.sleep(self._settings.live_chat_wait_seconds)
        try:
            if self._live.expire(chat.reference):
                await self.fall_back_to_form(chat)
        except Exception:
            logger.exception("The expiry of live chat %s failed.", chat.reference)

    async def fall_back_to_form(self, chat: LiveChat) -> None:
        """Nobody took the chat: say so, then ask for the details as a request for a colleague would
        (the handoff does not offer a live chat again; its ticket is this one)."""
        conversation_id = chat.conversation_id
        agent = self._agent
        output = SocketIOOutput(self._sio, self._bot_message_evt)
        missed = text("missed", await self.language(conversation_id))
        await self._emit(conversation_id, {"text": missed, "live_chat": {"state": "missed"}})
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.processor.get_tracker(conversation_id)
            tracker.update(BotUttered(missed), agent.domain)
            await agent.processor.trigger_external_user_uttered("request_human", None, tracker, output)
            events = whole_conversation(tracker)
        await self._record(chat.reference, events)

    # --- Typing, both ways ------------------------------------------------------------------------

    def _may_pass_on_typing(self, who: str, key: str) -> bool:
        """At most one typing event per TYPING_EVERY_SECONDS for ``who`` in the chat ``key``."""
        now = time.monotonic()
        if now - self._typed.get((who, key), -TYPING_EVERY_SECONDS) < TYPING_EVERY_SECONDS:
            return False
        if len(self._typed) > 10_000:  # forget the chats nobody typed in lately
            self._typed = {k: t for k, t in self._typed.items() if now - t < TYPING_EVERY_SECONDS}
        self._typed[(who, key)] = now
        return True

    def person_typing(self, conversation_id: str) -> bool:
        """The person is typing (the widget's socket.io event ``person_typing``): noted with the
        conversation's live chat, only while a colleague has it, at most once every
        TYPING_EVERY_SECONDS; the desk's chat page shows "The person is typing…" for
        :data:`bot.tickets.live_chat_tickets.PERSON_TYPING_SHOWN` after the last one. Whether it was noted."""
        if not self._may_pass_on_typing("person", conversation_id):
            return False
        return self._live.person_typing(conversation_id)

    async def staff_typing(self, chat: LiveChat) -> bool:
        """The colleague is typing: the person's widget gets :data:`STAFF_TYPING` (at most once every
        TYPING_EVERY_SECONDS per chat); nothing is stored. Whether it was sent."""
        if not self._may_pass_on_typing("staff", chat.reference):
            return False
        await self._emit(chat.conversation_id, STAFF_TYPING)
        return True

    # --- The desk ---------------------------------------------------------------------------------

    async def staff_event(self, body: dict[str, Any]) -> bool:
        """What a colleague did in the desk: ``joined``, ``message``, ``ended`` (with ``how``) or
        ``typing`` (passed on to the person's widget as :data:`STAFF_TYPING`, never stored).

        Only for an active chat, from the colleague who has it (``author``, their username; the
        person is told their first name from their account), with the rating question's token only
        if it is this chat's. ``request_id`` makes a repeated call harmless: False, nothing is
        added or sent again."""
        reference, event = body.get("reference"), body.get("event")
        if not isinstance(reference, str) or event not in ("joined", "message", "ended", "typing"):
            raise BadStaffEvent(
                'Send {"reference": "ALM-…", "event": "joined" | "message" | "ended" | "typing", …}.'
            )
        request_id = body.get("request_id")
        if not isinstance(request_id, str) or not REQUEST_ID.fullmatch(request_id):
            raise BadStaffEvent('"request_id" must be 16 to 64 letters, digits, "-" or "_".')
        try:
            chat = self._live.get(reference)
        except TicketNotFound as error:
            raise BadStaffEvent(str(error), status=404) from error
        if chat.state != "active":
            raise BadStaffEvent(f"{chat.reference} is not an active chat (it is {chat.state}).", status=409)
        author = _text(body, "author", USERNAME_MAX)
        if normalise_username(author) != chat.assignee:
            raise BadStaffEvent(f"{chat.reference} is not {author}'s chat.", status=403)
        if event == "typing":
            return await self.staff_typing(chat)
        name = self._live.first_name(chat.assignee)
        language = await self.language(chat.conversation_id)
        delivered = {REQUEST_ID_KEY: request_id}
        if event == "joined":
            said = joined_text(name, chat.desk, language)
            events: list[Event] = [ConversationPaused(), BotUttered(said, metadata=delivered)]
            message: dict[str, Any] = {"text": said, "live_chat": {"state": "active", "staff": name}}
        elif event == "message":
            said = _text(body, "text", self._settings.max_message_chars)
            metadata = {STAFF_AUTHOR_KEY: chat.assignee, "staff_name": name, **delivered}
            events = [BotUttered(said, metadata=metadata)]
            message = {"text": said, "from_staff": name, "live_chat": {"state": "active", "staff": name}}
        else:
            how = body.get("how")
            if how not in ENDINGS:
                raise BadStaffEvent(f'"how" is one of {", ".join(ENDINGS)}.')
            said = ended_text(name, how, language)
            events = [ConversationResumed(), BotUttered(said, metadata=delivered)]
            message = {"text": said, "live_chat": {"state": how}}
            token = body.get("rating_token")
            if token is not None:
                if not self._live.asked_rating(chat.reference, token):
                    raise BadStaffEvent('"rating_token" is not the rating question asked for this chat.')
                message["rating"] = {"token": token, "question": text("rating", language)}
        stored = await append_events(self._agent, chat.conversation_id, events, request_id)
        if stored is None:
            logger.info("Live chat %s: a repeated %s was not delivered again.", chat.reference, event)
            return False
        await self._record(chat.reference, stored)
        await self._emit(chat.conversation_id, message)
        return True


def _text(body: dict[str, Any], key: str, limit: int) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise BadStaffEvent(f'"{key}" must be text of 1 to {limit} characters.')
    return value.strip()
