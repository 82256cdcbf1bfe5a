"""The handoff form driver's steps, against a fake assistant (no servers)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from support import desk_phone

from evaluation import form_driver
from evaluation.form_driver import CONTACT, NAME, QUESTION, Message, Stuck, answer, play

PHONE = desk_phone()
YES_NO = (("Yes", "/affirm"), ("No", "/deny"))
NAME_PROMPT = Message("What is your name?")
CONTACT_PROMPT = Message("How can we reach you? Your email address or phone number, please.")
CONFIRM = Message('Your question: "Where do I park?". Shall I pass it on like this?', YES_NO)
DESK = Message(
    "Private person or business?", (("Private", "/choose_private"), ("Business", "/choose_business"))
)
CONSENT = Message("May I store and share these details?", (("Yes, I agree", "/affirm"), ("No", "/deny")))
REFERENCE = Message("Thank you! Your reference is ALM-000042.")
REFUSED = Message(f"Understood: nothing stored. Call {PHONE}.")


class FakeForm:
    """Asks ``prompts`` one after the other, whatever the answer; then the reference, or the
    desk's phone if the answer to the last prompt (consent) was /deny."""

    def __init__(self, prompts: Sequence[Message], give_reference_anyway: bool = False) -> None:
        self.prompts = list(prompts)
        self.sent: list[str] = []
        self.give_reference_anyway = give_reference_anyway

    async def say(self, message: str) -> tuple[Message, ...]:
        self.sent.append(message)
        if len(self.sent) < len(self.prompts):
            return (self.prompts[len(self.sent)],)
        if message == "/deny" and not self.give_reference_anyway:
            return (REFUSED,)
        return (REFERENCE,)


FORM = [NAME_PROMPT, CONTACT_PROMPT, CONFIRM, DESK, CONSENT]


def test_each_question_gets_a_cooperative_answer():
    assert answer([Message("I'll pass it on."), NAME_PROMPT]) == NAME
    assert answer([CONTACT_PROMPT]) == CONTACT
    assert answer([Message("That's not an email address or phone number. Please try again.")]) == CONTACT
    assert answer([Message("What would you like to ask the desk?")]) == QUESTION
    assert answer([CONFIRM]) == "/affirm"
    assert answer([DESK]) == "/choose_private"
    assert answer([CONSENT]) == "/affirm"
    assert answer([CONSENT], refuse_consent=True) == "/deny"
    assert answer([CONSENT, Message("Some text after the buttons.")]) == "/affirm"


def test_questions_it_cannot_answer_are_reported():
    with pytest.raises(Stuck, match="cannot tell what this asks"):
        answer([Message("What is your favourite colour?")])
    with pytest.raises(Stuck, match="no button"):
        answer([Message("Pick one", (("Red", "/red"), ("Blue", "/blue")))])
    with pytest.raises(Stuck, match="asked nothing"):
        answer([])


async def test_a_complete_handoff_ends_with_a_reference():
    fake = FakeForm(FORM)
    played = await play(fake.say, [FORM[0]], refuse_consent=False, desk_phone=PHONE)
    assert (played.passed, played.reason) == (True, None)
    assert fake.sent == [NAME, CONTACT, "/affirm", "/choose_private", "/affirm"]
    assert "ALM-000042" in played.replies


async def test_refusing_consent_ends_with_the_desk_phone_and_no_reference():
    fake = FakeForm(FORM)
    played = await play(fake.say, [FORM[0]], refuse_consent=True, desk_phone=PHONE)
    assert (played.passed, played.reason) == (True, None)
    assert fake.sent[-1] == "/deny" and fake.sent[:-1] == [NAME, CONTACT, "/affirm", "/choose_private"]


async def test_a_reference_after_refusing_consent_fails():
    fake = FakeForm(FORM, give_reference_anyway=True)
    played = await play(fake.say, [FORM[0]], refuse_consent=True, desk_phone=PHONE)
    assert not played.passed and "ALM-000042 although consent was refused" in played.reason


async def test_a_form_that_never_ends_fails_after_the_step_limit():
    fake = FakeForm([NAME_PROMPT] * 50)
    played = await play(fake.say, [NAME_PROMPT], refuse_consent=False, desk_phone=PHONE, max_steps=4)
    assert not played.passed and played.reason == "no reference (ALM-…) after 4 answers"
    assert fake.sent == [NAME] * 4


async def test_a_form_that_stops_without_a_reference_fails_with_the_reason():
    fake = FakeForm([NAME_PROMPT, Message("Sorry, something went wrong.")])
    played = await play(fake.say, [NAME_PROMPT], refuse_consent=False, desk_phone=PHONE)
    assert not played.passed and "cannot tell what this asks" in played.reason
    assert "after 1 answers" in played.reason


async def test_no_reply_fails_with_the_error():
    async def unreachable(message: str) -> tuple[Message, ...]:
        raise ConnectionError("HTTP 500")

    played = await play(unreachable, [NAME_PROMPT], refuse_consent=False, desk_phone=PHONE)
    assert not played.passed and played.reason == f"no reply to {NAME!r}: HTTP 500"


def test_rest_replies_become_messages_with_buttons():
    replies = [
        {"recipient_id": "x", "text": "Pick", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
        {"recipient_id": "x", "image": "a.png"},
    ]
    assert form_driver.messages_of(replies) == (Message("Pick", (("Yes", "/affirm"),)), Message(""))
    assert form_driver.joined(form_driver.messages_of(replies)) == "Pick"
