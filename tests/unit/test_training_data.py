"""The training data: enough varied examples per intent, none copied from the evaluation sets."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from bot.config import REPO_ROOT
from evaluation import evalsets
from evaluation.common import EVAL_SETS


def normalised(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def training_examples():
    for path in sorted((REPO_ROOT / "data").rglob("*.yml")):
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


def test_no_example_is_copied_from_the_evaluation_sets():
    if not EVAL_SETS.is_dir():
        pytest.skip(f"{EVAL_SETS} is not on this machine")
    lines = {normalised(question.text) for question in evalsets.load()}
    measured_with = {line for line in lines if len(line) > 15}
    copied = [(f, text) for f, _, text in training_examples() if normalised(text) in measured_with]
    assert copied == []
