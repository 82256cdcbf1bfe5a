"""Open-loop load: people arriving at a set rate, over REST and socket.io, on the default configuration.

For each channel, against one Rasa server started as `make run` starts it (no setting raised):

1. **Capacity**: as many people as the server works on at a time (``ALMERE_MAX_CONCURRENT_TURNS``)
   ask fact questions one after another (the next once the last is answered) for
   ``CAPACITY_SECONDS``: the turns it serves per second are its capacity on that channel.
2. **Open loop**: fact questions then arrive at a share of that capacity (50, 80, 95, 120 and 200 %)
   for ``SECONDS``, at random moments of a Poisson process (exponential gaps, seeded), each from a
   new person and on time whether or not the earlier ones were answered: as people arrive, unlike
   clients that wait for each answer. Over socket.io each person has their own widget connection,
   opened before the rate starts (as a page is opened before one types).

The capacity is measured again right before each rate: on a machine shared with other work it
changes from minute to minute, and each rate is a share of what the server could do just then.

Per rate: the share refused ("very busy", REST: 503), the served turns' p50/p95/p99 from sending to
the answer, how fast the refusals came, and the turns lost: no answer, the "technical problem"
reply, a served turn missing from the conversation memory or a refused one found in it.

    .venv/bin/python -m operations.open_loop [--report reports/open-loop.md]

starts an action server and one Rasa server (SQLite conversation memory) on free ports and writes
the report with its charts; ``tests/e2e/operations/test_open_loop.py`` runs a short version.

    .venv/bin/python -m operations.open_loop --scaled [--report reports/open-loop-scaled.md]

does the same on the scaled layout: two Rasa servers behind deploy/haproxy.cfg's Rasa backends
(operations/proxy.py), PostgreSQL conversation memory, Redis locks and socket.io queue; it first
measures the capacity of one server against two, alternately, through the same proxy.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import math
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import socketio
import yaml
from sqlalchemy import create_engine, text

from bot.config import REPO_ROOT, load_settings
from bot.launcher import processes
from bot.launcher.processes import REST_PATH
from bot.rasa.turn import busy_reply, trouble_reply
from evaluation.questions import FACT_QUESTIONS
from measure import chart, client, machine
from measure.report import ms, table, utc_minute, write
from measure.stats import latency_summary, percentile
from operations.proxy import rasa_proxy
from operations.stack import local_stack

LOADS = (0.5, 0.8, 0.95, 1.2, 2.0)  # of the measured capacity
CHANNELS = ("REST", "socket.io")
SECONDS = 5.0  # each rate
CAPACITY_SECONDS = 4.0
CAPACITY_ROUNDS = 3  # scaled layout: one server against two, alternately, this many times a channel
SCALED_SERVERS = 2
WARM_UP_SECONDS = 3.0  # before the first capacity (first answers load lazily)
ANSWER_TIMEOUT = 30.0
# Questions one widget asks in the closed loop: fewer than the channel's burst per connection.
QUESTIONS_PER_WIDGET = 5
SEED = 29

SERVED, REFUSED, LOST = "served", "refused", "lost"
AT_ONCE = 0.25  # seconds: a refusal this fast was told at once


@dataclass(frozen=True)
class Sent:
    """One question and what came back: its outcome and the seconds from sending to the answer."""

    sender: str
    outcome: str
    seconds: float
    late: float = 0.0  # how long after its moment the client sent it (the client's own delay)
    detail: str = ""


def outcome_of(status: int | None, first_text: str | None) -> str:
    """served, refused or lost, from the reply (and the HTTP status over REST)."""
    if first_text is None:
        return LOST
    if first_text == busy_reply():
        return REFUSED if status in (None, 503) else LOST
    if status not in (None, 200) or not first_text or first_text == trouble_reply():
        return LOST
    return SERVED


@dataclass
class Level:
    """One rate on one channel, and every question sent at it."""

    channel: str
    load: float  # of the capacity
    capacity: float  # served turns per second in the closed loop just before
    seconds: float
    sent: list[Sent] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Arrivals per second."""
        return self.load * self.capacity

    def of(self, outcome: str) -> list[Sent]:
        return [s for s in self.sent if s.outcome == outcome]

    @property
    def refused_share(self) -> float:
        return len(self.of(REFUSED)) / len(self.sent) if self.sent else math.nan

    def served(self) -> dict[str, float]:
        return latency_summary([s.seconds for s in self.of(SERVED)])

    @property
    def refused_at_once(self) -> float:
        """The share of the refusals that came within ``AT_ONCE`` (the others, when their wait
        reached the budget)."""
        refused = self.of(REFUSED)
        return sum(s.seconds <= AT_ONCE for s in refused) / len(refused) if refused else math.nan

    def refused_p95(self) -> float:
        seconds = [s.seconds for s in self.of(REFUSED)]
        return percentile(seconds, 0.95) if seconds else math.nan

    @property
    def late_p99(self) -> float:
        """How late the client itself sent its questions (it shares the machine with the servers)."""
        return percentile([s.late for s in self.sent], 0.99) if self.sent else math.nan


