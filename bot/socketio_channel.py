"""The socket.io channel of the chat widget.

:class:`WebChatInput` is Rasa 3.6's ``SocketIOInput`` (same name, events and settings in
``credentials.yml``) with three corrections:

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
* **Checked messages.** Each message is a turn of :func:`bot.chat_turn.take_turn`, like the
  REST channel's: input made safe, and a reply even when answering fails.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Iterable, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import exceptions

from bot.chat_turn import take_turn
from bot.config import load_settings

logger = logging.getLogger(__name__)

# Session ids the widget may ask to resume: Rasa's own (uuid4 hex) or similar tokens.
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


class WebChatInput(SocketIOInput):
    """Rasa's socket.io channel, open only to pages served from ``allowed_origins``."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.allowed_origins = frozenset(load_settings().chat_origins)
        return channel

    def __init__(self, *args: Any, allowed_origins: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_origins = frozenset(allowed_origins)

    def origin_allowed(self, origin: Optional[str]) -> bool:
        """Whether a connection with this ``Origin`` header may chat.

        Browsers send ``Origin`` on every cross-origin request and WebSocket handshake, so
        a request without one does not come from a page of another site (and a client
        outside a browser can send any header it likes: this is a browser protection).
        """
        return origin is None or origin.rstrip("/") in self.allowed_origins

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        settings = load_settings()
        sio = self.sio
        assert sio is not None
        namespace = self.namespace or "/"
        rasa_connect = sio.handlers[namespace]["connect"]

        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if not self.origin_allowed(origin):
                logger.warning("Refused a socket.io connection from origin %r.", origin)
                raise exceptions.ConnectionRefusedError("This web page may not use the chat.")
            return await rasa_connect(sid, environ, auth)

        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            requested = (data or {}).get("session_id")
            valid = isinstance(requested, str) and SESSION_ID.fullmatch(requested)
            session_id = requested if valid else uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        async def handle_message(sid: Text, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            sender_id = data.get("session_id") if self.session_persistence else sid
            if not isinstance(sender_id, str) or not SESSION_ID.fullmatch(sender_id):
                logger.warning("Ignored a socket.io message without a valid session id.")
                return
            message = data.get("message")
            output = SocketIOOutput(sio, self.bot_message_evt)
            await take_turn(on_new_message, output, message if isinstance(message, str) else "",
                            sender_id, self.name(), settings)

        sio.on("connect", connect, namespace=namespace)
        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, handle_message, namespace=namespace)
        return blueprint
