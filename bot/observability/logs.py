"""How the servers log: as text, or as JSON lines for a log collector (``ALMERE_LOG_FORMAT``).

Each chat turn has a request id: the REST channel takes a caller's safe ``X-Request-ID`` or makes
one, the socket.io channel makes one per message. It lives in :data:`REQUEST_ID` while the turn
is worked on, goes to the action server in the message's metadata (``request_id``), and is stored
with a ticket the turn opens, so that an operator can join a ticket, the Rasa server's lines and
the action server's lines. A JSON line holds ``time`` (ISO 8601, UTC), ``level``, ``logger``,
``process``, ``message``, and ``request_id`` when a turn is being worked on.

Personal data is not logged: lines name conversations and tickets by their ids and references,
never by what a person typed.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

from bot.config import Settings
from bot.privacy.redaction import REMOVED

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
REQUEST_ID_HEADER = "X-Request-ID"
METADATA_KEY = "request_id"
# The JSON lines' "process" of each server.
RASA_SERVER = "rasa server"
ACTION_SERVER = "action server"
DESK_SERVER = "desk server"
# Letters, digits, "." "_" "-": a proxy's or client's id is kept only if it cannot forge a line.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")


def new_request_id() -> str:
    return uuid.uuid4().hex


def safe_request_id(value: Any) -> str | None:
    """``value`` if it is a request id that is safe to log and store, else None."""
    return value if isinstance(value, str) and _SAFE_ID.fullmatch(value) else None


def request_id_from(header: str | None) -> str:
    """The turn's request id: the caller's ``X-Request-ID`` if it is safe, else a new one."""
    return safe_request_id(header) or new_request_id()


def request_id_of(metadata: Any) -> str | None:
    """The request id a message's metadata carries (as the channels put it there), if safe."""
    return safe_request_id(metadata.get(METADATA_KEY)) if isinstance(metadata, dict) else None


def without(text: object, *personal: str | None) -> str:
    """``text`` (e.g. a mail server's refusal, which names the address) for a log line: each of
    ``personal`` (an e-mail address, a name) replaced by a marker."""
    line = str(text)
    for value in personal:
        if value:
            line = line.replace(value, REMOVED)
    return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line (see the module)."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "process": self.process,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def json_log_config(process: str, level: str) -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` of JSON lines on stderr, for a server that configures
    its logging from one (gunicorn's ``logconfig_dict``), its own loggers included."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    own = {"level": level, "handlers": ["json"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "process": process}},
        "handlers": {"json": handler},
        "root": {"level": level, "handlers": ["json"]},
        "loggers": {"gunicorn.error": dict(own), "gunicorn.access": dict(own)},
    }


def configure_logging(settings: Settings, process: str, level: str | int | None = None) -> None:
    """With ``settings.log_format`` "json", every log line of this process is a JSON line on stderr.

    Call it after the framework set up its own logging (Rasa, Sanic): every handler is replaced
    by one, and Python's warnings become log lines too. ``level``: the root logger's, if given.
    With "text" nothing changes."""
    if settings.log_format != "json":
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(process))
    root = logging.getLogger()
    for logger in [root, *logging.Logger.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger):
            for existing in list(logger.handlers):
                logger.removeHandler(existing)
            logger.propagate = True
    root.addHandler(handler)
    if level:
        root.setLevel(level.upper() if isinstance(level, str) else level)
    logging.captureWarnings(True)
