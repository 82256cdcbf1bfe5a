"""Answers from the desk, measured: `python -m evaluation.desk_answers` (seconds, the matcher alone)
and a section of reports/eval.md (`make eval`: the whole assistant, NLU -> action -> desk answer).

The desk answers of evaluation/desk_answer_fixtures.yml are what an international desk would
write; `make eval` seeds them, approved, into the evaluation servers' ticket database. Measured:

- that they are given: the fixture's paraphrases (never an example question) should each get
  their own answer;
- that nothing else gets one: the fixture's near-misses, and the 2,065 outside questions of
  ../shared/eval/ (CLINC's 1,000 out-of-scope test queries, the 960 ``NEAR_DOMAIN`` rows of the
  near-domain file and the 105 NQ probes; the 390 ``HANDLED_BY_BOT?`` small-talk rows are counted
  apart), which should get no desk answer at all. Any that does is listed by file:line with its
  score, for a person to judge (the question's text is never copied here).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select

from bot.desk_answers.matcher import Candidate, DeskAnswerMatcher, Match
from bot.desk_answers.reply import DATE_LINES
from bot.desk_answers.service import DeskAnswerService
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.models import StaffUser
from evaluation import evalsets
from evaluation.common import REPO_ROOT
from measure import report

FIXTURES = REPO_ROOT / "evaluation" / "desk_answer_fixtures.yml"
SOURCE = "evaluation/desk_answer_fixtures.yml"
# The two colleagues of the seeded answers: one writes, the other approves.
AUTHOR, APPROVER = "eval-author", "eval-approver"


@dataclass(frozen=True)
class Fixtures:
    answers: tuple[tuple[str, tuple[str, ...], str], ...]  # (key, example questions, answer)
    paraphrases: tuple[evalsets.Question, ...]  # label: the key of the answer it should get
    near_misses: tuple[evalsets.Question, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _, _ in self.answers)

    def matcher(self) -> DeskAnswerMatcher:
        """The matcher over these answers; an answer's id is its position in the file, from 1."""
        return DeskAnswerMatcher(
            [Candidate(number, questions) for number, (_, questions, _) in enumerate(self.answers, 1)]
        )


@cache
def load(path: Path = FIXTURES) -> Fixtures:
    text = path.read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    lines = text.splitlines()

    def question(text: str, label: str) -> evalsets.Question:
        line = next(n for n, content in enumerate(lines, 1) if content.strip() == f"- {text}")
        return evalsets.Question(text, SOURCE, label, line)

    answers = tuple(
        (item["key"], tuple(q.strip() for q in item["questions"].splitlines() if q.strip()), item["answer"])
        for item in document["answers"]
    )
    return Fixtures(
        answers=answers,
        paraphrases=tuple(question(q, key) for key, qs in document["paraphrases"].items() for q in qs),
        near_misses=tuple(question(q, "none") for q in document["near_misses"]),
    )


def seed(database_url: str, fixtures: Fixtures | None = None) -> dict[str, int]:
    """Store the fixture's answers in the (migrated) ticket database, written by one colleague and
    approved by another, as the desk would; return their ids by key."""
    fixtures = fixtures or load()
    engine = create_engine_for(database_url)
    try:
        factory = create_session_factory(engine)
        with factory() as session, session.begin():
            known = set(session.execute(select(StaffUser.username)).scalars())
            for username in {AUTHOR, APPROVER} - known:
                session.add(StaffUser(username=username, password_hash="!no sign-in"))
        service = DeskAnswerService(factory)
        ids = {}
        for key, questions, answer in fixtures.answers:
            draft = service.create(questions="\n".join(questions), answer=answer, author=AUTHOR)
            ids[key] = service.approve(draft.id, APPROVER, version=draft.version).id
        return ids
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Matched:
    question: evalsets.Question
    match: Match | None  # the accepted match, None if the question got no desk answer


@dataclass(frozen=True)
class Measurement:
    paraphrases: tuple[Matched, ...]
    near_misses: tuple[Matched, ...]
    outside: tuple[Matched, ...]  # the 2,065 questions that must be declined
    small_talk: tuple[Matched, ...]
    ms_per_question: float


def measure(fixtures: Fixtures, outside: Sequence[evalsets.Question]) -> Measurement:
    """The matcher alone over every set (no servers)."""
    matcher = fixtures.matcher()
    every = [*fixtures.paraphrases, *fixtures.near_misses, *outside]
    started = time.perf_counter()
    found = {id(q): matcher.match(q.text) for q in every}
    seconds = time.perf_counter() - started

    def of(questions: Sequence[evalsets.Question]) -> tuple[Matched, ...]:
        return tuple(Matched(q, found[id(q)]) for q in questions)

    return Measurement(
        paraphrases=of(fixtures.paraphrases),
        near_misses=of(fixtures.near_misses),
        outside=of([q for q in outside if not q.small_talk]),
        small_talk=of([q for q in outside if q.small_talk]),
        ms_per_question=1000 * seconds / max(1, len(every)),
    )


def given_answer(reply: str, fixtures: Fixtures) -> str | None:
    """The key of the fixture answer a reply of the assistant gave, if it gave one (its text
    followed by the date line)."""
    if not any(line.split("{date}")[0] in reply for line in DATE_LINES.values()):
        return None
    return next((key for key, _, answer in fixtures.answers if answer in reply), "?")


def _share(passed: int, total: int) -> str:
    return f"**{passed}/{total}** ({passed / total:.1%})" if total else "0/0"


