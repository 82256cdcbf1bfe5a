"""The handoff to the International Affairs desk: offer, form, ticket, cancel."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import handoff_prompts as prompts
from actions.desk_answers import give_desk_answer
from bot import services
from bot.access import limits
from bot.config import load_settings
from bot.conversation.follow_ups import is_follow_up
from bot.handoff.contact_answers import handoff_topic, is_a_name, parse_contact, transcript_from_events
from bot.handoff.live_chat import can_chat_now
from bot.observability.logs import request_id_of
from bot.observability.metrics import DECLINED, HANDED_OVER, OUTCOME_KEY, count_handoff
from bot.office_hours.schedule import reply_promise
from bot.privacy.redaction import FORGET_SLOT
from bot.tickets.errors import ConsentRequired, InvalidTicket, TicketError, TicketStoreUnavailable

logger = logging.getLogger(__name__)

# The channel of the chat widget, the only one that can carry a live chat.
LIVE_CHAT_CHANNEL = "socketio"
HANDOFF_FORM = "handoff_form"
# What the classifier makes of a bare yes or no (domain.yml).
YES_OR_NO = ("affirm", "deny")

FORM_SLOTS = (
    "handoff_name",
    "handoff_contact",
    "handoff_question",
    "handoff_question_confirmed",
    "handoff_desk",
    "handoff_consent",
)
# What the form accepts is what the ticket store accepts (bot/access/limits.py).
MAX_NAME_CHARS = limits.NAME_CHARS
MAX_QUESTION_CHARS = limits.QUESTION_CHARS
# A yes or no of at most this many words says nothing more ("no thanks", "ja hoor"); a longer
# message the classifier takes for one may still be a question ("no, I need a residence permit").
YES_OR_NO_MAX_WORDS = 3


def reset_form_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionDecline(Action):
    """Say honestly that the knowledge file does not answer this, and offer a colleague.

    Whatever the person says next, "yes" or "please pass it on" starts the handoff with
    this question ready to confirm.
    """

    def name(self) -> str:
        return "action_decline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return decline(dispatcher, tracker)


def decline(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The decline with the offer of a colleague, or an answer a colleague wrote if one fits (not
    in the handoff form: that answer offers a colleague too)."""
    language = prompts.language_of(tracker)
    if in_handoff(tracker) or not give_desk_answer(dispatcher, tracker):
        dispatcher.utter_message(text=services.knowledge().decline(language), **{OUTCOME_KEY: DECLINED})
        offer_colleague(dispatcher, tracker)
    return offer_events(tracker)


def in_handoff(tracker: Tracker) -> bool:
    """Whether the handoff form is taking the person's answers: the question is being passed on."""
    return tracker.active_loop_name == HANDOFF_FORM


