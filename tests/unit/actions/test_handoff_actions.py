"""The handoff actions against a real (temporary SQLite) ticket database."""

from __future__ import annotations

import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from support import desk_phone, free_port

from actions import handoff
from actions import handoff_prompts as prompts
from bot import services
from bot.config import settings_from
from bot.observability.logs import REQUEST_ID
from bot.tickets import TicketService, TicketStoreUnavailable
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database
from bot.tickets.live_chat_tickets import LiveChatService
from bot.tickets.notify import EmailNotifier

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
    factory = create_session_factory(create_engine_for(url))
    service = TicketService(factory)
    live_chats = LiveChatService(factory)
    monkeypatch.setattr(services, "ticket_service", lambda: service)
    monkeypatch.setattr(services, "live_chats", lambda: live_chats)
    return service


def form_tracker(
    slots: dict,
    events: list[dict] | None = None,
    intent: str = "affirm",
    text: str = "yes",
    loop: str | None = "handoff_form",
) -> Tracker:
    """A conversation in the handoff form (``loop``: None before it starts) whose last message is
    ``text``, read as ``intent``."""
    latest = {"intent": {"name": intent}, "entities": [], "text": text}
    return Tracker(
        "conversation-1",
        slots,
        latest,
        events or CONVERSATION,
        False,
        None,
        {"name": loop} if loop else {},
        "action_listen",
    )


COMPLETE = {
    "handoff_name": "Maria Jansen",
    "handoff_contact": "maria@example.nl",
    "handoff_question": "What's the average rent?",
    "handoff_desk": "international",
    "handoff_consent": True,
}


# The reply's date and time: "by Monday 9 March 2026 at 17:00 (Amsterdam time)".
PROMISE = r"reply by [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d \(Amsterdam time\) at the latest\."
DUTCH_PROMISE = r"antwoordt uiterlijk [a-z]+dag \d{1,2} [a-z]+ \d{4} om \d\d:\d\d \(tijd in Amsterdam\)\."


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
    assert ticket.reference in text
    assert re.search(PROMISE, text) and "within office hours" not in text
    assert "e-mailed you" not in text  # no mail server here: nothing was sent
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
    assert "not stored" in text and desk_phone() in text and "ALM-" not in text
    assert SlotSet("handoff_reference", None) in events
    assert SlotSet("handoff_forget", True) in events  # the tracker store forgets the answers


async def test_a_database_failure_is_said_plainly(tickets, dispatcher, domain, monkeypatch):
    def unavailable(*args, **kwargs):
        raise TicketStoreUnavailable("down")

    monkeypatch.setattr(tickets, "open_or_update", unavailable)
    events = await handoff.ActionSubmitHandoff().run(dispatcher, form_tracker(COMPLETE), domain)
    [text] = texts(dispatcher)
    assert "NOT been passed on" in text and desk_phone() in text and "ALM-" not in text
    # Consent was given: the answers stay in the conversation for the retry.
    assert SlotSet("handoff_forget", True) not in events


async def test_invalid_details_are_refused_not_confirmed(tickets, dispatcher, domain):
    slots = {**COMPLETE, "handoff_contact": "not a contact"}
    events = await handoff.ActionSubmitHandoff().run(dispatcher, form_tracker(slots), domain)
    assert tickets.list() == []
    assert "Nothing was stored" in texts(dispatcher)[0]
    assert SlotSet("handoff_forget", True) in events


async def test_cancel_stops_the_form_and_clears_it(tickets, dispatcher, domain):
    events = await handoff.ActionCancelHandoff().run(dispatcher, form_tracker(COMPLETE), domain)
    assert ActiveLoop(None) in events and SlotSet("handoff_name", None) in events
    assert SlotSet("handoff_forget", True) in events
    assert "nothing has been passed on" in texts(dispatcher)[0]


async def test_prepare_prefills_the_unanswered_question(dispatcher, domain):
    tracker = form_tracker({"unanswered_question": "What's the average rent?"}, loop=None)
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
    assert desk_phone() in texts(dispatcher)[0] and texts(dispatcher)[1] == prompts.OFFER.text


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


