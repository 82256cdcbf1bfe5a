"""The handoff actions against a real (temporary SQLite) ticket database."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet

from actions import handoff
from actions import handoff_prompts as prompts
from bot import services
from bot.tickets import TicketService, TicketStoreUnavailable
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database

CONVERSATION = [
    {
        "event": "user",
        "text": "What's the average rent?",
        "timestamp": 1_700_000_000.0,
        "parse_data": {"intent": {"name": "out_of_scope"}},
    },
    {"event": "action", "name": "action_decline", "timestamp": 1_700_000_001.0},
    {"event": "bot", "text": "I'm sorry, I don't know that.", "timestamp": 1_700_000_001.5},
    {"event": "user", "text": "yes", "timestamp": 1_700_000_010.0},
]


@pytest.fixture
def tickets(tmp_path, monkeypatch) -> TicketService:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade_database(url)
    service = TicketService(create_session_factory(create_engine_for(url)))
    monkeypatch.setattr(services, "ticket_service", lambda: service)
    return service


def form_tracker(slots: dict, events: list[dict] | None = None, intent: str = "affirm") -> Tracker:
    latest = {"intent": {"name": intent}, "entities": [], "text": "yes"}
    return Tracker(
        "conversation-1",
        slots,
        latest,
        events or CONVERSATION,
        False,
        None,
        {"name": "handoff_form"},
        "action_listen",
    )


COMPLETE = {
    "handoff_name": "Maria Jansen",
    "handoff_contact": "maria@example.nl",
    "handoff_question": "What's the average rent?",
    "handoff_desk": "international",
    "handoff_consent": True,
}


def texts(dispatcher):
    return [m.get("text") or m.get("response") for m in dispatcher.messages]


async def test_a_consented_handoff_stores_a_ticket_with_the_transcript(tickets, dispatcher, domain):
    events = await handoff.ActionSubmitHandoff().run(dispatcher, form_tracker(COMPLETE), domain)
    [ticket] = tickets.list()
    assert ticket.name == "Maria Jansen" and ticket.email == "maria@example.nl"
    assert ticket.desk == "international" and ticket.topic == "out_of_scope"
    assert [m.text for m in ticket.transcript] == [
        "What's the average rent?",
        "I'm sorry, I don't know that.",
        "yes",
    ]
    [text] = texts(dispatcher)
    assert ticket.reference in text and "office hours" in text.lower()
    assert SlotSet("handoff_reference", ticket.reference) in events
    assert SlotSet("handoff_forget", True) not in events


async def test_asking_again_adds_to_the_same_ticket(tickets, dispatcher, domain):
    await handoff.ActionSubmitHandoff().run(dispatcher, form_tracker(COMPLETE), domain)
    more = CONVERSATION + [{"event": "user", "text": "and parking?", "timestamp": 1_700_000_100.0}]
    await handoff.ActionSubmitHandoff().run(dispatcher, form_tracker(COMPLETE, more), domain)
    [ticket] = tickets.list()
    assert ticket.transcript[-1].text == "and parking?"
    assert "added this to your request" in texts(dispatcher)[1]


async def test_without_consent_nothing_is_stored(tickets, dispatcher, domain):
    slots = {**COMPLETE, "handoff_consent": False}
    events = await handoff.ActionSubmitHandoff().run(dispatcher, form_tracker(slots), domain)
    assert tickets.list() == []
    [text] = texts(dispatcher)
    assert "not stored" in text and "14 036" in text and "ALM-" not in text
    assert SlotSet("handoff_reference", None) in events
    assert SlotSet("handoff_forget", True) in events  # the tracker store forgets the answers


async def test_a_database_failure_is_said_plainly(tickets, dispatcher, domain, monkeypatch):
    def unavailable(*args, **kwargs):
        raise TicketStoreUnavailable("down")

    monkeypatch.setattr(tickets, "open_or_update", unavailable)
    events = await handoff.ActionSubmitHandoff().run(dispatcher, form_tracker(COMPLETE), domain)
    [text] = texts(dispatcher)
    assert "NOT been passed on" in text and "14 036" in text and "ALM-" not in text
    # Consent was given: the answers stay in the conversation for the retry.
    assert SlotSet("handoff_forget", True) not in events


async def test_invalid_details_are_refused_not_confirmed(tickets, dispatcher, domain):
    slots = {**COMPLETE, "handoff_contact": "not a contact"}
    events = await handoff.ActionSubmitHandoff().run(dispatcher, form_tracker(slots), domain)
    assert tickets.list() == []
    assert "Nothing was stored" in texts(dispatcher)[0]
    assert SlotSet("handoff_forget", True) in events


async def test_cancel_stops_the_form_and_clears_it(dispatcher, domain):
    events = await handoff.ActionCancelHandoff().run(dispatcher, form_tracker(COMPLETE), domain)
    assert ActiveLoop(None) in events and SlotSet("handoff_name", None) in events
    assert SlotSet("handoff_forget", True) in events
    assert "nothing has been passed on" in texts(dispatcher)[0]


async def test_prepare_prefills_the_unanswered_question(dispatcher, domain):
    tracker = form_tracker({"unanswered_question": "What's the average rent?"})
    events = await handoff.ActionPrepareHandoff().run(dispatcher, tracker, domain)
    assert events[-1] == SlotSet("handoff_question", "What's the average rent?")
    assert texts(dispatcher) == [prompts.INTRO.text]


@pytest.mark.parametrize("intent", ["out_of_scope", "nlu_fallback"])
async def test_every_decline_offers_a_colleague(dispatcher, domain, intent):
    tracker = Tracker(
        "c",
        {},
        {"intent": {"name": intent}, "text": "weather?"},
        [{"event": "user", "text": "weather?"}],
        False,
        None,
        {},
        "action_listen",
    )
    result = await handoff.ActionDecline().run(dispatcher, tracker, domain)
    assert SlotSet("handoff_offered", True) in result
    assert SlotSet("unanswered_question", "weather?") in result
    assert "14 036" in texts(dispatcher)[0] and texts(dispatcher)[1] == prompts.OFFER.text


async def test_no_to_the_offer_withdraws_it(dispatcher, domain):
    tracker = Tracker(
        "c",
        {"handoff_offered": True},
        {"intent": {"name": "deny"}, "text": "no thanks"},
        [],
        False,
        None,
        {},
        "action_listen",
    )
    assert await handoff.ActionWithdrawOffer().run(dispatcher, tracker, domain) == [
        SlotSet("handoff_offered", False)
    ]
    assert dispatcher.messages == []


class TestFormValidation:
    action = handoff.ValidateHandoffForm()

    def test_an_invalid_contact_is_asked_again(self, dispatcher, domain):
        tracker = form_tracker({})
        result = self.action.validate_handoff_contact("call me maybe", dispatcher, tracker, domain)
        assert result == {"handoff_contact": None}
        assert texts(dispatcher) == [prompts.INVALID_CONTACT.text]

    def test_a_contact_is_cleaned(self, dispatcher, domain):
        tracker = form_tracker({})
        result = self.action.validate_handoff_contact(" mail me: a@b.nl ", dispatcher, tracker, domain)
        assert result == {"handoff_contact": "a@b.nl"}

    def test_a_typed_question_needs_no_confirmation(self, dispatcher, domain):
        tracker = form_tracker({"requested_slot": "handoff_question"})
        result = self.action.validate_handoff_question(" Where to learn Dutch? ", dispatcher, tracker, domain)
        assert result == {"handoff_question": "Where to learn Dutch?", "handoff_question_confirmed": True}

    def test_a_prefilled_question_is_not_confirmed_by_validation(self, dispatcher, domain):
        tracker = form_tracker({"requested_slot": None})
        result = self.action.validate_handoff_question("rent?", dispatcher, tracker, domain)
        assert result == {"handoff_question": "rent?"}

    def test_a_denied_question_is_asked_afresh(self, dispatcher, domain):
        result = self.action.validate_handoff_question_confirmed(False, dispatcher, form_tracker({}), domain)
        assert result == {"handoff_question_confirmed": False, "handoff_question": None}

    async def test_a_prefilled_question_is_confirmed_first(self, dispatcher, domain):
        tracker = form_tracker({"handoff_question": "rent?", "handoff_question_confirmed": None})
        slots = await self.action.required_slots([], dispatcher, tracker, domain)
        assert slots.index("handoff_question_confirmed") < slots.index("handoff_question")
        plain = await self.action.required_slots([], dispatcher, form_tracker({}), domain)
        assert "handoff_question_confirmed" not in plain


async def test_the_form_asks_with_buttons_and_the_prefilled_question(dispatcher, domain):
    tracker = form_tracker({"handoff_question": "Is there a ferry?"})
    await prompts.AskQuestionConfirmed().run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert '"Is there a ferry?"' in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]


def test_every_form_slot_has_a_question(domain):
    assert set(domain["forms"]["handoff_form"]["required_slots"]) == set(prompts.QUESTIONS)
