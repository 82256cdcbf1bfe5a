"""The office hours action, run as the action server runs it, without Rasa."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from support import desk_phone

import actions.office_hours
from actions.office_hours import ActionAnswerOfficeHours


class FrozenDatetime(datetime):
    """Thursday 24 December 2026, 10:00 in Amsterdam."""

    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 12, 24, 9, 0, tzinfo=timezone.utc).astimezone(tz)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(actions.office_hours, "datetime", FrozenDatetime)


async def test_the_day_asked_about_is_answered_with_the_phone_numbers(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_office_hours", "Is the desk open tomorrow?")
    events = await ActionAnswerOfficeHours().run(dispatcher, tracker, domain)
    assert events == []
    [message] = dispatcher.messages
    assert message["text"].startswith(
        "The desk is closed tomorrow (Friday 25 December): it is Christmas Day, a public holiday."
    )
    assert message["text"].endswith(f"{desk_phone()} (from abroad {desk_phone(abroad=True)}).")


async def test_a_general_question_gets_the_hours_and_whether_it_is_open_now(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_office_hours", "opening hours?")
    await ActionAnswerOfficeHours().run(dispatcher, tracker, domain)
    text = dispatcher.messages[0]["text"]
    assert "is open Monday to Friday 09:00\u201317:00 (Amsterdam time)" in text
    assert "the next one is Christmas Day on Friday 25 December" in text
    assert "It's open now, until 17:00." in text


@pytest.mark.parametrize("offered, expected", [(True, [SlotSet("handoff_offered", False)]), (None, [])])
async def test_an_earlier_desk_offer_no_longer_stands(dispatcher, domain, offered, expected):
    latest = {"intent": {"name": "ask_office_hours"}, "entities": [], "text": "when are you open"}
    events = [{"event": "user", "text": latest["text"], "parse_data": latest}]
    tracker = Tracker("t", {"handoff_offered": offered}, latest, events, False, None, {}, "action_listen")
    assert await ActionAnswerOfficeHours().run(dispatcher, tracker, domain) == expected
