"""The evaluation sets in ../shared/eval/ (read at run time, never copied into the repository)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import yaml

from evaluation.common import EVAL_SETS

OOS = "clinc_oos_test.txt"
NEAR_DOMAIN = "clinc_near_domain_test.tsv"
NQ_PROBES = "nq_near_domain_probes.tsv"
IN_SCOPE = "in_scope_questions.tsv"
CONVERSATIONS = "conversations.yml"
CONTEXT_CONVERSATIONS = "conversations_context.yml"
NL_QUESTIONS = "nl_questions.tsv"
# The project's own Dutch outside questions, next to this module.
DUTCH_OUTSIDE = Path(__file__).parent / "dutch_outside_questions.txt"
# The project's own conversations that lean on what was said before, next to this module.
THREAD_CONVERSATIONS = Path(__file__).parent / "thread_conversations.yml"

# What a fresh conversation should get for each CLINC small-talk intent the file flags
# HANDLED_BY_BOT?: the domain response(s) accepted. Yes / no / maybe / cancel with nothing
# pending get the rule "yes, no or stop without a question pending" (utter_anything_else);
# "repeat" has nothing to repeat in a fresh conversation, so saying what the assistant can
# do (utter_help) or asking what else (utter_anything_else) are both sensible.
SMALL_TALK_EXPECTED: dict[str, tuple[str, ...]] = {
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


def _tsv(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a TSV file with a header, each with its line number."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(rows.line_num, row) for row in rows]


def load(directory: Path = EVAL_SETS) -> list[Question]:
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


@dataclass(frozen=True)
class Turn:
    """One thing the person says in a scenario, and what the reply must show (see expectations)."""

    user: str
    expect: tuple[str, ...]
    line: int  # its line in the file


@dataclass(frozen=True)
class Scenario:
    """A conversation of one or more turns, asked in a fresh conversation."""

    name: str
    source: str
    line: int
    turns: tuple[Turn, ...]

    @property
    def ref(self) -> str:
        return f"{self.source}:{self.line}"


def _checked(directory: Path) -> Path:
    if not directory.is_dir():
        raise FileNotFoundError(f"the evaluation sets are missing: expected them in {directory}")
    return directory


def load_in_scope(directory: Path = EVAL_SETS) -> list[Scenario]:
    """The in-scope questions, each a one-turn scenario named by its file:line."""
    return [
        Scenario(
            f"{IN_SCOPE}:{number}",
            IN_SCOPE,
            number,
            (Turn(row["question"].strip(), (row["expect"].strip(),), number),),
        )
        for number, row in _tsv(_checked(directory) / IN_SCOPE)
    ]


def load_conversations(directory: Path = EVAL_SETS, name: str = CONVERSATIONS) -> list[Scenario]:
    """The scenarios of a conversation file (conversations.yml by default), with the line of each
    scenario and turn."""
    text = (_checked(directory) / name).read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    [nodes] = [value for key, value in root.value if key.value == "scenarios"]
    scenarios = []
    for node, scenario in zip(nodes.value, document["scenarios"], strict=True):
        [turn_nodes] = [value for key, value in node.value if key.value == "turns"]
        turns = tuple(
            Turn(str(turn["user"]), tuple(str(e) for e in turn["expect"]), turn_node.start_mark.line + 1)
            for turn_node, turn in zip(turn_nodes.value, scenario["turns"], strict=True)
        )
        scenarios.append(Scenario(scenario["name"], name, node.start_mark.line + 1, turns))
    return scenarios


def load_thread_conversations(path: Path = THREAD_CONVERSATIONS) -> list[Scenario]:
    """The project's own follow-ups to decline and to answer (evaluation/thread_conversations.yml)."""
    return load_conversations(path.parent, path.name)


def load_context_conversations(directory: Path = EVAL_SETS) -> list[Scenario]:
    """The conversations that lean on what was said before (conversations_context.yml)."""
    return load_conversations(directory, CONTEXT_CONVERSATIONS)


def load_nl_questions(directory: Path = EVAL_SETS) -> list[Scenario]:
    """The Dutch set, each a one-turn scenario; besides its expectation, the reply must be in the
    row's ``reply_language`` (``language:nl`` or ``language:en``)."""
    return [
        Scenario(
            f"{NL_QUESTIONS}:{number}",
            NL_QUESTIONS,
            number,
            (
                Turn(
                    row["question"].strip(),
                    (row["expect"].strip(), f"language:{row['reply_language'].strip()}"),
                    number,
                ),
            ),
        )
        for number, row in _tsv(_checked(directory) / NL_QUESTIONS)
    ]


def load_dutch_outside(path: Path = DUTCH_OUTSIDE) -> list[Question]:
    """Dutch questions about other places and general knowledge (written for this project's own
    measurement, not from ../shared/eval/): none may get an Almere figure."""
    return [
        Question(text.strip(), path.name, "dutch_outside", number)
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if text.strip() and not text.startswith("#")
    ]


def measured_texts(directory: Path = EVAL_SETS) -> list[Question]:
    """Every question or user line of every set (ours in evaluation/ too), so that a check can keep
    them out of data/."""
    directory = _checked(directory)
    texts = load(directory)
    conversations = (
        *load_conversations(directory),
        *load_context_conversations(directory),
        *load_thread_conversations(),
    )
    for scenario in (*load_in_scope(directory), *conversations):
        texts += [Question(t.user, scenario.source, "user", t.line) for t in scenario.turns if t.user]
    texts += [
        Question(row["question"].strip(), NL_QUESTIONS, row["expect"], number)
        for number, row in _tsv(directory / NL_QUESTIONS)
    ]
    return texts
