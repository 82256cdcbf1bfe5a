"""A long conversation over the REST channel: Rasa works on a window of its last turns
(bot/rasa/conversation_window.py), yet answers, offers and hands over as in a short one, and the
ticket holds the whole conversation."""

from __future__ import annotations

import json
import uuid

from support import figure
from test_handoff_flow import almere, hand_over, texts

from bot.rasa.conversation_window import KEEP_TURNS

# Questions and a word their answer must hold (from bot/knowledge.yml).
QUESTIONS = (
    ("How many people live in Almere?", "inhabitants"),
    ("How long does the train from Almere to Schiphol take?", "Schiphol"),
    ("How many jobs are there in Almere?", "jobs"),
    ("When was Almere built?", figure("founded")),
    ("Are there international schools in Almere?", "school"),
)
TURNS = 5 * KEEP_TURNS  # the window is cut at 2 * KEEP_TURNS turns: it is cut at least twice here


def test_a_long_conversation_answers_hands_over_and_keeps_every_turn(assistant):
    sender = f"e2e-long-{uuid.uuid4()}"
    said = []

    def say(message: str) -> str:
        said.append(message)
        return texts(assistant.ask(sender, message))

    for turn in range(TURNS):
        question, expected = QUESTIONS[turn % len(QUESTIONS)]
        reply = say(question)
        assert expected.lower() in reply.lower(), (turn, question, reply)

    # The decline's offer, "yes" to it and the whole form still work after the window was cut.
    reference = hand_over(say)

    tickets = json.loads(almere(assistant, "tickets", "list", "--json"))
    [ticket] = [t for t in tickets if t["conversation_id"] == sender]
    assert ticket["reference"] == reference
    assert ticket["question"] == "What's the average rent?"
    user_lines = [m["text"] for m in ticket["transcript"] if m["role"] == "user"]
    assert len(user_lines) == len(said)
    assert user_lines[:TURNS] == said[:TURNS]  # the first question too, long out of the window
