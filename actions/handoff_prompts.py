"""What the assistant says during the handoff, and the form's questions.

The form asks through `action_ask_<slot>` actions rather than domain responses,
because these texts are only ever sent by actions (Rasa's validator would flag
responses that no story or rule uses).

Each question also tells the chat widget what kind of answer it expects (``Prompt.expects``),
so that the widget can offer the right keyboard, autofill and placeholder, and link the privacy
statement beside the consent question. The hint goes as a custom payload: Rasa's socket.io
channel emits ``custom["data"]`` as a ``bot_uttered`` event of its own, right after the text
(``SocketIOOutput.send_custom_json`` passes the custom dict to ``sio.emit`` as keyword
arguments, so ``data`` is the only key it may have).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

# What a question can expect, as the widget knows it (bot/site/public/static/chat.js):
# a name, an e-mail address or phone number, the question for the desk, the answer to the
# consent question, or a choice among the buttons.
EXPECTS = frozenset({"name", "contact", "question", "consent", "choice"})


@dataclass(frozen=True)
class Dutch:
    """A prompt's text and buttons in Dutch (the buttons send the same payloads)."""

    text: str
    buttons: Sequence[tuple[str, str]] = field(default_factory=tuple)


@dataclass(frozen=True)
class Prompt:
    text: str
    buttons: Sequence[tuple[str, str]] = field(default_factory=tuple)
    expects: str | None = None
    nl: Dutch | None = None

    def __post_init__(self) -> None:
        if self.expects is not None and self.expects not in EXPECTS:
            raise ValueError(f"unknown expectation {self.expects!r}")
        if self.nl is None:
            raise ValueError(f"no Dutch text for {self.text!r}")
        if [payload for _, payload in self.nl.buttons] != [payload for _, payload in self.buttons]:
            raise ValueError(f"the Dutch buttons of {self.text!r} send other payloads")

    def wording(self, language: str = "en") -> tuple[str, Sequence[tuple[str, str]]]:
        if language == "nl" and self.nl is not None:
            return self.nl.text, self.nl.buttons
        return self.text, self.buttons

    def send(self, dispatcher: CollectingDispatcher, language: str = "en", /, **values: Any) -> None:
        """Say the prompt in ``language``, its ``{placeholders}`` filled from ``values`` (which may
        hold a slot named ``language`` too: ``language`` here is positional only)."""
        text, buttons = self.wording(language)
        dispatcher.utter_message(
            text=text.format(**values),
            buttons=[{"title": title, "payload": payload} for title, payload in buttons],
            json_message={"data": {"expects": self.expects}} if self.expects else None,
        )


def language_of(tracker: Tracker) -> str:
    """The language the conversation is answered in (the ``language`` slot)."""
    return "nl" if tracker.get_slot("language") == "nl" else "en"


OFFER = Prompt(
    "Would you like me to pass your question on to a colleague at the desk?",
    (("Yes, please", "/affirm"), ("No, thanks", "/deny")),
    nl=Dutch(
        "Wil je dat ik je vraag doorgeef aan een medewerker van de balie?",
        (("Ja, graag", "/affirm"), ("Nee, dank je", "/deny")),
    ),
)
INTRO = Prompt(
    "I'll pass your question on to a colleague. I need a few details first; "
    'say "never mind" at any time to stop.',
    nl=Dutch(
        "Ik geef je vraag door aan een medewerker. Daarvoor heb ik eerst een paar gegevens nodig; "
        'zeg op elk moment "laat maar" om te stoppen.'
    ),
)
INVALID_NAME = Prompt(
    "Sorry, I didn't get your name. Could you type it again?",
    nl=Dutch("Sorry, ik heb je naam niet goed begrepen. Wil je hem nog eens typen?"),
)
INVALID_CONTACT = Prompt(
    "That doesn't look like an email address or phone number. Please try again, "
    "for example name@example.com or +31 6 12345678.",
    nl=Dutch(
        "Dat lijkt geen e-mailadres of telefoonnummer. Probeer het nog eens, "
        "bijvoorbeeld naam@voorbeeld.nl of 06 12345678."
    ),
)
INVALID_QUESTION = Prompt(
    "Please type your question in a sentence or two.",
    nl=Dutch("Typ je vraag in een of twee zinnen."),
)
QUESTION_NOT_YES_OR_NO = Prompt(
    'Please tell me your question for the desk in a few words, or say "never mind" to stop.',
    nl=Dutch('Vertel me in een paar woorden wat je de balie wilt vragen, of zeg "laat maar" om te stoppen.'),
)
# Said in the handoff form instead of the offer to pass a question on: it is being passed on.
ALREADY_PASSING_ON = Prompt(
    "I'm already passing your question on to a colleague; I only need a few more details.",
    nl=Dutch("Ik geef je vraag al door aan een medewerker; ik heb alleen nog een paar gegevens nodig."),
)

