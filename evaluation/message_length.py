"""How answer quality changes with message length: `python -m evaluation.message_length`.

People tell their story before (or after) their question. This asks every in-scope question of
../shared/eval/in_scope_questions.tsv and every Dutch question of nl_questions.tsv again with 1,
2, 4 and 8 sentences of a story before it (and with 2 after it), each in a fresh conversation,
and reports the share answered as expected per story length, with the median length in words.
The story sentences are this module's own, about moving and working, in both languages; they ask
nothing. `make eval` (evaluation.quality) adds the table to reports/eval.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evaluation import evalsets, scenarios, servers
from evaluation.common import MODEL, WORK_DIR
from measure import report

STORY = {
    "en": (
        "Hi, I hope you can help me.",
        "My partner and I are thinking about moving to the Netherlands next year.",
        "I work as a nurse and my partner is a software developer.",
        "We have two children, aged six and nine.",
        "We have been reading a lot about different cities in the region.",
        "A colleague of mine recommended looking at this area.",
        "We would like a quiet place with enough green space.",
        "Sorry for the long message, I just want to get the full picture.",
    ),
    "nl": (
        "Hallo, ik hoop dat je me kunt helpen.",
        "Mijn partner en ik denken erover om volgend jaar naar deze regio te verhuizen.",
        "Ik ben verpleegkundige en mijn partner is softwareontwikkelaar.",
        "We hebben twee kinderen van zes en negen jaar oud.",
        "We hebben veel gelezen over verschillende steden in de buurt.",
        "Een collega van mij raadde ons aan om hier te kijken.",
        "We zoeken een rustige plek met genoeg groen.",
        "Sorry voor het lange bericht, ik wil gewoon een goed beeld krijgen.",
    ),
}
# Story sentences before the question; "after" puts two after it.
BEFORE = (0, 1, 2, 4, 8)
AFTER = 2


@dataclass(frozen=True)
class Variant:
    name: str
    language: str
    before: int
    after: int = 0

    def message(self, question: str) -> str:
        story = STORY[self.language]
        return " ".join([*story[: self.before], question, *story[len(story) - self.after :][: self.after]])


VARIANTS = tuple(
    Variant(f"{n} before" if n else "question alone", language, n)
    for language in ("en", "nl")
    for n in BEFORE
) + tuple(Variant(f"{AFTER} after", language, 0, AFTER) for language in ("en", "nl"))


def questions() -> list[tuple[str, evalsets.Scenario]]:
    """(language, scenario) for every English in-scope question and every Dutch question."""
    english = [("en", s) for s in evalsets.load_in_scope()]
    dutch = [("nl", s) for s in evalsets.load_nl_questions() if "language:nl" in s.turns[0].expect]
    return english + dutch


def stretched(variant: Variant, scenario: evalsets.Scenario) -> evalsets.Scenario:
    [turn] = scenario.turns
    longer = evalsets.Turn(variant.message(turn.user), turn.expect, turn.line)
    return evalsets.Scenario(f"{variant.name}|{variant.language}", scenario.source, scenario.line, (longer,))


def measure(rest_url: str, concurrency: int = scenarios.CONCURRENCY) -> list[list[object]]:
    """One row per variant: language, story, median words, answered as expected."""
    asked = [(v, stretched(v, s)) for v in VARIANTS for language, s in questions() if language == v.language]
    results = scenarios.run(rest_url, [s for _, s in asked], concurrency)
    rows = []
    for variant in VARIANTS:
        group = [r for (v, _), r in zip(asked, results, strict=True) if v == variant]
        words = statistics.median(len(r.scenario.turns[0].user.split()) for r in group)
        passed = sum(r.passed for r in group)
        rows.append(
            [
                variant.language,
                variant.name,
                f"{words:g}",
                f"{passed}/{len(group)} ({passed / len(group):.0%})",
            ]
        )
    return rows


def section(rows: Sequence[Sequence[object]]) -> list[str]:
    return [
        "## Answer quality by message length",
        "",
        "Every English in-scope question and every Dutch question again, with sentences of a story "
        "about moving before it (or after it), each in a fresh conversation "
        "(`python -m evaluation.message_length`; the story sentences are "
        "evaluation/message_length.py's own).",
        "",
        report.table(["language", "story", "median words", "answered as expected"], rows),
        "",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, default=WORK_DIR / "message_length")
    arguments = parser.parse_args(argv)
    if not MODEL.exists():
        parser.error(f"no trained model at {MODEL}: run `make train` first")
    shutil.rmtree(arguments.work, ignore_errors=True)
    with servers.assistant(arguments.work, MODEL) as running:
        rows = measure(running.rest_url)
    print("\n".join(section(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
