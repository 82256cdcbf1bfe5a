"""Overload: a Rasa server sent twice the turns it can serve (issue 16).

1. **Sustainable**: as many conversations as the server takes turns at a time send fact questions
   one after another (the next once the last is answered) for ``SECONDS``: the server is kept
   busy and never refuses, and its throughput is the rate it sustains.
2. **Twice that**: fact questions arrive at twice that rate for ``SECONDS``, each on time whether or
   not earlier ones were answered (an open loop, as people arrive), each from a new person.

The two phases alternate for ``ROUNDS`` rounds of ``SECONDS`` each, and each burst offers twice
what the server sustained in the round's own first phase: a slow spell of these shared machines
falls on both phases alike instead of on one of them. The served turns' p95 under twice the load
is compared with that at the sustainable rate round by round; the median of the rounds' ratios is
the figure, so one round disturbed by something else on the machine does not decide it.

A turn the server cannot take (more than ``ALMERE_MAX_CONCURRENT_TURNS`` at once, bot/rasa/turn.py)
is refused at once: HTTP 503 and "very busy, please try again". The served turns should keep about
the latency they had at the sustainable rate, the refused ones be told quickly, and none be lost:
every request gets an answer, the served turns are in the conversation memory, the refused ones
are not (Rasa never saw them).

    .venv/bin/python -m operations.overload [--report reports/overload.md]

starts an action server and one Rasa server (SQLite conversation memory) on free ports;
``tests/operations_tests/test_overload.py`` runs the same and checks the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from bot import processes
from bot.config import Settings
from bot.rasa.turn import busy_reply, trouble_reply
from evaluation.questions import FACT_QUESTIONS
from measure import client, machine
from measure.report import ms, table, utc_minute, write
from measure.stats import percentile

ROUNDS = 5
SECONDS = 4.0  # each phase of a round
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class Phase:
    """What came back in one phase of the run."""

    name: str
    exchanges: list[client.Exchange]
    seconds: float

    def _outcome(self, exchange: client.Exchange) -> str:
        text = exchange.text
        if exchange.status == 503 and text == busy_reply():
            return "refused"
        if exchange.status == 200 and text and text != trouble_reply():
            return "served"
        return "failed"

    def of(self, outcome: str) -> list[client.Exchange]:
        return [e for e in self.exchanges if self._outcome(e) == outcome]

    @property
    def throughput(self) -> float:
        """Served turns per second."""
        return len(self.of("served")) / self.seconds

    def p95(self, outcome: str) -> float:
        seconds = [e.seconds for e in self.of(outcome)]
        return percentile(seconds, 0.95) if seconds else float("nan")

    def p50(self, outcome: str) -> float:
        seconds = [e.seconds for e in self.of(outcome)]
        return percentile(seconds, 0.5) if seconds else float("nan")


def pooled(name: str, phases: Sequence[Phase]) -> Phase:
    """The phases of every round as one."""
    return Phase(name, [e for phase in phases for e in phase.exchanges], sum(p.seconds for p in phases))


async def closed_loop(url: str, conversations: int, seconds: float) -> Phase:
    """``conversations`` people asking one question after another for ``seconds``."""
    exchanges: list[client.Exchange] = []
    started = time.perf_counter()
    async with client.open_session(conversations, timeout=REQUEST_TIMEOUT) as session:

        async def person(number: int) -> None:
            sender = client.new_sender(f"overload-steady-{number}")
            turn = 0
            while time.perf_counter() - started < seconds:
                question = FACT_QUESTIONS[(number + turn) % len(FACT_QUESTIONS)]
                exchanges.append(await client.send(session, url, sender, question))
                turn += 1

        await asyncio.gather(*(person(n) for n in range(conversations)))
    return Phase("sustainable", exchanges, time.perf_counter() - started)


async def open_loop(url: str, rate: float, seconds: float) -> Phase:
    """A question every ``1 / rate`` seconds for ``seconds``, each from a new person, on time."""
    count = max(1, round(rate * seconds))
    started = time.perf_counter()
    async with client.open_session(0, timeout=REQUEST_TIMEOUT) as session:

        async def arrival(number: int) -> client.Exchange:
            await asyncio.sleep(max(0.0, started + number / rate - time.perf_counter()))
            question = FACT_QUESTIONS[number % len(FACT_QUESTIONS)]
            return await client.send(session, url, client.new_sender("overload-burst"), question)

        exchanges = list(await asyncio.gather(*(arrival(n) for n in range(count))))
    return Phase("twice the sustainable rate", exchanges, time.perf_counter() - started)


@dataclass(frozen=True)
class Round:
    """The sustainable rate, then twice it."""

    steady: Phase
    burst: Phase

    @property
    def p95_ratio(self) -> float:
        """Served turns' p95 under twice the load ÷ at the sustainable rate."""
        return self.burst.p95("served") / self.steady.p95("served")


