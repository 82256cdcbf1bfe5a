"""The scripted conversations of the operations tests and the load client.

A handoff is the message sequence of ``tests/e2e/test_handoff_flow.py``: an unanswerable
question, yes to the offer, name, contact, confirming the question, the desk, consent.
Each step has a fragment the reply must contain, so a client can tell an answer that went
wrong (or a "technical problem" reply) from the expected one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from bot.config import Settings
from bot.knowledge import load_knowledge
from measure.client import reply_texts

REFERENCE = re.compile(r"ALM-\d{6}")
# What the assistant says when answering failed or took too long (bot/rasa/turn.py).
TROUBLE = "technical problem"
NOT_PASSED_ON = "NOT been passed on"


@dataclass(frozen=True)
class Step:
    """One message of a conversation and a fragment its reply is expected to contain."""

    message: str
    expect: str


QUESTION = "What's the average rent?"

HANDOFF: tuple[Step, ...] = (
    Step(QUESTION, "don't know"),
    Step("yes", "What is your name?"),
    Step("Maria Jansen", "email address or phone number"),
    Step("maria@example.nl", "Shall I pass it on"),
    Step("yes", "private person"),
    Step("/choose_private", "May I store your name"),
    Step("/affirm", "Your reference is ALM-"),
)

# A handoff asked for directly, in a conversation whose unanswered question is already known
# (the form then asks to confirm that question again).
HANDOFF_AGAIN: tuple[Step, ...] = (
    Step("I want to talk to a person", "What is your name?"),
    Step("Maria Jansen", "email address or phone number"),
    Step("maria@example.nl", "Shall I pass it on"),
    Step("yes", "private person"),
    Step("/choose_private", "May I store your name"),
    Step("/affirm", "Your reference is ALM-"),
)


@cache
def fact_questions() -> tuple[Step, ...]:
    """Questions the page answers, each naming Almere (a figure question without a place, as the
    first message, is asked back), with a fragment of each answer read from the knowledge file."""
    knowledge = load_knowledge(Settings().knowledge_file)

    def figure(name: str) -> str:
        return knowledge.facts[name].formatted("en")

    questions = (
        Step("How many people live in Almere?", figure("inhabitants")),
        Step("How long is the train from Almere to Schiphol?", f"{figure('train_to_schiphol_min')} minutes"),
        Step("How many jobs are there in Almere?", figure("jobs")),
        Step("How many companies are there in Almere?", figure("companies")),
        Step("How many international jobs are there in Almere?", figure("international_jobs")),
        Step("What's the business climate like in Almere?", "start-ups"),
        Step("How can I make an appointment at the business service desk?", knowledge.contact.phone),
    )
    return questions + questions[:3]


@dataclass(frozen=True)
class Script:
    """A conversation to replay: its id, its steps, and whether it ends in a handoff."""

    sender: str
    steps: tuple[Step, ...]
    handoff: bool

    @property
    def messages(self) -> list[str]:
        return [step.message for step in self.steps]


def conversation(sender: str, length: int, handoff: bool, offset: int = 0) -> Script:
    """``length`` messages: questions, ending in a whole handoff if ``handoff``.

    ``offset`` rotates the questions so that conversations do not all ask the same thing
    at the same moment.
    """
    tail: Sequence[Step] = HANDOFF if handoff else ()
    if length < len(tail):
        raise ValueError(f"a handoff needs at least {len(HANDOFF)} messages, not {length}")
    asked = fact_questions()
    questions = [asked[(offset + index) % len(asked)] for index in range(length - len(tail))]
    return Script(sender=sender, steps=(*questions, *tail), handoff=handoff)


def reply_text(replies: Sequence[dict]) -> str:
    """The texts of a REST reply (a list of messages), one per line; messages without text (a
    payload for the widget, e.g. what a handoff question expects) add none."""
    return "\n".join(text for text in reply_texts(replies) if text)


def reference_in(text: str) -> str | None:
    match = REFERENCE.search(text)
    return match.group(0) if match else None
