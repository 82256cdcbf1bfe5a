"""A newcomer's questions over the REST channel, through the real Rasa and action servers."""

from __future__ import annotations

import sqlite3
import time
import uuid

import pytest
import requests
from support import desk_phone, fact, figure

from bot.access.turn_admission import REQUEST_START_HEADER
from bot.config import load_settings
from bot.rasa.turn import busy_reply
from bot.services import knowledge


def reply_text(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


@pytest.mark.parametrize(
    "question, expected",
    [
        ("How many people live in Almere?", [figure("inhabitants"), fact("inhabitants").dated()]),
        ("How long is the train to Schiphol?", [f"{figure('train_to_schiphol_min')} minutes"]),
        ("What's the business climate like?", ["business climate", "start-ups"]),
        ("How can I make an appointment at the business service desk?", [desk_phone(), "Dutch"]),
    ],
)
def test_fact_questions_get_the_right_figures(assistant, question, expected):
    text = reply_text(assistant.ask(f"e2e-{uuid.uuid4()}", question))
    for part in expected:
        assert part in text


@pytest.mark.parametrize(
    "question",
    [
        "What's the average rent?",
        "What is the population of Rotterdam?",
        "Can you recommend a good pizza recipe?",
    ],
)
def test_unknown_questions_are_declined_with_the_desk(assistant, question):
    text = reply_text(assistant.ask(f"e2e-{uuid.uuid4()}", question))
    assert desk_phone() in text
    for name in ("inhabitants", "jobs", "companies", "population_2050"):
        assert figure(name) not in text


def test_greeting_offers_quick_replies(assistant):
    [reply] = assistant.ask(f"e2e-{uuid.uuid4()}", "Hello!")
    assert reply["buttons"] and reply["buttons"][0]["payload"].startswith("/ask_")


def test_the_conversation_survives_a_restart(assistant):
    sender = f"e2e-{uuid.uuid4()}"
    assistant.ask(sender, "How many companies are there in Almere?")
    assistant.restart_rasa()
    reply = reply_text(assistant.ask(sender, "And how many international jobs?"))
    assert figure("international_jobs") in reply
    with sqlite3.connect(assistant.tracker_db) as db:
        texts = [
            row[0]
            for row in db.execute(
                "SELECT json_extract(data, '$.text') FROM events "
                "WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                (sender,),
            )
        ]
    assert texts == ["How many companies are there in Almere?", "And how many international jobs?"]


def test_a_message_a_proxy_held_for_the_whole_wait_budget_is_refused_at_once(assistant):
    """The proxy's X-Request-Start stamp (deploy/haproxy.cfg): a message that already waited the
    budget before it reached the server is told it is busy, unseen by Rasa; one just received is
    answered."""
    settings = load_settings()
    sender = f"e2e-{uuid.uuid4()}"
    question = {"sender": sender, "message": "How many people live in Almere?"}
    stamp = time.time() - settings.turn_wait_budget_seconds - 0.5
    late = requests.post(
        assistant.rest_url, json=question, headers={REQUEST_START_HEADER: f"t={int(stamp * 1e6)}"}, timeout=30
    )
    assert late.status_code == 503 and late.headers["Retry-After"]
    assert reply_text(late.json()) == busy_reply()
    now = requests.post(
        assistant.rest_url,
        json=question,
        headers={REQUEST_START_HEADER: f"t={int(time.time() * 1e6)}"},
        timeout=30,
    )
    assert now.status_code == 200 and knowledge().facts["inhabitants"].formatted() in reply_text(now.json())
