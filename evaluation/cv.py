"""Intent quality by k-fold cross-validation of the NLU data (`rasa test nlu --cross-validation`)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.launcher.processes import rasa_command
from evaluation.common import REPO_ROOT, run_logged

FOLDS = 5
DECLINE_ACTION = "action_decline"
AVERAGES = ("macro avg", "weighted avg", "micro avg")


@dataclass(frozen=True)
class IntentScore:
    """One intent's figures in the cross-validation, and what it was most often taken for."""

    intent: str
    precision: float
    recall: float
    f1: float
    support: int
    top_confusion: tuple[str, int] | None = None  # (predicted instead, how often)


@dataclass(frozen=True)
class CrossValidation:
    """Intent figures of one cross-validation run (fallback predictions undone, as Rasa does)."""

    macro_f1: float
    accuracy: float
    examples: int
    # (true intent, predicted intent, how often), most frequent first.
    confusions: list[tuple[str, str, int]]
    seconds: float = 0.0
    # Macro-F1 counting the intents that all get action_decline as one (see decline_grouped_f1).
    decline_grouped_f1: float | None = None
    # Every intent, lowest F1 first.
    per_intent: list[IntentScore] = field(default_factory=list)


def cv_command(config: Path, out: Path, folds: int = FOLDS, nlu: Path = REPO_ROOT / "data") -> list[str]:
    return rasa_command(
        "test",
        "nlu",
        "--cross-validation",
        "--folds",
        str(folds),
        "--config",
        str(config),
        "--nlu",
        str(nlu),
        "--out",
        str(out),
        speedups=True,
    )


def parse_intent_report(report: Mapping) -> CrossValidation:
    """Read Rasa's ``intent_report.json``: macro-F1, accuracy, the confusion pairs and each intent."""
    confusions = [
        (intent, other, count)
        for intent, scores in report.items()
        if isinstance(scores, dict)
        for other, count in scores.get("confused_with", {}).items()
    ]
    confusions.sort(key=lambda pair: (-pair[2], pair[0], pair[1]))
    per_intent = [
        IntentScore(
            intent,
            float(scores["precision"]),
            float(scores["recall"]),
            float(scores["f1-score"]),
            int(scores["support"]),
            min(scores.get("confused_with", {}).items(), key=lambda pair: (-pair[1], pair[0]), default=None),
        )
        for intent, scores in report.items()
        if isinstance(scores, dict) and intent not in AVERAGES
    ]
    return CrossValidation(
        macro_f1=float(report["macro avg"]["f1-score"]),
        accuracy=float(report["accuracy"]),
        examples=int(report["macro avg"]["support"]),
        confusions=confusions,
        per_intent=sorted(per_intent, key=lambda score: (score.f1, score.intent)),
    )


def cross_validate(
    config: Path,
    out: Path,
    folds: int = FOLDS,
    nlu: Path = REPO_ROOT / "data",
    env: Mapping[str, str] | None = None,
) -> CrossValidation:
    """Run the cross-validation of ``config`` on the NLU data ``nlu``, with its results in ``out``."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    seconds = run_logged(cv_command(config, out, folds, nlu), out / "rasa-test-nlu.log", env=env)
    with open(out / "intent_report.json", encoding="utf-8") as handle:
        report = json.load(handle)
    return dataclasses.replace(
        parse_intent_report(report), seconds=seconds, decline_grouped_f1=decline_grouped_f1(report, out)
    )


def decline_grouped_f1(report: Mapping, out: Path) -> float:
    """Macro-F1 of Rasa's ``report`` (with the errors in ``out``), counting the intents that all
    get action_decline as one."""
    errors_path = out / "intent_errors.json"
    errors = json.loads(errors_path.read_text(encoding="utf-8")) if errors_path.exists() else []
    declines = {intent: DECLINE_ACTION for intent in intents_answered_by(DECLINE_ACTION)}
    return grouped_macro_f1(report, errors, declines)


def intents_answered_by(action: str, rules: Path = REPO_ROOT / "data" / "rules.yml") -> list[str]:
    """The intents that a two-step rule (intent, then ``action``) sends straight to ``action``."""
    with open(rules, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    return sorted(
        rule["steps"][0]["intent"]
        for rule in document.get("rules", [])
        if len(rule.get("steps", [])) == 2
        and "condition" not in rule
        and "intent" in rule["steps"][0]
        and rule["steps"][1].get("action") == action
    )


def grouped_macro_f1(report: Mapping, errors: Sequence[Mapping], groups: Mapping[str, str]) -> float:
    """Macro-F1 when the intents in ``groups`` count as their group (e.g. two that get the
    same reply), from Rasa's intent report (supports) and intent errors (every mistake)."""
    group = lambda intent: groups.get(intent, intent)  # noqa: E731
    mistakes: dict[str, int] = {}
    tp: dict[str, int] = {}
    fp: dict[str, int] = {}
    fn: dict[str, int] = {}
    for error in errors:
        mistakes[error["intent"]] = mistakes.get(error["intent"], 0) + 1
        true, predicted = group(error["intent"]), group(error["intent_prediction"]["name"] or "None")
        if true == predicted:
            tp[true] = tp.get(true, 0) + 1
        else:
            fn[true] = fn.get(true, 0) + 1
            fp[predicted] = fp.get(predicted, 0) + 1
    for intent, scores in report.items():
        if isinstance(scores, dict) and "confused_with" in scores:
            correct = int(scores["support"]) - mistakes.get(intent, 0)
            tp[group(intent)] = tp.get(group(intent), 0) + correct
    labels = {label for label in (*tp, *fn) if tp.get(label, 0) + fn.get(label, 0) > 0}
    f1 = [2 * tp.get(x, 0) / (2 * tp.get(x, 0) + fp.get(x, 0) + fn.get(x, 0)) for x in labels]
    return sum(f1) / len(f1)
