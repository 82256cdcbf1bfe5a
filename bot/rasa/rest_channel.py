"""Rasa's REST channel with checked input: a clear 400 for a malformed request, never a 500.

credentials.yml names it under the usual `rest` URL (/webhooks/rest/webhook). Only trusted
callers may use it (bot/access/rest_auth.py): with ALMERE_REST_API_KEY set, those that send the key;
without, programs on this machine. GET /webhooks/rest/ready is a readiness probe: 200 once the model
is loaded and the conversation database can be written, else 503. The server's GET /metrics comes
with this channel (bot/rasa/metrics_route.py). A proxy's ``X-Request-Start`` stamp (deploy/haproxy.cfg)
counts the time the message waited before it reached the server against its wait budget. Each request
has a request id (bot/observability/logs.py): the caller's ``X-Request-ID`` if it is a safe token, else a
new one; the response echoes it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.access.rest_auth import refusal
from bot.access.turn_admission import REQUEST_START_HEADER, waited_since
from bot.config import load_settings
from bot.conversation.quick_replies import offered_payloads
from bot.observability.logs import (
    METADATA_KEY,
    RASA_SERVER,
    REQUEST_ID,
    REQUEST_ID_HEADER,
    configure_logging,
    request_id_from,
)
from bot.rasa.metrics_route import MetricsBlueprint
from bot.rasa.tracker_store import conversation_database_problem, conversation_memory_problem
from bot.rasa.turn import Turn, take_turn

logger = logging.getLogger(__name__)
SENDER = re.compile(r"[\w.:@-]{1,128}")
USAGE = 'Send JSON like {"sender": "a-conversation-id", "message": "How many people live in Almere?"}.'


def bad_request(problem: str) -> HTTPResponse:
    return response.json({"error": f"{problem} {USAGE}"}, status=400)


class CheckedRestInput(RestInput):
    """POST /webhooks/rest/webhook with {"sender", "message"}; answers a JSON list of messages."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = MetricsBlueprint("checked_rest_webhook", __name__)
        settings = load_settings()
        offered_payloads()  # read the quick replies now: a broken domain shows at start-up

        @webhook.listener("before_server_start")
        async def limit_request_size(app: Any, _loop: Any) -> None:
            # Sanic refuses larger bodies with 413 before reading them into memory.
            app.config.REQUEST_MAX_SIZE = settings.max_request_bytes

        @webhook.listener("before_server_start")
        async def log_as_configured(_app: Any, _loop: Any) -> None:
            # After Rasa and Sanic set up their logging: with JSON logs, their handlers are replaced.
            configure_logging(settings, RASA_SERVER)

        @webhook.middleware("request")
        async def assign_request_id(request: Request) -> None:
            request.ctx.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
            REQUEST_ID.set(request.ctx.request_id)

        @webhook.middleware("response")
        async def echo_request_id(request: Request, answer: HTTPResponse) -> None:
            request_id = getattr(request.ctx, "request_id", None)
            if request_id is not None:
                answer.headers[REQUEST_ID_HEADER] = request_id

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            if conversation_memory_problem() is not None:  # details are in the log, not here
                return response.json(
                    {"status": "unavailable", "conversations": "cannot be saved"}, status=503
                )
            return response.json({"status": "ok"})

        @webhook.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            # For an orchestrator's readiness probe: the model is loaded and the conversation
            # database can be written (probed now, off the event loop).
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "unavailable", "model": "not loaded"}, status=503)
            if await asyncio.to_thread(conversation_database_problem) is not None:
                return response.json(
                    {"status": "unavailable", "conversations": "cannot be saved"}, status=503
                )
            return response.json({"status": "ready"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refused = refusal(settings, request.ip, request.headers)
            if refused is not None:
                headers = {"WWW-Authenticate": "Bearer"} if refused.status == 401 else None
                return response.json({"error": refused.message}, status=refused.status, headers=headers)
            try:
                body = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return bad_request("The request body is not valid JSON.")
            except RecursionError:  # json's parser gives up on very deep nesting ([[[[...]]]])
                return bad_request("The request body is nested too deeply.")
            if not isinstance(body, dict):
                return bad_request("The request body must be a JSON object.")
            sender, message = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not SENDER.fullmatch(sender):
                return bad_request("'sender' must be a string of 1 to 128 letters, digits or . _ - : @.")
            if not isinstance(message, str):
                return bad_request("'message' must be a string.")
            collector = CollectingOutputChannel()
            waited = waited_since(request.headers.get(REQUEST_START_HEADER), time.time())
            turn = await take_turn(
                on_new_message,
                collector,
                message,
                sender,
                self.name(),
                settings,
                metadata={METADATA_KEY: request.ctx.request_id},
                waited=waited,
            )
            logger.info("Answered a REST message (%s).", turn.value)
            if turn is Turn.REFUSED_BUSY:  # the same messages, with a status a client can act on
                return response.json(collector.messages, status=503, headers={"Retry-After": "2"})
            return response.json(collector.messages)

        return webhook
