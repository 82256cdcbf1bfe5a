"""Rasa's own scale-out: two Rasa servers share a PostgreSQL tracker store and a Redis lock store.

One conversation's messages go to both servers in turn, a whole handoff included (the form
spans both servers); then several messages of one conversation arrive at both servers at the
same moment, and the lock store must take them one at a time.
"""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from ops_support import RASA_LOCK_RACE

from operations import checks
from operations.handoff_script import HANDOFF, TROUBLE, fact_questions, reference_in

# A race between two servers shows in some bursts only: enough rounds that it cannot hide.
ROUNDS = {2: 10, 4: 5}


def test_one_conversation_on_both_servers_is_complete_and_in_order(scaled_out):
    sender = f"ops-alternate-{uuid.uuid4()}"
    steps = (fact_questions()[0], fact_questions()[1], *HANDOFF)
    replies = scaled_out.follow(sender, steps)  # message i goes to server i % 2
    reference = reference_in(replies[-1])
    assert reference, replies[-1]
    messages = [step.message for step in steps]

    events = scaled_out.events(sender)
    assert checks.user_texts(events) == messages
    assert checks.turn_problems(events) == []
    assert "\n".join(checks.bot_texts(events)) == "\n".join(replies), "the stored bot messages differ"

    [ticket] = scaled_out.tickets(sender)
    assert ticket["reference"] == reference
    assert checks.transcript_user_lines(ticket) == list(messages)
    # The transcript is taken while the last turn runs: every earlier bot message is in it.
    assert "\n".join(checks.transcript_bot_lines(ticket)) == "\n".join(replies[:-1])
    positions = [message["position"] for message in ticket["transcript"]]
    assert positions == sorted(positions)


@RASA_LOCK_RACE
@pytest.mark.parametrize("burst", [2, 4])
def test_messages_arriving_at_once_on_both_servers_are_taken_one_at_a_time(scaled_out, burst):
    problems = []
    for _ in range(ROUNDS[burst]):
        sender = f"ops-burst-{uuid.uuid4()}"
        opening = fact_questions()[0]
        assert opening.expect in scaled_out.say(sender, opening.message)
        questions = [fact_questions()[1 + i] for i in range(burst)]
        replies = scaled_out.at_once(sender, [q.message for q in questions], servers=list(range(burst)))
        for question, reply in zip(questions, replies, strict=True):
            assert TROUBLE not in reply and question.expect in reply, (question.message, reply)
        problems += [
            f"{sender}: {problem}"
            for problem in burst_problems(scaled_out.events(sender), opening, questions)
        ]
    assert problems == []


def burst_problems(events, opening, questions):
    """What is wrong with the stored conversation: lost, doubled or interleaved turns."""
    stored = checks.user_texts(events)
    problems = list(checks.turn_problems(events))
    if stored[:1] != [opening.message]:
        problems.append(f"the opening message is not first: {stored}")
    if Counter(stored[1:]) != Counter(q.message for q in questions):
        problems.append(f"stored {stored[1:]}, sent {[q.message for q in questions]}")
    expected = {q.message: q.expect for q in questions}
    for message, answer in turns(events)[1:]:
        if message in expected and expected[message] not in answer:
            problems.append(f"the turn of {message!r} holds {answer!r}")
    return problems


def turns(events):
    """(user text, its turn's bot texts) for each turn, in stored order."""
    found = []
    for event in events:
        if event.get("event") == "user":
            found.append([event.get("text"), ""])
        elif event.get("event") == "bot" and found:
            found[-1][1] += event.get("text") + "\n"
    return [tuple(turn) for turn in found]
