"""Reading and playing the scenario sets, and reporting their misses (fake assistant, own strings)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from support import desk_phone, figure

from evaluation import cv, evalsets, quality, scenarios
from evaluation.classify import Classification, Outcome, ReplyClassifier
from evaluation.expectations import Checker
from measure import client

CONVERSATIONS = """\
# a header comment
scenarios:
  - name: one turn
    turns: [{user: "How tall is the tallest tower in town?", expect: ["decline"]}]
  - name: a person, then the form
    turns:
      - {user: "Could a human being help me out?", expect: ["handoff"]}
      - {user: "", expect: ["complete_handoff"]}
"""


@pytest.fixture
def sets(tmp_path):
    (tmp_path / evalsets.CONVERSATIONS).write_text(CONVERSATIONS)
    (tmp_path / evalsets.IN_SCOPE).write_text("question\texpect\nHow many parks are in town?\tfigure:12\n")
    return tmp_path


@pytest.fixture(scope="module")
def checker(knowledge) -> Checker:
    return Checker(ReplyClassifier.from_project(knowledge))


def test_the_sets_are_read_with_their_lines(sets):
    [first, second] = evalsets.load_conversations(sets)
    assert (first.name, first.ref, [t.line for t in first.turns]) == ("one turn", "conversations.yml:3", [4])
    assert second.ref == "conversations.yml:5"
    assert [(t.user, t.expect, t.line) for t in second.turns] == [
        ("Could a human being help me out?", ("handoff",), 7),
        ("", ("complete_handoff",), 8),
    ]
    [question] = evalsets.load_in_scope(sets)
    assert (question.ref, question.turns[0].expect) == ("in_scope_questions.tsv:2", ("figure:12",))


def fake_assistant(answers: dict[str, list[dict]]):
    """``say`` of a conversation whose replies are looked up by what the person says."""

    async def say(message: str) -> client.Exchange:
        if message not in answers:
            return client.Exchange("fake", message, None, 0.0, "HTTP 500")
        return client.Exchange("fake", message, answers[message], 0.0)

    return say


FORM = {
    "Could a human being help me out?": [{"text": "I'll pass it on."}, {"text": "What is your name?"}],
    "Sam Jansen": [{"text": "How can a colleague reach you? Your email address, please."}],
    "sam@example.org": [
        {"text": "May I store and share this?", "buttons": [{"title": "Yes", "payload": "/affirm"}]}
    ],
    "/affirm": [{"text": "Your reference is ALM-000009."}],
}


async def test_a_scenario_is_played_turn_by_turn_with_the_form(sets, checker):
    scenario = evalsets.load_conversations(sets)[1]
    result = await scenarios.play(scenario, fake_assistant(FORM), checker, desk_phone())
    assert result.passed, result
    assert "[/affirm] Your reference is ALM-000009." in result.turns[1].reply


async def test_misses_are_listed_by_line_without_the_question(sets, checker):
    one_turn, handoff = evalsets.load_conversations(sets)
    inhabitants = figure("inhabitants")
    quoting = {one_turn.turns[0].user: [{"text": f'You asked "{one_turn.turns[0].user}": {inhabitants}.'}]}
    results = [
        await scenarios.play(one_turn, fake_assistant(quoting), checker, desk_phone()),
        await scenarios.play(
            handoff, fake_assistant({**FORM, "/affirm": [{"text": "Oops."}]}), checker, desk_phone()
        ),
    ]
    assert [r.passed for r in results] == [False, False]
    rows = scenarios.miss_rows(results)
    assert [row[:3] for row in rows] == [
        ["conversations.yml:4", "one turn", "decline"],
        ["conversations.yml:8", "a person, then the form", "complete_handoff"],
    ]
    assert rows[0][3] == f"states {inhabitants}" and "«the question»" in rows[0][4]
    assert "cannot tell what this asks: 'Oops.'" in rows[1][3]
    assert not any(turn.user in str(rows) for s in (one_turn, handoff) for turn in s.turns if turn.user)
    assert "You asked" in scenarios.terminal_text(results, 1.0)  # the terminal shows the texts


async def test_an_unreachable_assistant_is_a_miss(sets, checker):
    scenario = evalsets.load_conversations(sets)[0]
    result = await scenarios.play(scenario, fake_assistant({}), checker, desk_phone())
    assert not result.passed and result.error == "line 4: HTTP 500"
    assert [m.why for m in scenarios.misses([result])] == ["line 4: HTTP 500"]


async def test_the_report_has_both_rates_with_targets_and_every_miss(sets, checker):
    [question] = evalsets.load_in_scope(sets)
    parks = fake_assistant({question.turns[0].user: [{"text": "12 parks"}]})
    answered = await scenarios.play(question, parks, checker, desk_phone())
    missed = await scenarios.play(
        evalsets.load_conversations(sets)[0], fake_assistant({}), checker, desk_phone()
    )
    per_intent = [cv.IntentScore("greet", 0.5, 1.0, 0.667, 4, ("goodbye", 2))]
    crossval = cv.CrossValidation(0.9, 0.91, 100, [("a", "b", 3)], 12.0, per_intent=per_intent)
    declined = quality.Result(
        evalsets.Question("Any pizza tips?", "own", "oos", 1),
        Classification(Outcome.DECLINED),
        "I'm sorry, …",
    )
    text = quality.render(
        datetime.now(timezone.utc),
        ["python -m evaluation.quality"],
        crossval,
        [declined],
        1.0,
        scenario_results=[answered, missed],
    )
    assert "| in-scope questions answered as expected | 100.0 % | ≥ 97.0 % | PASS |" in text
    assert "| conversation scenarios passed | 0.0 % | ≥ 100.0 % | **FAIL** |" in text
    assert "| conversations.yml:4 | one turn | a reply | line 4: HTTP 500 |  |" in text
    assert "| greet | 0.500 | 1.000 | 0.667 | 4 | goodbye (2) |" in text
    assert "How many parks" not in text and "tallest tower" not in text


def test_the_rest_url_of_a_server():
    assert scenarios.rest_url("http://127.0.0.1:5005/") == "http://127.0.0.1:5005/webhooks/rest/webhook"
    assert scenarios.rest_url("http://h:1/webhooks/rest/webhook") == "http://h:1/webhooks/rest/webhook"
