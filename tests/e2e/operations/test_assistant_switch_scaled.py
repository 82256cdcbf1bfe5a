"""Desk-only mode on the scaled layout: switched off in the shared ticket database, both Rasa servers
give the desk's phone numbers and the handoff form within seconds (nothing stored), the handoff form
still runs across both servers, and switched on again both answer as before."""

from __future__ import annotations

import time
import uuid

import pytest

from bot.access.assistant_switch import CACHE_SECONDS, AssistantSwitch
from bot.rasa.turn import HANDOFF_PAYLOAD, switched_off_reply
from bot.tickets.database import create_engine_for, create_session_factory
from operations.handoff_script import HANDOFF_AGAIN, fact_questions

# The servers' cache, and a second for the request itself.
WITHIN_SECONDS = CACHE_SECONDS + 1


@pytest.fixture
def switch(scaled_out):
    engine = create_engine_for(scaled_out.local.database_url)
    switch = AssistantSwitch(create_session_factory(engine), cache_seconds=0)
    yield switch
    if not switch.read().answering:  # the other tests share these servers
        switch.switch(True, "End of the desk-only test", by="ops-test")
    engine.dispose()


def replies_within(scaled_out, server, message, wanted) -> tuple[list[dict], float]:
    """The first reply of ``server`` to ``message`` (a new conversation each time) for which
    ``wanted`` holds, within :data:`WITHIN_SECONDS`; and the seconds it took."""
    started = time.monotonic()
    while True:
        messages = scaled_out.post(f"ops-switch-{uuid.uuid4()}", message, server)
        took = time.monotonic() - started
        if wanted(messages) or took > WITHIN_SECONDS:
            return messages, took
        time.sleep(0.2)


def switched_off(messages) -> bool:
    return any(message.get("custom", {}).get("data", {}).get("assistant") == "off" for message in messages)


def test_switched_off_both_servers_give_the_desk_and_the_handoff_form_then_answer_again(scaled_out, switch):
    question = fact_questions()[0]
    switch.switch(False, "Desk-only test", by="ops-test")
    for server in (0, 1):
        messages, took = replies_within(scaled_out, server, question.message, switched_off)
        assert switched_off(messages), (server, messages)
        assert took <= WITHIN_SECONDS
        [reply, _marker] = messages
        assert reply["text"] == switched_off_reply("en")
        assert [button["payload"] for button in reply["buttons"]] == [HANDOFF_PAYLOAD]

    sender = f"ops-switch-handoff-{uuid.uuid4()}"
    assert switched_off(scaled_out.post(sender, question.message, 0))
    assert scaled_out.events(sender) == []  # answered without Rasa: nothing stored
    name, contact = HANDOFF_AGAIN[0], HANDOFF_AGAIN[1]
    assert name.expect in scaled_out.say(sender, HANDOFF_PAYLOAD, 1)
    assert contact.expect in scaled_out.say(sender, contact.message, 0)  # the form's answer, other server

    switch.switch(True, "Desk-only test done", by="ops-test")
    for server in (0, 1):
        messages, took = replies_within(
            scaled_out,
            server,
            question.message,
            lambda m: any(question.expect in x.get("text", "") for x in m),
        )
        assert not switched_off(messages) and took <= WITHIN_SECONDS, (server, messages)