@dataclass(frozen=True)
class Run:
    rounds: list[Round]
    limit: int
    stored: dict[str, int]  # sender -> user messages in the conversation memory

    @property
    def steady(self) -> Phase:
        return pooled("sustainable", [r.steady for r in self.rounds])

    @property
    def burst(self) -> Phase:
        return pooled("twice the sustainable rate", [r.burst for r in self.rounds])

    @property
    def p95_ratio(self) -> float:
        """The median over the rounds of the served turns' p95 ratio."""
        return statistics.median(r.p95_ratio for r in self.rounds)

    @property
    def refused_but_stored(self) -> list[str]:
        return [e.sender for e in self.burst.of("refused") if self.stored.get(e.sender)]

    @property
    def served_but_not_stored(self) -> list[str]:
        return [e.sender for e in self.burst.of("served") if not self.stored.get(e.sender)]


def stored_user_messages(tracker_url: str, senders: Sequence[str]) -> dict[str, int]:
    engine = create_engine(tracker_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT sender_id, count(*) FROM events WHERE type_name = 'user' GROUP BY sender_id")
            ).all()
    finally:
        engine.dispose()
    wanted = set(senders)
    return {sender: count for sender, count in rows if sender in wanted}


def run(work: Path, rounds: int = ROUNDS, seconds: float = SECONDS) -> Run:
    """Start an action server and a Rasa server, then measure ``rounds`` rounds of both phases."""
    tracker_url = f"sqlite:///{work / 'tracker.db'}"
    env = {"ALMERE_TRACKER_URL": tracker_url, "ALMERE_DATABASE_URL": f"sqlite:///{work / 'desk.db'}"}
    servers = processes.assistant_stack(work, processes.Ports.free(), env)
    with processes.running(servers, timeout=180) as started:
        [url] = started.rest_urls
        limit = Settings().max_concurrent_turns
        asyncio.run(closed_loop(url, limit, 3.0))  # warm-up: first answers load lazily
        measured = []
        for _ in range(rounds):
            steady = asyncio.run(closed_loop(url, limit, seconds))
            measured.append(Round(steady, asyncio.run(open_loop(url, 2 * steady.throughput, seconds))))
    senders = [e.sender for r in measured for e in r.burst.exchanges]
    return Run(measured, limit, stored_user_messages(tracker_url, senders))


def render(result: Run, command: str) -> str:
    steady, burst = result.steady, result.burst
    rows = []
    for phase in (steady, burst):
        for outcome in ("served", "refused", "failed"):
            chosen = phase.of(outcome)
            if not chosen and outcome != "served":
                continue
            rows.append(
                [
                    phase.name,
                    outcome,
                    len(chosen),
                    ms(phase.p50(outcome)),
                    ms(phase.p95(outcome)),
                    f"{len(chosen) / phase.seconds:.1f}",
                ]
            )
    lines = [
        "# Overload (issue 16)",
        "",
        f"{utc_minute()}, git commit {machine.git_commit()}, {machine.summary()}.",
        "",
        "```",
        command,
        "```",
        "",
        __doc__.split("\n\n", 1)[1].split("    .venv")[0].strip(),
        "",
        f"One Rasa server, at most {result.limit} turns at a time (`ALMERE_MAX_CONCURRENT_TURNS`); "
        f"{result.limit} conversations for the sustainable rate; {len(result.rounds)} rounds of "
        f"{SECONDS:g} s a phase. All rounds together:",
        "",
        table(["phase", "outcome", "turns", "p50 ms", "p95 ms", "per second"], rows),
        "",
        "Round by round:",
        "",
        table(
            ["round", "sustainable: turns/s", "p95", "twice that: served p95", "refused", "p95 ratio"],
            [
                [
                    number,
                    f"{r.steady.throughput:.1f}",
                    ms(r.steady.p95("served")),
                    ms(r.burst.p95("served")),
                    len(r.burst.of("refused")),
                    f"{r.p95_ratio:.2f}×",
                ]
                for number, r in enumerate(result.rounds, start=1)
            ],
        ),
        "",
        f"- Sustainable rate: {steady.throughput:.1f} turns/s; then {len(burst.exchanges)} turns "
        f"in {burst.seconds:.1f} s ({len(burst.exchanges) / burst.seconds:.1f}/s offered).",
        f"- Served turns' p95 under twice the load ÷ at the sustainable rate, the median of the rounds: "
        f"{result.p95_ratio:.2f}× (all rounds together: {burst.p95('served') / steady.p95('served'):.2f}×).",
        f"- Refused turns answered within {ms(burst.p95('refused'))} (p95).",
        f"- Failed (no answer, a technical problem or an empty reply): {len(burst.of('failed'))}; "
        f"refused turns found in the conversation memory: {len(result.refused_but_stored)}; "
        f"served turns missing from it: {len(result.served_but_not_stored)}.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=Path("reports") / "overload.md")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="almere-overload-") as work:
        result = run(Path(work))
    write(arguments.report, render(result, "python -m operations.overload"))
    print(f"Report written to {arguments.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
