"""Each figure of the insights defined once: what counts as small talk and as a question, whose
messages are the assistant's to count (not a colleague's live chat, not the handoff form's answers),
and the time to a first reply as a value also when it is short."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from insights_events import (
    answered,
    answered_two,
    declined,
    during_live_chat,
    handoff_started,
    handoff_stored,
    live_chat_ended,
    live_chat_joined,
    office_hours,
    small_talk,
)
from rasa.shared.core.events import ActionExecuted, UserUttered

from bot.insights.conversations import (
    ANSWERED,
    DECLINED,
    HANDED_OVER,
    OTHER,
    is_small_talk,
    read_conversation,
)
from bot.insights.desk_figures import DeskTickets, Ratings, reply_minutes
from bot.insights.period import Period
from bot.insights.service import charts, clock_time, summarise

PERIOD = Period(date(2026, 11, 2), date(2026, 11, 8), ZoneInfo("Europe/Amsterdam"))


def stored(*turns) -> list[dict]:
    """Events as the tracker store keeps them (each turn followed by listening)."""
    events = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
    for turn in turns:
        events += [*turn, ActionExecuted("action_listen")]
    for seconds, event in enumerate(events):
        event.timestamp = 1_800_000_000 + seconds
    return [event.as_dict() for event in events]


@pytest.mark.parametrize("intent", ["greet", "thank", "goodbye", "bot_challenge", "affirm", "deny"])
def test_small_talk_is_greetings_thanks_goodbyes_and_the_like(intent):
    assert is_small_talk(intent)


@pytest.mark.parametrize(
    "intent", ["ask_office_hours", "ask_jobs", "out_of_scope", "nlu_fallback", "request_human"]
)
def test_a_question_is_not_small_talk(intent):
    assert not is_small_talk(intent)


def test_office_hours_answered_is_an_answered_conversation_with_its_topic():
    conversation = read_conversation("s", stored(small_talk(), office_hours()), False)
    assert conversation.outcome == ANSWERED
    assert conversation.topics == ("office_hours",)


def test_greetings_thanks_and_goodbyes_only_are_small_talk_with_no_topic():
    turns = stored(small_talk(), small_talk("thanks!", "thank"), small_talk("bye", "goodbye"))
    conversation = read_conversation("s", turns, False)
    assert conversation.outcome == OTHER and conversation.topics == ()


def test_a_conversation_with_a_topic_is_never_small_talk_only():
    for turns in (
        [small_talk()],
        [office_hours()],
        [answered("jobs?", "jobs")],
        [declined("Can I park my boat?")],
        [small_talk(), declined("Is it cold in winter?", "ask_growth")],
    ):
        conversation = read_conversation("s", stored(*turns), False)
        assert not (conversation.outcome == OTHER and conversation.topics), turns


def test_messages_while_a_colleague_has_the_chat_are_not_the_assistants_topics():
    turns = stored(
        declined("Can I bring my dog?"),
        live_chat_joined(),
        during_live_chat("and how many jobs are there?", "ask_jobs"),
        during_live_chat("I don't know that", "out_of_scope"),
        live_chat_ended(),
        answered("and housing?", "housing"),
    )
    conversation = read_conversation("s", turns, True)
    assert conversation.outcome == HANDED_OVER
    assert conversation.topics == ("housing",)  # the question after the chat ended is the assistant's again
    assert conversation.unanswered == ("Can I bring my dog?",)


def test_a_live_chat_alone_is_no_answer_of_the_assistant():
    turns = stored(live_chat_joined(), during_live_chat("jobs?", "ask_jobs"))
    conversation = read_conversation("s", turns, False)
    assert conversation.outcome == OTHER and conversation.topics == ()


def test_the_handoff_forms_answers_are_not_questions():
    name_typed = [UserUttered("jan@example.org", {"name": "ask_contact"}), ActionExecuted("handoff_form")]
    turns = stored(
        declined("Can I bring my dog?"), handoff_started(), name_typed, handoff_stored("ALM-000001")
    )
    conversation = read_conversation("s", turns, False)
    assert conversation.outcome == HANDED_OVER
    assert conversation.topics == () and conversation.unanswered == ("Can I bring my dog?",)


def test_a_message_of_two_questions_has_both_topics_as_its_answers_name_them():
    turns = stored(
        answered_two("Business climate? And is there an international school?", "business_climate", "schools")
    )
    conversation = read_conversation("s", turns, False)
    assert conversation.outcome == ANSWERED
    assert conversation.topics == ("business_climate", "schools")


def test_a_decline_after_a_question_is_still_declined():
    conversation = read_conversation("s", stored(declined("Is it cold in winter?", "ask_growth")), False)
    assert conversation.outcome == DECLINED and conversation.topics == ("growth",)


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [([0.0], 0), ([20.0], 1), ([59.0, 61.0, 7200.0], 2), ([], None)],
)
def test_a_reply_time_is_whole_minutes_started_and_zero_is_a_value(seconds, minutes):
    assert reply_minutes(seconds, 0.5) == minutes


@pytest.mark.parametrize(
    ("minutes", "shown"), [(0, "0:00"), (4, "0:04"), (75, "1:15"), (1500, "25:00"), (None, "–")]
)
def test_reply_times_read_as_hours_and_minutes(minutes, shown):
    assert clock_time(minutes) == shown


def test_fast_first_replies_are_drawn_not_nothing():
    replied = DeskTickets("international", tickets=3, replied=3, median_minutes=0, p90_minutes=0)
    waiting = DeskTickets("business", tickets=1, replied=0, median_minutes=None, p90_minutes=None)
    insights = summarise(PERIOD, [], [replied, waiting], Ratings({1: 0}, 0), [])
    chart = next(chart for chart in charts(insights) if chart.name == "first_reply")
    assert not chart.empty
    series = chart.drawing()["series"]
    assert series[0]["values"] == [0, None]  # no reply is no bar, not a bar of 0
    assert chart.drawing()["unit"] == "minutes"


def test_a_period_without_replies_has_no_first_reply_chart():
    waiting = DeskTickets("business", tickets=1, replied=0, median_minutes=None, p90_minutes=None)
    insights = summarise(PERIOD, [], [waiting], Ratings({1: 0}, 0), [])
    assert next(chart for chart in charts(insights) if chart.name == "first_reply").empty
