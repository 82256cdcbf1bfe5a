"""Speed and memory: `python -m evaluation.bench` (make bench) writes reports/bench.md.

Measured over HTTP (REST channel, loopback) against real servers and two baselines measured
in the same run, with the runs interleaved so that background load hits all alike:
  (a) a trivial Sanic app with a fixed reply (evaluation.baselines.trivial_app): the floor;
  (b) the assistant's data trained with Rasa's default config (DIET, TED, ...), served by
      stock `rasa run` with Rasa's own SQL tracker store and REST channel and the same action
      server: what a Rasa user gets without tuning. It is also served with bot.rasa.speedups
      and the project's channels and tracker store, to show how much of the difference is the
      configuration.
Each run starts the servers afresh: time to the first answer, a warm-up, conversations of
fact questions at 1, 8 and 32 at a time, then the servers' peak memory. Then, once, the cost of
a turn by its number in a conversation of 200 (evaluation.turn_curve), for the current model
and baseline (b), drawn into reports/bench-turns.svg. Training time is
measured with an empty cache (RASA_CACHE_DIRECTORY) and again with nothing changed.
Candidate changes can be measured alongside: `--experiment` (evaluation.experiments)
and `--variant` (evaluation.configs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bot import services
from bot.launcher.processes import rasa_command
from evaluation import classify, configs, servers, turn_curve
from evaluation.classify import Outcome
from evaluation.common import (
    CONFIG,
    MODEL,
    REPORTS_DIR,
    WORK_DIR,
    run_logged,
    shown,
)
from evaluation.experiments import PATCHES
from evaluation.questions import FACT_QUESTIONS
from measure import chart, client, report
from measure.stats import Spread, percentile

LEVELS = (1, 8, 32)
MESSAGES = {1: 100, 8: 240, 32: 480}
QUICK_MESSAGES = {1: 6, 8: 16, 32: 32}
RUNS = 3
QUICK_CURVE_TURNS = 20
WARM_UP = 24
CONVERSATION_LENGTH = 10
FIRST_ANSWER_TIMEOUT = 120.0

# Targets: ratios against baseline (b) measured in the same run, as these machines are
# noisy, and the peak memory of every run.
TURN_GROWTH = 1.2  # p50 at turn 200 / p50 at turn 1 of one conversation
P50_RATIO = 0.25  # p50 at one conversation / baseline (b)'s
THROUGHPUT_RATIO = 4.0  # messages/s at 32 conversations / baseline (b)'s
FIRST_ANSWER_RATIO = 0.3  # first answer after start / baseline (b)'s
RASA_RSS_MB = 600.0  # the Rasa server's peak, in every run
TRAIN_SCRATCH_S = 60.0
TRAIN_CACHED_TIMEOUT_S = 3 * 3600.0

CURRENT, TRIVIAL, DEFAULT = "current", "(a) trivial Sanic", "(b) Rasa default config"
DEFAULT_SPED_UP = "(b) Rasa default config, with bot.rasa.speedups"
RASA_SERVER, ACTION_SERVER, TRIVIAL_SERVER = "Rasa server", "action server", "trivial server"

Start = Callable[[Path], "AbstractContextManager[servers.Running]"]


@dataclass
class LevelRun:
    latencies_ms: list[float]
    seconds: float
    errors: int
    unexpected: int  # replies to fact questions that were neither a figure nor a topic answer
    other_cpu: float  # cores busy with other processes of the machine meanwhile

    @property
    def throughput(self) -> float:
        return (len(self.latencies_ms) - self.errors) / self.seconds


@dataclass
class ServerRun:
    first_answer_s: float
    levels: dict[int, LevelRun] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    rss_split_mb: tuple[float, float] = (0.0, 0.0)  # Rasa server at the end: anonymous, files


def train_command(config: Path, out: Path, speedups: bool = True) -> list[str]:
    """`rasa train` as `make train` runs it (with bot.rasa.speedups), or stock if not ``speedups``."""
    return rasa_command(
        "train", "--config", str(config), "--out", str(out), "--fixed-model-name", "model", speedups=speedups
    )


def measure_training(config: Path, work: Path) -> tuple[float, float]:
    """Seconds for `rasa train` with an empty cache, then again with nothing changed."""
    shutil.rmtree(work, ignore_errors=True)
    cache = {"RASA_CACHE_DIRECTORY": str(work / "cache")}
    scratch = run_logged(train_command(config, work / "out"), work / "train-scratch.log", env=cache)
    unchanged = run_logged(train_command(config, work / "out"), work / "train-unchanged.log", env=cache)
    return scratch, unchanged


def train_cached(config: Path, work: Path, speedups: bool = True) -> tuple[Path, float, bool]:
    """Train ``config`` into ``work``, keeping the cache between bench runs.

    Returns the model, the seconds taken and whether the cache was empty (a first run). From an
    empty cache, Rasa's default config (DIET, TED) takes more than half an hour on two busy cores:
    it is given up to TRAIN_CACHED_TIMEOUT_S.
    """
    from_scratch = not (work / "cache").exists()
    seconds = run_logged(
        train_command(config, work / "out", speedups),
        work / "train.log",
        env={"RASA_CACHE_DIRECTORY": str(work / "cache")},
        timeout=TRAIN_CACHED_TIMEOUT_S,
    )
    return work / "out" / "model.tar.gz", seconds, from_scratch


def first_answer(running: servers.Running) -> float:
    """Seconds from starting the servers to the first reply to a fact question."""
    deadline = time.perf_counter() + FIRST_ANSWER_TIMEOUT
    while True:
        [exchange] = client.ask_each(running.rest_url, [FACT_QUESTIONS[0]], 1, prefix="first")
        if exchange.error is None and exchange.replies:
            return time.perf_counter() - running.started_at
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no answer from {running.rest_url}: {exchange.error}")
        time.sleep(0.1)


def measure_server(
    start: Start,
    directory: Path,
    messages: dict[int, int],
    classifier: classify.ReplyClassifier | None,
) -> ServerRun:
    """One run: start, first answer, warm-up, each concurrency level, memory; then stop."""
    shutil.rmtree(directory, ignore_errors=True)
    with start(directory) as running:
        run = ServerRun(first_answer(running))
        client.conversations(running.rest_url, 4, WARM_UP, FACT_QUESTIONS, prefix="warmup")
        pids = [s.process.pid for s in running.servers if s.process] + [os.getpid()]
        for level in LEVELS:
            before = servers.cpu_snapshot(pids)
            load = client.conversations(
                running.rest_url, level, messages[level], FACT_QUESTIONS, CONVERSATION_LENGTH
            )
            _ours, others = servers.cpu_between(before, servers.cpu_snapshot(pids))
            answered = [e for e in load.exchanges if e.error is None]
            unexpected = (
                0
                if classifier is None
                else sum(
                    classifier.classify(client.reply_texts(e.replies)).outcome
                    not in (Outcome.FIGURE, Outcome.TOPIC)
                    for e in answered
                )
            )
            run.levels[level] = LevelRun(
                [e.seconds * 1000 for e in load.exchanges], load.seconds, load.errors, unexpected, others
            )
        for server in running.servers:
            run.peak_rss_mb[server.name] = servers.tree_peak_rss_mb(server)
            if server.name == RASA_SERVER and server.process:
                run.rss_split_mb = servers.rss_split_mb(server.process.pid)
    return run


@dataclass
class Results:
    runs: dict[str, list[ServerRun]] = field(default_factory=dict)
    training: tuple[float, float] | None = None
    default_training: tuple[float, bool] | None = None
    curves: dict[str, turn_curve.Curve] = field(default_factory=dict)

    def spread(self, name: str, value: Callable[[ServerRun], float]) -> Spread:
        return Spread.of([value(run) for run in self.runs[name]])

    def latency(self, name: str, level: int, fraction: float) -> Spread:
        return self.spread(name, lambda r: percentile(r.levels[level].latencies_ms, fraction))

    def throughput(self, name: str, level: int) -> Spread:
        return self.spread(name, lambda r: r.levels[level].throughput)

    def errors(self, name: str, level: int) -> int:
        return sum(run.levels[level].errors for run in self.runs[name])

    def baseline_of(self, name: str) -> str | None:
        """Baseline (b) served the same way as ``name`` (with the same experiments), if measured."""
        suffix = name[len(CURRENT) :] if name.startswith(CURRENT + " + ") else ""
        return next((b for b in (DEFAULT + suffix, DEFAULT) if b in self.runs), None)

    def ratio_to_default(self, name: str, base: str | None = None) -> float | None:
        base = base or self.baseline_of(name)
        if base is None or base not in self.runs:
            return None
        return self.throughput(name, 32).median / self.throughput(base, 32).median

    def against_default(self, name: str, value: Callable[[ServerRun], float]) -> float | None:
        """The median of ``value`` for ``name`` over baseline (b)'s, if (b) was measured."""
        base = self.baseline_of(name)
        if base is None:
            return None
        return self.spread(name, value).median / self.spread(base, value).median

    def targets(self, name: str) -> list[report.Target]:
        """The speed and memory targets for the assistant served as ``name``."""
        curve = self.curves.get(name)
        return [
            report.Target(
                "p50 at turn 191–200 ÷ p50 at turn 1–10 of one conversation",
                curve.growth if curve else None,
                TURN_GROWTH,
                False,
                "×",
                2,
            ),
            report.Target(
                "p50 latency, 1 conversation ÷ baseline (b)",
                self.against_default(name, lambda r: percentile(r.levels[1].latencies_ms, 0.5)),
                P50_RATIO,
                False,
                "×",
                2,
            ),
            report.Target(
                "throughput at 32 conversations ÷ baseline (b)",
                self.ratio_to_default(name),
                THROUGHPUT_RATIO,
                True,
                "×",
                2,
            ),
            report.Target(
                "first answer after start ÷ baseline (b)",
                self.against_default(name, lambda r: r.first_answer_s),
                FIRST_ANSWER_RATIO,
                False,
                "×",
                2,
            ),
            report.Target("errors at 32 conversations", self.errors(name, 32), 0, False, "", 0),
            report.Target(
                "Rasa server peak RSS, highest of the runs",
                max(run.peak_rss_mb[RASA_SERVER] for run in self.runs[name]),
                RASA_RSS_MB,
                False,
                " MB",
                0,
            ),
        ]


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3g}×" if b else "n/a"


