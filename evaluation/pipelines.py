"""Compare NLU pipelines: `python -m evaluation.pipelines` writes reports/pipelines.md.

For each configuration: 5-fold cross-validation intent macro-F1, NLU training time from
scratch (empty cache), and in-process parse latency (`Agent.parse_message`, median over
200 messages after a warm-up) with the peak memory of that process.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bot.launcher.processes import rasa_command
from evaluation import configs, cv
from evaluation.common import REPO_ROOT, REPORTS_DIR, WORK_DIR, child_env, run_logged
from measure import report

DEFAULT_VARIANTS = ("current", "rasa-default-nlu", "spacy-diet")
MESSAGES = 200
MACRO_F1_TARGET = 0.95


@dataclass(frozen=True)
class PipelineResult:
    name: str
    cv: cv.CrossValidation
    train_seconds: float
    parse: dict[str, float]


def train_nlu_command(config: Path, out: Path, nlu: Path) -> list[str]:
    return rasa_command(
        "train",
        "nlu",
        "--config",
        str(config),
        "--nlu",
        str(nlu),
        "--out",
        str(out),
        "--fixed-model-name",
        "nlu",
    )


def snapshot_data(target: Path) -> str:
    """Copy data/ to ``target`` (so that every variant sees the same data even if data/ is
    edited meanwhile); return a fingerprint of its content."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(REPO_ROOT / "data", target)
    digest = hashlib.sha256()
    for path in sorted(target.rglob("*.yml")):
        digest.update(str(path.relative_to(target)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def parse_latency(model: Path, messages: int = MESSAGES) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-m", "evaluation.parse_latency", str(model), "--messages", str(messages)],
        cwd=REPO_ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def cross_validate_and_train(
    name: str, work: Path, data: Path, data_fingerprint: str, reuse: bool
) -> tuple[cv.CrossValidation, float]:
    """CV figures and NLU training seconds of variant ``name``.

    With ``reuse``, those of an earlier run (work/result.json) of the same configuration on
    the same data/, if there is one.
    """
    config = configs.VARIANTS[name]()
    saved = work / "result.json"
    fingerprint = hashlib.sha256(json.dumps([config, data_fingerprint], sort_keys=True).encode()).hexdigest()
    if reuse and saved.exists():
        earlier = json.loads(saved.read_text())
        if earlier.get("fingerprint") == fingerprint:
            earlier["cv"]["confusions"] = [tuple(c) for c in earlier["cv"]["confusions"]]
            print(f"  {name}: reusing the cross-validation and training of {saved}", flush=True)
            return cv.CrossValidation(**earlier["cv"]), earlier["train_seconds"]
    path = configs.write(config, work / "config.yml")
    print(f"  {name}: cross-validation…", flush=True)
    crossval = cv.cross_validate(path, work / "cv", nlu=data)
    print(f"  {name}: macro-F1 {crossval.macro_f1:.3f}; training from scratch…", flush=True)
    with tempfile.TemporaryDirectory(prefix="rasa-cache-") as cache:
        seconds = run_logged(
            train_nlu_command(path, work / "model", data),
            work / "train.log",
            env={"RASA_CACHE_DIRECTORY": cache},
        )
    saved.write_text(
        json.dumps({"fingerprint": fingerprint, "cv": dataclasses.asdict(crossval), "train_seconds": seconds})
    )
    return crossval, seconds


def measure(name: str, work: Path, data: Path, data_fingerprint: str, reuse: bool = False) -> PipelineResult:
    crossval, seconds = cross_validate_and_train(name, work, data, data_fingerprint, reuse)
    print(f"  {name}: parse latency…", flush=True)
    return PipelineResult(name, crossval, seconds, parse_latency(work / "model" / "nlu.tar.gz"))


def render(
    results: Sequence[PipelineResult], started: datetime, commands: Sequence[str], data_fingerprint: str
) -> str:
    rows = [
        [
            r.name,
            f"{r.cv.macro_f1:.3f}",
            "PASS" if r.cv.macro_f1 >= MACRO_F1_TARGET else "FAIL",
            "–" if r.cv.decline_grouped_f1 is None else f"{r.cv.decline_grouped_f1:.3f}",
            f"{r.cv.accuracy:.3f}",
            f"{r.parse['median_ms']:.1f}",
            f"{r.parse['p95_ms']:.1f}",
            f"{r.train_seconds:.0f}",
            f"{r.cv.seconds:.0f}",
            f"{r.parse['peak_rss_mb']:.0f}",
        ]
        for r in results
    ]
    text = [
        report.header("Choosing the NLU pipeline", commands, started),
        f"{results[0].cv.examples} NLU examples (a copy of data/ taken at the start, content "
        f"fingerprint {data_fingerprint}), 5-fold cross-validation (Rasa undoes fallback "
        f"predictions, so the F1 is the classifier's). Parse latency: in-process "
        f"`Agent.parse_message`, {MESSAGES} messages after a warm-up, one process per model. "
        "Training: `rasa train nlu` with an empty cache. Target macro-F1 "
        f"≥ {MACRO_F1_TARGET}. *Declines as one*: macro-F1 counting the intents that all get "
        f"`{cv.DECLINE_ACTION}` ({', '.join(cv.intents_answered_by(cv.DECLINE_ACTION))}) as one. "
        "Rasa draws the folds at random, so the F1 of the same pipeline varies by about ±0.01 "
        "between runs.",
        "",
        report.table(
            [
                "pipeline",
                "intent macro-F1",
                "F1 target",
                "macro-F1, declines as one",
                "accuracy",
                "parse p50 ms",
                "parse p95 ms",
                "train s (NLU, no cache)",
                "5-fold CV s",
                "peak RSS MB (parse process)",
            ],
            rows,
        ),
        "",
        report.table(["pipeline", "what it is"], [[r.name, configs.DESCRIPTIONS[r.name]] for r in results]),
        "",
        "Most frequent confusions (true → predicted: count):",
        "",
    ]
    for r in results:
        pairs = ", ".join(f"{a} → {b}: {n}" for a, b, n in r.cv.confusions[:8])
        text.append(f"- {r.name}: {pairs}")
    return "\n".join(text)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--variants",
        default=",".join(DEFAULT_VARIANTS),
        help=f"comma-separated, of: {', '.join(configs.VARIANTS)}",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the CV and training figures of an unchanged variant (parse latency is "
        "always measured again, so that all rows are measured together)",
    )
    parser.add_argument("--out", type=Path, default=REPORTS_DIR / "pipelines.md")
    arguments = parser.parse_args(argv)
    started = datetime.now(timezone.utc)
    names = [name.strip() for name in arguments.variants.split(",") if name.strip()]
    data = WORK_DIR / "pipelines" / "data"
    fingerprint = snapshot_data(data)
    results = []
    for name in names:
        results.append(measure(name, WORK_DIR / "pipelines" / name, data, fingerprint, arguments.reuse))
    commands = [f"python -m evaluation.pipelines --variants {','.join(names)}"]
    report.write(arguments.out, render(results, started, commands, fingerprint))
    for r in results:
        print(
            f"{r.name:18} macro-F1 {r.cv.macro_f1:.3f}  parse p50 {r.parse['median_ms']:.1f} ms"
            f"  train {r.train_seconds:.0f} s"
        )
    print(f"Report: {arguments.out.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
