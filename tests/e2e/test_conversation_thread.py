"""Conversations with memory through the real servers: follow-ups read with the answer kept in the
SQL tracker store (also across a restart of the Rasa server), where a figure comes from, and a
figure and a request for a person in one message. Figures come from the knowledge file."""

from __future__ import annotations

import uuid

import pytest
from support import desk_phone

from bot import services


def reply_text(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


@pytest.fixture(scope="module")
def facts():
    return services.knowledge().facts


def test_a_follow_up_is_read_with_the_last_answer_even_after_a_restart(assistant, facts):
    sender = f"e2e-{uuid.uuid4()}"
    assert facts["inhabitants"].formatted() in reply_text(
        assistant.ask(sender, "How many people live in Almere?")
    )
    assistant.restart_rasa()
    forecast = reply_text(assistant.ask(sender, "and later on, in the future?"))
    assert facts["population_2050"].formatted() in forecast
    source = reply_text(assistant.ask(sender, "where does that figure come from?"))
    assert facts["population_2050"].formatted() in source and "About Almere" in source


def test_a_follow_up_after_a_decline_is_answered_on_its_own_and_one_elsewhere_is_declined(assistant, facts):
    sender = f"e2e-{uuid.uuid4()}"
    assert desk_phone() in reply_text(assistant.ask(sender, "Which supermarket in Almere is the cheapest?"))
    assert facts["companies"].formatted() in reply_text(assistant.ask(sender, "ok, and the companies?"))
    elsewhere = reply_text(assistant.ask(sender, "and in Lelystad?"))
    assert "Lelystad" in elsewhere and facts["companies"].formatted() not in elsewhere


def test_a_figure_and_a_request_in_one_message_get_the_answer_then_the_form(assistant, facts):
    sender = f"e2e-{uuid.uuid4()}"
    replies = assistant.ask(
        sender, "Would somebody call me back, please? And how many expats live in Almere?"
    )
    text = reply_text(replies)
    assert text.index(facts["expats"].formatted()) < text.index("your name")