def render(
    results: Results,
    started: datetime,
    commands: Sequence[str],
    messages: dict[int, int],
    load_average: tuple[str, str],
) -> str:
    names = list(results.runs)
    assistants = [n for n in names if n != TRIVIAL]
    runs = len(results.runs[names[0]])
    summary = results.targets(CURRENT)
    if results.training:
        summary.append(
            report.Target(
                "training from scratch (empty cache)", results.training[0], TRAIN_SCRATCH_S, False, " s", 1
            )
        )
    rows = [
        [
            name,
            level,
            sum(len(r.levels[level].latencies_ms) for r in results.runs[name]),
            results.latency(name, level, 0.50).text(),
            results.latency(name, level, 0.95).text(),
            results.latency(name, level, 0.99).text(),
            results.throughput(name, level).text(),
            results.errors(name, level),
            "–" if name == TRIVIAL else sum(r.levels[level].unexpected for r in results.runs[name]),
            results.spread(name, lambda r, lv=level: r.levels[lv].other_cpu).text(2),
        ]
        for name in names
        for level in LEVELS
    ]
    p50 = {(n, lv): results.latency(n, lv, 0.5).median for n in names for lv in LEVELS}
    rate = {(n, lv): results.throughput(n, lv).median for n in names for lv in LEVELS}
    ratio_rows = [
        [
            name,
            base,
            *(_ratio(p50[name, lv], p50[base, lv]) for lv in LEVELS),
            *(_ratio(rate[name, lv], rate[base, lv]) for lv in LEVELS),
        ]
        for name in assistants
        if not name.startswith(DEFAULT)
        for base in dict.fromkeys((TRIVIAL, results.baseline_of(name), DEFAULT_SPED_UP))
        if base in names
    ]
    memory_rows = [
        [
            name,
            results.spread(name, lambda r: r.first_answer_s).text(),
            *(
                results.spread(name, lambda r, s=s: r.peak_rss_mb[s]).text(0)
                if s in results.runs[name][0].peak_rss_mb
                else "–"
                for s in (RASA_SERVER, ACTION_SERVER, TRIVIAL_SERVER)
            ),
            "–" if name == TRIVIAL else "{:.0f} / {:.0f}".format(*results.runs[name][-1].rss_split_mb),
        ]
        for name in names
    ]
    candidates = [n for n in assistants if n != CURRENT and not n.startswith(DEFAULT)]
    lines = [
        report.header("Speed and memory (make bench)", commands, started),
        "## Summary",
        "",
        report.targets_table(summary),
        "",
        f"Medians over {runs} runs, (min–max) across runs. Load average (1, 5, 15 min) before: "
        f"{load_average[0]}; after: {load_average[1]}. *current* is models/almere.tar.gz "
        "(config.yml) served as `make run` serves it (with bot.rasa.speedups); baseline (b) is "
        "served by stock `rasa run`.",
        *speedup_share(results),
        "",
        "## Latency and throughput over HTTP",
        "",
        "Each conversation sends a fact question, waits for the answer and sends the next (a new "
        f"conversation every {CONVERSATION_LENGTH} messages), cycling through the {len(FACT_QUESTIONS)} "
        "questions of evaluation/questions.py, answered by the custom action from the knowledge file "
        "(NLU, policies, action server, SQLite tracker store). Messages per run: "
        f"{', '.join(f'{n} at {c} conversations' for c, n in messages.items())}, after a warm-up of "
        f"{WARM_UP}. Latency: the client's time per request (aiohttp on the same machine). "
        "*Unexpected*: replies that were neither a figure nor a topic answer. *Other CPU*: cores "
        "used meanwhile by processes other than the servers and the client (noise).",
        "",
        report.table(
            [
                "server",
                "concurrent",
                "messages",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "messages/s",
                "errors",
                "unexpected",
                "other CPU (cores)",
            ],
            rows,
        ),
        "",
        "Ratios of medians (latency: higher is slower; throughput: higher is better):",
        "",
        report.table(
            [
                "server",
                "against",
                *(f"p50 latency at {lv}" for lv in LEVELS),
                *(f"throughput at {lv}" for lv in LEVELS),
            ],
            ratio_rows,
        ),
        "",
        *curve_section(results),
        "## Start and memory",
        "",
        "First answer: seconds from starting the servers (together) to the first reply to a fact "
        "question. Peak RSS: VmHWM of each server process (and any children), MB; the last column "
        "splits the Rasa server's resident memory at the end into anonymous memory and mapped "
        "files (mostly shared libraries such as TensorFlow's).",
        "",
        report.table(
            [
                "server",
                "first answer s",
                "Rasa server peak MB",
                "action server peak MB",
                "trivial server peak MB",
                "Rasa anon / file MB",
            ],
            memory_rows,
        ),
        "",
    ]
    if candidates:
        table_rows = [
            [row[0].name, *(t.value_text() + ("" if t.passed else " ✗") for t in row)]
            for row in zip(*(results.targets(n) for n in (CURRENT, *candidates)), strict=True)
        ]
        lines += [
            "## Candidate changes (measured, not applied)",
            "",
            "The same targets for the current model served with a change (✗: target missed). "
            "Experiments are patches applied at server start by evaluation/experiments.py (the "
            "throughput ratio is then against baseline (b) served with the same patches); variants "
            "are configurations from evaluation/configs.py.",
            "",
            report.table(["figure", CURRENT, *candidates], table_rows),
            "",
        ]
    if results.training or results.default_training:
        lines += ["## Training", ""]
        if results.training:
            lines.append(
                f"- config.yml, empty cache: **{results.training[0]:.1f} s**; again with "
                f"nothing changed (same cache): **{results.training[1]:.1f} s**. "
                "(The spaCy pipeline under models/spacy is built beforehand by "
                "`almere build-spacy` and not included.)"
            )
        if results.default_training:
            seconds, scratch = results.default_training
            lines.append(
                f"- baseline (b), Rasa's default config: {seconds:.1f} s "
                + (
                    "(empty cache)."
                    if scratch
                    else "(with the cache of an earlier bench run: only what changed since is trained again)."
                )
            )
        lines.append("")
    return "\n".join(lines)


