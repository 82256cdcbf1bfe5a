"""The training data: enough varied examples per intent, none copied from the evaluation sets."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.config import REPO_ROOT
from evaluation import evalsets
from evaluation.common import EVAL_SETS


def normalised(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def training_examples(data: Path = REPO_ROOT / "data"):
    for path in sorted(data.rglob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in block.get("examples", "").splitlines():
                if line.strip().startswith("- "):
                    yield path.name, block["intent"], line.strip()[2:]


def test_every_intent_has_at_least_15_examples(domain):
    counts = Counter(intent for _, intent, _ in training_examples())
    assert {i: counts[i] for i in domain["intents"] if counts[i] < 15} == {}


def test_no_example_is_repeated():
    seen = Counter(normalised(text) for _, _, text in training_examples())
    assert [text for text, n in seen.items() if n > 1] == []


def copied_examples(data: Path):
    """The training examples in ``data`` that are a line of an evaluation set (normalised).

    Every set counts: CLINC, NQ, the in-scope and Dutch questions and the user lines of the
    conversations; lines of 15 characters or fewer ("yes", "no thanks") are common words.
    """
    lines = {normalised(question.text) for question in evalsets.measured_texts()}
    measured_with = {line for line in lines if len(line) > 15}
    return [(f, text) for f, _, text in training_examples(data) if normalised(text) in measured_with]


@pytest.fixture
def eval_sets():
    if not EVAL_SETS.is_dir():
        pytest.skip(f"{EVAL_SETS} is not on this machine")


def test_no_example_is_copied_from_the_evaluation_sets(eval_sets):
    assert copied_examples(REPO_ROOT / "data") == []


@pytest.mark.parametrize(
    "source",
    [
        evalsets.IN_SCOPE,
        evalsets.CONVERSATIONS,
        evalsets.CONTEXT_CONVERSATIONS,
        evalsets.THREAD_CONVERSATIONS.name,
        evalsets.NL_QUESTIONS,
    ],
)
def test_a_copied_line_is_found(eval_sets, tmp_path, source):
    """The check above fails when a line of a set is added to (a scratch copy of) the data."""
    line = next(q.text for q in evalsets.measured_texts() if q.source == source and len(q.text) > 15)
    scratch = shutil.copytree(REPO_ROOT / "data", tmp_path / "data")
    nlu = {"version": "3.1", "nlu": [{"intent": "greet", "examples": f"- {line.upper()}!\n"}]}
    (scratch / "copied.yml").write_text(yaml.safe_dump(nlu), encoding="utf-8")
    assert copied_examples(scratch) == [("copied.yml", f"{line.upper()}!")]
