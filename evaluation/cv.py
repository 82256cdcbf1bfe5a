"""Intent quality by k-fold cross-validation of the NLU data (`rasa test nlu --cross-validation`)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import List, Mapping, Optional, Tuple

from evaluation.common import REPO_ROOT, rasa_cli, run_logged

FOLDS = 5


@dataclass(frozen=True)
class CrossValidation:
    """Intent figures of one cross-validation run (fallback predictions undone, as Rasa does)."""

    macro_f1: float
    accuracy: float
    examples: int
    # (true intent, predicted intent, how often), most frequent first.
    confusions: List[Tuple[str, str, int]]
    seconds: float = 0.0


def cv_command(config: Path, out: Path, folds: int = FOLDS, nlu: Path = REPO_ROOT / "data") -> List[str]:
    return rasa_cli(
        "test", "nlu", "--cross-validation", "--folds", str(folds),
        "--config", str(config), "--nlu", str(nlu), "--out", str(out),
    )


def parse_intent_report(report: Mapping) -> CrossValidation:
    """Read Rasa's ``intent_report.json``: macro-F1, accuracy and the confusion pairs."""
    confusions = [
        (intent, other, count)
        for intent, scores in report.items()
        if isinstance(scores, dict)
        for other, count in scores.get("confused_with", {}).items()
    ]
    confusions.sort(key=lambda pair: (-pair[2], pair[0], pair[1]))
    return CrossValidation(
        macro_f1=float(report["macro avg"]["f1-score"]),
        accuracy=float(report["accuracy"]),
        examples=int(report["macro avg"]["support"]),
        confusions=confusions,
    )


def cross_validate(
    config: Path, out: Path, folds: int = FOLDS, nlu: Path = REPO_ROOT / "data",
    env: Optional[Mapping[str, str]] = None,
) -> CrossValidation:
    """Run the cross-validation of ``config`` on the NLU data ``nlu``, with its results in ``out``."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    seconds = run_logged(cv_command(config, out, folds, nlu), out / "rasa-test-nlu.log", env=env)
    with open(out / "intent_report.json", encoding="utf-8") as handle:
        result = parse_intent_report(json.load(handle))
    return CrossValidation(**{**result.__dict__, "seconds": seconds})
