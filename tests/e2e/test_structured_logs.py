"""JSON logs on real servers: a handoff's request id joins the Rasa server's lines, the action
server's and the ticket, and no line names the person, their e-mail address or phone number."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid

import pytest
import requests
from test_channel_security import Widget

from bot.launcher import processes
from bot.observability.logs import REQUEST_ID_HEADER
from bot.tickets.database import upgrade_database

NAME = "Petronella Zwanenburg"
EMAIL = "petronella.zwanenburg@example.org"
PHONE = "06 4193 2857"
# What the person sends, and what each reply must say; their phone number is in their contact answer.
HANDOFF = (
    ("What's the average rent?", "don't know"),
    ("yes", "What is your name?"),
    (NAME, "email address or phone number"),
    (f"{EMAIL} or call {PHONE}", "Shall I pass it on"),
    ("yes", "private person"),
    ("/choose_private", "May I store your name"),
)
PERSONAL = (NAME, "Petronella", "Zwanenburg", EMAIL, "zwanenburg@", PHONE, "41932857", "4193 2857")


async def ask_over_socketio(url: str) -> None:
    widget = Widget(url)
    await widget.connect()
    try:
        assert "don't know" in await widget.say(HANDOFF[0][0])
    finally:
        await widget.disconnect()


@pytest.fixture(scope="module")
def json_logged_handoff(tmp_path_factory):
    """A handoff over REST on servers logging JSON lines: the consent turn's request id, the
    ticket's notes and every log line."""
    if not processes.MODEL.exists():
        pytest.fail(f"no trained model at {processes.MODEL}: run `make train` first")
    work = tmp_path_factory.mktemp("json-logs")
    database = work / "desk.db"
    upgrade_database(f"sqlite:///{database}")
    env = {
        "ALMERE_LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "ALMERE_TRACKER_URL": f"sqlite:///{work / 'tracker.db'}",
        "ALMERE_DATABASE_URL": f"sqlite:///{database}",
    }
    stack = processes.assistant_stack(work, processes.Ports.free(), env)
    sender = f"e2e-logs-{uuid.uuid4().hex}"
    consent_id = f"e2e-consent-{uuid.uuid4().hex}"
    with processes.running(stack, together=True, timeout=180) as started:
        [url] = started.rest_urls
        for message, expected in HANDOFF:
            answer = requests.post(url, json={"sender": sender, "message": message}, timeout=30)
            assert expected in " ".join(m.get("text", "") for m in answer.json()), (message, answer.text)
            assert len(answer.headers[REQUEST_ID_HEADER]) == 32  # made by the server
        answer = requests.post(
            url,
            json={"sender": sender, "message": "/affirm"},
            headers={REQUEST_ID_HEADER: consent_id},
            timeout=30,
        )
        assert "ALM-" in answer.text, answer.text
        assert answer.headers[REQUEST_ID_HEADER] == consent_id  # the caller's, echoed
        asyncio.run(ask_over_socketio(url.split("/webhooks/")[0]))
    with sqlite3.connect(database) as connection:
        notes = [text for (text,) in connection.execute("SELECT text FROM ticket_notes")]
    logs = {path.name: path.read_text(encoding="utf-8") for path in (work / "logs").iterdir()}
    return consent_id, notes, logs


def test_every_log_line_is_a_json_object_with_its_fields(json_logged_handoff):
    _, _, logs = json_logged_handoff
    assert set(logs) == {"rasa-server.log", "action-server.log"}
    for name, text in logs.items():
        lines = [json.loads(line) for line in text.splitlines()]  # a line that is not JSON fails here
        assert lines, name
        for line in lines:
            assert {"time", "level", "logger", "process", "message"} <= set(line), (name, line)


def test_the_turns_request_id_joins_both_servers_logs_and_the_ticket(json_logged_handoff):
    consent_id, notes, logs = json_logged_handoff
    for name, text in logs.items():
        joined = [json.loads(line) for line in text.splitlines() if consent_id in line]
        assert joined and all(line["request_id"] == consent_id for line in joined), name
    action_lines = [json.loads(line)["message"] for line in logs["action-server.log"].splitlines()]
    assert "Running action_submit_handoff." in action_lines
    assert any(note.endswith(f"opened this ticket: {consent_id}") for note in notes), notes


def test_no_log_line_names_the_person_their_address_or_number(json_logged_handoff):
    _, _, logs = json_logged_handoff
    for name, text in logs.items():
        for line in text.splitlines():
            leaked = [value for value in PERSONAL if value.lower() in line.lower()]
            assert not leaked, (name, line)


def test_a_socketio_message_has_a_request_id_of_its_own_that_reaches_the_action_server(json_logged_handoff):
    _, _, logs = json_logged_handoff
    [socketio_turn] = [
        json.loads(line)
        for line in logs["rasa-server.log"].splitlines()
        if json.loads(line)["message"] == "Answered a socket.io message."
    ]
    request_id = socketio_turn["request_id"]
    assert len(request_id) == 32
    action_lines = [json.loads(line) for line in logs["action-server.log"].splitlines()]
    assert any(line.get("request_id") == request_id for line in action_lines)
