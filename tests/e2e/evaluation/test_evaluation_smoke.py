"""A tiny run of the quality and speed measurements against the real servers."""

from __future__ import annotations

from contextlib import nullcontext

import pytest

from evaluation import bench, classify, evalsets, quality, scenarios, servers
from evaluation.classify import Outcome
from evaluation.common import EVAL_SETS, MODEL
from evaluation.expectations import FORM_KINDS
from evaluation.questions import FACT_QUESTIONS


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    with servers.assistant(tmp_path_factory.mktemp("evaluation")) as assistant:
        yield assistant


@pytest.fixture(scope="module")
def classifier(knowledge):
    return classify.ReplyClassifier.from_project(knowledge)


def test_a_handful_of_evaluation_questions(running):
    if EVAL_SETS.is_dir():
        questions = quality.sample(evalsets.load(), 10)
    else:
        questions = [evalsets.Question("Can you recommend a pizza recipe?", "own", "oos", 1)]
    results = quality.ask(running.rest_url, questions, concurrency=4)
    assert [r.error for r in results] == [None] * len(questions)
    assert all(r.classification.outcome is not Outcome.NO_REPLY for r in results)


def test_a_sample_of_the_scenarios_and_the_handoff_form(running):
    """Two in-scope questions and the conversations that play the form: every turn gets a reply."""
    if EVAL_SETS.is_dir():
        sample = [
            *quality.sample(evalsets.load_in_scope(), 2),
            *(
                s
                for s in evalsets.load_conversations()
                if any(e in FORM_KINDS for t in s.turns for e in t.expect)
            ),
        ]
    else:
        form = (
            evalsets.Turn("I want to talk to a person", ("handoff",), 1),
            evalsets.Turn("", ("complete_handoff",), 2),
        )
        sample = [evalsets.Scenario("own", "own", 1, form)]
    results = scenarios.run(running.rest_url, sample, concurrency=4)
    assert [r.error for r in results] == [None] * len(sample)
    assert all(turn.reply.strip() for r in results for turn in r.turns)
    form_turns = [t for r in results for t in r.turns if set(t.turn.expect) & set(FORM_KINDS)]
    assert form_turns and all("[/" in t.reply for t in form_turns)  # the driver clicked buttons


def test_the_benchmark_questions_get_fact_answers(running, classifier):
    questions = [evalsets.Question(text, "bench", "fact", n) for n, text in enumerate(FACT_QUESTIONS, 1)]
    for result in quality.ask(running.rest_url, questions, concurrency=4):
        assert result.classification.outcome in (Outcome.FIGURE, Outcome.TOPIC), result.question.text


def test_a_quick_bench_run(running, classifier, tmp_path):
    run = bench.measure_server(
        lambda _directory: nullcontext(running), tmp_path, bench.QUICK_MESSAGES, classifier
    )
    for level in bench.LEVELS:
        assert run.levels[level].errors == 0 and run.levels[level].unexpected == 0
        assert len(run.levels[level].latencies_ms) == bench.QUICK_MESSAGES[level]
    assert run.peak_rss_mb[bench.RASA_SERVER] > 100
    assert run.peak_rss_mb[bench.ACTION_SERVER] > 10


def test_the_trivial_baseline(tmp_path):
    run = bench.measure_server(servers.trivial, tmp_path / "trivial", bench.QUICK_MESSAGES, None)
    assert run.levels[32].errors == 0 and run.levels[32].throughput > 0