# --- Live chat ---------------------------------------------------------------------------------------

ALWAYS_OPEN = {
    "ALMERE_OFFICE_DAYS": "0,1,2,3,4,5,6",
    "ALMERE_OFFICE_OPEN": "00:00",
    "ALMERE_OFFICE_CLOSE": "23:59",
    "ALMERE_OFFICE_HOLIDAYS_COUNTRY": "BE",
}


def widget_tracker(channel: str = "socketio") -> Tracker:
    events = [
        {**event, "input_channel": channel} if event["event"] == "user" else event for event in CONVERSATION
    ]
    return Tracker(
        "conversation-1", {}, {"intent": {"name": "request_human"}}, events, False, None, {}, "action_listen"
    )


def add_staff(tickets: TicketService, available: bool = True) -> LiveChatService:
    from bot.site.desk.accounts import StaffAccounts

    live_chats = services.live_chats()
    StaffAccounts(tickets._session_factory).add("anna", "a long enough password 1")
    live_chats.set_available("anna", available)
    return live_chats


def offers(dispatcher) -> list:
    return [
        m["custom"]["data"]["live_chat"] for m in dispatcher.messages if (m.get("custom") or {}).get("data")
    ]


@pytest.fixture
def always_open(monkeypatch):
    for key, value in ALWAYS_OPEN.items():
        monkeypatch.setenv(key, value)


async def test_the_widget_offers_a_live_chat_when_a_colleague_is_available(
    tickets, always_open, dispatcher, domain
):
    add_staff(tickets)
    await handoff.ActionPrepareHandoff().run(dispatcher, widget_tracker(), domain)
    assert offers(dispatcher) == [{"offer": "Chat with a colleague now"}]
    assert "they will see this conversation" in texts(dispatcher)[1]


@pytest.mark.parametrize("case", ["nobody available", "REST channel", "desk closed", "chat missed before"])
async def test_no_live_chat_is_offered_when_it_cannot_happen(
    tickets, always_open, dispatcher, domain, monkeypatch, case
):
    live_chats = add_staff(tickets, available=case != "nobody available")
    if case == "desk closed":
        monkeypatch.setenv("ALMERE_OFFICE_DAYS", "0")
        monkeypatch.setenv("ALMERE_OFFICE_OPEN", "00:00")
        monkeypatch.setenv("ALMERE_OFFICE_CLOSE", "00:01")
    if case == "chat missed before":
        chat = live_chats.request(
            "conversation-1", "socketio", desk="international", question=None, topic=None, transcript=[]
        )
        live_chats.expire(chat.reference)
    tracker = widget_tracker("rest" if case == "REST channel" else "socketio")
    await handoff.ActionPrepareHandoff().run(dispatcher, tracker, domain)
    assert offers(dispatcher) == [] and texts(dispatcher) == [prompts.INTRO.text]


async def test_stopping_the_form_after_a_missed_chat_keeps_nothing(tickets, always_open, dispatcher, domain):
    live_chats = add_staff(tickets)
    chat = live_chats.request(
        "conversation-1", "socketio", desk="international", question=None, topic=None, transcript=[]
    )
    assert live_chats.expire(chat.reference)
    await handoff.ActionCancelHandoff().run(dispatcher, form_tracker(COMPLETE), domain)
    assert tickets.list() == []
    assert "nothing has been passed on" in texts(dispatcher)[0]


async def test_refusing_consent_after_a_missed_chat_keeps_nothing(tickets, always_open, dispatcher, domain):
    live_chats = add_staff(tickets)
    chat = live_chats.request(
        "conversation-1", "socketio", desk="international", question=None, topic=None, transcript=[]
    )
    assert live_chats.expire(chat.reference)
    slots = {**COMPLETE, "handoff_consent": False}
    await handoff.ActionSubmitHandoff().run(dispatcher, form_tracker(slots), domain)
    assert tickets.list() == []
    assert "not stored" in texts(dispatcher)[0]


