"""A chat turn always ends with a reply: bad input, failures, silence and slowness included."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel
from support import desk_phone

from bot.access.turn_admission import TurnQueue
from bot.config import Settings
from bot.conversation.quick_replies import offered_payloads
from bot.rasa.turn import Turn, busy_reply, take_turn, trouble_reply

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
    assert replies == [trouble_reply()] and desk_phone() in replies[0]


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


async def test_turns_beyond_those_in_flight_wait_their_turn_and_are_answered():
    queue = TurnQueue(concurrency=2, wait_budget=60)
    release = asyncio.Event()
    seen = []

    async def slow_rasa(message):
        seen.append(message.text)
        await release.wait()
        await message.output_channel.send_response(message.sender_id, {"text": f"answer to {message.text}"})

    async def one(text):
        output = CollectingOutputChannel()
        outcome = await take_turn(
            slow_rasa, output, text, f"person {text}", "socketio", SETTINGS, queue=queue
        )
        return outcome, [m["text"] for m in output.messages]

    tasks = [asyncio.create_task(one(text)) for text in "abcd"]
    await asyncio.sleep(0.05)
    assert seen == ["a", "b"] and queue.waiting == 2  # c and d wait in line, unseen by Rasa
    release.set()
    assert await asyncio.gather(*tasks) == [(Turn.TAKEN, [f"answer to {text}"]) for text in "abcd"]
    assert seen == ["a", "b", "c", "d"]  # in arrival order
    assert queue.in_flight == 0 and queue.waiting == 0


async def test_a_turn_that_could_not_be_answered_within_the_budget_is_refused_at_once_unseen_by_rasa():
    now = [100.0]
    queue = TurnQueue(concurrency=1, wait_budget=2, clock=lambda: now[0])
    release = asyncio.Event()
    seen = []

    async def rasa(message):
        seen.append(message.text)
        if message.text == "slow":
            now[0] += 5  # a turn takes 5 s: the next in line would wait 5 s
        else:
            await release.wait()
        await message.output_channel.send_response(message.sender_id, {"text": f"answer to {message.text}"})

    async def one(text):
        output = CollectingOutputChannel()
        outcome = await take_turn(rasa, output, text, f"person {text}", "rest", SETTINGS, queue=queue)
        return outcome, [m["text"] for m in output.messages]

    assert await one("slow") == (Turn.TAKEN, ["answer to slow"])
    busy = asyncio.create_task(one("busy"))
    await asyncio.sleep(0.05)
    assert await asyncio.wait_for(one("refused"), timeout=0.5) == (Turn.REFUSED_BUSY, [busy_reply()])
    assert seen == ["slow", "busy"]  # Rasa never saw the refused turn: nothing of it is stored
    release.set()
    assert await busy == (Turn.TAKEN, ["answer to busy"])
    assert queue.in_flight == 0 and queue.waiting == 0


async def test_a_turn_that_waited_in_line_has_the_whole_reply_timeout():
    queue = TurnQueue(concurrency=1, wait_budget=2)

    async def rasa(message):  # each turn takes 0.7 s of the 1 s reply timeout
        await asyncio.sleep(0.7)
        await message.output_channel.send_response(message.sender_id, {"text": f"answer to {message.text}"})

    async def one(text):
        output = CollectingOutputChannel()
        outcome = await take_turn(rasa, output, text, f"person {text}", "rest", SETTINGS, queue=queue)
        return outcome, [m["text"] for m in output.messages]

    # The second waits 0.7 s in line and is answered 1.4 s after it arrived: not timed out.
    assert await asyncio.gather(one("first"), one("second")) == [
        (Turn.TAKEN, ["answer to first"]),
        (Turn.TAKEN, ["answer to second"]),
    ]


async def test_a_failed_turn_gives_its_place_back():
    queue = TurnQueue(concurrency=1, wait_budget=2)

    async def failing(message):
        raise ConnectionError("action server down")

    output = CollectingOutputChannel()
    assert await take_turn(failing, output, "jobs?", "p", "rest", SETTINGS, queue=queue) is Turn.TAKEN
    assert queue.in_flight == 0 and output.messages[0]["text"] == trouble_reply()


def test_the_busy_reply_gives_the_desk_phone_number():
    assert "try again in a moment" in busy_reply() and desk_phone() in busy_reply()
