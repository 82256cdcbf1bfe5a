"""The in-scope questions and the conversation scenarios: `python -m evaluation.scenarios`.

Asks ../shared/eval/in_scope_questions.tsv (each question in a fresh conversation) and plays
../shared/eval/conversations.yml and conversations_context.yml (one fresh conversation per
scenario) and ../shared/eval/nl_questions.tsv through the whole
assistant, checks every reply against its expectations (evaluation.expectations; the handoff
form is answered by evaluation.form_driver) and prints the misses with the question and the
reply, to the terminal only. By default it starts its own servers with models/almere.tar.gz;
``--url`` uses a Rasa server that is already running. Exit status 0 when nothing was missed.

`make eval` (evaluation.quality) runs the same and reports the misses by file:line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bot import services
from evaluation import classify, evalsets, form_driver, servers
from evaluation.common import MODEL, WORK_DIR
from evaluation.expectations import FORM_KINDS, Checker, kind_of
from measure import client

IN_SCOPE_TARGET = 0.97
CONVERSATIONS_TARGET = 1.0
# Conversations that lean on what was said before: follow-ups, corrections, stories, two requests.
CONTEXT_TARGET = 0.96
# Dutch questions answered as expected and in the language asked for.
DUTCH_TARGET = 0.95
CONCURRENCY = 8
SETS: dict[str, Callable[[], list[evalsets.Scenario]]] = {
    "in_scope": evalsets.load_in_scope,
    "conversations": evalsets.load_conversations,
    "context": evalsets.load_context_conversations,
    "thread": evalsets.load_thread_conversations,
    "nl": evalsets.load_nl_questions,
}


@dataclass(frozen=True)
class TurnResult:
    turn: evalsets.Turn
    reply: str  # every message of the assistant for this turn, joined (for the form: all of it)
    misses: tuple[tuple[str, str], ...]  # (expectation, why it was missed)


@dataclass(frozen=True)
class ScenarioResult:
    scenario: evalsets.Scenario
    turns: tuple[TurnResult, ...]
    error: str | None = None  # the assistant could not be reached

    @property
    def passed(self) -> bool:
        return self.error is None and all(not t.misses for t in self.turns)


@dataclass(frozen=True)
class Miss:
    """One expectation missed (or a turn the assistant did not answer), for a list of misses."""

    scenario: evalsets.Scenario
    turn: evalsets.Turn
    expectation: str
    why: str
    reply: str

    @property
    def ref(self) -> str:
        return f"{self.scenario.source}:{self.turn.line}"


async def play(
    scenario: evalsets.Scenario, say: client.Say, checker: Checker, desk_phone: str
) -> ScenarioResult:
    """Say each turn in one conversation and check its reply; play the handoff form when asked."""

    async def say_messages(message: str) -> tuple[form_driver.Message, ...]:
        exchange = await say(message)
        if exchange.error is not None:
            raise ConnectionError(exchange.error)
        return form_driver.messages_of(exchange.replies)

    turns: list[TurnResult] = []
    messages: tuple[form_driver.Message, ...] = ()
    for turn in scenario.turns:
        try:
            # An empty turn plays the form from the reply before it.
            messages = await say_messages(turn.user) if turn.user else messages
        except ConnectionError as error:
            return ScenarioResult(scenario, tuple(turns), f"line {turn.line}: {error}")
        reply = form_driver.joined(messages) if turn.user else ""
        misses = [
            (expectation, why)
            for expectation in turn.expect
            if kind_of(expectation) not in FORM_KINDS
            for why in [checker.miss(expectation, reply)]
            if why
        ]
        for expectation in (e for e in turn.expect if kind_of(e) in FORM_KINDS):
            refuse = expectation == "refuse_consent"
            played = await form_driver.play(say_messages, messages, refuse, desk_phone)
            reply = "\n".join(filter(None, [reply, *(f"[{sent}] {got}" for sent, got in played.exchanges)]))
            if not played.passed:
                misses.append((expectation, played.reason or "failed"))
        turns.append(TurnResult(turn, reply, tuple(misses)))
    return ScenarioResult(scenario, tuple(turns))


def run(
    rest_url: str, scenarios: Sequence[evalsets.Scenario], concurrency: int = CONCURRENCY
) -> list[ScenarioResult]:
    """Play every scenario in its own conversation of a running assistant."""
    knowledge = services.knowledge()
    checker = Checker(classify.ReplyClassifier.from_project(knowledge))
    scripts = [
        lambda say, scenario=scenario: play(scenario, say, checker, knowledge.contact.phone)
        for scenario in scenarios
    ]
    return client.converse(rest_url, scripts, concurrency, prefix="scenario")


def misses(results: Sequence[ScenarioResult]) -> list[Miss]:
    found = []
    for result in results:
        for turn in result.turns:
            found += [Miss(result.scenario, turn.turn, e, why, turn.reply) for e, why in turn.misses]
        if result.error is not None:
            unanswered = result.scenario.turns[len(result.turns)]
            found.append(Miss(result.scenario, unanswered, "a reply", result.error, ""))
    return found


def passed_share(results: Sequence[ScenarioResult], source: str) -> tuple[int, int]:
    """(passed, asked) of the scenarios of one file."""
    group = [r for r in results if r.scenario.source == source]
    return sum(r.passed for r in group), len(group)


def redacted(text: str, scenario: evalsets.Scenario, limit: int = 220) -> str:
    """``text``, shortened, with the scenario's own lines replaced should it quote them."""
    for turn in scenario.turns:
        if len(turn.user) > 15:
            text = text.replace(turn.user, "«the question»")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def miss_rows(results: Sequence[ScenarioResult]) -> list[list[str]]:
    """Every miss for a report: where (file:line), scenario, expectation, why, the reply shortened.

    The person's lines are only referred to by file:line (the reply may quote one: replaced).
    """
    return [
        [
            miss.ref,
            "–" if miss.scenario.source == evalsets.IN_SCOPE else miss.scenario.name,
            miss.expectation,
            redacted(miss.why, miss.scenario),
            redacted(miss.reply, miss.scenario, 160),
        ]
        for miss in misses(results)
    ]


