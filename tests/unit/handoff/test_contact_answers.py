"""Reading the conversation for a handoff: contact answers, transcript, declines in a row."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rasa_sdk import Tracker

from actions import handoff_prompts as prompts
from actions.handoff import ActionSubmitHandoff
from bot import services
from bot.handoff.contact_answers import (
    ContactDetails,
    handoff_topic,
    parse_contact,
    readable_transcript,
    topic_label,
    transcript_from_events,
)
from bot.tickets import MessageRecord, TicketService
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database

T = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("jan@example.nl", ContactDetails(email="jan@example.nl", phone=None)),
        ("you can mail me at Jan.Smit@example.co.uk.", ContactDetails("Jan.Smit@example.co.uk", None)),
        ("+31 6 12345678", ContactDetails(email=None, phone="+31 6 12345678")),
        ("call me on 06-12345678 please", ContactDetails(email=None, phone="06-12345678")),
        # The whole address and number, as the field accepts them: not "brien@..." or "036) ...".
        ("o'brien@example.ie", ContactDetails(email="o'brien@example.ie", phone=None)),
        ("ring (036) 539 99 11", ContactDetails(email=None, phone="(036) 539 99 11")),
        ("06\n12345678", ContactDetails(email=None, phone="06 12345678")),
        # Something with an "@" that is no address does not hide the number after it.
        ("jan@home, or 06-12345678", ContactDetails(email=None, phone="06-12345678")),
        ("jan@example..nl", None),
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
    assert [(e.role, e.text, e.quick_reply) for e in transcript] == [
        ("user", "What's the average rent?", None),
        ("bot", "I'm sorry, I don't know that.", None),
        ("user", "<script>alert(1)</script>", None),
        ("user", "As a private person", "/choose_private"),  # the only button that sends it
    ]
    assert transcript[0].timestamp == datetime.fromtimestamp(1_700_000_000, tz=timezone.utc)


def bot_asking(text, *buttons):
    return event("bot", text=text, data={"buttons": [{"title": t, "payload": p} for t, p in buttons]})


CONSENT = prompts.QUESTIONS["handoff_consent"].text


def test_a_click_is_kept_as_the_title_of_the_button_clicked():
    events = [
        bot_asking("Would you like me to pass it on?", ("Yes, please", "/affirm"), ("No", "/deny")),
        event("user", text="/affirm"),
        bot_asking(CONSENT, ("Yes, I agree", "/affirm"), ("No", "/deny")),
        event("user", text="/affirm"),
    ]
    transcript = transcript_from_events(events)
    assert [(e.text, e.quick_reply) for e in transcript if e.role == "user"] == [
        ("Yes, please", "/affirm"),
        ("Yes, I agree", "/affirm"),
    ]


def test_a_click_whose_message_kept_no_buttons_is_titled_from_the_assistants_buttons():
    events = [event("bot", text=CONSENT), event("user", text="/affirm"), event("user", text="/deny")]
    transcript = transcript_from_events(events)
    assert [(e.text, e.quick_reply) for e in transcript[1:]] == [("Yes, I agree", "/affirm"), ("No", "/deny")]
    # Of several titles, none fits a message the assistant never sent: the payload's words are shown.
    [unknown] = transcript_from_events([event("user", text="/affirm")])
    assert (unknown.text, unknown.quick_reply) == ("affirm", "/affirm")


def stored(role, text, quick_reply=None):
    return MessageRecord(position=0, role=role, text=text, timestamp=T, quick_reply=quick_reply)


def test_old_transcripts_show_the_title_looked_up_from_the_buttons():
    messages = [
        stored("bot", CONSENT),
        stored("user", "[quick reply: affirm]"),
        stored("bot", prompts.QUESTIONS["handoff_desk"].text),
        stored("user", "[quick reply: choose business]"),
        stored("user", "Yes, I agree", "/affirm"),
        stored("user", "[quick reply: something else]"),
        stored("bot", "[quick reply: affirm]"),
    ]
    shown = [(m.text, m.clicked) for m in readable_transcript(messages)]
    assert shown == [
        (CONSENT, False),
        ("Yes, I agree", True),
        (prompts.QUESTIONS["handoff_desk"].text, False),
        ("For a business", True),
        ("Yes, I agree", True),
        ("something else", True),
        ("[quick reply: affirm]", False),  # the assistant's own text is never rewritten
    ]


def asked(text, intent):
    return event("user", text=text, parse_data={"intent": {"name": intent, "confidence": 0.9}})


def test_the_topic_is_that_of_the_question_before_the_handoff():
    answered = [
        asked("Where can I rent a flat?", "ask_housing"),
        event("bot", text="Almere has ..."),
        asked("thanks", "thank"),
        asked("can I talk to a person", "request_human"),
        event("action", name="action_prepare_handoff"),
        asked("Ana", "greet"),  # answers to the form come after the start
    ]
    assert handoff_topic(answered) == "housing"
    declined = [
        asked("Where is the best pizza?", "out_of_scope"),
        event("action", name="action_decline"),
        asked("yes", "affirm"),
        event("action", name="action_prepare_handoff"),
    ]
    assert handoff_topic(declined) == "out_of_scope"
    # A later handoff: the question asked before it counts, not the one before the first.
    again = declined + [asked("How many people live here?", "ask_population")] + declined[2:]
    assert handoff_topic(again) == "population"
    assert handoff_topic([asked("a person please", "request_human")]) is None
    assert handoff_topic([]) is None


@pytest.mark.parametrize(
    "topic, label",
    [
        ("housing", "Housing"),
        ("international_community", "International community"),
        ("ask_schools", "Schools"),  # stored as the intent's name by earlier versions
        ("out_of_scope", "Not in the assistant's knowledge (declined)"),
        ("nlu_fallback", "Not in the assistant's knowledge (declined)"),
        (None, None),
        ("", None),
    ],
)
def test_topic_labels(topic, label):
    assert topic_label(topic) == label


@pytest.fixture
def tickets(tmp_path, monkeypatch) -> TicketService:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade_database(url)
    service = TicketService(create_session_factory(create_engine_for(url)))
    monkeypatch.setattr(services, "ticket_service", lambda: service)
    return service


FORM = {
    "handoff_name": "Maria Jansen",
    "handoff_contact": "maria@example.nl",
    "handoff_question": "Can I rent a flat for a year?",
    "handoff_desk": "international",
    "handoff_consent": True,
}


@pytest.mark.parametrize(
    "conversation, topic",
    [
        (
            [
                asked("Where can I rent a flat?", "ask_housing"),
                event("bot", text="In Almere you can ..."),
                asked("I want to talk to someone", "request_human"),
            ],
            "housing",
        ),
        (
            [
                asked("Is the pizza good?", "out_of_scope"),
                event("action", name="action_decline"),
                bot_asking("Would you like me to pass your question on?", ("Yes, please", "/affirm")),
                asked("/affirm", "affirm"),
            ],
            "out_of_scope",
        ),
    ],
    ids=["after a topic question", "after a decline"],
)
async def test_a_ticket_carries_the_topic_of_the_question_before_the_handoff(
    tickets, dispatcher, domain, conversation, topic
):
    events = [
        *conversation,
        event("action", name="action_prepare_handoff"),
        bot_asking(CONSENT, ("Yes, I agree", "/affirm"), ("No", "/deny")),
        asked("/affirm", "affirm"),
    ]
    tracker = Tracker("conversation-1", FORM, {}, events, False, None, {}, "action_listen")
    await ActionSubmitHandoff().run(dispatcher, tracker, domain)
    [ticket] = tickets.list()
    assert ticket.topic == topic
    consent = ticket.transcript[-1]
    assert (consent.text, consent.quick_reply) == ("Yes, I agree", "/affirm")


@pytest.mark.parametrize(
    "text", ["Maria Jansen", "José de la Fuente", "O'Brien", "Dr. J. van der Berg", "Ahmed"]
)
def test_names_are_names(text):
    from bot.handoff.contact_answers import is_a_name

    assert is_a_name(text)


@pytest.mark.parametrize(
    "text", ["yes", "ok sure", "Nee", "ja hoor", "jan@example.nl", "06 1234 5678", "why?", ""]
)
def test_yes_no_an_address_or_a_question_is_no_name(text):
    from bot.handoff.contact_answers import is_a_name

    assert not is_a_name(text)
