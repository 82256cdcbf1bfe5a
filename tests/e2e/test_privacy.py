"""A handoff that stored nothing leaves nothing in the conversation database.

Over the REST channel of the real servers: after consent is refused, or the form is stopped, the
tracker database holds none of the name, e-mail address or question typed into the form.
"""

from __future__ import annotations

import sqlite3
import uuid

NAME, EMAIL = "Ottoline Vandermeulen", "ottoline.vdm@example.nl"
QUESTION = "What's the average rent?"


def texts(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def stored(assistant, sender: str) -> str:
    with sqlite3.connect(assistant.tracker_db) as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)).fetchall()
    assert rows
    return "\n".join(data for (data,) in rows)


def start_handoff(assistant, sender: str) -> None:
    def say(message: str) -> str:
        return texts(assistant.ask(sender, message))

    assert "don't know" in say(QUESTION)
    assert "What is your name?" in say("yes")
    assert "email address or phone number" in say(NAME)
    assert f'Your question: "{QUESTION}". Shall I pass it on' in say(EMAIL)
    assert NAME in stored(assistant, sender)  # kept while the form runs


def test_refused_consent_leaves_no_personal_data_in_the_tracker(assistant):
    sender = f"e2e-privacy-{uuid.uuid4()}"
    start_handoff(assistant, sender)
    assert "private person" in texts(assistant.ask(sender, "yes"))
    assert "May I store your name" in texts(assistant.ask(sender, "/choose_private"))
    reply = texts(assistant.ask(sender, "/deny"))
    assert "I have not stored or shared anything" in reply

    everything = stored(assistant, sender)
    for secret in (NAME, "Vandermeulen", EMAIL, "ottoline.vdm", QUESTION, "average rent"):
        assert secret not in everything, secret
    # The conversation goes on as before.
    assert "Almere" in texts(assistant.ask(sender, "How many people live in Almere?"))


def test_a_stopped_handoff_leaves_no_personal_data_in_the_tracker(assistant):
    sender = f"e2e-privacy-{uuid.uuid4()}"
    start_handoff(assistant, sender)
    assert "nothing has been passed on" in texts(assistant.ask(sender, "never mind"))
    everything = stored(assistant, sender)
    for secret in (NAME, EMAIL, QUESTION):
        assert secret not in everything, secret