@dataclass
class Run:
    levels: list[Level]
    concurrency: int  # turns in flight per Rasa server
    budget: float
    servers: int = 1
    stored: dict[str, int] = field(default_factory=dict)  # sender -> user messages stored
    capacities: list[tuple[str, int, float]] = field(default_factory=list)  # channel, servers, turns/s

    @property
    def people(self) -> int:
        """People asking one after another in the closed loop: as many as the servers work on."""
        return self.concurrency * self.servers

    def capacity(self, channel: str, servers: int) -> float:
        """The median of the capacities measured with ``servers`` Rasa servers on ``channel``."""
        return statistics.median(r for c, n, r in self.capacities if c == channel and n == servers)

    @property
    def channels(self) -> list[str]:
        return list(dict.fromkeys(level.channel for level in self.levels))

    def lost(self, level: Level) -> list[str]:
        """Every turn of ``level`` lost, with why."""
        problems = [f"{s.sender}: {s.detail or 'no answer'}" for s in level.of(LOST)]
        problems += [
            f"{s.sender}: served, not stored" for s in level.of(SERVED) if not self.stored.get(s.sender)
        ]
        problems += [
            f"{s.sender}: refused, but stored" for s in level.of(REFUSED) if self.stored.get(s.sender)
        ]
        return problems

    def level(self, channel: str, load: float) -> Level:
        return next(level for level in self.levels if level.channel == channel and level.load == load)


def arrival_moments(rate: float, seconds: float, rng: random.Random) -> list[float]:
    """The moments (seconds from the start) of a Poisson process of ``rate`` within ``seconds``."""
    moments, now = [], rng.expovariate(rate)
    while now < seconds:
        moments.append(now)
        now += rng.expovariate(rate)
    return moments


# --- REST


async def rest_ask(session: aiohttp.ClientSession, url: str, sender: str, question: str) -> Sent:
    exchange = await client.send(session, url, sender, question)
    texts = [t for t in client.reply_texts(exchange.replies) if t]
    first = texts[0] if texts else None
    outcome = outcome_of(exchange.status, first)
    detail = "" if outcome != LOST else f"HTTP {exchange.status}: {exchange.error or exchange.text[:120]}"
    return Sent(sender, outcome, exchange.seconds, detail=detail)


async def rest_closed_loop(url: str, people: int, seconds: float) -> float:
    """Served turns per second with ``people`` asking one question after another."""
    served = 0
    async with client.open_session(people, timeout=ANSWER_TIMEOUT) as session:
        started = time.perf_counter()

        async def person(number: int) -> None:
            nonlocal served
            sender, turn = client.new_sender(f"ops-open-capacity-{number}"), 0
            while time.perf_counter() - started < seconds:
                question = FACT_QUESTIONS[(number + turn) % len(FACT_QUESTIONS)]
                sent = await rest_ask(session, url, sender, question)
                served += sent.outcome == SERVED
                turn += 1

        await asyncio.gather(*(person(n) for n in range(people)))
        return served / (time.perf_counter() - started)


