"""While the assistant is switched off, a turn is answered without Rasa, except the handoff form's."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel

from bot import services
from bot.access.assistant_switch import SwitchState
from bot.config import Settings
from bot.rasa import turn as turn_module
from bot.rasa.turn import HANDOFF_PAYLOAD, take_turn

SETTINGS = replace(Settings(), reply_timeout_seconds=1, max_message_chars=50)


class FixedSwitch:
    def __init__(self, answering: bool) -> None:
        self.answering = answering

    def cached(self) -> SwitchState:
        return SwitchState(self.answering)

    def state(self) -> SwitchState:
        return SwitchState(self.answering)


@pytest.fixture
def switch(monkeypatch) -> FixedSwitch:
    fixed = FixedSwitch(answering=False)
    monkeypatch.setattr(services, "assistant_switch", lambda: fixed)
    monkeypatch.setattr(turn_module, "active_form", lambda sender_id: None)
    return fixed


class Rasa:
    def __init__(self) -> None:
        self.seen: list[str] = []

    async def __call__(self, message) -> None:
        self.seen.append(message.text)
        await message.output_channel.send_response(message.sender_id, {"text": "from Rasa"})


async def turn(text: str, paused: bool = False) -> tuple[Rasa, list[dict]]:
    rasa, output = Rasa(), CollectingOutputChannel()
    await take_turn(rasa, output, text, "tester", "rest", SETTINGS, paused=paused)
    return rasa, output.messages


@pytest.mark.parametrize(
    "text, language",
    [("How many people live in Almere?", "en"), ("Hoeveel mensen wonen er in Almere?", "nl")],
)
async def test_while_off_the_person_gets_the_desk_and_the_handoff_form_without_rasa(switch, text, language):
    rasa, messages = await turn(text)
    assert rasa.seen == []
    reply, marker = messages
    assert services.knowledge().desk_contact(language) in reply["text"]
    assert [button["payload"] for button in reply["buttons"]] == [HANDOFF_PAYLOAD]
    assert marker["custom"]["data"]["assistant"] == "off"


async def test_the_handoff_button_and_the_form_s_answers_reach_rasa_while_off(switch, monkeypatch):
    rasa, messages = await turn(HANDOFF_PAYLOAD)
    assert rasa.seen == [HANDOFF_PAYLOAD] and messages[0]["text"] == "from Rasa"
    monkeypatch.setattr(turn_module, "active_form", lambda sender_id: "handoff_form")
    rasa, messages = await turn("Anna de Vries")
    assert rasa.seen == ["Anna de Vries"]


async def test_a_live_chat_with_a_colleague_goes_on_while_off(switch):
    rasa, _ = await turn("Are you still there?", paused=True)
    assert rasa.seen == ["Are you still there?"]


async def test_switched_on_the_assistant_answers_and_the_handoff_payload_is_not_an_intent(switch):
    switch.answering = True
    rasa, messages = await turn(HANDOFF_PAYLOAD)
    assert rasa.seen == ["request_human"] and messages == [{"recipient_id": "tester", "text": "from Rasa"}]
