"""How the desk tells a Rasa server what a colleague does in a live chat (``bot.rasa.live_chat_relay``):
one authenticated HTTP call per event. Any Rasa server will do: on the scaled layout they share the
conversations (tracker store, locks) and the person's socket (socket.io's Redis queue)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import requests

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5


class NotDelivered(Exception):
    """The Rasa server could not be reached or refused the event; the person was not told."""


class RasaLink:
    """``rasa_urls``: one Rasa server's URL, or several separated by commas, tried in order until
    one can be reached (a server that answers, even with an error, is not asked again)."""

    def __init__(self, rasa_urls: str, secret: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self._urls = [
            url.strip().rstrip("/") + "/webhooks/socketio/live" for url in rasa_urls.split(",") if url.strip()
        ]
        self._headers = {"Authorization": f"Bearer {secret}"}
        self._timeout = timeout

    def send(self, reference: str, event: str, **fields: Any) -> None:
        """Deliver ``event`` of the chat ``reference``; :class:`NotDelivered` if it was not. Every
        server tried gets the same request id, so the event reaches the person once even if a server
        that could not be heard from had delivered it."""
        body = {"reference": reference, "event": event, "request_id": uuid.uuid4().hex, **fields}
        reply = None
        for url in self._urls:
            try:
                reply = requests.post(url, json=body, headers=self._headers, timeout=self._timeout)
                break
            except requests.RequestException as error:
                logger.warning("Live chat %s: %s is unreachable: %s", reference, url, error)
        if reply is None:
            raise NotDelivered("The chat server cannot be reached.")
        if reply.status_code != 200:
            try:
                reason = reply.json().get("error")
            except ValueError:
                reason = None
            logger.warning(
                "Live chat %s: the Rasa server refused %s: %s", reference, event, reply.status_code
            )
            raise NotDelivered(reason or f"The chat server answered {reply.status_code}.")