async def rest_open_loop(url: str, level: Level, rng: random.Random) -> None:
    moments = arrival_moments(level.rate, level.seconds, rng)
    async with client.open_session(0, timeout=ANSWER_TIMEOUT) as session:
        level.sent = await _on_time(
            moments, lambda n: rest_ask(session, url, client.new_sender("ops-open-rest"), _q(n))
        )


# --- socket.io


class Widget:
    """One person's chat widget: a socket.io connection with its session (bot/rasa/socketio_channel.py)."""

    def __init__(self, http: aiohttp.ClientSession) -> None:
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False, http_session=http)
        self.replies: asyncio.Queue[dict] = asyncio.Queue()
        self.sender = ""

    async def open(self, origin: str) -> Widget:
        """Connects as chat.js does, with a new conversation id in the URL (the proxy of the scaled
        layout hashes socket.io connections on it)."""
        confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.sio.on("bot_uttered", self.replies.put_nowait)
        self.sio.on("session_confirm", lambda token: confirmed.done() or confirmed.set_result(token))
        url = f"{origin}?session_id={uuid.uuid4().hex}"
        await self.sio.connect(url, transports=["polling"], wait_timeout=ANSWER_TIMEOUT)
        await self.sio.emit("session_request", {"session_id": None})
        self.sender = (await asyncio.wait_for(confirmed, ANSWER_TIMEOUT)).partition(".")[0]
        return self

    async def ask(self, question: str) -> Sent:
        """Sends ``question``; the first text that comes back is the answer (or the refusal)."""
        while not self.replies.empty():  # the rest of the last answer (a payload for the widget)
            self.replies.get_nowait()
        started = time.perf_counter()
        await self.sio.emit("user_uttered", {"message": question})
        try:
            first = await asyncio.wait_for(self._next_text(), ANSWER_TIMEOUT)
        except asyncio.TimeoutError:
            return Sent(self.sender, LOST, time.perf_counter() - started, detail="no reply")
        seconds = time.perf_counter() - started
        outcome = outcome_of(None, first)
        return Sent(self.sender, outcome, seconds, detail="" if outcome != LOST else first[:120])

    async def _next_text(self) -> str:
        while True:
            text = (await self.replies.get()).get("text")
            if text:
                return str(text)

    async def close(self) -> None:
        """Tells the server the widget is gone, without waiting for the long poll in progress to end
        (up to the ping interval: half a minute for 300 widgets)."""
        await self.sio.eio.disconnect(abort=True)


def unlimited_session() -> aiohttp.ClientSession:
    """The widgets' HTTP session: each long-polling widget holds a connection (aiohttp's default
    is 100 at most)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))


async def open_widgets(origin: str, http: aiohttp.ClientSession, count: int) -> list[Widget]:
    """``count`` connected widgets, opened a few at a time (the server answers them on its one loop)."""
    gate = asyncio.Semaphore(16)

    async def one() -> Widget:
        async with gate:
            return await Widget(http).open(origin)

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def socketio_closed_loop(origin: str, people: int, seconds: float) -> float:
    """Served turns per second with ``people`` asking one question after another; each opens a new
    widget every ``QUESTIONS_PER_WIDGET`` questions, within the channel's limit per connection."""
    served = 0
    used: list[Widget] = []
    async with unlimited_session() as http:
        started = time.perf_counter()

        async def person(number: int) -> None:
            nonlocal served
            turn = 0
            while time.perf_counter() - started < seconds:
                widget = await Widget(http).open(origin)
                used.append(widget)
                for _ in range(QUESTIONS_PER_WIDGET):
                    sent = await widget.ask(_q(number + turn))
                    served += sent.outcome == SERVED
                    turn += 1
                    if time.perf_counter() - started >= seconds:
                        break

        await asyncio.gather(*(person(n) for n in range(people)))
        rate = served / (time.perf_counter() - started)
        await asyncio.gather(*(w.close() for w in used), return_exceptions=True)  # a close can take long
    return rate


