"""Reading the conversation for a handoff: contact answers, transcript, declines in a row."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.handoff import ContactDetails, parse_contact, transcript_from_events


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