def _correct(matched: Matched, keys: Sequence[str]) -> bool:
    return matched.match is not None and keys[matched.match.answer_id - 1] == matched.question.label


def section(
    measured: Measurement,
    fixtures: Fixtures,
    pipeline: Sequence[tuple[evalsets.Question, str]] = (),
) -> list[str]:
    """The report's section. ``pipeline``: (question, reply) pairs asked through the whole
    assistant with the answers seeded (``make eval``): the outside questions and the paraphrases."""
    keys = fixtures.keys
    wrong = [m for m in measured.paraphrases if m.match is not None and not _correct(m, keys)]
    outside_hits = [m for m in (*measured.outside, *measured.small_talk) if m.match is not None]
    near_hits = [m for m in measured.near_misses if m.match is not None]
    lines = [
        "## Answers from the desk",
        "",
        f"{len(fixtures.answers)} answers a desk would write ({SOURCE}: "
        f"{', '.join(keys)}), each with 3 to 5 example questions. The matcher "
        "(bot/desk_answers/matcher.py) is asked only for questions the assistant would otherwise "
        "decline. `python -m evaluation.desk_answers` measures it alone in seconds.",
        "",
        "The matcher alone:",
        "",
        report.table(
            ["set", "questions", "got a desk answer", "what it should get"],
            [
                [
                    "paraphrases of the answers' questions (not the examples)",
                    len(measured.paraphrases),
                    _share(sum(_correct(m, keys) for m in measured.paraphrases), len(measured.paraphrases))
                    + (f", {len(wrong)} a wrong one" if wrong else ", none a wrong one"),
                    "its own answer",
                ],
                ["near-misses (own, tricky)", len(measured.near_misses), len(near_hits), "none"],
                [
                    "outside questions (CLINC oos 1,000 + NEAR_DOMAIN 960 + NQ 105)",
                    len(measured.outside),
                    sum(m.match is not None for m in measured.outside),
                    "none",
                ],
                [
                    "small-talk rows (HANDLED_BY_BOT?)",
                    len(measured.small_talk),
                    sum(m.match is not None for m in measured.small_talk),
                    "none",
                ],
            ],
        ),
        "",
        f"{measured.ms_per_question:.3f} ms per question (matcher alone, {len(fixtures.answers)} answers).",
        "",
    ]
    listed = [*near_hits, *outside_hits]
    lines += (
        [
            "Questions that got a desk answer they should not have, for a person to judge:",
            "",
            report.table(
                ["question (file:line)", "desk answer", "score", "example it matched"],
                [
                    [m.question.ref, keys[m.match.answer_id - 1], f"{m.match.score:.2f}", m.match.example]
                    for m in listed
                ],  # fmt: skip
            ),
            "",
        ]
        if listed
        else ["No near-miss or outside question got a desk answer.", ""]
    )
    missed = [m.question for m in measured.paraphrases if not _correct(m, keys)]
    if missed:
        matcher = fixtures.matcher()
        best = {q.ref: matcher.best(q.text) for q in missed}
        lines += [
            "Paraphrases without their answer, and why (mostly a word no example of the answer has: "
            "the desk adds example questions with the words people use):",
            "",
            report.table(
                ["paraphrase (own, file:line)", "should get", "refused"],
                [
                    [f"{q.text} ({q.ref})", q.label, best[q.ref].refused if best[q.ref] else "no word shared"]
                    for q in missed
                ],  # fmt: skip
            ),
            "",
        ]
    if pipeline:
        lines += pipeline_lines(pipeline, fixtures)
    return lines


def pipeline_lines(pipeline: Sequence[tuple[evalsets.Question, str]], fixtures: Fixtures) -> list[str]:
    """What the whole assistant (NLU -> action -> desk answer) gave, with the answers seeded."""
    matcher = fixtures.matcher()
    paraphrases = [(q, given_answer(reply, fixtures)) for q, reply in pipeline if q.source == SOURCE]
    outside = [(q, given_answer(reply, fixtures)) for q, reply in pipeline if q.source != SOURCE]
    outside_hits = [(q, key) for q, key in outside if key is not None]
    lines = [
        "Through the whole assistant (REST channel, NLU, the real action server reading the seeded "
        "answers from its ticket database):",
        "",
        report.table(
            ["set", "questions", "got a desk answer"],
            [
                [
                    "paraphrases (their own answer)",
                    len(paraphrases),
                    _share(sum(key == q.label for q, key in paraphrases), len(paraphrases)),
                ],
                ["outside questions and small talk", len(outside), len(outside_hits)],
            ],
        ),
        "",
        "A paraphrase the classifier takes for a topic of the page or small talk is answered as "
        "such and never reaches the desk answers, so this share can be lower than the matcher's.",
        "",
    ]
    if outside_hits:
        rows = []
        for question, key in outside_hits:
            found = matcher.best(question.text)
            rows.append([question.ref, key, f"{found.score:.2f}" if found else "–"])
        lines += [report.table(["question (file:line)", "desk answer", "score"], rows), ""]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="also write the section to this Markdown file")
    arguments = parser.parse_args(argv)
    fixtures = load()
    measured = measure(fixtures, evalsets.load())
    text = "\n".join(section(measured, fixtures))
    print(text)
    if arguments.out:
        report.write(arguments.out, text + "\n")
    bad = sum(m.match is not None for m in (*measured.near_misses, *measured.outside, *measured.small_talk))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