async def socketio_open_loop(origin: str, level: Level, rng: random.Random) -> None:
    moments = arrival_moments(level.rate, level.seconds, rng)
    async with unlimited_session() as http:
        widgets = await open_widgets(origin, http, len(moments))
        await asyncio.sleep(0.5)  # let the server settle after the connections
        level.sent = await _on_time(moments, lambda n: widgets[n].ask(_q(n)))
        await asyncio.gather(*(w.close() for w in widgets), return_exceptions=True)


# --- both


def _q(number: int) -> str:
    return FACT_QUESTIONS[number % len(FACT_QUESTIONS)]


async def _on_time(moments: Sequence[float], ask: Callable[[int], Awaitable[Sent]]) -> list[Sent]:
    """Calls ``ask(n)`` at ``moments[n]`` seconds from now, whatever the earlier ones got back."""
    started = time.perf_counter()

    async def arrival(number: int) -> Sent:
        await asyncio.sleep(max(0.0, started + moments[number] - time.perf_counter()))
        late = time.perf_counter() - started - moments[number]
        sent = await ask(number)
        return Sent(sent.sender, sent.outcome, sent.seconds, late, sent.detail)

    return list(await asyncio.gather(*(arrival(n) for n in range(len(moments)))))


def stored_user_messages(tracker_url: str) -> dict[str, int]:
    engine = create_engine(tracker_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT sender_id, count(*) FROM events WHERE type_name = 'user' GROUP BY sender_id")
            ).all()
    finally:
        engine.dispose()
    return {sender: count for sender, count in rows}


def run(
    work: Path,
    loads: Sequence[float] = LOADS,
    seconds: float = SECONDS,
    capacity_seconds: float = CAPACITY_SECONDS,
    channels: Sequence[str] = CHANNELS,
    seed: int = SEED,
) -> Run:
    """Start an action server and a Rasa server on the default configuration, then measure each
    channel's capacity and its open-loop rates."""
    tracker_url = f"sqlite:///{work / 'tracker.db'}"
    env = {"ALMERE_TRACKER_URL": tracker_url, "ALMERE_DATABASE_URL": f"sqlite:///{work / 'desk.db'}"}
    settings = load_settings()
    result = Run([], settings.max_concurrent_turns, settings.turn_wait_budget_seconds)
    servers = processes.assistant_stack(work, processes.Ports.free(), env)
    with processes.running(servers, timeout=180) as started:
        [url] = started.rest_urls
        _measure(result, url.split("/webhooks/")[0], loads, seconds, capacity_seconds, channels, seed)
    result.stored = stored_user_messages(tracker_url)
    return result


def run_scaled(work: Path, **options: Any) -> Run:
    """The same on the scaled layout: two Rasa servers (default configuration each) behind
    deploy/haproxy.cfg's backends, PostgreSQL conversation memory, Redis locks and socket.io queue;
    ``options`` as :func:`measure_scaled`'s."""
    lock_store = deployed_lock_store()
    with local_stack(work, "postgres", rasa_servers=SCALED_SERVERS, lock_store_type=lock_store) as local:
        return measure_scaled(work, local.stack.rest_urls, local.tracker_url, **options)


def measure_scaled(
    work: Path,
    rest_urls: Sequence[str],
    tracker_url: str,
    loads: Sequence[float] = LOADS,
    seconds: float = SECONDS,
    capacity_seconds: float = CAPACITY_SECONDS,
    channels: Sequence[str] = CHANNELS,
    seed: int = SEED,
    rounds: int = CAPACITY_ROUNDS,
) -> Run:
    """Against the Rasa servers at ``rest_urls`` behind deploy/haproxy.cfg's backends: first the
    capacity of one server against all, through the same proxy, alternately (``rounds`` times per
    channel); then the open-loop rates against all."""
    settings = load_settings()
    result = Run([], settings.max_concurrent_turns, settings.turn_wait_budget_seconds, servers=len(rest_urls))
    with rasa_proxy(work, rest_urls[:1]) as one, rasa_proxy(work, rest_urls) as every:
        asyncio.run(rest_closed_loop(every + REST_PATH, result.people, WARM_UP_SECONDS))
        for channel in channels:
            for _ in range(rounds):
                for servers, origin in ((1, one), (len(rest_urls), every)):
                    people = result.concurrency * servers
                    rate = asyncio.run(_closed_loop(channel, origin, people)(capacity_seconds))
                    result.capacities.append((channel, servers, rate))
        _measure(result, every, loads, seconds, capacity_seconds, channels, seed)
    result.stored = stored_user_messages(tracker_url)
    return result


