"""bot.observability.logs: the JSON lines, the request id and what the channels and actions do with it."""

from __future__ import annotations

import contextvars
import io
import json
import logging
import re
from dataclasses import replace
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.config import Settings, settings_from
from bot.observability.logs import (
    REQUEST_ID,
    JsonFormatter,
    configure_logging,
    json_log_config,
    request_id_from,
    request_id_of,
    safe_request_id,
)
from bot.site.server import gunicorn_options

NEW_ID = re.compile(r"[0-9a-f]{32}")


def record(message: str = "Answered %s.", *args: object, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord("bot.example", level, __file__, 1, message, args or ("a turn",), None)


def test_a_line_is_one_json_object_with_utc_time_level_logger_process_and_message():
    line = JsonFormatter("rasa server").format(record())

    assert "\n" not in line
    fields = json.loads(line)
    assert fields["level"] == "INFO" and fields["logger"] == "bot.example"
    assert fields["process"] == "rasa server" and fields["message"] == "Answered a turn."
    assert datetime.fromisoformat(fields["time"]).utcoffset() == timedelta(0)
    assert "request_id" not in fields  # no turn being worked on


def test_a_line_written_during_a_turn_carries_its_request_id():
    def during_a_turn() -> str:
        REQUEST_ID.set("abc123def456")
        return JsonFormatter("action server").format(record())

    assert json.loads(contextvars.copy_context().run(during_a_turn))["request_id"] == "abc123def456"
    assert REQUEST_ID.get() is None  # the turn's context only


def test_an_exception_and_a_message_with_newlines_stay_on_one_line():
    try:
        raise RuntimeError("broken\nline")
    except RuntimeError:
        import sys

        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "two\nlines", None, sys.exc_info())
    line = JsonFormatter("desk server").format(failed)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["message"] == "two\nlines" and "RuntimeError: broken" in fields["exception"]


@pytest.mark.parametrize("header", ["0f1e2d3c4b5a69788796a5b4c3d2e1f0", "haproxy-7F3A.0042_x", "a" * 128])
def test_a_safe_request_id_from_the_caller_is_kept(header):
    assert request_id_from(header) == header


@pytest.mark.parametrize(
    "header",
    [None, "", "short", "with space 12345", "line\nbreak123", '{"forged":1}', "a" * 129, "ünïcode-123"],
)
def test_any_other_gets_a_new_request_id(header):
    assert NEW_ID.fullmatch(request_id_from(header))


def test_each_new_request_id_differs():
    assert request_id_from(None) != request_id_from(None)


def test_the_request_id_is_read_from_a_messages_metadata_only_when_safe():
    assert request_id_of({"request_id": "0f1e2d3c4b5a6978"}) == "0f1e2d3c4b5a6978"
    assert request_id_of({"request_id": "bad id\n"}) is None
    assert request_id_of({"request_id": 12345678}) is None
    assert request_id_of(None) is None and request_id_of("0f1e2d3c4b5a6978") is None
    assert safe_request_id(["0f1e2d3c4b5a6978"]) is None


def test_the_log_format_setting():
    assert Settings().log_format == "text"
    assert settings_from({"ALMERE_LOG_FORMAT": " JSON "}).log_format == "json"
    with pytest.raises(ValueError, match="ALMERE_LOG_FORMAT"):
        settings_from({"ALMERE_LOG_FORMAT": "xml"})


@pytest.fixture
def saved_logging():
    """The logging set-up of this test process, restored afterwards."""
    root = logging.getLogger()
    loggers = [
        root,
        *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)),
    ]
    saved = [(lg, list(lg.handlers), lg.propagate, lg.level) for lg in loggers]
    yield
    logging.captureWarnings(False)
    for lg, handlers, propagate, level in saved:
        lg.handlers[:] = handlers
        lg.propagate = propagate
        lg.setLevel(level)


def test_text_logs_are_left_as_they_are(saved_logging):
    root = logging.getLogger()
    before = list(root.handlers)
    configure_logging(Settings(), "rasa server", "DEBUG")
    assert root.handlers == before


def test_json_logs_replace_every_handler_with_one_json_handler(saved_logging, capsys):
    framework = logging.getLogger("sanic.root.example")
    framework.addHandler(logging.StreamHandler(io.StringIO()))
    framework.propagate = False

    configure_logging(replace(Settings(), log_format="json"), "rasa server", "INFO")

    [handler] = logging.getLogger().handlers
    assert isinstance(handler.formatter, JsonFormatter)
    assert framework.handlers == [] and framework.propagate
    framework.warning("A framework line.")
    logging.getLogger("bot.example").debug("Below the level.")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["logger"] for line in lines] == ["sanic.root.example"]


def test_the_desk_logs_json_lines_through_gunicorn_when_asked():
    assert "logconfig_dict" not in gunicorn_options("127.0.0.1", 8000)
    config = gunicorn_options("127.0.0.1", 8000, log_format="json")["logconfig_dict"]
    assert config == json_log_config("desk server", "WARNING")
    assert config["formatters"]["json"]["()"] is JsonFormatter
    assert all(logger["handlers"] == ["json"] for logger in config["loggers"].values())


@pytest.fixture
def only_rasa(monkeypatch):
    """The action server's check before rasa_sdk's webhook, which sets the turn's request id."""
    from sanic import Sanic

    from bot.rasa.action_server import create_app

    monkeypatch.setattr(Sanic, "test_mode", True)  # rasa_sdk names every app it makes the same
    app = create_app("test-secret")
    [middleware] = [m for m in app.request_middleware if m.__name__ == "only_rasa"]
    return middleware


def action_call(metadata: object) -> SimpleNamespace:
    tracker = {"events": [], "latest_message": {"text": "yes", "metadata": metadata}}
    body = {"next_action": "action_submit_handoff", "sender_id": "s1", "tracker": tracker, "domain": {}}
    return SimpleNamespace(
        path="/webhook",
        method="POST",
        body=json.dumps(body).encode(),
        headers={"authorization": "Bearer test-secret"},
        parsed_json=None,
    )


async def test_the_action_server_works_under_the_request_id_of_the_turn(only_rasa, caplog):
    caplog.set_level(logging.INFO, logger="bot.rasa.action_server")
    assert await only_rasa(action_call({"request_id": "0f1e2d3c4b5a6978"})) is None
    assert REQUEST_ID.get() == "0f1e2d3c4b5a6978"
    assert caplog.messages == ["Running action_submit_handoff."]

    assert await only_rasa(action_call({"request_id": "forged\nline"})) is None
    assert REQUEST_ID.get() is None  # not the previous call's, nor the unsafe one
    assert await only_rasa(action_call(None)) is None
    assert REQUEST_ID.get() is None


def test_a_ticket_keeps_the_request_id_of_the_turns_that_opened_and_updated_it(tmp_path):
    from support import open_ticket

    from bot.tickets import TicketService
    from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database

    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade_database(url)
    service = TicketService(create_session_factory(create_engine_for(url)))
    reference = open_ticket(service, request_id="0f1e2d3c4b5a6978").reference
    open_ticket(service, question="And my partner?", request_id="1a2b3c4d5e6f7a8b")
    open_ticket(service, question="And my child?")

    notes = [note.text for note in service.get(reference).notes]
    assert notes == [
        "Request id of the turn that opened this ticket: 0f1e2d3c4b5a6978",
        "Request id of the turn that updated this ticket: 1a2b3c4d5e6f7a8b",
    ]
