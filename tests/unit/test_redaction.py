"""bot.redaction: what is forgotten after a handoff that stored nothing (issue 18, finding 3)."""

from __future__ import annotations

from actions.handoff import ActionCancelHandoff, ActionSubmitHandoff
from bot.redaction import (
    CANCEL_ACTION,
    REFERENCE_SLOT,
    REMOVED,
    SUBMIT_ACTION,
    ends_handoff_without_ticket,
    redact_handoff,
)


def test_the_action_names_are_those_of_the_handoff_actions():
    assert ActionSubmitHandoff().name() == SUBMIT_ACTION
    assert ActionCancelHandoff().name() == CANCEL_ACTION


def action(name):
    return {"event": "action", "name": name}


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def test_what_ends_a_handoff_without_a_ticket():
    assert ends_handoff_without_ticket([action(CANCEL_ACTION)])
    assert ends_handoff_without_ticket([action(SUBMIT_ACTION), slot("handoff_name", None),
                                        slot(REFERENCE_SLOT, None)])
    assert not ends_handoff_without_ticket([action(SUBMIT_ACTION), slot(REFERENCE_SLOT, "ALM-000001")])
    assert not ends_handoff_without_ticket([slot(REFERENCE_SLOT, None)])  # not set by the submit
    assert not ends_handoff_without_ticket([action(SUBMIT_ACTION), action("action_listen"),
                                            slot(REFERENCE_SLOT, None)])


def test_form_answers_slots_and_echoes_are_removed_and_nothing_else():
    events = [
        {"event": "user", "text": "Where can I park my boat?",
         "parse_data": {"text": "Where can I park my boat?"}},
        slot("unanswered_question", "Where can I park my boat?"),
        {"event": "user", "text": "How many jobs?", "parse_data": {"text": "How many jobs?"}},
        slot("requested_slot", "handoff_desk"),
        {"event": "user", "text": "for my shop Anna's Bikes",
         "parse_data": {"text": "for my shop Anna's Bikes", "entities": [{"value": "Anna's Bikes"}],
                        "intent": {"name": "inform"}}},
        {"event": "bot", "text": 'Your question: "Where can I park my boat?". Pass it on?'},
        {"event": "bot", "text": "May we store this?"},
        slot("requested_slot", None),
        {"event": "user", "text": "thanks", "parse_data": {"text": "thanks"}},
    ]
    redacted = redact_handoff(events)
    assert [event.get("text") for event in redacted] == [
        REMOVED, None, "How many jobs?", None, REMOVED, REMOVED, "May we store this?", None, "thanks"]
    assert redacted[1]["value"] is None
    assert redacted[4]["parse_data"] == {"text": REMOVED, "entities": [], "intent": {"name": "inform"}}
    assert events[4]["text"] == "for my shop Anna's Bikes"  # the input is not changed
