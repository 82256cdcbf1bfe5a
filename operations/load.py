"""Load client: many scripted conversations at once over the REST channel, checked and reported.

Each conversation is a task that sends its messages one after another (the next when the
previous is answered, like a person), message ``i`` of conversation ``c`` to Rasa server
``(c + i) % len(urls)``: with a shared tracker store and lock store any server may answer any
message. Some conversations end in a whole handoff to the desk.

Against servers that are already running::

    .venv/bin/python -m operations.load --url http://127.0.0.1:5005/webhooks/rest/webhook \\
        [--url http://127.0.0.1:5006/webhooks/rest/webhook] \\
        [--tracker-url postgresql://...] [--database-url postgresql://...] [--report reports/load.md]

``--tracker-url`` checks every message reached the conversation memory in order;
``--database-url`` checks the handoffs' tickets through ``almere tickets list --json``.
``tests/e2e/operations/test_load.py`` starts real servers and runs the same client.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from measure import client, machine
from measure.report import ms, table, utc_minute, write
from measure.stats import LATENCY_FIGURES, latency_summary
from operations import checks, stack
from operations.handoff_script import TROUBLE, Script, conversation, reference_in

DEFAULT_REPORT = Path("reports") / "load.md"
# Requests in flight per Rasa server; the load client keeps the others waiting on its side.
PER_SERVER = 4


@dataclass(frozen=True)
class Sent:
    """One message of a script sent to one of the servers, and what came back."""

    exchange: client.Exchange
    index: int  # of the message in its script
    expect: str
    url: str
    started: float  # seconds since the run started
    queued: float  # seconds waiting for a free slot of the server (the proxy's queue)

    @property
    def sender(self) -> str:
        return self.exchange.sender

    @property
    def message(self) -> str:
        return self.exchange.message

    @property
    def answered(self) -> bool:
        """Whether an HTTP answer came back (any status)."""
        return self.exchange.status is not None

    @property
    def seconds(self) -> float:
        """From wanting to send until the answer: what the person waits."""
        return self.queued + self.exchange.seconds

    @property
    def outcome(self) -> str:
        """ok, or what went wrong: transport, http_5xx, http_4xx, no_reply, trouble, unexpected."""
        status = self.exchange.status
        if status is None:
            return "transport"
        if status >= 500:
            return "http_5xx"
        if status >= 400:
            return "http_4xx"
        if not self.exchange.replies:
            return "no_reply"
        if TROUBLE in self.exchange.text:
            return "trouble"
        if self.expect not in self.exchange.text:
            return "unexpected"
        return "ok"


OUTCOMES = ("ok", "transport", "http_5xx", "http_4xx", "no_reply", "trouble", "unexpected")
OUTCOME_MEANING = {
    "ok": "answered with the expected reply",
    "transport": "no HTTP answer (connection error or client timeout)",
    "http_5xx": "server error",
    "http_4xx": "request refused",
    "no_reply": "HTTP 200 without any bot message (a lost message)",
    "trouble": 'the "technical problem" reply: answering failed or took longer than the reply timeout',
    "unexpected": "a bot message, but not the expected one",
}


@dataclass
class LoadRun:
    """The conversations replayed and every message sent, in the order the replies came back."""

    urls: list[str]
    scripts: list[Script]
    exchanges: list[Sent] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    def outcomes(self) -> dict[str, int]:
        counts = {outcome: 0 for outcome in OUTCOMES}
        for sent in self.exchanges:
            counts[sent.outcome] += 1
        return counts

    def latencies(self) -> list[float]:
        """Seconds per request that got an HTTP answer, queueing included."""
        return [e.seconds for e in self.exchanges if e.answered]

    def server_latencies(self) -> list[float]:
        """Seconds per answered request from sending it to the answer (no queueing)."""
        return [e.exchange.seconds for e in self.exchanges if e.answered]

    def throughput(self) -> float:
        answered = sum(1 for e in self.exchanges if e.answered)
        return answered / self.seconds if self.seconds else 0.0

    def references(self) -> dict[str, str | None]:
        """The reference each handoff conversation was given (None when none was)."""
        found: dict[str, str | None] = {s.sender: None for s in self.scripts if s.handoff}
        for sent in self.exchanges:
            if sent.sender in found and sent.index == len(self._script(sent.sender).steps) - 1:
                found[sent.sender] = reference_in(sent.exchange.text)
        return found

    def _script(self, sender: str) -> Script:
        return next(script for script in self.scripts if script.sender == sender)


def make_scripts(prefix: str, conversations: int, messages: int, handoffs: int) -> list[Script]:
    """``conversations`` conversations of ``messages`` messages; ``handoffs`` of them, spread
    evenly, end in a handoff."""
    if handoffs > conversations:
        raise ValueError("more handoffs than conversations")
    every = conversations / handoffs if handoffs else 0
    handoff_indexes = {int(i * every) for i in range(handoffs)}
    return [
        conversation(f"{prefix}{index:04d}", messages, index in handoff_indexes, offset=index)
        for index in range(conversations)
    ]


async def _replay(
    session: aiohttp.ClientSession,
    script: Script,
    position: int,
    urls: Sequence[str],
    run: LoadRun,
    t0: float,
    think_seconds: float,
    slots: Mapping[str, asyncio.Semaphore],
) -> None:
    for index, step in enumerate(script.steps):
        url = urls[(position + index) % len(urls)]
        started = time.perf_counter()
        async with slots[url]:
            queued = time.perf_counter() - started
            exchange = await client.send(session, url, script.sender, step.message)
        run.exchanges.append(Sent(exchange, index, step.expect, url, started - t0, queued))
        if think_seconds:
            await asyncio.sleep(think_seconds)


def _cpu_seconds_of_group(pgid: int) -> float:
    """User + system CPU seconds of every live process in process group ``pgid`` (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields[2] is the 5th field, pgrp
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


async def run_load(
    urls: Sequence[str],
    scripts: Sequence[Script],
    *,
    request_timeout: float = 60.0,
    think_seconds: float = 0.0,
    run_timeout: float = 900.0,
    per_server: int = 0,
    watch: Mapping[str, int] | None = None,
) -> LoadRun:
    """Replay every script at the same time.

    ``per_server`` caps the requests in flight to each server, the others wait in the client
    as they would in the reverse proxy's queue (0: no cap, every conversation's request is
    sent at once). ``watch`` maps names to process-group ids whose CPU time is measured.
    """
    run = LoadRun(urls=list(urls), scripts=list(scripts))
    limit = per_server or len(scripts)
    slots = {url: asyncio.Semaphore(limit) for url in run.urls}
    cpu_before = {name: _cpu_seconds_of_group(pgid) for name, pgid in (watch or {}).items()}
    async with client.open_session(limit * len(run.urls), limit, request_timeout) as session:
        t0 = time.perf_counter()
        tasks = [
            asyncio.create_task(_replay(session, script, position, run.urls, run, t0, think_seconds, slots))
            for position, script in enumerate(scripts)
        ]
        done, pending = await asyncio.wait(tasks, timeout=run_timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        run.seconds = time.perf_counter() - t0
        for task in done:
            task.result()  # a bug in the client itself must not pass silently
    run.cpu_seconds = {
        name: _cpu_seconds_of_group(pgid) - cpu_before[name] for name, pgid in (watch or {}).items()
    }
    return run


@dataclass
class Checked:
    """Problems found in a run; empty lists mean the check passed (None: not checked)."""

    errors: list[str]
    lost_in_tracker: list[str] | None = None
    tickets: list[str] | None = None
    ticket_count: int | None = None

    def all_problems(self) -> list[str]:
        return [*self.errors, *(self.lost_in_tracker or []), *(self.tickets or [])]


def check(
    run: LoadRun, tracker_url: str | None = None, tickets_env: Mapping[str, str] | None = None
) -> Checked:
    """Every message answered as expected; if given, the tracker and the tickets are complete."""
    result = Checked(errors=[])
    count = {script.sender: 0 for script in run.scripts}
    for sent in run.exchanges:
        count[sent.sender] += 1
        if sent.outcome != "ok":
            result.errors.append(
                f"{sent.sender} message {sent.index} {sent.message!r} via {sent.url}: "
                f"{sent.outcome} (status {sent.exchange.status}, {sent.seconds:.1f}s) "
                f"{sent.exchange.error or sent.exchange.text[:160]!r}"
            )
    for script in run.scripts:
        if count[script.sender] != len(script.steps):
            result.errors.append(f"{script.sender}: only {count[script.sender]} of {len(script.steps)} sent")
    senders = [script.sender for script in run.scripts]
    if tracker_url:
        stored = checks.tracker_events(tracker_url, senders)
        result.lost_in_tracker = []
        for script in run.scripts:
            events = stored.get(script.sender, [])
            if checks.user_texts(events) != script.messages:
                result.lost_in_tracker.append(
                    f"{script.sender}: tracker has {checks.user_texts(events)!r}, sent {script.messages!r}"
                )
            for problem in checks.turn_problems(events):
                result.lost_in_tracker.append(f"{script.sender}: {problem}")
    if tickets_env is not None:
        found = checks.tickets_by_conversation(tickets_env, senders)
        result.ticket_count = sum(len(tickets) for tickets in found.values())
        result.tickets = []
        references = run.references()
        for script in run.scripts:
            tickets = found.get(script.sender, [])
            if not script.handoff:
                if tickets:
                    result.tickets.append(f"{script.sender}: {len(tickets)} ticket(s) without a handoff")
                continue
            if len(tickets) != 1:
                result.tickets.append(f"{script.sender}: {len(tickets)} tickets, expected 1")
                continue
            [ticket] = tickets
            if ticket["reference"] != references.get(script.sender):
                result.tickets.append(
                    f"{script.sender}: ticket {ticket['reference']}, but the person was given "
                    f"{references.get(script.sender)}"
                )
            if checks.transcript_user_lines(ticket) != list(script.messages):
                result.tickets.append(
                    f"{script.sender}: transcript {checks.transcript_user_lines(ticket)!r} "
                    f"is not the conversation {list(script.messages)!r}"
                )
    return result


def render_report(
    run: LoadRun,
    checked: Checked,
    *,
    command: str,
    setup: Sequence[str],
    notes: Sequence[str] = (),
    title: str = "Load test",
) -> str:
    """The Markdown report of ``run``."""
    counts = run.outcomes()
    total = latency_summary(run.latencies())
    server = latency_summary(run.server_latencies())
    handoffs = sum(1 for s in run.scripts if s.handoff)
    messages = sum(len(s.steps) for s in run.scripts)
    lines = [
        f"# {title}",
        "",
        f"- date: {utc_minute()}",
        f"- git commit: {machine.git_commit()}",
        f"- machine: {machine.summary()}",
        f"- command: `{command}`",
        "",
        "## What ran",
        "",
        f"{len(run.scripts)} conversations at the same time, {messages} messages in all; "
        f"{handoffs} of them end in a whole handoff to the desk. Each conversation sends its "
        "next message as soon as the previous one is answered (no pause to read or type); "
        "consecutive messages of a conversation go to different Rasa servers.",
        "",
        *[f"- {line}" for line in setup],
        "",
        "## Results",
        "",
        table(
            ["figure", "value"],
            [
                ["wall time", f"{run.seconds:.1f} s"],
                ["requests answered (HTTP)", f"{len(run.latencies())} of {messages}"],
                ["throughput", f"{run.throughput():.1f} messages/s"],
                ["server errors (5xx)", counts["http_5xx"]],
                [
                    "lost messages (no bot message, or no HTTP answer)",
                    counts["no_reply"] + counts["transport"],
                ],
                [
                    "tickets",
                    "not checked"
                    if checked.ticket_count is None
                    else f"{checked.ticket_count} (expected {handoffs})",
                ],
                [
                    "ticket problems (count, reference, transcript)",
                    "not checked" if checked.tickets is None else len(checked.tickets),
                ],
                [
                    "conversations with messages missing or out of order in the tracker",
                    "not checked"
                    if checked.lost_in_tracker is None
                    else len({p.split(":")[0] for p in checked.lost_in_tracker}),
                ],
            ],
        ),
        "",
        "### Latency",
        "",
        "What the person waits (end to end, including the wait for a free server slot), and the "
        "part of it at the server (request sent until answer).",
        "",
        table(
            ["", *LATENCY_FIGURES],
            [
                ["end to end", *(ms(total[k]) for k in LATENCY_FIGURES)],
                ["at the server", *(ms(server[k]) for k in LATENCY_FIGURES)],
            ],
        ),
        "",
        "### Replies",
        "",
        table(
            ["outcome", "count", "meaning"],
            [[name, counts[name], OUTCOME_MEANING[name]] for name in OUTCOMES],
        ),
        "",
    ]
    if run.cpu_seconds:
        rasa_cpu = sum(cpu for name, cpu in run.cpu_seconds.items() if name.startswith("Rasa"))
        lines += [
            "### CPU time of the servers during the run",
            "",
            table(
                ["process", "CPU seconds", "share of the wall time"],
                [
                    [name, f"{cpu:.1f}", f"{cpu / run.seconds:.0%}" if run.seconds else "–"]
                    for name, cpu in run.cpu_seconds.items()
                ],
            ),
            "",
            f"Rasa CPU per message: {rasa_cpu / max(1, len(run.exchanges)) * 1000:.0f} ms — the cost "
            "that other work on the machine does not change, unlike the wall time and latencies.",
            "",
        ]
    if len(run.urls) > 1:
        rows = []
        for url in run.urls:
            own = [e.exchange.seconds for e in run.exchanges if e.url == url and e.answered]
            figures = latency_summary(own)
            rows.append([url, len(own), ms(figures["p50"]), ms(figures["p95"]), ms(figures["max"])])
        lines += [
            "### Per Rasa server (at the server)",
            "",
            table(["server", "requests", "p50", "p95", "max"], rows),
            "",
        ]
    problems = checked.all_problems()
    lines += ["### Problems", ""]
    lines += [f"- {problem}" for problem in problems[:30]] or ["None."]
    if len(problems) > 30:
        lines.append(f"- … and {len(problems) - 30} more")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m operations.load", description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--url", action="append", help="REST webhook of a running Rasa server (repeat for several servers)"
    )
    target.add_argument(
        "--start",
        choices=("postgres", "sqlite"),
        help="start a local stack first (fresh data, removed afterwards): "
        "PostgreSQL tracker + Redis lock store, or SQLite tracker",
    )
    parser.add_argument("--rasa-servers", type=int, default=2, help="with --start: how many Rasa servers")
    parser.add_argument(
        "--per-server",
        type=int,
        default=PER_SERVER,
        help="requests in flight per Rasa server, the rest queue (0: no limit)",
    )
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10, help="messages per conversation")
    parser.add_argument("--handoffs", type=int, default=20, help="conversations ending in a handoff")
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds between a reply and the next message"
    )
    parser.add_argument("--request-timeout", type=float, default=60.0)
    parser.add_argument("--run-timeout", type=float, default=900.0)
    parser.add_argument("--tracker-url", help="check the conversations in this tracker database")
    parser.add_argument("--database-url", help="check the tickets in this ticket database")
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT)
    parser.add_argument(
        "--prefix", default=f"ops-load-{uuid.uuid4().hex[:8]}-", help="conversation ids start with this"
    )
    arguments = parser.parse_args(argv)
    for url in arguments.url or ():
        if not url.startswith(("http://127.0.0.1", "http://localhost", "https://")):
            parser.error(f"{url}: load only loopback servers, or servers you run over https")
    command = "python -m operations.load " + " ".join(
        shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv)
    )
    scripts = make_scripts(arguments.prefix, arguments.conversations, arguments.messages, arguments.handoffs)
    options = dict(
        request_timeout=arguments.request_timeout,
        think_seconds=arguments.think,
        run_timeout=arguments.run_timeout,
        per_server=arguments.per_server,
    )
    if arguments.start:
        with tempfile.TemporaryDirectory(prefix="almere-load-") as work:
            with stack.local_stack(Path(work), arguments.start, arguments.rasa_servers) as local:
                watch = {server.name: server.process.pid for server in local.stack.started}
                run = asyncio.run(run_load(local.stack.rest_urls, scripts, watch=watch, **options))
                checked = check(run, tracker_url=local.tracker_url, tickets_env=local.cli_env)
                setup = [*local.describe(), limits_line(arguments.per_server)]
    else:
        run = asyncio.run(run_load(arguments.url, scripts, **options))
        tickets_env = {"ALMERE_DATABASE_URL": arguments.database_url} if arguments.database_url else None
        checked = check(run, tracker_url=arguments.tracker_url, tickets_env=tickets_env)
        setup = [f"Rasa servers: {', '.join(arguments.url)}", limits_line(arguments.per_server)]
    report = render_report(run, checked, command=command, setup=setup)
    write(arguments.report, report)
    print(report)
    return 1 if checked.all_problems() else 0


def limits_line(per_server: int) -> str:
    if not per_server:
        return "no limit on requests in flight: every conversation's message is sent at once"
    return (
        f"at most {per_server} requests in flight per Rasa server; the others wait their turn in the "
        "client (the run checks that nothing is lost, not the servers' admission)"
    )


if __name__ == "__main__":
    sys.exit(main())
