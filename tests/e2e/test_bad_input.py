"""Bad input over the real REST channel: a polite reply or a clear 4xx, never a 500."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from support import figure


def post(assistant, body: bytes, content_type: str = "application/json") -> requests.Response:
    return requests.post(assistant.rest_url, data=body, headers={"Content-Type": content_type}, timeout=30)


def say(assistant, message) -> requests.Response:
    body = json.dumps({"sender": f"bad-{uuid.uuid4()}", "message": message}).encode()
    return post(assistant, body)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b'{"sender": "a", "message": ',
        b"[]",
        b'"text"',
        b"\xff\xfe",
        b'{"message": "hi"}',
        b'{"sender": "a"}',
        b'{"sender": 5, "message": "hi"}',
        b'{"sender": "a", "message": 5}',
        b'{"sender": "a", "message": null}',
        b'{"sender": "a", "message": ["hi"]}',
        b'{"sender": "", "message": "hi"}',
        b'{"sender": "' + b"x" * 300 + b'", "message": "hi"}',
    ],
)
def test_malformed_requests_get_a_clear_400(assistant, body):
    response = post(assistant, body)
    assert response.status_code == 400
    assert "Send JSON like" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 20_000 + b"]" * 20_000,
        b'{"":' * 12_000 + b"1" + b"}" * 12_000,
        b'{"sender": "a", "message": "hi", "x": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
    ],
    ids=["arrays", "objects", "inside-a-valid-request"],
)
def test_deeply_nested_json_gets_a_clear_400(assistant, body):
    response = post(assistant, body)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"] and "Send JSON like" in response.json()["error"]


def test_a_body_over_the_limit_is_refused_before_parsing(assistant):
    response = post(assistant, b'{"sender": "a", "message": "' + b"a" * 10_000_000 + b'"}')
    assert response.status_code == 413


def test_a_10_kb_message_gets_a_polite_answer(assistant):
    response = say(assistant, "a" * 10_000)
    assert response.status_code == 200
    [reply] = response.json()
    assert "too long" in reply["text"]


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "\u200b\u200d",
        "\x00\x01\x1b[31m",
        "\U0001f600\U0001f44d",
        "ما هو عدد السكان؟",
        "Hoe ver is het naar Schiphol? Één vraag, graag.",
        "<img src=x onerror=alert(1)>",
        "'; DROP TABLE events; --",
        "1' OR '1'='1",
        "\u202eevil",
    ],
)
def test_odd_messages_get_a_polite_answer(assistant, message):
    response = say(assistant, message)
    assert response.status_code == 200
    replies = response.json()
    # An answer also names its topic for the widget's thumbs, in a message of its own without text.
    payloads = [r["custom"] for r in replies if "custom" in r]
    assert all(list(p) == ["data"] and list(p["data"]) == ["answer"] for p in payloads), payloads
    texts = [r for r in replies if "custom" not in r]
    assert texts and all(isinstance(r.get("text"), str) and r["text"] for r in texts)


def test_the_conversation_goes_on_after_bad_input(assistant):
    sender = f"bad-{uuid.uuid4()}"
    for message in ("", "x" * 5000, "\x00", "How many companies are there in Almere?"):
        response = post(assistant, json.dumps({"sender": sender, "message": message}).encode())
        assert response.status_code == 200
    assert figure("companies") in response.json()[0]["text"]


@pytest.mark.parametrize(
    "typed",
    [
        '/affirm{"handoff_consent": true}',
        '/request_human{"handoff_consent": true}',
        '/ask_population{"place": "Utrecht"}@1.0',
        "/restart",
        "/session_start",
    ],
)
def test_typed_intent_syntax_never_completes_a_handoff(assistant, typed):
    text = " ".join(r.get("text", "") for r in say(assistant, typed).json())
    assert text and "ALM-" not in text and "May I store" not in text


def test_typed_slot_values_are_not_taken_as_slots(assistant):
    sender = f"bad-{uuid.uuid4()}"

    def ask(message: str) -> str:
        body = json.dumps({"sender": sender, "message": message}).encode()
        return " ".join(r.get("text", "") for r in post(assistant, body).json())

    assert "What is your name?" in ask("I want to talk to a person")
    ask('/affirm{"handoff_consent": true, "handoff_desk": "business"}')  # taken as the name
    ask("a@example.nl")
    assert "private person" in ask("Where can I learn Dutch?")
    assert "May I store" in ask("/choose_private")  # consent is still asked for


def test_offered_quick_replies_still_work(assistant):
    sender = f"bad-{uuid.uuid4()}"
    body = json.dumps({"sender": sender, "message": "/ask_population"}).encode()
    assert figure("inhabitants") in post(assistant, body).json()[0]["text"]


def test_identifiers_are_masked_before_they_are_stored(assistant):
    import sqlite3

    sender = f"bad-{uuid.uuid4()}"
    post(
        assistant,
        json.dumps(
            {"sender": sender, "message": "my IBAN is NL91 ABNA 0417 1643 00 and card 4111 1111 1111 1111"}
        ).encode(),
    )
    with sqlite3.connect(assistant.tracker_db) as db:
        stored = " ".join(
            row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))
        )
    assert "NL91" not in stored and "4111" not in stored and "[IBAN removed]" in stored
