"""The evaluation tooling's parts that need no servers: sets, cross-validation and the reports.

The statistics and the tables they use are tested in tests/unit/measure.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from support import figure

from evaluation import bench, cv, evalsets, quality, turn_curve
from evaluation.classify import Classification, Outcome
from evaluation.common import EVAL_SETS


def test_the_intent_report_gives_macro_f1_confusions_and_each_intent():
    result = cv.parse_intent_report(
        {
            "greet": {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 3},
            "thank": {
                "precision": 0.4,
                "recall": 0.6,
                "f1-score": 0.5,
                "support": 2,
                "confused_with": {"greet": 1},
            },
            "deny": {
                "precision": 0.6,
                "recall": 0.4,
                "f1-score": 0.5,
                "support": 2,
                "confused_with": {"thank": 2, "greet": 1},
            },
            "accuracy": 0.8,
            "macro avg": {"precision": 0.7, "recall": 0.7, "f1-score": 0.667, "support": 7},
            "weighted avg": {"precision": 0.7, "recall": 0.7, "f1-score": 0.7, "support": 7},
        }
    )
    assert (result.macro_f1, result.accuracy, result.examples) == (0.667, 0.8, 7)
    assert result.confusions == [("deny", "thank", 2), ("deny", "greet", 1), ("thank", "greet", 1)]
    assert result.per_intent == [  # lowest F1 first, each with what it was most often taken for
        cv.IntentScore("deny", 0.6, 0.4, 0.5, 2, ("thank", 2)),
        cv.IntentScore("thank", 0.4, 0.6, 0.5, 2, ("greet", 1)),
        cv.IntentScore("greet", 1.0, 1.0, 1.0, 3, None),
    ]


@pytest.fixture
def small_sets(tmp_path):
    (tmp_path / evalsets.OOS).write_text("first question\n\nsecond question\n")
    (tmp_path / evalsets.NEAR_DOMAIN).write_text(
        "text\tintent\tdomain\tcity_bot_flag\n"
        "hi there\tgreeting\tsmall_talk\tHANDLED_BY_BOT?\n"
        "how far is it\tdistance\ttravel\tNEAR_DOMAIN\n"
    )
    (tmp_path / evalsets.NQ_PROBES).write_text("question\ttopic\tsource_file\nwho is it\tpeople\tnq\n")
    return tmp_path


def test_the_sets_are_read_with_their_lines(small_sets):
    questions = evalsets.load(small_sets)
    assert [q.ref for q in questions] == [
        "clinc_oos_test.txt:1",
        "clinc_oos_test.txt:3",
        "clinc_near_domain_test.tsv:2",
        "clinc_near_domain_test.tsv:3",
        "nq_near_domain_probes.tsv:2",
    ]
    assert [q.small_talk for q in questions] == [False, False, True, False, False]


def test_an_unknown_flag_or_small_talk_intent_is_refused(small_sets):
    path = small_sets / evalsets.NEAR_DOMAIN
    path.write_text(path.read_text() + "sing a song\tsing\tsmall_talk\tHANDLED_BY_BOT?\n")
    with pytest.raises(ValueError, match="sing"):
        evalsets.load(small_sets)


@pytest.mark.skipif(not EVAL_SETS.is_dir(), reason="the shared evaluation sets are not next to the repo")
def test_the_shared_sets_have_every_row():
    questions = evalsets.load()
    assert sum(q.source == evalsets.OOS for q in questions) == 1000
    assert sum(q.source == evalsets.NEAR_DOMAIN and not q.small_talk for q in questions) == 960
    assert sum(q.small_talk for q in questions) == 390
    assert sum(q.source == evalsets.NQ_PROBES for q in questions) == 105
    assert {q.source for q in quality.sample(questions, 12)} == {
        evalsets.OOS,
        evalsets.NEAR_DOMAIN,
        evalsets.NQ_PROBES,
    }


def test_the_quality_report_refers_to_questions_without_copying_them(small_sets):
    questions = evalsets.load(small_sets)
    results = [
        quality.Result(questions[0], Classification(Outcome.DECLINED), "I'm sorry, …"),
        quality.Result(
            questions[1],
            Classification(Outcome.FIGURE, figures=(figure("inhabitants"),)),
            f"Almere has {figure('inhabitants')} inhabitants. second question",
        ),
        quality.Result(questions[2], Classification(Outcome.SMALL_TALK, responses=("utter_greet",)), "Hi"),
        quality.Result(questions[3], Classification(Outcome.HANDOFF), "I'll pass…"),
        quality.Result(questions[4], Classification(Outcome.OTHER), "", error="timeout"),
    ]
    crossval = cv.CrossValidation(0.9, 0.91, 100, [("a", "b", 3)], 12.0)
    started = datetime.now(timezone.utc)
    text = quality.render(started, ["python -m evaluation.quality"], crossval, results, 1.0)
    assert "clinc_oos_test.txt:3" in text and figure("inhabitants") in text
    for question in questions:
        assert question.text not in text
    assert "| out-of-scope and near-domain questions declined | 50.0 % | ≥ 97.0 % | **FAIL** |" in text
    assert "**1/1**" in text


def test_the_questions_not_declined_are_counted_by_what_they_got(small_sets):
    question = next(q for q in evalsets.load(small_sets) if not q.small_talk)
    help_reply = Classification(Outcome.SMALL_TALK, responses=("utter_help",))
    results = [
        quality.Result(question, help_reply, "I can tell you…"),
        quality.Result(question, help_reply, "I can tell you…"),
        quality.Result(question, Classification(Outcome.TOPIC, topics=("housing",)), "Almere…"),
        quality.Result(question, Classification(Outcome.DECLINED), "I'm sorry, …"),
        quality.Result(question, Classification(Outcome.HANDOFF), "I'll pass…"),
        quality.Result(question, Classification(Outcome.OTHER), "", error="timeout"),
    ]
    assert quality.missed_decline_rows(results) == [
        [Outcome.SMALL_TALK.value, "utter_help", 2],
        [Outcome.TOPIC.value, "housing", 1],
    ]


def test_the_bench_report_compares_against_the_baselines():
    def run(latency_ms: float, seconds: float) -> bench.ServerRun:
        levels = {level: bench.LevelRun([latency_ms] * 10, seconds, 0, 0, 0.1) for level in bench.LEVELS}
        return bench.ServerRun(
            5.0, levels, {bench.RASA_SERVER: 600.0, bench.ACTION_SERVER: 100.0}, (300.0, 300.0)
        )

    results = bench.Results(
        runs={
            bench.TRIVIAL: [
                bench.ServerRun(
                    0.1,
                    {lv: bench.LevelRun([0.5] * 10, 0.01, 0, 0, 0.0) for lv in bench.LEVELS},
                    {bench.TRIVIAL_SERVER: 30.0},
                )
            ],
            bench.CURRENT: [run(8.0, 0.1)],
            bench.DEFAULT: [run(40.0, 0.5)],
            bench.DEFAULT_SPED_UP: [run(20.0, 0.25)],
            "current + x": [run(5.0, 0.05)],
        },
        training=(50.0, 9.0),
        curves={
            bench.CURRENT: turn_curve.Curve([(10, 30.0), (20, 33.0)], errors=0),
            bench.DEFAULT: turn_curve.Curve([(10, 100.0), (20, 300.0)], errors=1),
        },
    )
    text = bench.render(
        results,
        datetime.now(timezone.utc),
        ["python -m evaluation.bench"],
        bench.MESSAGES,
        ("0.1 0.1 0.1", "0.2 0.2 0.2"),
    )
    assert "| throughput at 32 conversations ÷ baseline (b) | 5.00× | ≥ 4.00× | PASS |" in text
    assert "| p50 latency, 1 conversation ÷ baseline (b) | 0.20× | ≤ 0.25× | PASS |" in text
    assert "| p50 at turn 191–200 ÷ p50 at turn 1–10 of one conversation | 1.10× | ≤ 1.20× | PASS |" in text
    assert "| first answer after start ÷ baseline (b) | 1.00× | ≤ 0.30× | **FAIL** |" in text
    assert "| Rasa server peak RSS, highest of the runs | 600 MB | ≤ 600 MB | PASS |" in text
    assert "![p50 latency by turn number](bench-turns.svg)" in text
    assert "| 11–20 | 33.0 | 300.0 |" in text and "current 0, (b) Rasa default config 1" in text
    assert "| training from scratch (empty cache) | 50.0 s | ≤ 60.0 s | PASS |" in text
    assert "## Candidate changes" in text and "current + x" in text
    svg = bench.curve_chart(results)
    assert svg.startswith("<svg") and bench.DEFAULT in svg
    assert "served with the same speed-ups the throughput at 32 conversations is 2.50×" in text
    assert f"| current | {bench.DEFAULT_SPED_UP} |" in text  # its own ratio row
    assert f"| {bench.DEFAULT_SPED_UP} |" not in text.split("## Candidate changes")[1]


def test_grouped_macro_f1_counts_grouped_intents_as_one():
    report = {
        "a": {"f1-score": 0.8, "support": 4, "confused_with": {"b": 1}},
        "b": {"f1-score": 0.8, "support": 4, "confused_with": {"a": 1}},
        "c": {"f1-score": 1.0, "support": 2, "confused_with": {}},
        "macro avg": {"f1-score": 0.8667, "support": 10},
    }
    errors = [
        {"intent": "a", "intent_prediction": {"name": "b"}},
        {"intent": "b", "intent_prediction": {"name": "a"}},
    ]
    assert cv.grouped_macro_f1(report, errors, {}) == pytest.approx((0.75 + 0.75 + 1.0) / 3)
    assert cv.grouped_macro_f1(report, errors, {"a": "ab", "b": "ab"}) == 1.0


def test_the_decline_intents_come_from_the_rules(tmp_path):
    rules = tmp_path / "rules.yml"
    rules.write_text(
        "rules:\n"
        "- {rule: a, steps: [{intent: out_of_scope}, {action: action_decline}]}\n"
        "- {rule: b, steps: [{intent: nlu_fallback}, {action: action_decline}]}\n"
        "- {rule: c, steps: [{intent: greet}, {action: utter_greet}]}\n"
        "- {rule: d, condition: [{active_loop: f}], steps: [{intent: deny}, {action: action_decline}]}\n"
    )
    assert cv.intents_answered_by(cv.DECLINE_ACTION, rules) == ["nlu_fallback", "out_of_scope"]
    assert "out_of_scope" in cv.intents_answered_by(cv.DECLINE_ACTION)  # the project's rules
