"""Rasa configurations to compare: the project's, Rasa's default, and variants of either.

Variants are built at run time from config.yml and from Rasa's own default config (the
one `rasa init` and a config without a pipeline use), written to temporary files; the
project's config.yml is never changed here.
"""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from evaluation.common import CONFIG

Config = dict[str, Any]


def rasa_default_config_path() -> Path:
    """Rasa's default config (rasa/engine/recipes/config_files/default_config.yml)."""
    spec = importlib.util.find_spec("rasa")
    assert spec is not None and spec.origin is not None, "Rasa is not installed"
    return Path(spec.origin).parent / "engine" / "recipes" / "config_files" / "default_config.yml"


def load(path: Path) -> Config:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def current() -> Config:
    return load(CONFIG)


def rasa_default() -> Config:
    """Rasa's default: DIET, ResponseSelector, TED and UnexpecTED (baseline (b))."""
    return load(rasa_default_config_path())


def rasa_default_nlu() -> Config:
    """Rasa's default NLU pipeline (DIET) with the project's policies."""
    return {**current(), "pipeline": rasa_default()["pipeline"]}


def _replace(pipeline: list[dict[str, Any]], name: str, *replacements: dict[str, Any]) -> list[dict]:
    result: list[dict[str, Any]] = []
    for component in pipeline:
        result.extend(copy.deepcopy(list(replacements)) if component["name"] == name else [component])
    return result


def spacy_diet() -> Config:
    """The project's pipeline (own spaCy, entities) with DIET instead of logistic regression."""
    config = current()
    diet = next(c for c in rasa_default()["pipeline"] if c["name"] == "DIETClassifier")
    config["pipeline"] = _replace(
        config["pipeline"], "LogisticRegressionClassifier", {**diet, "entity_recognition": False}
    )
    return config


def without_char_ngrams() -> Config:
    """The project's pipeline without the character n-gram CountVectorsFeaturizer."""
    config = current()
    config["pipeline"] = [c for c in config["pipeline"] if c.get("analyzer") != "char_wb"]
    return config


def word_bigrams() -> Config:
    """The project's pipeline with word bigrams as well as single words in the word counts."""
    config = current()
    config["pipeline"] = [
        {**c, "min_ngram": 1, "max_ngram": 2}
        if c["name"] == "CountVectorsFeaturizer" and c.get("analyzer", "word") == "word"
        else c
        for c in config["pipeline"]
    ]
    return config


VARIANTS: dict[str, Callable[[], Config]] = {
    "current": current,
    "rasa-default-nlu": rasa_default_nlu,
    "spacy-diet": spacy_diet,
    "no-char-ngrams": without_char_ngrams,
    "word-bigrams": word_bigrams,
}

DESCRIPTIONS: dict[str, str] = {
    "current": "config.yml: own spaCy + word & char(2-5) counts + LogisticRegression",
    "rasa-default-nlu": "Rasa's default NLU pipeline: whitespace, regex, lexical, counts, DIET (100 epochs)",
    "spacy-diet": "own spaCy + word & char counts + DIET (100 epochs, intents only)",
    "no-char-ngrams": "config.yml without the char(2-5) n-gram featurizer",
    "word-bigrams": "config.yml with word uni- and bigram counts",
}


def write(config: Config, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path