def _closed_loop(channel: str, origin: str, people: int) -> Callable[[float], Awaitable[float]]:
    if channel == "REST":
        return functools.partial(rest_closed_loop, origin + REST_PATH, people)
    return functools.partial(socketio_closed_loop, origin, people)


def _measure(
    result: Run,
    origin: str,
    loads: Sequence[float],
    seconds: float,
    capacity_seconds: float,
    channels: Sequence[str],
    seed: int,
) -> None:
    """Each channel's capacity then its open-loop rate, for each load, against ``origin``."""
    rng = random.Random(seed)
    asyncio.run(rest_closed_loop(origin + REST_PATH, result.people, WARM_UP_SECONDS))
    for channel in channels:
        if channel == "REST":
            open_loop = functools.partial(rest_open_loop, origin + REST_PATH)
        else:
            open_loop = functools.partial(socketio_open_loop, origin)
        for load in loads:
            capacity = asyncio.run(_closed_loop(channel, origin, result.people)(capacity_seconds))
            level = Level(channel, load, capacity, seconds)
            asyncio.run(open_loop(level, rng))
            result.levels.append(level)


def deployed_lock_store() -> str:
    """The lock store class deploy/endpoints.yml names."""
    endpoints = yaml.safe_load((REPO_ROOT / "deploy" / "endpoints.yml").read_text(encoding="utf-8"))
    return str(endpoints["lock_store"]["type"])


# --- the report


def charts(result: Run) -> tuple[str, str]:
    """The refused share and the served p99 against the offered load, per channel (SVG)."""
    channels = result.channels
    refused = {
        c: [(level.load * 100, level.refused_share * 100) for level in result.levels if level.channel == c]
        for c in channels
    }
    p99 = {
        f"{c}: served p99": [
            (level.load * 100, level.served()["p99"] * 1000)
            for level in result.levels
            if level.channel == c and not math.isnan(level.served()["p99"])
        ]
        for c in channels
    }
    loads = [level.load * 100 for level in result.levels]
    p99["wait budget"] = [(min(loads), result.budget * 1000), (max(loads), result.budget * 1000)]
    return (
        chart.line_chart(
            "Turns refused by offered load", refused, "offered load (% of capacity)", "refused (%)"
        ),
        chart.line_chart(
            "Served turns' p99 by offered load", p99, "offered load (% of capacity)", "p99 (ms)"
        ),
    )


def render(result: Run, command: str, chart_names: tuple[str, str]) -> str:
    rows = []
    for level in result.levels:
        served = level.served()
        rows.append(
            [
                level.channel,
                f"{level.load:.0%}",
                f"{level.capacity:.1f}",
                f"{level.rate:.1f}",
                len(level.sent),
                f"{level.refused_share:.1%}",
                ms(served["p50"]),
                ms(served["p95"]),
                ms(served["p99"]),
                ms(level.refused_p95()),
                "–" if math.isnan(level.refused_at_once) else f"{level.refused_at_once:.0%}",
                len(result.lost(level)),
                ms(level.late_p99),
            ]
        )
    problems = [p for level in result.levels for p in result.lost(level)]
    lines = [
        "# Open-loop load",
        "",
        f"{utc_minute()}, git commit {machine.git_commit()}, {machine.summary()}.",
        "",
        "```",
        command,
        "```",
        "",
        __doc__.split("\n\n", 1)[1].split("    .venv")[0].strip(),
        "",
        layout_text(result),
        "",
        *capacity_lines(result),
        table(
            [
                "channel",
                "load",
                "capacity/s",
                "arrivals/s",
                "turns",
                "refused",
                "served p50",
                "served p95",
                "served p99",
                "refused p95",
                f"refused within {AT_ONCE:g} s",
                "lost",
                "client late p99",
            ],
            rows,
        ),
        "",
        f"![Turns refused by offered load]({chart_names[0]})",
        "",
        f"![Served turns' p99 by offered load]({chart_names[1]})",
        "",
        "Lost turns: " + ("none." if not problems else ""),
        *[f"- {problem}" for problem in problems[:30]],
        "",
    ]
    return "\n".join(lines)


