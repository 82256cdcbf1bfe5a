"""Reading the conversation for a handoff: contact answers, transcript, declines in a row."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.handoff import ContactDetails, parse_contact, previous_turn_declined, transcript_from_events


@pytest.mark.parametrize(
    "text, expected",
    [
        ("jan@example.nl", ContactDetails(email="jan@example.nl", phone=None)),
        ("you can mail me at Jan.Smit@example.co.uk.", ContactDetails("Jan.Smit@example.co.uk", None)),
        ("+31 6 12345678", ContactDetails(email=None, phone="+31 6 12345678")),
        ("call me on 06-12345678 please", ContactDetails(email=None, phone="06-12345678")),
        ("jan at example dot nl", None),
        ("jan@", None),
        ("12", None),
        ("", None),
    ],
)
def test_contact_answers(text, expected):
    assert parse_contact(text) == expected


def event(kind, **fields):
    return {"event": kind, "timestamp": 1_700_000_000.0, **fields}


def test_the_transcript_keeps_user_and_bot_messages_in_order():
    events = [
        event("action", name="action_session_start"),
        event("user", text="What's the average rent?"),
        event("action", name="action_decline"),
        event("bot", text="I'm sorry, I don't know that."),
        event("slot", name="handoff_offered", value=True),
        event("bot", text=None, data={"buttons": []}),
        event("user", text="<script>alert(1)</script>"),
        event("user", text="/choose_private"),
    ]
    transcript = transcript_from_events(events)
    assert [(e.role, e.text) for e in transcript] == [
        ("user", "What's the average rent?"),
        ("bot", "I'm sorry, I don't know that."),
        ("user", "<script>alert(1)</script>"),
        ("user", "[quick reply: choose private]"),
    ]
    assert transcript[0].timestamp == datetime.fromtimestamp(1_700_000_000, tz=timezone.utc)


def test_a_decline_of_the_previous_message_is_seen():
    events = [
        event("user", text="tell me a joke"),
        event("action", name="action_decline"),
        event("action", name="action_listen"),
        event("user", text="what's the weather"),
    ]
    assert previous_turn_declined(events, "action_decline")


def test_an_answer_in_between_breaks_the_row():
    events = [
        event("user", text="tell me a joke"),
        event("action", name="action_decline"),
        event("user", text="how many jobs"),
        event("action", name="action_answer_topic"),
        event("user", text="what's the weather"),
    ]
    assert not previous_turn_declined(events, "action_decline")


def test_a_new_session_starts_a_new_row():
    events = [
        event("user", text="tell me a joke"),
        event("action", name="action_decline"),
        event("session_started"),
        event("user", text="what's the weather"),
    ]
    assert not previous_turn_declined(events, "action_decline")
    assert not previous_turn_declined([event("user", text="hi")], "action_decline")