CURVE_CHART = "bench-turns.svg"


def curve_section(results: Results) -> list[str]:
    """The cost of a turn by its number: the chart's link and its numbers."""
    if not results.curves:
        return []
    names = list(results.curves)
    turns = [last for last, _ in results.curves[names[0]].points]
    rows = [
        [f"{last - turn_curve.BUCKET + 1}–{last}", *(f"{results.curves[n].p50_at(last):.1f}" for n in names)]
        for last in turns
    ]
    return [
        "## The cost of a turn by its number in the conversation",
        "",
        f"{turn_curve.CONVERSATIONS} conversations of {turn_curve.TURNS} fact questions each, one message "
        f"at a time; each point is the p50 of {turn_curve.BUCKET} turns of all of them "
        "(evaluation/turn_curve.py). Errors: "
        + ", ".join(f"{n} {results.curves[n].errors}" for n in names)
        + ".",
        "",
        f"![p50 latency by turn number]({CURVE_CHART})",
        "",
        report.table(["turns", *(f"{n} p50 ms" for n in names)], rows),
        "",
    ]


def curve_chart(results: Results) -> str:
    return chart.line_chart(
        "p50 latency of a turn by its number in the conversation",
        {name: [(float(last), p50) for last, p50 in curve.points] for name, curve in results.curves.items()},
        "turn number (last of each bucket of 10)",
        "p50 latency (ms)",
    )