QUESTIONS: dict[str, Prompt] = {
    "handoff_name": Prompt("What is your name?", expects="name", nl=Dutch("Wat is je naam?")),
    "handoff_contact": Prompt(
        "How can a colleague reach you? Please give your email address or phone number.",
        expects="contact",
        nl=Dutch("Hoe kan een medewerker je bereiken? Geef je e-mailadres of telefoonnummer."),
    ),
    "handoff_question_confirmed": Prompt(
        'Your question: "{handoff_question}". Shall I pass it on like this?',
        (("Yes, that's my question", "/affirm"), ("No, I'll type it", "/deny")),
        expects="choice",
        nl=Dutch(
            'Je vraag: "{handoff_question}". Zal ik hem zo doorgeven?',
            (("Ja, dat is mijn vraag", "/affirm"), ("Nee, ik typ hem zelf", "/deny")),
        ),
    ),
    "handoff_question": Prompt(
        "What would you like to ask the desk?",
        expects="question",
        nl=Dutch("Wat wil je de balie vragen?"),
    ),
    "handoff_desk": Prompt(
        "Are you asking as a private person (for example as an expat), or for a business?",
        (("As a private person", "/choose_private"), ("For a business", "/choose_business")),
        expects="choice",
        nl=Dutch(
            "Vraag je dit als particulier (bijvoorbeeld als expat), of voor een bedrijf?",
            (("Als particulier", "/choose_private"), ("Voor een bedrijf", "/choose_business")),
        ),
    ),
    "handoff_consent": Prompt(
        "May I store your name, contact details, question and this conversation, and share "
        "them with the municipality's staff so that they can answer you?",
        (("Yes, I agree", "/affirm"), ("No", "/deny")),
        expects="consent",
        nl=Dutch(
            "Mag ik je naam, contactgegevens, vraag en dit gesprek bewaren en delen met de "
            "medewerkers van de gemeente, zodat zij je kunnen antwoorden?",
            (("Ja, akkoord", "/affirm"), ("Nee", "/deny")),
        ),
    ),
}


class AskForSlot:
    """Ask the handoff form's question for ``slot`` (mixed into one Action per slot)."""

    slot: str = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        values = {k: v or "" for k, v in tracker.slots.items()}
        QUESTIONS[self.slot].send(dispatcher, language_of(tracker), **values)
        return []


class AskName(AskForSlot, Action):
    slot = "handoff_name"


class AskContact(AskForSlot, Action):
    slot = "handoff_contact"


class AskQuestionConfirmed(AskForSlot, Action):
    slot = "handoff_question_confirmed"


class AskQuestion(AskForSlot, Action):
    slot = "handoff_question"


class AskDesk(AskForSlot, Action):
    slot = "handoff_desk"


class AskConsent(AskForSlot, Action):
    slot = "handoff_consent"


# What the handoff says when it ends ({contact} is how to reach the desk, in the same language).
# {promise} is the date and time of the reply (bot.office_hours.schedule.reply_promise); {emailed} is
# CONFIRMATION_EMAILED's sentence only when the mail server took the confirmation, else empty.
PASSED_ON = Prompt(
    "Thank you! I have passed your question on. Your reference is {reference}. {promise}{emailed}",
    nl=Dutch("Dank je! Ik heb je vraag doorgegeven. Je referentienummer is {reference}. {promise}{emailed}"),
)
ADDED = Prompt(
    "Thank you! I have added this to your request. Your reference is {reference}. {promise}{emailed}",
    nl=Dutch(
        "Dank je! Ik heb dit aan je aanvraag toegevoegd. Je referentienummer is {reference}. "
        "{promise}{emailed}"
    ),
)
CONFIRMATION_EMAILED = {
    "en": " I have e-mailed you a confirmation with your reference and your question.",
    "nl": " Ik heb je een bevestiging met je referentienummer en je vraag gemaild.",
}
NOTHING_STORED = Prompt(
    "Understood: I have not stored or shared anything. {contact}",
    nl=Dutch("Begrepen: ik heb niets bewaard of gedeeld. {contact}"),
)
CHAT_NOT_WITHDRAWN = Prompt(
    "I'm sorry, I could not withdraw your earlier request for a chat just now. {contact}",
    nl=Dutch("Sorry, ik kon je eerdere verzoek om een chat nu niet intrekken. {contact}"),
)
NOT_PASSED_ON = Prompt(
    "I could not pass this on: {error} Nothing was stored. {contact}",
    nl=Dutch("Ik kon dit niet doorgeven: {error} Er is niets bewaard. {contact}"),
)
NOT_SAVED = Prompt(
    "I'm sorry, I could not save your request just now, so it has NOT been passed on. {contact}",
    nl=Dutch("Sorry, ik kon je aanvraag nu niet bewaren, dus hij is NIET doorgegeven. {contact}"),
)
STOPPED = Prompt(
    "Okay, I've stopped: nothing has been passed on. {contact}",
    nl=Dutch("Oké, ik ben gestopt: er is niets doorgegeven. {contact}"),
)
LIVE_CHAT_OFFER = Prompt(
    "A colleague is available to chat with you now. If you choose to chat, they will see this "
    "conversation. Or leave your details below and a colleague will get back to you.",
    nl=Dutch(
        "Er is nu een medewerker beschikbaar om met je te chatten. Als je kiest voor de chat, ziet "
        "de medewerker dit gesprek. Of laat hieronder je gegevens achter, dan neemt een medewerker "
        "later contact met je op."
    ),
)
LIVE_CHAT_BUTTON = {"en": "Chat with a colleague now", "nl": "Nu chatten met een medewerker"}
ONLY_TWO_LANGUAGES = Prompt(
    "I'm sorry, I can only answer in English or Dutch. {contact}",
    nl=Dutch("Sorry, ik kan alleen in het Nederlands of het Engels antwoorden. {contact}"),
)
SWITCHED = Prompt(
    "Sure, I'll answer in English from now on.",
    nl=Dutch("Goed, ik antwoord vanaf nu in het Nederlands."),
)