def offer_colleague(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Offer to pass the question on; in the handoff form, say that it is being passed on already."""
    prompt = prompts.ALREADY_PASSING_ON if in_handoff(tracker) else prompts.OFFER
    prompt.send(dispatcher, prompts.language_of(tracker))


def offer_events(tracker: Tracker, keep_thread: bool = False) -> list[EventType]:
    """After a declined question: "yes" now means "pass this question on" (not in the handoff
    form, which is passing one on already: a yes there never starts it again), and no answer
    stands for a follow-up to lean on, unless ``keep_thread`` (declined only for another place:
    "and Utrecht?" leaves the conversation on its topic) or the question was itself a follow-up
    ("and by car?" after the train to Schiphol: "and to Amsterdam?" still follows the train)."""
    events = (
        []
        if in_handoff(tracker)
        else [
            SlotSet("handoff_offered", True),
            SlotSet("unanswered_question", tracker.latest_message.get("text")),
        ]
    )
    if keep_thread or is_follow_up(str(tracker.latest_message.get("text") or "")):
        return events
    return [*events, SlotSet("last_topic", None), SlotSet("last_figures", None)]


class ActionWithdrawOffer(Action):
    """A yes, no or stop with nothing pending, or no to the desk offer: no offer stands any more."""

    def name(self) -> str:
        return "action_withdraw_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [SlotSet("handoff_offered", False)]


class ActionPrepareHandoff(Action):
    """Start the handoff form, with the unanswered question (if any) ready to confirm. Asked for a
    person while the form runs, the form goes on where it was: nothing already given is lost."""

    def name(self) -> str:
        return "action_prepare_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = prompts.language_of(tracker)
        if in_handoff(tracker):
            prompts.ALREADY_PASSING_ON.send(dispatcher, language)
            return [SlotSet("handoff_offered", False)]
        prompts.INTRO.send(dispatcher, language)
        if live_chat_offered(tracker):
            text, _ = prompts.LIVE_CHAT_OFFER.wording(language)
            button = prompts.LIVE_CHAT_BUTTON[language]
            dispatcher.utter_message(text=text, json_message={"data": {"live_chat": {"offer": button}}})
        question = tracker.get_slot("unanswered_question")
        return [
            *reset_form_slots(),
            SlotSet(FORGET_SLOT, None),
            SlotSet("handoff_offered", False),
            SlotSet("handoff_question", question or None),
        ]


def live_chat_offered(tracker: Tracker) -> bool:
    """A chat with a colleague is offered in the chat widget (the socket.io channel), while the desk
    is open and a colleague is available, unless this conversation's chat was already missed."""
    if tracker.get_latest_input_channel() != LIVE_CHAT_CHANNEL:
        return False
    try:
        live_chats = services.live_chats()
        if live_chats.current(tracker.sender_id) is not None:
            return False
        return can_chat_now(load_settings(), live_chats, datetime.now(timezone.utc))
    except TicketError:
        logger.exception("Could not tell whether a colleague is available to chat.")
        return False


def withdraw_missed_chat(conversation_id: str) -> bool:
    """A person who asked for a live chat that nobody took, and then stops the form or does not
    agree to it, has nothing kept: the chat's ticket is deleted. False if that failed."""
    try:
        services.live_chats().withdraw_missed(conversation_id)
    except TicketError:
        logger.exception("Could not withdraw the missed live chat of %s.", conversation_id)
        return False
    return True


class ValidateHandoffForm(FormValidationAction):
    """Check each answer of the handoff form; an invalid one is asked again."""

    def name(self) -> str:
        return "validate_handoff_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots = ["handoff_name", "handoff_contact"]
        if tracker.get_slot("handoff_question") and tracker.get_slot("handoff_question_confirmed") is None:
            slots.append("handoff_question_confirmed")
        return slots + ["handoff_question", "handoff_desk", "handoff_consent"]

    def validate_handoff_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = " ".join(str(value or "").split())
        if not is_a_name(name) or len(name) > MAX_NAME_CHARS:
            prompts.INVALID_NAME.send(dispatcher, prompts.language_of(tracker))
            return {"handoff_name": None}
        return {"handoff_name": name}

    def validate_handoff_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        contact = parse_contact(str(value or ""))
        if contact is None:
            prompts.INVALID_CONTACT.send(dispatcher, prompts.language_of(tracker))
            return {"handoff_contact": None}
        return {"handoff_contact": contact.describe()}

    def validate_handoff_question(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        question = str(value or "").strip()
        if not question or len(question) > MAX_QUESTION_CHARS:
            prompts.INVALID_QUESTION.send(dispatcher, prompts.language_of(tracker))
            return {"handoff_question": None}
        if tracker.get_slot("requested_slot") != "handoff_question":
            return {"handoff_question": question}  # prefilled: the person confirms it first
        if is_yes_or_no(tracker, question):
            # "no" is no question for the desk: asked again, with how to stop.
            prompts.QUESTION_NOT_YES_OR_NO.send(dispatcher, prompts.language_of(tracker))
            return {"handoff_question": None}
        return {"handoff_question": question, "handoff_question_confirmed": True}

    async def extract_handoff_desk(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A yes or no to "private person or business?" answers neither: the form asks again (the
        rules would otherwise take it for a yes or no to something else)."""
        text = str(tracker.latest_message.get("text") or "")
        if tracker.get_slot("requested_slot") == "handoff_desk" and is_yes_or_no(tracker, text):
            return {"handoff_desk": None}
        return {}

    def validate_handoff_question_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is False:
            return {"handoff_question_confirmed": False, "handoff_question": None}
        return {"handoff_question_confirmed": True}


def is_yes_or_no(tracker: Tracker, text: str) -> bool:
    """Whether ``text``, the person's last message, is a bare yes or no ("no", "nee", "ok", "yes
    please")."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return intent in YES_OR_NO and len(text.split()) <= YES_OR_NO_MAX_WORDS


class ActionSubmitHandoff(Action):
    """Store the ticket and give its reference; confirm nothing that was not stored."""

    def name(self) -> str:
        return "action_submit_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        knowledge = services.knowledge()
        contact = parse_contact(tracker.get_slot("handoff_contact") or "")
        reference: str | None = None
        # Told that nothing was kept: the conversation forgets the answers (bot/privacy/redaction.py).
        forget = False
        desk = tracker.get_slot("handoff_desk") or "international"
        submit = functools.partial(
            contextvars.copy_context().run,  # the thread logs under the turn's request id too
            services.ticket_service().open_or_update,
            tracker.sender_id,
            tracker.get_latest_input_channel() or "unknown",
            name=tracker.get_slot("handoff_name"),
            email=contact.email if contact else None,
            phone=contact.phone if contact else None,
            question=tracker.get_slot("handoff_question"),
            desk=desk,
            # Read from the conversation, not a slot: a slot set by an earlier decline would outlive it.
            topic=handoff_topic(tracker.events),
            consent_given=tracker.get_slot("handoff_consent") is True,
            transcript=transcript_from_events(tracker.events),
            language=prompts.language_of(tracker),
            request_id=request_id_of(tracker.latest_message.get("metadata")),
        )
        language = prompts.language_of(tracker)
        contact_line = knowledge.desk_contact(language)
        try:
            # The service blocks on the database and the notification e-mail.
            result = await asyncio.get_running_loop().run_in_executor(None, submit)
        except ConsentRequired:
            loop = asyncio.get_running_loop()
            withdrawn = await loop.run_in_executor(None, withdraw_missed_chat, tracker.sender_id)
            ending = prompts.NOTHING_STORED if withdrawn else prompts.CHAT_NOT_WITHDRAWN
            ending.send(dispatcher, language, contact=contact_line)
            forget = True
        except InvalidTicket as error:
            prompts.NOT_PASSED_ON.send(dispatcher, language, error=error.message, contact=contact_line)
            forget = True
        except TicketStoreUnavailable:
            prompts.NOT_SAVED.send(dispatcher, language, contact=contact_line)
        else:
            reference = result.reference
            promise = reply_promise(load_settings(), datetime.now(timezone.utc), language)
            emailed = prompts.CONFIRMATION_EMAILED[language] if result.confirmation_sent else ""
            done = prompts.PASSED_ON if result.created else prompts.ADDED
            done.send(dispatcher, language, reference=reference, promise=promise, emailed=emailed)
            dispatcher.messages[-1][OUTCOME_KEY] = (
                HANDED_OVER  # for the turn's count (bot/observability/metrics.py)
            )
            count_handoff(desk, "form")
        forgotten = [SlotSet(FORGET_SLOT, True)] if forget else []
        return [*reset_form_slots(), SlotSet("handoff_reference", reference), *forgotten]


class ActionCancelHandoff(Action):
    """Stop the handoff form when the person says "never mind"; nothing is stored."""

    def name(self) -> str:
        return "action_cancel_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = prompts.language_of(tracker)
        contact_line = services.knowledge().desk_contact(language)
        if not withdraw_missed_chat(tracker.sender_id):
            prompts.CHAT_NOT_WITHDRAWN.send(dispatcher, language, contact=contact_line)
            return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_form_slots()]
        prompts.STOPPED.send(dispatcher, language, contact=contact_line)
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *reset_form_slots(),
            SlotSet(FORGET_SLOT, True),
        ]
