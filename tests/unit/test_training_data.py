"""The training data: enough varied examples per intent, none copied from the evaluation sets."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.config import REPO_ROOT

EVAL_DIR = REPO_ROOT.parent / "shared" / "eval"


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


def evaluation_lines():
    lines = {normalised(line) for line in (EVAL_DIR / "clinc_oos_test.txt").read_text().splitlines()}
    for name, column in (("clinc_near_domain_test.tsv", "text"), ("nq_near_domain_probes.tsv", "question")):
        with open(EVAL_DIR / name, encoding="utf-8") as handle:
            lines |= {normalised(row[column]) for row in csv.DictReader(handle, delimiter="\t")}
    return {line for line in lines if len(line) > 15}


def test_no_example_is_copied_from_the_evaluation_sets():
    if not Path(EVAL_DIR).is_dir():
        pytest.skip(f"{EVAL_DIR} is not on this machine")
    measured_with = evaluation_lines()
    copied = [(f, text) for f, _, text in training_examples() if normalised(text) in measured_with]
    assert copied == []
