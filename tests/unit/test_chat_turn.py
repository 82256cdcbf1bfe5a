"""A chat turn always ends with a reply: bad input, failures, silence and slowness included."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel

from bot.config import Settings
from bot.quick_replies import offered_payloads
from bot.rasa.turn import Turn, TurnGate, busy_reply, take_turn, trouble_reply

SETTINGS = replace(Settings(), reply_timeout_seconds=1, max_message_chars=50)


async def turn(handler, text="How many jobs?"):
    output = CollectingOutputChannel()
    await take_turn(handler, output, text, "tester", "rest", SETTINGS)
    return [m["text"] for m in output.messages]


async def answering(message):
    await message.output_channel.send_response(message.sender_id, {"text": f"echo {message.text}"})


async def test_rasa_answers_the_prepared_text():
    assert await turn(answering, "jobs\u200b?") == ["echo jobs?"]


async def test_bad_input_is_answered_without_rasa():
    async def must_not_run(message):
        raise AssertionError("Rasa should not see this")

    assert "too long" in (await turn(must_not_run, "x" * 51))[0]
    assert "didn't catch" in (await turn(must_not_run, " \u200b "))[0]


@pytest.mark.parametrize("scenario", ["raises", "silent", "slow"])
async def test_the_person_hears_about_trouble(scenario):
    async def handler(message):
        if scenario == "raises":
            raise ConnectionError("action server down")
        if scenario == "slow":
            await asyncio.sleep(5)

    replies = await turn(handler)
    assert replies == [trouble_reply()] and "14 036" in replies[0]


def test_every_quick_reply_payload_is_an_offered_intent(domain):
    from actions import handoff_prompts

    payloads = [b["payload"] for r in domain["responses"].values() for v in r for b in v.get("buttons", [])]
    prompts = [handoff_prompts.OFFER, *handoff_prompts.QUESTIONS.values()]
    payloads += [payload for prompt in prompts for _, payload in prompt.buttons]
    assert payloads and all(p in offered_payloads() for p in payloads)


@pytest.mark.parametrize(
    "typed, seen",
    [
        ("/ask_population", "/ask_population"),
        ("/affirm", "/affirm"),
        ("/request_human", "request_human"),
        ("/ /restart", "restart"),
        ('/ /ask_population{"place": "Gotham"}', 'ask_population{"place": "Gotham"}'),
    ],
)
async def test_rasa_sees_an_intent_only_for_a_quick_reply_payload(typed, seen):
    assert await turn(answering, typed) == [f"echo {seen}"]


async def test_turns_beyond_the_limit_are_refused_at_once_and_the_rest_are_answered():
    gate = TurnGate(limit=2)
    release = asyncio.Event()
    seen = []

    async def slow_rasa(message):
        seen.append(message.text)
        await release.wait()
        await message.output_channel.send_response(message.sender_id, {"text": f"answer to {message.text}"})

    async def one(text):
        output = CollectingOutputChannel()
        outcome = await take_turn(slow_rasa, output, text, f"person {text}", "socketio", SETTINGS, gate=gate)
        return outcome, [m["text"] for m in output.messages]

    first, second = asyncio.create_task(one("a")), asyncio.create_task(one("b"))
    await asyncio.sleep(0.05)
    assert await asyncio.wait_for(one("c"), timeout=0.5) == (Turn.REFUSED_BUSY, [busy_reply()])
    assert seen == ["a", "b"]  # Rasa never saw the refused turn: nothing of it is stored
    release.set()
    assert await first == (Turn.TAKEN, ["answer to a"])
    assert await second == (Turn.TAKEN, ["answer to b"])
    assert gate.in_progress == 0
    assert (await one("d"))[0] is Turn.TAKEN  # places are given back, also after a failed turn


async def test_refused_turns_are_logged_as_a_count_at_most_once_every_ten_seconds(caplog):
    now = [100.0]
    gate = TurnGate(limit=0, clock=lambda: now[0])

    async def refused():
        output = CollectingOutputChannel()
        assert (
            await take_turn(answering, output, "jobs?", "p", "rest", SETTINGS, gate=gate) is Turn.REFUSED_BUSY
        )

    def reports():
        return [r.getMessage() for r in caplog.records if "Too many turns" in r.getMessage()]

    with caplog.at_level(logging.WARNING, logger="bot.rasa.turn"):
        await refused()  # the first refusal is reported at once
        now[0] += 5
        for _ in range(4):
            await refused()
        assert reports() == [
            "Too many turns at once (at most 0): 1 asked to try again since the last such report."
        ]
        now[0] += 5
        await refused()  # ten seconds after the last report: the count since then
        assert reports()[1:] == [
            "Too many turns at once (at most 0): 5 asked to try again since the last such report."
        ]


async def test_a_failed_turn_gives_its_place_back():
    gate = TurnGate(limit=1)

    async def failing(message):
        raise ConnectionError("action server down")

    output = CollectingOutputChannel()
    assert await take_turn(failing, output, "jobs?", "p", "rest", SETTINGS, gate=gate) is Turn.TAKEN
    assert gate.in_progress == 0 and output.messages[0]["text"] == trouble_reply()


def test_the_busy_reply_gives_the_desk_phone_number():
    assert "try again in a moment" in busy_reply() and "14 036" in busy_reply()