def save(results: Sequence[ScenarioResult], path: Path) -> None:
    """Every scenario with its full texts (for var/eval/, which is not committed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{**asdict(r), "passed": r.passed} for r in results]
    path.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")


def summary(results: Sequence[ScenarioResult]) -> list[str]:
    lines = []
    for source, noun, target in (
        (evalsets.IN_SCOPE, "answered as expected", IN_SCOPE_TARGET),
        (evalsets.CONVERSATIONS, "passed", CONVERSATIONS_TARGET),
        (evalsets.CONTEXT_CONVERSATIONS, "passed", CONTEXT_TARGET),
        (evalsets.NL_QUESTIONS, "answered as expected and in the expected language", DUTCH_TARGET),
    ):
        passed, asked = passed_share(results, source)
        if asked:
            lines.append(f"{source}: {passed}/{asked} {noun} ({passed / asked:.1%}; target ≥ {target:.0%})")
    return lines


def terminal_text(results: Sequence[ScenarioResult], seconds: float) -> str:
    """The misses with the question and reply texts (for the terminal only, never a report)."""
    lines = []
    for miss in misses(results):
        name = "" if miss.scenario.source == evalsets.IN_SCOPE else f" [{miss.scenario.name}]"
        lines += [
            f"✗ {miss.ref}{name}  {miss.expectation}: {miss.why}",
            f"    Q: {miss.turn.user or '(the form)'}",
            *(f"    A: {line}" for line in (miss.reply or "(nothing)").splitlines()),
        ]
    return "\n".join([*lines, "", *summary(results), f"{len(results)} scenarios in {seconds:.1f} s"])


def rest_url(url: str) -> str:
    """The REST channel's URL of a Rasa server given as http://host:port (or the full URL)."""
    url = url.rstrip("/")
    return url if url.endswith(servers.REST_PATH) else url + servers.REST_PATH


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    parser.add_argument(
        "--url", help="a running Rasa server, e.g. http://127.0.0.1:5005 (default: start one)"
    )
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--work", type=Path, default=WORK_DIR / "scenarios")
    arguments = parser.parse_args(argv)
    names = [name.strip() for name in arguments.sets.split(",") if name.strip()]
    if not names or set(names) - set(SETS):
        parser.error(f"--sets: choose from {', '.join(SETS)}")
    scenarios = [scenario for name in names for scenario in SETS[name]()]
    if arguments.url:
        clock = time.perf_counter()
        results = run(rest_url(arguments.url), scenarios, arguments.concurrency)
    else:
        if not MODEL.exists():
            parser.error(f"no trained model at {MODEL}: run `make train` first")
        shutil.rmtree(arguments.work, ignore_errors=True)
        print(f"==> Starting the assistant ({MODEL.name})…", flush=True)
        with servers.assistant(arguments.work, MODEL) as running:
            clock = time.perf_counter()
            results = run(running.rest_url, scenarios, arguments.concurrency)
    seconds = time.perf_counter() - clock
    save(results, arguments.work / "results.json")
    print(terminal_text(results, seconds))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
