"""The handoff form's questions tell the chat widget what they expect.

The hint travels as a custom payload: the action server returns it with the question, and
Rasa's socket.io output emits it to the widget as a ``bot_uttered`` event of its own.
"""

from __future__ import annotations

import pytest
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.channels.socketio import SocketIOOutput
from rasa_sdk import Tracker

from actions import handoff_prompts as prompts

EXPECTED = {
    "handoff_name": "name",
    "handoff_contact": "contact",
    "handoff_question_confirmed": "choice",
    "handoff_question": "question",
    "handoff_desk": "choice",
    "handoff_consent": "consent",
}
ASKERS = {
    "handoff_name": prompts.AskName,
    "handoff_contact": prompts.AskContact,
    "handoff_question_confirmed": prompts.AskQuestionConfirmed,
    "handoff_question": prompts.AskQuestion,
    "handoff_desk": prompts.AskDesk,
    "handoff_consent": prompts.AskConsent,
}


def tracker() -> Tracker:
    slots = {"handoff_question": "Is there a ferry?"}
    return Tracker("conversation-1", slots, {}, [], False, None, {"name": "handoff_form"}, "action_listen")


@pytest.mark.parametrize("slot", sorted(EXPECTED))
async def test_each_question_sends_what_it_expects(slot, dispatcher, domain):
    await ASKERS[slot]().run(dispatcher, tracker(), domain)
    [message] = dispatcher.messages
    assert message["text"] == prompts.QUESTIONS[slot].text.format(handoff_question="Is there a ferry?")
    assert message["custom"] == {"data": {"expects": EXPECTED[slot]}}


def test_every_question_of_the_form_has_a_hint():
    assert {slot: prompt.expects for slot, prompt in prompts.QUESTIONS.items()} == EXPECTED


@pytest.mark.parametrize(
    "prompt", [prompts.OFFER, prompts.INTRO, prompts.INVALID_NAME, prompts.INVALID_CONTACT]
)
def test_messages_that_ask_nothing_new_send_no_hint(prompt, dispatcher):
    # An invalid answer is followed by the question again, which carries the hint.
    prompt.send(dispatcher)
    [message] = dispatcher.messages
    assert message["custom"] == {}


def test_an_unknown_expectation_is_refused_when_the_prompt_is_made():
    with pytest.raises(ValueError, match="unknown expectation 'email address'"):
        prompts.Prompt("What is your e-mail address?", expects="email address")


class RecordingSocketServer:
    """Stands in for python-socketio's AsyncServer: records what would be emitted."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, object, str | None]] = []

    async def emit(self, event: str, data: object = None, room: str | None = None, **kwargs) -> None:
        self.emitted.append((event, data, room))


async def test_the_socketio_channel_passes_the_hint_to_the_widget(dispatcher):
    prompts.QUESTIONS["handoff_contact"].send(dispatcher)
    [message] = dispatcher.messages
    server = RecordingSocketServer()
    # What Rasa does with a bot message of the action server (BotUttered → send_response).
    await SocketIOOutput(server, "bot_uttered").send_response("session-1", dict(message))
    assert server.emitted == [
        ("bot_uttered", {"text": prompts.QUESTIONS["handoff_contact"].text}, "session-1"),
        ("bot_uttered", {"expects": "contact"}, "session-1"),
    ]


async def test_the_rest_channel_returns_the_hint_as_a_message_of_its_own(dispatcher):
    prompts.QUESTIONS["handoff_name"].send(dispatcher)
    [message] = dispatcher.messages
    output = CollectingOutputChannel()
    await output.send_response("conversation-1", dict(message))
    assert [m.get("text") for m in output.messages] == ["What is your name?", None]
    assert output.messages[1]["custom"]["data"] == {"expects": "name"}


async def test_the_form_asks_in_the_conversations_language(dispatcher, domain):
    tracker = Tracker(
        "c", {"language": "nl", "handoff_question": "Is er een veerpont?"}, {}, [], False, None, {}, ""
    )
    await prompts.AskQuestionConfirmed().run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["text"] == 'Je vraag: "Is er een veerpont?". Zal ik hem zo doorgeven?'
    assert [b["title"] for b in message["buttons"]] == ["Ja, dat is mijn vraag", "Nee, ik typ hem zelf"]
