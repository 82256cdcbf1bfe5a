"""The measurement of the desk's answers (evaluation/desk_answers.py): the fixtures, the seeding of
the evaluation servers' ticket database, the matcher over every set, and the report's section."""

from __future__ import annotations

import re

import pytest

from bot.desk_answers.reply import DATE_LINES
from bot.desk_answers.service import DeskAnswerService
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database
from evaluation import desk_answers, evalsets
from evaluation.common import EVAL_SETS


def normalised(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


@pytest.fixture(scope="module")
def fixtures() -> desk_answers.Fixtures:
    return desk_answers.load()


@pytest.fixture
def eval_sets():
    if not EVAL_SETS.is_dir():
        pytest.skip(f"{EVAL_SETS} is not on this machine")


def test_the_fixtures_are_a_desk_s_answers_with_paraphrases_and_near_misses(fixtures):
    assert 5 <= len(fixtures.answers) <= 8
    assert all(3 <= len(questions) <= 5 for _, questions, _ in fixtures.answers)
    examples = {normalised(q) for _, questions, _ in fixtures.answers for q in questions}
    assert not examples & {normalised(q.text) for q in fixtures.paraphrases}  # paraphrases, not examples
    assert {q.label for q in fixtures.paraphrases} == set(fixtures.keys)
    assert len(fixtures.near_misses) >= 20
    assert all(q.ref.startswith("evaluation/desk_answer_fixtures.yml:") for q in fixtures.paraphrases)


def test_no_fixture_line_copies_an_evaluation_set(fixtures, eval_sets):
    measured = {normalised(q.text) for q in evalsets.measured_texts()}
    own = [q for _, questions, _ in fixtures.answers for q in questions]
    own += [q.text for q in (*fixtures.paraphrases, *fixtures.near_misses)]
    assert [q for q in own if normalised(q) in measured] == []


def test_seeded_answers_are_approved_by_a_second_colleague(fixtures, tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade_database(url)
    ids = desk_answers.seed(url, fixtures)
    assert list(ids) == list(fixtures.keys)
    engine = create_engine_for(url)
    service = DeskAnswerService(create_session_factory(engine))
    approved = service.approved("en")
    engine.dispose()
    assert [a.id for a in approved] == list(ids.values())


def test_the_matcher_alone_over_every_set(fixtures, eval_sets):
    measured = desk_answers.measure(fixtures, evalsets.load())
    # 1,000 CLINC out-of-scope + 960 NEAR_DOMAIN rows + 105 NQ probes; the 390 small-talk rows apart.
    assert (len(measured.outside), len(measured.small_talk)) == (2065, 390)
    assert [m.question.ref for m in (*measured.outside, *measured.small_talk) if m.match] == []
    assert [m.question.text for m in measured.near_misses if m.match] == []
    assert sum(m.match is not None for m in measured.paraphrases) / len(measured.paraphrases) >= 0.6
    assert measured.ms_per_question < 5


def test_the_section_lists_every_match_of_an_outside_question_with_its_score(fixtures):
    outside = evalsets.Question("where do I get a parking permit", "clinc_oos_test.txt", "oos", 7)
    measured = desk_answers.measure(fixtures, [outside])
    lines = "\n".join(desk_answers.section(measured, fixtures))
    assert re.search(r"\| clinc_oos_test.txt:7 \| parking_permit \| [01]\.\d\d \|", lines)
    assert "where do I get a parking permit" not in lines  # refer to it, never copy it


def test_the_pipeline_part_counts_the_desk_answers_the_assistant_gave(fixtures):
    key, _, answer = fixtures.answers[0]
    date = DATE_LINES["en"].format(date="1 December 2026")
    paraphrase = next(q for q in fixtures.paraphrases if q.label == key)
    outside = evalsets.Question("how tall is everest", "nq_near_domain_probes.tsv", "geo", 3)
    assert desk_answers.given_answer(f"{answer}\n{date}\nWas this not what you needed?", fixtures) == key
    assert desk_answers.given_answer("I'm sorry, I don't know that.", fixtures) is None
    lines = "\n".join(
        desk_answers.pipeline_lines([(paraphrase, f"{answer}\n{date}"), (outside, "I'm sorry.")], fixtures)
    )
    assert "| paraphrases (their own answer) | 1 | **1/1** (100.0%) |" in lines
    assert "| outside questions and small talk | 1 | 0 |" in lines
