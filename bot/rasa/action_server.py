"""The action server: rasa_sdk's app, answering only Rasa.

rasa_sdk 3.6 accepts any caller, and its actions write tickets, so anyone who reached it could
rewrite a ticket. Here every request except ``GET /health`` and ``GET /metrics`` must carry the
shared secret as ``Authorization: Bearer <secret>``, which Rasa sends from endpoints.yml
(``action_endpoint.headers``, filled from ``ALMERE_ACTION_SERVER_SECRET``). Bad requests get a
4xx with a JSON explanation, never rasa_sdk's 500 that echoes the request body.

Start it with ``python -m bot.rasa.action_server --port 5055`` (instead of ``rasa run actions``). At
its start a SQLite ticket database is upgraded to the current schema; any other database must be
current already (``almere db upgrade``), or it does not start.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import zlib
from collections.abc import Sequence

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.access.action_secret import action_server_secret, is_authorised
from bot.config import load_settings
from bot.observability.logs import ACTION_SERVER, REQUEST_ID, configure_logging, request_id_of
from bot.rasa.metrics_route import PATH as METRICS_PATH
from bot.rasa.metrics_route import add_metrics_route
from bot.tickets.database import SchemaNotCurrent, prepare_schema

logger = logging.getLogger(__name__)
# GET /metrics (bot/observability/metrics.py) holds counts only, for a Prometheus on the action
# server's network.
PUBLIC_PATHS = frozenset({"/health", METRICS_PATH})


def create_app(secret: str, actions_package: str = "actions") -> Sanic:
    """rasa_sdk's app for ``actions_package`` that refuses callers without ``secret``."""
    if not secret:
        raise ValueError("the action server needs a secret")
    # Imported here: with JSON logs, the warnings of its imports become JSON lines too (main).
    from rasa_sdk.endpoint import create_app as create_sdk_app

    app = create_sdk_app(actions_package, cors_origins=[])  # no browser has any business here
    add_metrics_route(app)

    @app.middleware("request")
    async def only_rasa(request: Request) -> HTTPResponse | None:
        if request.path in PUBLIC_PATHS:
            return None
        if not is_authorised(request.headers.get("authorization"), secret):
            return response.json(
                {
                    "error": "The action server answers the assistant's Rasa server only "
                    "(the shared secret is missing or wrong)."
                },
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if request.method == "POST":
            try:
                body = request.body or b"null"
                if request.headers.get("content-encoding") == "deflate":
                    body = zlib.decompress(body)
                parsed = json.loads(body)
            except (ValueError, UnicodeDecodeError, RecursionError, zlib.error):
                return response.json({"error": "The request body is not valid JSON."}, status=400)
            if not isinstance(parsed, dict):
                return response.json({"error": "The request body must be a JSON object."}, status=400)
            # rasa_sdk's webhook reads it as request.json: parsed once (sanic types the attribute as None
            # until it parses the body itself).
            request.parsed_json = parsed  # type: ignore[assignment]
            tracker = parsed.get("tracker")
            latest = tracker.get("latest_message") if isinstance(tracker, dict) else None
            REQUEST_ID.set(request_id_of(latest.get("metadata")) if isinstance(latest, dict) else None)
            action = parsed.get("next_action")
            if isinstance(action, str) and action.isidentifier():
                logger.info("Running %s.", action)
        return None

    @app.exception(Exception)
    async def failure(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException):
            status = exception.status_code
            return response.json({"error": str(exception) or "Bad request."}, status=status)
        logger.error("The action server failed on %s %s.", request.method, request.path, exc_info=exception)
        return response.json({"error": "The action server failed."}, status=500)

    return app


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The assistant's action server (Rasa callers only).")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default=os.environ.get("SANIC_HOST", "127.0.0.1"))
    parser.add_argument("--actions", default="actions", help="the package of the actions")
    arguments = parser.parse_args(argv)
    level = os.environ.get("LOG_LEVEL", "INFO")
    logging.basicConfig(level=level.upper())
    settings = load_settings()
    configure_logging(settings, ACTION_SERVER, level)
    try:
        prepare_schema(settings.database_url)
    except SchemaNotCurrent as error:
        sys.exit(f"The action server does not start: {error}")
    except SQLAlchemyError as error:
        # The assistant still answers; a handoff then says plainly that it could not be saved.
        logger.warning(
            "The ticket database cannot be used, so no handoff can be stored until it can: %s", error
        )
    app = create_app(action_server_secret(settings), arguments.actions)
    app.run(host=arguments.host, port=arguments.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