def layout_text(result: Run) -> str:
    settings = (
        f"{result.concurrency} turns in flight (`ALMERE_MAX_CONCURRENT_TURNS`), a wait budget of "
        f"{result.budget:g} s (`ALMERE_TURN_WAIT_BUDGET_SECONDS`)"
    )
    if result.servers == 1:
        layout = f"One Rasa server on the default configuration: {settings}; SQLite conversation memory"
    else:
        layout = (
            f"The scaled layout: {result.servers} Rasa servers, each on the default configuration "
            f"({settings}), behind HAProxy with deploy/haproxy.cfg's Rasa backends (REST hashed on "
            "the conversation id, socket.io on its session id), PostgreSQL conversation memory, "
            "Redis locks and socket.io queue; the capacities and rates go through the proxy"
        )
    return (
        f"{layout}; socket.io over HTTP long-polling (the installed aiohttp is too old for "
        "python-engineio's WebSocket client). The client runs on the same machine as the servers; "
        '"client late" is how long after its moment it sent a question.'
    )


def capacity_lines(result: Run) -> list[str]:
    """One server against all of them, alternately through the same proxy (scaled layout only)."""
    if not result.capacities:
        return []
    rows = []
    for channel in dict.fromkeys(c for c, _, _ in result.capacities):
        one, all_ = result.capacity(channel, 1), result.capacity(channel, result.servers)
        rounds = [f"{r:.0f}" for c, n, r in result.capacities if c == channel and n == 1]
        rounds_all = [f"{r:.0f}" for c, n, r in result.capacities if c == channel and n == result.servers]
        rows.append(
            [
                channel,
                f"{one:.1f} ({', '.join(rounds)})",
                f"{all_:.1f} ({', '.join(rounds_all)})",
                f"{all_ / one:.2f}×",
            ]
        )
    return [
        f"Capacity, closed loop ({result.concurrency} people per server asking one after another), "
        f"one server against {result.servers}, measured alternately through the same proxy "
        "(median turns/s of the rounds, each round in brackets):",
        "",
        table(["channel", "1 server", f"{result.servers} servers", "ratio"], rows),
        "",
    ]


def write_report(result: Run, report: Path, command: str) -> Path:
    refused_svg, latency_svg = charts(result)
    names = (report.stem + "-refused.svg", report.stem + "-p99.svg")
    write(report.parent / names[0], refused_svg)
    write(report.parent / names[1], latency_svg)
    return write(report, render(result, command, names))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, help="default reports/open-loop.md")
    parser.add_argument("--seconds", type=float, default=SECONDS, help="seconds of each rate")
    parser.add_argument(
        "--scaled",
        action="store_true",
        help="the scaled layout (two Rasa servers behind HAProxy, PostgreSQL, Redis); "
        "default report reports/open-loop-scaled.md",
    )
    arguments = parser.parse_args(argv)
    report = arguments.report or Path("reports") / (
        "open-loop-scaled.md" if arguments.scaled else "open-loop.md"
    )
    with tempfile.TemporaryDirectory(prefix="almere-open-loop-") as work:
        measure_run = run_scaled if arguments.scaled else run
        result = measure_run(Path(work), seconds=arguments.seconds)
    command = "python -m operations.open_loop" + (" --scaled" if arguments.scaled else "")
    write_report(result, report, command)
    print(f"Report written to {report}")
    lost = sum(len(result.lost(level)) for level in result.levels)
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
