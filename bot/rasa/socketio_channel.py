"""The socket.io channel of the chat widget.

:class:`WebChatInput` is Rasa 3.6's ``SocketIOInput`` (same name, events and settings in
``credentials.yml``) with these corrections:

* **Allowed origins.** Rasa creates its server with
  ``AsyncServer(async_mode="sanic", cors_allowed_origins=[])``. In python-engineio an empty
  list switches CORS handling off completely: no CORS headers and no check of the
  ``Origin`` header. CORS headers for the HTTP long-polling transport come from Sanic-CORS
  (``rasa run --cors ...``), but browsers apply no CORS to WebSockets, so any web page could
  chat over the WebSocket transport. This channel refuses the socket.io connection of a
  page whose ``Origin`` is not in ``Settings.chat_origins`` (``ALMERE_CHAT_ORIGINS``).
  CORS headers stay with Sanic-CORS: having engine.io add them too would send the
  ``Access-Control-Allow-Origin`` header twice, which browsers reject.
* **Session persistence.** Rasa's ``session_request`` handler calls
  ``sio.enter_room(...)`` without ``await``; since python-socketio 5.10 that is a
  coroutine, so the browser never joins its session's room and, with
  ``session_persistence: true``, never receives a reply (RasaHQ/rasa#13027).
* **Sessions issued by the server and bound to the connection.** Rasa confirms any
  ``session_id`` a client asks for and takes each message under the ``session_id`` written in
  it, so anyone who knows (or guesses, or chooses) a conversation id receives that person's
  replies and writes into their conversation. Here ``session_request`` confirms a session token
  only if this server's secret signed it (:mod:`bot.access.chat_sessions`) and otherwise starts a new
  session with a new token; the session is stored with the connection (``sio.save_session``),
  and messages are taken under that session only, whatever the message says.
* **Live chat with a colleague** (:mod:`bot.rasa.live_chat_relay`): the widget's
  ``live_chat_request`` event, the desk's ``POST /webhooks/socketio/live``, and the person's
  messages while a colleague has the conversation (stored, no reply from the assistant, copied to
  the ticket). With ``ALMERE_SOCKETIO_REDIS_URL`` set, the socket.io server uses python-socketio's
  Redis message queue (``AsyncRedisManager``), so that an emit from any Rasa server reaches the
  person's socket whichever server holds it.
* **A copy of a live chat by e-mail**: the widget's ``live_chat_transcript`` event, after a live
  chat ended (:mod:`bot.rasa.chat_copy`).
* **Typing indicators during a live chat**, both ways: the widget's ``person_typing`` event
  (the contract is at ``person_typing`` below).
* **The widget's language switch**: the ``set_language`` event sets the conversation's
  ``language`` slot, so the assistant answers in the language the person chose.
* **Limits per connection and conversation** (:mod:`bot.access.chat_limits`): messages and live-chat
  requests beyond their budget get one polite "slow down" and are dropped, language switches beyond
  theirs are ignored, and each connection and conversation has one turn at a time, waiting outside
  the turn gate, so a client sending in a loop cannot fill the gate that every visitor shares. A
  live chat opens only after the assistant offered one (:func:`bot.handoff.live_chat.offer_standing`).
* **Checked messages.** Each message is a turn of :func:`bot.rasa.turn.take_turn`, like the
  REST channel's: input made safe, and a reply even when answering fails. A packet that
  cannot be decoded (not JSON, or nested too deeply for the parser: ``RecursionError``) gets
  a polite reply instead of a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import AsyncRedisManager, AsyncServer, exceptions

from bot import services
from bot.access.chat_limits import ChatLimits, OneAtATime, slow_down_reply
from bot.access.chat_sessions import session_tokens
from bot.config import Settings, load_settings
from bot.conversation.quick_replies import offered_payloads
from bot.conversation.reply_language import LANGUAGES
from bot.handoff.live_chat import live_chat_secret
from bot.handoff.live_chat import text as live_chat_text
from bot.observability.logs import METADATA_KEY, REQUEST_ID, new_request_id
from bot.rasa import chat_copy
from bot.rasa.live_chat_relay import LiveChatRelay
from bot.rasa.turn import take_turn
from bot.tickets.errors import TicketError
from bot.tickets.live_chat_tickets import LiveChat
from bot.tickets.transcripts import transcript_service_for

logger = logging.getLogger(__name__)

UNREADABLE_REPLY = (
    "Sorry, I could not read that message (it was not valid JSON, or nested too deeply). "
    "Please send your question as text."
)


def share_through_redis(sio: AsyncServer, settings: Settings) -> None:
    """With ``socketio_redis_url`` set, emits go through Redis to every Rasa server's sockets (the
    documented python-socketio message queue); set before the first connection starts it."""
    if settings.socketio_redis_url:
        manager = AsyncRedisManager(settings.socketio_redis_url)
        manager.set_server(sio)
        sio.manager = manager


def live_chat_of(relay: LiveChatRelay, conversation_id: str) -> LiveChat | None:
    """The conversation's waiting or active live chat; None also when the ticket database cannot
    be read (the assistant then answers as usual rather than not at all)."""
    try:
        return relay.chat_of(conversation_id)
    except TicketError:
        logger.exception("Could not read whether %s is in a live chat.", conversation_id)
        return None


class WebChatInput(SocketIOInput):
    """Rasa's socket.io channel, open only to pages served from ``allowed_origins``."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.allowed_origins = frozenset(load_settings().chat_origins)
        return channel

    def __init__(self, *args: Any, allowed_origins: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_origins = frozenset(allowed_origins)

    def origin_allowed(self, origin: str | None) -> bool:
        """Whether a connection with this ``Origin`` header may chat.

        Browsers send ``Origin`` on every cross-origin request and WebSocket handshake, so
        a request without one does not come from a page of another site (and a client
        outside a browser can send any header it likes: this is a browser protection).
        """
        return origin is None or origin.rstrip("/") in self.allowed_origins

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        settings = load_settings()
        tokens = session_tokens(settings)
        offered_payloads()  # read the quick replies now: a broken domain shows at start-up
        sio = self.sio
        assert sio is not None
        namespace = self.namespace or "/"
        share_through_redis(sio, settings)
        relay = LiveChatRelay(
            sio, namespace, self.bot_message_evt, settings, services.live_chats(), live_chat_secret(settings)
        )
        relay.add_routes(blueprint)
        transcripts = transcript_service_for(settings)
        limits = ChatLimits(settings)
        one_at_a_time = OneAtATime()
        rasa_connect = sio.handlers[namespace]["connect"]
        rasa_disconnect = sio.handlers[namespace]["disconnect"]
        decode_and_dispatch = sio.eio.handlers["message"]

        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if not self.origin_allowed(origin):
                logger.warning("Refused a socket.io connection from origin %r.", origin)
                raise exceptions.ConnectionRefusedError("This web page may not use the chat.")
            return await rasa_connect(sid, environ, auth)

        async def disconnect(sid: str, *_reason: Any) -> None:
            limits.closed(sid)
            await rasa_disconnect(sid)

        async def within_message_limit(sid: str, sender_id: str, text: str) -> bool:
            """Whether a message (or live-chat request) may go ahead; the first one beyond the limit
            is answered, to the connection that sent it, with a request to slow down."""
            if limits.message(sid, sender_id):
                return True
            if limits.tell_to_slow_down(sid):
                logger.warning("A socket.io connection sends too many messages: it was asked to slow down.")
                await sio.emit(
                    self.bot_message_evt, {"text": slow_down_reply(text)}, room=sid, namespace=namespace
                )
            return False

        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            token, session_id = tokens.resume_or_issue(requested)
            if requested and token != requested:
                logger.info("A socket.io client asked for a session without its valid token: a new one.")
            bound = await sio.get_session(sid, namespace=namespace)
            previous = bound.get("session_id")
            if self.session_persistence:
                if previous and previous != session_id:
                    await sio.leave_room(sid, previous, namespace=namespace)
                await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.save_session(sid, {"session_id": session_id}, namespace=namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)

        async def handle_message(sid: str, data: Any) -> None:
            if self.session_persistence:
                sender_id = (await sio.get_session(sid, namespace=namespace)).get("session_id")
                if sender_id is None:
                    logger.warning("Ignored a socket.io message sent before a session was confirmed.")
                    return
            else:
                sender_id = sid
            message = data.get("message") if isinstance(data, dict) else None
            text = message if isinstance(message, str) else ""
            if not await within_message_limit(sid, sender_id, text):
                return
            request_id = new_request_id()  # each message is a turn of its own (bot/observability/logs.py)
            REQUEST_ID.set(request_id)
            async with one_at_a_time.turn(("connection", sid), ("conversation", sender_id)):
                output = SocketIOOutput(sio, self.bot_message_evt)
                chat = live_chat_of(relay, sender_id)
                await take_turn(
                    on_new_message,
                    output,
                    text,
                    sender_id,
                    self.name(),
                    settings,
                    metadata={METADATA_KEY: request_id},
                    paused=chat is not None and chat.state == "active",
                )
                logger.info("Answered a socket.io message.")
                if chat is not None:
                    await relay.after_person_message(chat)

        async def live_chat_request(sid: str, _data: Any = None) -> None:
            sender_id = (await sio.get_session(sid, namespace=namespace)).get("session_id")
            if sender_id is None:
                logger.warning("Ignored a live chat request sent before a session was confirmed.")
                return
            if not await within_message_limit(sid, sender_id, ""):
                return
            try:
                async with one_at_a_time.turn(("connection", sid), ("conversation", sender_id)):
                    await relay.request(
                        sender_id, self.name(), may_open=lambda: limits.live_chat_request(sid, sender_id)
                    )
            except TicketError:
                logger.exception("A live chat could not be opened for %s.", sender_id)
                await sio.emit(
                    self.bot_message_evt,
                    {
                        "text": live_chat_text("trouble", await relay.language(sender_id)),
                        "live_chat": {"state": "unavailable"},
                    },
                    room=sid,
                    namespace=namespace,
                )

        async def live_chat_transcript(sid: str, data: Any = None) -> None:
            """The widget's "e-mail me a copy of this chat" (the contract: bot.rasa.chat_copy)."""
            sender_id = (await sio.get_session(sid, namespace=namespace)).get("session_id")
            if sender_id is None or not await within_message_limit(sid, sender_id, ""):
                return
            message = await chat_copy.reply(transcripts, sender_id, data, await relay.language(sender_id))
            await sio.emit(self.bot_message_evt, message, room=sid, namespace=namespace)

        async def set_language(sid: str, data: Any = None) -> None:
            """The widget's language switch: the assistant answers in that language from now on."""
            sender_id = (await sio.get_session(sid, namespace=namespace)).get("session_id")
            language = data.get("language") if isinstance(data, dict) else None
            if sender_id is None or language not in LANGUAGES:
                logger.warning("Ignored a language choice without a session or of an unknown language.")
                return
            if not limits.language_switch(sid, sender_id):
                logger.debug("Ignored a language switch beyond the limit.")
                return
            await relay.set_language(sender_id, language)

        async def person_typing(sid: str, _data: Any = None) -> None:
            """Typing indicators during a live chat with a colleague, both ways (the widget's side).

            * The person types while a colleague has the chat (the widget knows from
              ``live_chat.state`` "active"): the widget emits ``person_typing`` with
              ``{"session_id": ...}``, at most every 2 s. The conversation is the one bound to
              this connection, whatever the data says; it is noted only while a colleague has the
              chat, at most once every 2 s (:meth:`LiveChatRelay.person_typing`), and the desk's
              chat page shows "The person is typing…" for 5 s after the last one. Nothing is sent
              back.
            * The colleague types: the widget receives ``bot_uttered`` with
              ``{"live_chat": {"state": "connected", "typing": true}}`` and no text (at most once
              every 2 s per chat; :data:`bot.rasa.live_chat_relay.STAFF_TYPING`); a colleague's message
              (``from_staff``) ends it, or a few seconds without another.
            """
            sender_id = (await sio.get_session(sid, namespace=namespace)).get("session_id")
            if sender_id is None:
                return
            try:
                relay.person_typing(sender_id)
            except TicketError:
                logger.exception("Could not note that the person of %s is typing.", sender_id)

        async def packet_received(eio_sid: str, packet: Any) -> None:
            try:
                await decode_and_dispatch(eio_sid, packet)
            except (ValueError, RecursionError) as error:
                logger.warning("Refused a socket.io packet that cannot be decoded: %s", type(error).__name__)
                sid = sio.manager.sid_from_eio_sid(eio_sid, namespace)
                if sid is not None:
                    await sio.emit(
                        self.bot_message_evt, {"text": UNREADABLE_REPLY}, room=sid, namespace=namespace
                    )

        sio.on("connect", connect, namespace=namespace)
        sio.on("disconnect", disconnect, namespace=namespace)
        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, handle_message, namespace=namespace)
        sio.on("live_chat_request", live_chat_request, namespace=namespace)
        sio.on("set_language", set_language, namespace=namespace)
        sio.on("person_typing", person_typing, namespace=namespace)
        sio.on(chat_copy.EVENT, live_chat_transcript, namespace=namespace)
        sio.eio.on("message", packet_received)
        return blueprint
