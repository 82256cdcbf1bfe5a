"""The insights page stays fast however many different questions the assistant declined: the work of
grouping grows in proportion to their number (not with its square), and what is shown is bounded."""

from __future__ import annotations

import random
import string
import time
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from scipy.sparse import csr_matrix

from bot.insights.conversations import DECLINED, Conversation
from bot.insights.desk_figures import Ratings
from bot.insights.grouping import MAX_GROUPS, MAX_VARIANTS, group_questions
from bot.insights.period import last_days
from bot.insights.service import MAX_WORDINGS, QUESTION_CHARS, charts, summarise

PERIOD = last_days(30, ZoneInfo("Europe/Amsterdam"), date(2026, 11, 30))
STARTED = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)


def different_questions(count: int, seed: int = 7) -> list[str]:
    """``count`` questions that resemble none of the others (made-up words), as a flood would be."""
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 9)))

    return [f"where do I find {word()} {word()} {word()}?" for _ in range(count)]


def similarity_cells(monkeypatch, questions: list[str]) -> int:
    """How many question-to-question similarities grouping ``questions`` computes (each one becomes a
    cell of a dense array)."""
    cells = 0
    toarray = csr_matrix.toarray

    def counting(matrix, *args, **kwargs):
        nonlocal cells
        cells += matrix.shape[0] * matrix.shape[1]
        return toarray(matrix, *args, **kwargs)

    monkeypatch.setattr(csr_matrix, "toarray", counting)
    group_questions(questions)
    monkeypatch.undo()
    return cells


def test_grouping_compares_each_question_with_a_bounded_number_of_others(monkeypatch):
    small, large = 1000, 4000
    ratio = similarity_cells(monkeypatch, different_questions(large)) / similarity_cells(
        monkeypatch, different_questions(small)
    )
    # In proportion: 4 (or less: the groups are bounded); comparing every pair would be 16.
    assert ratio <= 5, ratio


def test_the_groups_and_their_wordings_are_bounded():
    questions = different_questions(3 * MAX_GROUPS) + ["where is the zoo?"] * 5 + ["zoo where"] * 3
    questions += [f"where is the zoo {n}?" for n in range(2 * MAX_VARIANTS)]
    groups = group_questions(questions)
    assert len(groups) == MAX_GROUPS
    # The most asked always come first, however many others there are.
    assert groups[0].example == "where is the zoo?" and groups[0].count == 5 + 3 + 2 * MAX_VARIANTS
    assert len(groups[0].variants) == MAX_VARIANTS


def declined_conversations(questions: list[str]) -> list[Conversation]:
    return [Conversation(f"c{n}", STARTED, DECLINED, (), (q,)) for n, q in enumerate(questions)]


def report_time(questions: list[str]) -> float:
    """The best of two runs of summarising the conversations that declined ``questions``."""
    conversations = declined_conversations(questions)
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        summarise(PERIOD, conversations, [], Ratings({s: 0 for s in range(1, 6)}, 0), [])
        best = min(best, time.perf_counter() - started)
    return best


def test_the_report_grows_no_faster_than_the_questions():
    group_questions(different_questions(10))  # scikit-learn imported before timing
    small = report_time(different_questions(2000, seed=1))
    large = report_time(different_questions(8000, seed=2))
    # Four times the questions: about four times the time at most (the work is bounded, so less);
    # comparing every pair would take about sixteen times as long. Generous for a busy machine.
    assert large / small < 6, (small, large)


def test_many_different_questions_give_a_bounded_page_with_what_was_left_out():
    flood = different_questions(12_000)
    insights = summarise(
        PERIOD,
        declined_conversations(["Can I bring my dog?"] * 3 + flood + ["x" * 5000]),
        [],
        Ratings({s: 0 for s in range(1, 6)}, 0),
        [],
    )
    assert len(insights.unanswered) == MAX_GROUPS
    assert insights.unanswered[0].example == "Can I bring my dog?" and insights.unanswered[0].count == 3
    assert insights.declined_questions == 12_004
    assert sum(g.count for g in insights.unanswered) <= MAX_WORDINGS + 2
    assert insights.unanswered_left_out == 12_004 - sum(g.count for g in insights.unanswered)
    assert all(len(g.example) <= QUESTION_CHARS + 1 for g in insights.unanswered)
    [chart] = [chart for chart in charts(insights) if chart.name == "unanswered"]
    assert len(chart.rows) == MAX_GROUPS
    assert f"{insights.unanswered_left_out} other questions" in chart.note
    assert insights.as_json()["unanswered_questions_left_out"] == insights.unanswered_left_out


@pytest.mark.parametrize("text", ["a@" * 1000, "jan at " + "x dot " * 330, "0 " * 1000])
def test_a_long_crafted_question_is_masked_quickly(text):
    conversations = declined_conversations([text] * 2)
    started = time.perf_counter()
    summarise(PERIOD, conversations, [], Ratings({s: 0 for s in range(1, 6)}, 0), [])
    assert time.perf_counter() - started < 0.5