async def test_the_form_after_a_missed_chat_completes_the_same_ticket(
    tickets, always_open, dispatcher, domain
):
    live_chats = add_staff(tickets)
    chat = live_chats.request(
        "conversation-1", "socketio", desk="international", question=None, topic=None, transcript=[]
    )
    assert live_chats.expire(chat.reference)
    await handoff.ActionSubmitHandoff().run(dispatcher, form_tracker(COMPLETE), domain)
    [ticket] = tickets.list()
    assert (ticket.reference, ticket.live_chat, ticket.name, ticket.email) == (
        chat.reference,
        "missed",
        "Maria Jansen",
        "maria@example.nl",
    )


async def test_a_stop_that_cannot_withdraw_the_missed_chat_says_so(
    tickets, always_open, dispatcher, domain, monkeypatch
):
    class Down:
        def withdraw_missed(self, conversation_id):
            raise TicketStoreUnavailable("down")

    monkeypatch.setattr(services, "live_chats", lambda: Down())
    events = await handoff.ActionCancelHandoff().run(dispatcher, form_tracker(COMPLETE), domain)
    assert "could not withdraw" in texts(dispatcher)[0] and desk_phone() in texts(dispatcher)[0]
    assert SlotSet("handoff_forget", True) not in events


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kan het in het Nederlands?", "Goed, ik antwoord vanaf nu in het Nederlands."),
        ("can you speak Spanish?", "I'm sorry, I can only answer in English or Dutch."),
        ("how do you say hello in Dutch", "I'm sorry, I can only answer in English or Dutch."),
    ],
)
async def test_switching_language_only_to_english_or_dutch(dispatcher, domain, text, expected):
    from actions.language import ActionSwitchLanguage

    language = "nl" if "Nederlands" in text else "en"
    tracker = Tracker(
        "c",
        {"language": language},
        {"text": text, "intent": {"name": "switch_language"}},
        [],
        False,
        None,
        {},
        "",
    )
    await ActionSwitchLanguage().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(expected)


def test_yes_is_no_name_in_the_form(dispatcher, make_tracker, domain):
    from actions.handoff import ValidateHandoffForm

    slots = ValidateHandoffForm().validate_handoff_name(
        "yes", dispatcher, make_tracker("affirm", "yes"), domain
    )
    assert slots == {"handoff_name": None} and dispatcher.messages


@pytest.mark.parametrize(
    ("language", "promise", "emailed"),
    [
        ("en", PROMISE, "I have e-mailed you a confirmation with your reference and your question."),
        ("nl", DUTCH_PROMISE, "Ik heb je een bevestiging met je referentienummer en je vraag gemaild."),
    ],
)
async def test_the_chat_says_a_confirmation_was_emailed_only_when_it_was(
    tmp_path, monkeypatch, dispatcher, domain, mail_server, language, promise, emailed
):
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade_database(url)
    factory = create_session_factory(create_engine_for(url))
    for smtp_port, sent in ((mail_server.port, True), (free_port(), False)):  # the second: nothing listens
        settings = settings_from({"ALMERE_SMTP_HOST": "127.0.0.1", "ALMERE_SMTP_PORT": str(smtp_port)})
        service = TicketService(factory, EmailNotifier(settings))
        monkeypatch.setattr(services, "ticket_service", lambda service=service: service)
        tracker = form_tracker({**COMPLETE, "language": language})
        tracker.sender_id = f"conversation-{sent}"
        await handoff.ActionSubmitHandoff().run(dispatcher, tracker, domain)
        text = texts(dispatcher)[-1]
        assert re.search(promise, text)
        assert (emailed in text) is sent
    assert [rcpt for rcpt, _ in mail_server.inbox.messages].count(["maria@example.nl"]) == 1


