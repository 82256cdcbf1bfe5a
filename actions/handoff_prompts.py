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

YES_NO: tuple[tuple[str, str], ...] = (("Yes", "/affirm"), ("No", "/deny"))


# What a question can expect, as the widget knows it (bot/site/public/static/chat.js):
# a name, an e-mail address or phone number, the question for the desk, the answer to the
# consent question, or a choice among the buttons.
EXPECTS = frozenset({"name", "contact", "question", "consent", "choice"})


@dataclass(frozen=True)
class Prompt:
    text: str
    buttons: Sequence[tuple[str, str]] = field(default_factory=tuple)
    expects: str | None = None

    def __post_init__(self) -> None:
        if self.expects is not None and self.expects not in EXPECTS:
            raise ValueError(f"unknown expectation {self.expects!r}")

    def send(self, dispatcher: CollectingDispatcher, **values: Any) -> None:
        dispatcher.utter_message(
            text=self.text.format(**values),
            buttons=[{"title": title, "payload": payload} for title, payload in self.buttons],
            json_message={"data": {"expects": self.expects}} if self.expects else None,
        )


OFFER = Prompt(
    "Would you like me to pass your question on to a colleague at the desk?",
    (("Yes, please", "/affirm"), ("No, thanks", "/deny")),
)
INTRO = Prompt(
    "I'll pass your question on to a colleague. I need a few details first; "
    'say "never mind" at any time to stop.'
)
INVALID_NAME = Prompt("Sorry, I didn't get your name. Could you type it again?")
INVALID_CONTACT = Prompt(
    "That doesn't look like an email address or phone number. Please try again, "
    "for example name@example.com or +31 6 12345678."
)
INVALID_QUESTION = Prompt("Please type your question in a sentence or two.")

QUESTIONS: dict[str, Prompt] = {
    "handoff_name": Prompt("What is your name?", expects="name"),
    "handoff_contact": Prompt(
        "How can a colleague reach you? Please give your email address or phone number.",
        expects="contact",
    ),
    "handoff_question_confirmed": Prompt(
        'Your question: "{handoff_question}". Shall I pass it on like this?',
        (("Yes, that's my question", "/affirm"), ("No, I'll type it", "/deny")),
        expects="choice",
    ),
    "handoff_question": Prompt("What would you like to ask the desk?", expects="question"),
    "handoff_desk": Prompt(
        "Are you asking as a private person (for example as an expat), or for a business?",
        (("As a private person", "/choose_private"), ("For a business", "/choose_business")),
        expects="choice",
    ),
    "handoff_consent": Prompt(
        "May I store your name, contact details, question and this conversation, and share "
        "them with the municipality's staff so that they can answer you?",
        (("Yes, I agree", "/affirm"), ("No", "/deny")),
        expects="consent",
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
        QUESTIONS[self.slot].send(dispatcher, **{k: v or "" for k, v in tracker.slots.items()})
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