def speedup_share(results: Results) -> list[str]:
    """A sentence on how much of the throughput ratio the speed-ups explain, if measured."""
    ratio = results.ratio_to_default(CURRENT, DEFAULT_SPED_UP)
    if ratio is None:
        return []
    return [
        f"Against baseline (b) served with the same speed-ups the throughput at 32 "
        f"conversations is {ratio:.2f}×: that part comes from the configuration alone."
    ]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--quick", action="store_true", help="a few messages per level (smoke test)")
    parser.add_argument("--skip-training", action="store_true", help="do not measure training time")
    parser.add_argument("--skip-default", action="store_true", help="no baseline (b) (saves its training)")
    parser.add_argument(
        "--experiment",
        action="append",
        default=[],
        metavar="NAMES",
        help=f"also serve the model with patches (comma-separated: {', '.join(PATCHES)})",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        choices=sorted(configs.VARIANTS),
        help="also measure this variant of config.yml (trained under var/eval/bench/)",
    )
    parser.add_argument("--out", type=Path, default=REPORTS_DIR / "bench.md")
    parser.add_argument("--work", type=Path, default=WORK_DIR / "bench")
    arguments = parser.parse_args(argv)
    if not MODEL.exists():
        parser.error(f"no trained model at {MODEL}: run `make train` first")
    started = datetime.now(timezone.utc)
    before = load_average()
    work: Path = arguments.work
    messages = QUICK_MESSAGES if arguments.quick else MESSAGES
    commands = [" ".join(["python -m evaluation.bench", *(sys.argv[1:] if argv is None else argv)])]
    results = Results()

    if not arguments.skip_training:
        print("==> Training time (empty cache, then unchanged)…", flush=True)
        commands.append(
            "  times, twice with RASA_CACHE_DIRECTORY=<new temp dir>: "
            + shown(train_command(CONFIG, Path("<temp dir>")))
        )
        results.training = measure_training(CONFIG, work / "training")

    contenders: dict[str, Start] = {
        TRIVIAL: servers.trivial,
        CURRENT: lambda directory: servers.assistant(directory, MODEL),
    }
    if not arguments.skip_default:
        print("==> Training baseline (b) with Rasa's default config…", flush=True)
        default_config = configs.rasa_default_config_path()
        default_model, seconds, scratch = train_cached(default_config, work / "rasa-default", speedups=False)
        results.default_training = (seconds, scratch)
        command = train_command(default_config, work / "rasa-default" / "out", speedups=False)
        commands.append("  baseline (b): " + shown(command))
        contenders[DEFAULT] = lambda directory: servers.assistant(directory, default_model, speedups=False)
        contenders[DEFAULT_SPED_UP] = lambda directory: servers.assistant(directory, default_model)
    for names in arguments.experiment:
        patches = [name.strip() for name in names.split(",") if name.strip()]
        unknown = set(patches) - set(PATCHES)
        if unknown:
            parser.error(f"unknown experiment(s): {', '.join(sorted(unknown))}")
        suffix = f" + {'+'.join(patches)}"
        contenders[CURRENT + suffix] = lambda directory, p=tuple(patches): servers.assistant(
            directory, MODEL, experiments=p
        )
        if DEFAULT in contenders:
            contenders[DEFAULT + suffix] = lambda directory, p=tuple(patches): servers.assistant(
                directory, default_model, experiments=p, speedups=False
            )
    for variant in arguments.variant:
        print(f"==> Training variant {variant}…", flush=True)
        config = configs.write(configs.VARIANTS[variant](), work / f"variant-{variant}" / "config.yml")
        model, _seconds, _scratch = train_cached(config, work / f"variant-{variant}")
        contenders[f"variant {variant}"] = lambda directory, m=model: servers.assistant(directory, m)

    classifier = classify.ReplyClassifier.from_project(services.knowledge())
    for run in range(arguments.runs):
        for index, (name, start) in enumerate(contenders.items()):
            print(f"==> Run {run + 1}/{arguments.runs}: {name}…", flush=True)
            results.runs.setdefault(name, []).append(
                measure_server(
                    start,
                    work / "runs" / f"{index}-{run}",
                    messages,
                    None if name == TRIVIAL else classifier,
                )
            )

    for index, name in enumerate(n for n in (CURRENT, DEFAULT) if n in contenders):
        print(f"==> Cost of a turn by its number: {name}…", flush=True)
        with contenders[name](work / "curves" / str(index)) as running:
            turns = QUICK_CURVE_TURNS if arguments.quick else turn_curve.TURNS
            results.curves[name] = turn_curve.measure(running.rest_url, turns=turns)

    text = render(results, started, commands, messages, (before, load_average()))
    report.write(arguments.out, text)
    if results.curves:
        report.write(arguments.out.with_name(CURVE_CHART), curve_chart(results))
    print(text.split("## Summary", 1)[1].split("## Latency", 1)[0].strip())
    print(f"Report: {arguments.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
