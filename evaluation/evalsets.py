"""The evaluation sets in ../shared/eval/ (read at run time, never copied into the repository)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from evaluation.common import EVAL_SETS

OOS = "clinc_oos_test.txt"
NEAR_DOMAIN = "clinc_near_domain_test.tsv"
NQ_PROBES = "nq_near_domain_probes.tsv"

# What a fresh conversation should get for each CLINC small-talk intent the file flags
# HANDLED_BY_BOT?: the domain response(s) accepted. Yes / no / maybe / cancel with nothing
# pending get the rule "yes, no or stop without a question pending" (utter_anything_else);
# "repeat" has nothing to repeat in a fresh conversation, so saying what the assistant can
# do (utter_help) or asking what else (utter_anything_else) are both sensible.
SMALL_TALK_EXPECTED: Dict[str, Tuple[str, ...]] = {
    "greeting": ("utter_greet",),
    "goodbye": ("utter_goodbye",),
    "thank_you": ("utter_you_are_welcome",),
    "are_you_a_bot": ("utter_iamabot",),
    "what_is_your_name": ("utter_iamabot",),
    "who_made_you": ("utter_iamabot",),
    "who_do_you_work_for": ("utter_iamabot",),
    "what_can_i_ask_you": ("utter_help",),
    "yes": ("utter_anything_else",),
    "no": ("utter_anything_else",),
    "maybe": ("utter_anything_else", "utter_help"),
    "cancel": ("utter_anything_else",),
    "repeat": ("utter_help", "utter_anything_else"),
}


@dataclass(frozen=True)
class Question:
    text: str
    source: str  # the file it comes from
    label: str  # the CLINC intent or NQ topic ("oos" for CLINC's out-of-scope set)
    line: int  # its line in the file (1-based), to refer to it without copying it
    small_talk: bool = False  # True: should get SMALL_TALK_EXPECTED[label]; False: decline

    @property
    def ref(self) -> str:
        return f"{self.source}:{self.line}"


def _tsv(path: Path) -> List[Tuple[int, Dict[str, str]]]:
    """The rows of a TSV file with a header, each with its line number."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(rows.line_num, row) for row in rows]


def load(directory: Path = EVAL_SETS) -> List[Question]:
    """All questions: CLINC out-of-scope, CLINC near-domain (both flags) and the NQ probes."""
    if not directory.is_dir():
        raise FileNotFoundError(f"the evaluation sets are missing: expected them in {directory}")
    questions = [
        Question(text.strip(), OOS, "oos", number)
        for number, text in enumerate((directory / OOS).read_text(encoding="utf-8").splitlines(), 1)
        if text.strip()
    ]
    for number, row in _tsv(directory / NEAR_DOMAIN):
        flag = row["city_bot_flag"].strip()
        if flag not in ("NEAR_DOMAIN", "HANDLED_BY_BOT?"):
            raise ValueError(f"{NEAR_DOMAIN}: unknown city_bot_flag {flag!r}")
        small_talk = flag == "HANDLED_BY_BOT?"
        if small_talk and row["intent"] not in SMALL_TALK_EXPECTED:
            raise ValueError(f"{NEAR_DOMAIN}: no expected reply for small-talk intent {row['intent']!r}")
        questions.append(Question(row["text"].strip(), NEAR_DOMAIN, row["intent"], number, small_talk))
    questions += [
        Question(row["question"].strip(), NQ_PROBES, row["topic"], number)
        for number, row in _tsv(directory / NQ_PROBES)
    ]
    return questions
