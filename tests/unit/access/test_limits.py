"""The limits of bot/access/limits.py: what the handoff form accepts is what the ticket store accepts."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions import handoff
from bot.access import limits
from bot.config import Settings
from bot.tickets import InvalidTicket
from bot.tickets.models import EMAIL_MAX, NAME_MAX, PHONE_MAX, TOPIC_MAX
from bot.tickets.validation import validate_contact


def form_tracker(slots: dict, text: str) -> Tracker:
    """The handoff form, whose last message is ``text`` (a question for the desk, not a yes or no)."""
    latest = {"intent": {"name": "out_of_scope"}, "entities": [], "text": text}
    return Tracker(
        "conversation-1", slots, latest, [], False, None, {"name": "handoff_form"}, "action_listen"
    )


def contact(**changes):
    values = {
        "name": "Maria Jansen",
        "email": "maria@example.nl",
        "phone": None,
        "question": "rent?",
        "desk": "international",
        "topic": None,
        **changes,
    }
    return validate_contact(**values)


def test_the_ticket_columns_are_as_wide_as_the_limits():
    assert (NAME_MAX, EMAIL_MAX, PHONE_MAX, TOPIC_MAX) == (
        limits.NAME_CHARS,
        limits.EMAIL_CHARS,
        limits.PHONE_CHARS,
        limits.TOPIC_CHARS,
    )


def test_a_question_fits_in_one_chat_message():
    assert limits.QUESTION_CHARS <= Settings().max_message_chars


@pytest.mark.parametrize(
    "slot, field, limit",
    [
        ("handoff_question", "question", limits.QUESTION_CHARS),
        ("handoff_name", "name", limits.NAME_CHARS),
    ],
)
def test_the_form_and_the_store_accept_the_same_length(slot, field, limit, dispatcher, domain):
    action = handoff.ValidateHandoffForm()
    validate = getattr(action, f"validate_{slot}")
    longest, too_long = "a" * limit, "a" * (limit + 1)

    assert (
        validate(longest, dispatcher, form_tracker({"requested_slot": slot}, longest), domain)[slot]
        == longest
    )
    assert getattr(contact(**{field: longest}), field) == longest

    assert (
        validate(too_long, dispatcher, form_tracker({"requested_slot": slot}, too_long), domain)[slot] is None
    )
    with pytest.raises(InvalidTicket, match=f"longer than {limit} characters"):
        contact(**{field: too_long})
