"""The insights' plain parts: the definitions of a conversation's outcome, the period, masking and
grouping of the unanswered questions, and the votes under answers."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from insights_events import (
    answered,
    answered_before_payloads,
    declined,
    handoff_started,
    handoff_stored,
    small_talk,
)
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.insights.answer_votes import InvalidFeedback, Vote, parse_vote
from bot.insights.conversations import (
    ABANDONED,
    ANSWERED,
    DECLINED,
    HANDED_OVER,
    OTHER,
    action_result,
    conversation_outcome,
    read_conversation,
)
from bot.insights.grouping import group_questions, normalised
from bot.insights.masking import (
    ADDRESS_MARKER,
    EMAIL_MARKER,
    NUMBER_MARKER,
    PHONE_MARKER,
    POSTCODE_MARKER,
    mask_personal_data,
)
from bot.insights.period import InvalidPeriod, last_days, parse_since, period_from_query

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = date(2026, 11, 30)


# --- One action: answered, declined or neither


@pytest.mark.parametrize(
    ("action", "answer_sent", "offered", "expected"),
    [
        ("action_answer_topic", True, False, ANSWERED),
        ("action_answer_topic", False, True, DECLINED),  # a topic answer that declined offers a colleague
        ("action_answer_topic", False, False, ANSWERED),  # stored before answers named their topic
        ("action_decline", False, True, DECLINED),
        ("action_decline", False, False, DECLINED),
        ("action_desk_answer", True, False, ANSWERED),  # any answer that names what it answered
        ("utter_greet", False, False, None),
        ("action_office_hours", False, False, None),
        ("handoff_form", False, False, None),
    ],
)
def test_what_one_action_did(action, answer_sent, offered, expected):
    assert action_result(action, answer_sent=answer_sent, colleague_offered=offered) == expected


@pytest.mark.parametrize(
    ("answered_", "declined_", "form", "ticket", "expected"),
    [
        (True, True, True, True, HANDED_OVER),
        (False, False, False, True, HANDED_OVER),
        (True, True, True, False, ABANDONED),
        (True, True, False, False, ANSWERED),  # answered once is answered, whatever was declined
        (True, False, False, False, ANSWERED),
        (False, True, False, False, DECLINED),
        (False, False, False, False, OTHER),
    ],
)
def test_a_conversation_has_one_outcome_in_this_order(answered_, declined_, form, ticket, expected):
    outcome = conversation_outcome(
        answered=answered_, declined=declined_, form_started=form, handed_over=ticket
    )
    assert outcome == expected


def stored(*turns) -> list[dict]:
    """Events as the tracker store keeps them (each turn followed by listening)."""
    events = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
    for turn in turns:
        events += [*turn, ActionExecuted("action_listen")]
    for seconds, event in enumerate(events):
        event.timestamp = 1_800_000_000 + seconds
    return [event.as_dict() for event in events]


def test_an_answered_conversation_keeps_its_topics():
    conversation = read_conversation(
        "s1", stored(small_talk(), answered("how many people live here", "population")), False
    )
    assert conversation.outcome == ANSWERED
    assert conversation.topics == ("population",)
    assert conversation.unanswered == ()
    assert conversation.started_at == datetime.fromtimestamp(1_800_000_002, timezone.utc)


def test_declines_keep_what_was_asked_both_ways():
    events = stored(
        declined("Can my cat come to the town hall?"), declined("Is it cold in winter?", "ask_growth")
    )
    conversation = read_conversation("s1", events, False)
    assert conversation.outcome == DECLINED
    assert conversation.unanswered == ("Can my cat come to the town hall?", "Is it cold in winter?")
    assert conversation.topics == ("growth",)  # what the classifier took it for


def test_an_answer_before_payloads_still_counts_and_a_decline_after_it_does_not_undo_it():
    events = stored(answered_before_payloads("jobs?", "jobs"), declined("where can I park"))
    conversation = read_conversation("s1", events, False)
    assert conversation.outcome == ANSWERED
    assert conversation.unanswered == ("where can I park",)


def test_a_forgotten_question_is_not_quoted():
    conversation = read_conversation("s1", stored(declined("[removed]")), False)
    assert conversation.outcome == DECLINED and conversation.unanswered == ()


def test_handoffs_stored_or_abandoned():
    question = declined("Can I bring my dog?")
    assert read_conversation("s", stored(question, handoff_started()), False).outcome == ABANDONED
    refused = stored(question, handoff_started(), handoff_stored(None))
    assert read_conversation("s", refused, False).outcome == ABANDONED
    assert read_conversation("s", refused, True).outcome == HANDED_OVER  # the ticket database knows better
    done = stored(question, handoff_started(), handoff_stored("ALM-000001"))
    assert read_conversation("s", done, False).outcome == HANDED_OVER


def test_small_talk_only_is_other_and_silence_is_no_conversation():
    assert read_conversation("s", stored(small_talk()), False).outcome == OTHER
    assert read_conversation("s", stored(), False) is None


def test_bot_messages_outside_an_action_and_odd_events_are_ignored():
    events = [
        BotUttered("welcome", data={"custom": {"data": {"answer": {"topic": "jobs"}}}}).as_dict(),
        UserUttered("hi", {"name": "greet"}).as_dict(),
        {"event": "slot", "name": "handoff_offered", "value": True},
        {"event": "user", "text": None, "parse_data": {"intent": None}},
    ]
    conversation = read_conversation("s", events, False)
    assert conversation.outcome == OTHER and conversation.topics == ()


# --- The period


def test_the_default_period_is_the_last_30_days():
    period = period_from_query(None, None, AMSTERDAM, TODAY)
    assert (period.first, period.last) == (date(2026, 11, 1), TODAY)
    assert len(period.days()) == 30
    assert period.start == datetime(2026, 11, 1, tzinfo=AMSTERDAM)
    assert period.end == datetime(2026, 12, 1, tzinfo=AMSTERDAM)


def test_only_from_or_only_to():
    assert period_from_query("2026-11-20", "", AMSTERDAM, TODAY).days()[-1] == TODAY
    assert period_from_query(None, "2026-10-31", AMSTERDAM, TODAY).first == date(2026, 10, 2)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("yesterday", None, "not a date: write it as YYYY-MM-DD"),
        ("2026-11-31", None, "'2026-11-31' is not a date"),
        (None, "30-11-2026", "The end date '30-11-2026' is not a date"),
        ("2026-11-30", "2026-11-01", "is after the end date"),
        ("2020-01-01", "2026-11-01", "at most 366 days"),
    ],
)
def test_bad_dates_say_what_to_write(start, end, message):
    with pytest.raises(InvalidPeriod, match=message):
        period_from_query(start, end, AMSTERDAM, TODAY)


def test_a_day_is_a_day_in_the_desk_zone():
    period = last_days(1, AMSTERDAM, TODAY)
    late_evening = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)  # 00:30 on 1 December there
    assert period.day_of(late_evening) == date(2026, 12, 1)
    assert period.end.astimezone(timezone.utc) == datetime(2026, 11, 30, 23, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("value", "days"), [("30d", 30), ("4w", 28), (" 7D ", 7), ("1d", 1), ("52w", 364)])
def test_since_in_days_or_weeks(value, days):
    assert parse_since(value) == days


@pytest.mark.parametrize("value", ["", "30", "d", "3m", "-1d", "0d", "400d", "1.5w"])
def test_bad_since_is_refused(value):
    with pytest.raises(InvalidPeriod):
        parse_since(value)


# --- Masking


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mail me at jan.de.vries@example.nl please", f"mail me at {EMAIL_MARKER} please"),
        ("call +31 6 12345678 tomorrow", f"call {PHONE_MARKER} tomorrow"),
        ("my number is 06-12345678", f"my number is {PHONE_MARKER}"),
        ("ring (036) 539 99 11", f"ring {PHONE_MARKER}"),
        ("case 2026113045 is open", f"case {NUMBER_MARKER} is open"),
        ("my BSN is 111222333", "my BSN is [BSN removed]"),
        ("pay to NL91ABNA0417164300", "pay to [IBAN removed]"),
        # What people ask about stays: figures, years; an address and a postcode do not.
        ("is it true 231,904 people live here?", "is it true 231,904 people live here?"),
        ("what happened in 1976 at Grote Markt 12", f"what happened in 1976 at {ADDRESS_MARKER}"),
        ("is 1325 AB in Almere Stad?", f"is {POSTCODE_MARKER} in Almere Stad?"),
    ],
)
def test_personal_data_is_masked_and_figures_are_not(text, masked):
    assert mask_personal_data(text) == masked


def test_names_are_not_masked():
    # Said on the page and in the README: nothing tells a name from a word.
    assert mask_personal_data("Can Anna Jansen register me?") == "Can Anna Jansen register me?"


# --- Grouping


def test_rewordings_are_grouped_and_counted():
    questions = [
        "How do I get a parking permit?",
        "how do i get a parking permit",
        "parking permit almere",
        "How to apply for a parkingpermit?",
        "Is there a swimming pool in Almere?",
        "is there a zoo in almere",
        "Where is the nearest hospital?",
        "hospital in almere",
        "How do I register my address?",
        "I want to register my new address in Almere",
    ]
    groups = group_questions(questions)
    assert [(g.example, g.count) for g in groups] == [
        ("How do I get a parking permit?", 4),  # shown as most often written
        ("How do I register my address?", 2),
        ("hospital in almere", 2),
        ("Is there a swimming pool in Almere?", 1),  # not the zoo: "is there a ... in almere" says nothing
        ("is there a zoo in almere", 1),
    ]
    assert groups[0].variants == ("How to apply for a parkingpermit?", "parking permit almere")


def test_grouping_is_deterministic_whatever_the_order():
    questions = ["parking permit almere", "where can I park", "Parking permit?", "zoo", "a zoo nearby"]
    assert group_questions(questions) == group_questions(list(reversed(questions)))


def test_nothing_to_group():
    assert group_questions([]) == []
    assert group_questions(["  ", "?"]) == []
    assert normalised("  Where   is IT?! ") == "where is it"


# --- Votes under answers

TOPICS = frozenset({"housing", "jobs"})


def test_a_vote_names_a_known_topic_or_a_desk_answer():
    assert parse_vote({"topic": "housing", "helpful": True}, TOPICS) == Vote("housing", True)
    assert parse_vote({"topic": "desk_answer", "helpful": False, "desk_answer_id": 3}, TOPICS) == Vote(
        "desk_answer", False, 3
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (["housing", True], "Send JSON like"),
        ({"topic": "housing"}, "must be true or false"),
        ({"topic": "housing", "helpful": "yes"}, "must be true or false"),
        ({"topic": "weather", "helpful": True}, "not a topic the assistant answers"),
        ({"topic": None, "helpful": True}, "not a topic"),
        ({"topic": "desk_answer", "helpful": True}, "needs the number"),
        ({"topic": "desk_answer", "helpful": True, "desk_answer_id": True}, "needs the number"),
        ({"topic": "desk_answer", "helpful": True, "desk_answer_id": "3"}, "needs the number"),
        ({"topic": "jobs", "helpful": True, "desk_answer_id": 3}, "Only a vote on a desk answer"),
    ],
)
def test_bad_votes_say_why(body, message):
    with pytest.raises(InvalidFeedback, match=message):
        parse_vote(body, TOPICS)
