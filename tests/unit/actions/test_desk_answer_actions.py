"""The decline and topic actions give an approved desk answer when one fits, with its date line,
the widget's feedback payload and the offer of a colleague; otherwise they decline as before."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from support import figure

from actions.answers import ActionAnswerTopic
from actions.desk_answers import FOLLOW_UP
from actions.handoff import ActionDecline
from actions.handoff_prompts import OFFER
from bot import services
from bot.desk_answers.records import ApprovedAnswer
from bot.desk_answers.reply import DeskAnswerFinder

DIGID = ApprovedAnswer(
    9,
    ("How do I get a DigiD?", "How do I apply for DigiD?"),
    "Apply for DigiD on digid.nl once you have a BSN.",
    datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc),
)
DATE_LINE = "Answered by the International Affairs Department on 1 December 2026."


@pytest.fixture(autouse=True)
def desk_answers(monkeypatch) -> DeskAnswerFinder:
    finder = DeskAnswerFinder(
        lambda language: [DIGID] if language == "en" else [], ZoneInfo("Europe/Amsterdam")
    )
    monkeypatch.setattr(services, "desk_answers", lambda: finder)
    return finder


def offered_after_desk_answer(dispatcher) -> None:
    answer, payload, offer = dispatcher.messages
    assert answer["text"] == f"{DIGID.answer}\n{DATE_LINE}"
    assert payload["custom"] == {"data": {"answer": {"topic": "desk_answer", "desk_answer_id": 9}}}
    assert offer["text"] == FOLLOW_UP.text
    assert [b["payload"] for b in offer["buttons"]] == ["/affirm", "/deny"]


async def test_a_question_the_assistant_would_decline_gets_the_desk_answer(dispatcher, make_tracker, domain):
    tracker = make_tracker("out_of_scope", "how can I request a DigiD")
    events = await ActionDecline().run(dispatcher, tracker, domain)
    offered_after_desk_answer(dispatcher)
    # "yes" still passes the question on to a colleague, as after a decline; no answer stands.
    assert events == [
        SlotSet("handoff_offered", True),
        SlotSet("unanswered_question", "how can I request a DigiD"),
        SlotSet("last_topic", None),
        SlotSet("last_figures", None),
    ]


async def test_without_a_matching_answer_the_decline_is_as_before(
    dispatcher, make_tracker, domain, knowledge
):
    tracker = make_tracker("out_of_scope", "how do I register my car")
    events = await ActionDecline().run(dispatcher, tracker, domain)
    assert [m["text"] for m in dispatcher.messages] == [knowledge.decline(), OFFER.text]
    assert SlotSet("handoff_offered", True) in events


async def test_a_topic_answer_declined_for_low_confidence_gets_the_desk_answer(dispatcher, domain):
    latest = {
        "intent": {"name": "ask_business_desk", "confidence": 0.3},
        "entities": [],
        "text": "how do I get DigiD",
    }
    tracker = Tracker("tester", {}, latest, [{"event": "user", "text": latest["text"], "parse_data": latest}],
                      False, None, {}, "action_listen")  # fmt: skip
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    offered_after_desk_answer(dispatcher)
    assert SlotSet("handoff_offered", True) in events


async def test_a_topic_that_is_answered_never_asks_the_desk_answers(
    dispatcher, make_tracker, domain, monkeypatch
):
    monkeypatch.setattr(services, "desk_answers", lambda: pytest.fail("desk answers asked"))
    await ActionAnswerTopic().run(
        dispatcher, make_tracker("ask_population", "How many people live in Almere?"), domain
    )
    assert figure("inhabitants") in dispatcher.messages[0]["text"]


async def test_a_dutch_conversation_gets_only_dutch_desk_answers(dispatcher, domain, knowledge):
    latest = {
        "intent": {"name": "out_of_scope", "confidence": 0.9},
        "entities": [],
        "text": "how do I get a DigiD",
    }
    tracker = Tracker("tester", {"language": "nl"}, latest, [], False, None, {}, "action_listen")
    await ActionDecline().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"] == knowledge.decline("nl")
