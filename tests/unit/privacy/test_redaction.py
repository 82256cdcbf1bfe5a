"""bot.privacy.redaction: what is forgotten after a handoff that stored nothing."""

from __future__ import annotations

from bot.privacy.redaction import FORGET_SLOT, REMOVED, asks_to_forget, redact_handoff


def action(name):
    return {"event": "action", "name": name}


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def test_only_the_forget_slot_set_to_true_asks_to_forget():
    assert asks_to_forget([action("action_cancel_handoff"), slot(FORGET_SLOT, True)])
    assert not asks_to_forget([action("action_cancel_handoff")])
    assert not asks_to_forget([slot(FORGET_SLOT, None), slot("handoff_reference", None)])


def test_form_answers_slots_and_echoes_are_removed_and_nothing_else():
    events = [
        {
            "event": "user",
            "text": "Where can I park my boat?",
            "parse_data": {"text": "Where can I park my boat?"},
        },
        slot("unanswered_question", "Where can I park my boat?"),
        {"event": "user", "text": "How many jobs?", "parse_data": {"text": "How many jobs?"}},
        slot("requested_slot", "handoff_desk"),
        {
            "event": "user",
            "text": "for my shop Anna's Bikes",
            "parse_data": {
                "text": "for my shop Anna's Bikes",
                "entities": [{"value": "Anna's Bikes"}],
                "intent": {"name": "inform"},
            },
        },
        {"event": "bot", "text": 'Your question: "Where can I park my boat?". Pass it on?'},
        {"event": "bot", "text": "May we store this?"},
        slot("requested_slot", None),
        {"event": "user", "text": "thanks", "parse_data": {"text": "thanks"}},
    ]
    redacted = redact_handoff(events)
    assert [event.get("text") for event in redacted] == [
        REMOVED,
        None,
        "How many jobs?",
        None,
        REMOVED,
        REMOVED,
        "May we store this?",
        None,
        "thanks",
    ]
    assert redacted[1]["value"] is None
    assert redacted[4]["parse_data"] == {"text": REMOVED, "entities": [], "intent": {"name": "inform"}}
    assert events[4]["text"] == "for my shop Anna's Bikes"  # the input is not changed
