"""One model for both languages, or one per language?

Cross-validates the project's intent classifier on the training data, as the pipeline builds it
(word counts and character 2–5-grams within words, one-vs-rest logistic regression, as in
config.yml), in two set-ups measured on the same folds:

* **one model**: trained on the English and the Dutch examples together;
* **one per language**: trained on one language's examples only, and asked only that language's
  questions (which presumes the language is always known before classifying).

It reports each language's accuracy and macro-F1 under both. ``python -m evaluation.language_models``
prints a Markdown table (seconds, no servers). The examples are split by the file they are in
(data/nlu/nl/ holds the Dutch ones).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import hstack
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from evaluation.common import REPO_ROOT

DATA = REPO_ROOT / "data"
DUTCH_DIR = DATA / "nlu" / "nl"
FOLDS = 5


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: str


def examples(data: Path = DATA) -> list[Example]:
    """Every NLU example under ``data``, with its language (Dutch: the files under nlu/nl/)."""
    found = []
    for path in sorted(data.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        language = "nl" if DUTCH_DIR in path.parents else "en"
        for block in document.get("nlu") or ():
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    found.append(Example(text, block["intent"], language))
    return found


class Classifier:
    """The pipeline's features and classifier, in scikit-learn."""

    def __init__(self) -> None:
        self.words = CountVectorizer()
        self.chars = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5))
        self.model = LogisticRegression(solver="liblinear")

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> Classifier:
        features = hstack([self.words.fit_transform(texts), self.chars.fit_transform(texts)])
        self.model.fit(features, intents)
        return self

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.predict(hstack([self.words.transform(texts), self.chars.transform(texts)]))


@dataclass(frozen=True)
class Score:
    setup: str
    language: str
    accuracy: float
    macro_f1: float
    examples: int


def cross_validate(data: Sequence[Example], folds: int = FOLDS, seed: int = 0) -> list[Score]:
    """Both set-ups on the same stratified folds (by intent and language)."""
    strata = [f"{e.intent}/{e.language}" for e in data]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    truth: dict[tuple[str, str], list[str]] = {}
    guess: dict[tuple[str, str], list[str]] = {}
    for train, test in splitter.split(np.zeros(len(data)), strata):
        trained = [data[i] for i in train]
        asked = [data[i] for i in test]
        joint = Classifier().fit([e.text for e in trained], [e.intent for e in trained])
        for language in ("en", "nl"):
            questions = [e for e in asked if e.language == language]
            own = [e for e in trained if e.language == language]
            single = Classifier().fit([e.text for e in own], [e.intent for e in own])
            texts = [e.text for e in questions]
            for setup, model in (("one model", joint), ("one per language", single)):
                truth.setdefault((setup, language), []).extend(e.intent for e in questions)
                guess.setdefault((setup, language), []).extend(model.predict(texts))
    return [
        Score(
            setup,
            language,
            accuracy_score(truth[setup, language], guess[setup, language]),
            f1_score(truth[setup, language], guess[setup, language], average="macro"),
            len(truth[setup, language]),
        )
        for setup, language in truth
    ]


def table(scores: Sequence[Score]) -> str:
    rows = ["| set-up | language | examples | accuracy | macro-F1 |", "|---|---|---|---|---|"]
    rows += [
        f"| {s.setup} | {s.language} | {s.examples} | {s.accuracy:.3f} | {s.macro_f1:.3f} |"
        for s in sorted(scores, key=lambda s: (s.language, s.setup))
    ]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=FOLDS)
    arguments = parser.parse_args(argv)
    print(table(cross_validate(examples(), arguments.folds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
