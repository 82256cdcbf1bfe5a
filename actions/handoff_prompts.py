"""What the assistant says during the handoff, and the form's questions.

The form asks through `action_ask_<slot>` actions rather than domain responses,
because these texts are only ever sent by actions (Rasa's validator would flag
responses that no story or rule uses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

YES_NO: tuple[tuple[str, str], ...] = (("Yes", "/affirm"), ("No", "/deny"))


@dataclass(frozen=True)
class Prompt:
    text: str
    buttons: Sequence[tuple[str, str]] = field(default_factory=tuple)

    def send(self, dispatcher: CollectingDispatcher, **values: Any) -> None:
        dispatcher.utter_message(
            text=self.text.format(**values),
            buttons=[{"title": title, "payload": payload} for title, payload in self.buttons],
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
    "handoff_name": Prompt("What is your name?"),
    "handoff_contact": Prompt(
        "How can a colleague reach you? Please give your email address or phone number."
    ),
    "handoff_question_confirmed": Prompt(
        'Your question: "{handoff_question}". Shall I pass it on like this?',
        (("Yes, that's my question", "/affirm"), ("No, I'll type it", "/deny")),
    ),
    "handoff_question": Prompt("What would you like to ask the desk?"),
    "handoff_desk": Prompt(
        "Are you asking as a private person (for example as an expat), or for a business?",
        (("As a private person", "/choose_private"), ("For a business", "/choose_business")),
    ),
    "handoff_consent": Prompt(
        "May I store your name, contact details, question and this conversation, and share "
        "them with the municipality's staff so that they can answer you?",
        (("Yes, I agree", "/affirm"), ("No", "/deny")),
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