class TestInTheForm:
    """The handoff form is passing a question on already: nothing in it offers that again, and
    nothing in it starts it again."""

    @pytest.mark.parametrize("language", ["en", "nl"])
    async def test_a_decline_in_the_form_offers_no_colleague_and_sets_no_offer(
        self, dispatcher, domain, language
    ):
        slots = {"requested_slot": "handoff_desk", "handoff_name": "Maria Jansen", "language": language}
        tracker = form_tracker(slots, intent="out_of_scope", text="I need help with a residence permit")
        events = await handoff.ActionDecline().run(dispatcher, tracker, domain)
        said = texts(dispatcher)
        assert said[0] == services.knowledge().decline(language)
        assert said[1] == prompts.ALREADY_PASSING_ON.wording(language)[0]
        assert prompts.OFFER.wording(language)[0] not in said
        assert not [e for e in events if e["name"] in {"handoff_offered", "unanswered_question"}]

    async def test_asking_for_a_person_in_the_form_goes_on_where_it_was(self, dispatcher, domain):
        slots = {
            "requested_slot": "handoff_desk",
            "handoff_name": "Maria Jansen",
            "unanswered_question": "rent?",
        }
        events = await handoff.ActionPrepareHandoff().run(dispatcher, form_tracker(slots), domain)
        assert events == [SlotSet("handoff_offered", False)]  # no answer given is reset
        assert texts(dispatcher) == [prompts.ALREADY_PASSING_ON.text]

    @pytest.mark.parametrize("text, intent", [("no", "deny"), ("nee", "deny"), ("yes please", "affirm")])
    def test_a_bare_yes_or_no_is_no_question_for_the_desk(self, dispatcher, domain, text, intent):
        tracker = form_tracker(
            {"requested_slot": "handoff_question", "language": "nl"}, intent=intent, text=text
        )
        result = handoff.ValidateHandoffForm().validate_handoff_question(text, dispatcher, tracker, domain)
        assert result == {"handoff_question": None}
        assert texts(dispatcher) == [prompts.QUESTION_NOT_YES_OR_NO.nl.text]

    def test_a_question_that_starts_with_no_is_taken(self, dispatcher, domain):
        text = "No, I need help with a residence permit"
        tracker = form_tracker({"requested_slot": "handoff_question"}, intent="deny", text=text)
        result = handoff.ValidateHandoffForm().validate_handoff_question(text, dispatcher, tracker, domain)
        assert result == {"handoff_question": text, "handoff_question_confirmed": True}

    @pytest.mark.parametrize("text, intent", [("yes", "affirm"), ("ja", "affirm"), ("no", "deny")])
    async def test_a_yes_or_no_to_private_or_business_is_asked_again(self, dispatcher, domain, text, intent):
        tracker = form_tracker({"requested_slot": "handoff_desk"}, intent=intent, text=text)
        # A value for the slot (even none) keeps the form going: it asks its question again.
        assert await handoff.ValidateHandoffForm().extract_handoff_desk(dispatcher, tracker, domain) == {
            "handoff_desk": None
        }
        consent = form_tracker({"requested_slot": "handoff_consent"}, intent=intent, text=text)
        assert await handoff.ValidateHandoffForm().extract_handoff_desk(dispatcher, consent, domain) == {}


async def test_the_ticket_is_written_under_the_turns_request_id_and_keeps_it(
    tickets, dispatcher, domain, monkeypatch
):
    seen = []
    open_or_update = tickets.open_or_update

    def noting_the_request_id(*args, **kwargs):
        seen.append(REQUEST_ID.get())  # what the service's log lines carry, in the executor's thread
        return open_or_update(*args, **kwargs)

    monkeypatch.setattr(tickets, "open_or_update", noting_the_request_id)
    tracker = form_tracker(COMPLETE)
    tracker.latest_message["metadata"] = {"request_id": "0f1e2d3c4b5a6978"}
    REQUEST_ID.set("0f1e2d3c4b5a6978")  # as the action server sets it from the same metadata

    await handoff.ActionSubmitHandoff().run(dispatcher, tracker, domain)

    assert seen == ["0f1e2d3c4b5a6978"]
    [ticket] = tickets.list()
    assert [note.text for note in tickets.get(ticket.reference).notes] == [
        "Request id of the turn that opened this ticket: 0f1e2d3c4b5a6978"
    ]
