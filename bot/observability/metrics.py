"""The assistant's metrics in the Prometheus format, served at ``GET /metrics`` by every server.

Counted where it happens, in the process it happens in (:func:`metrics`, one registry per process):

* ``almere_turns_total{outcome}``: chat turns by how they ended (:data:`OUTCOMES`), counted by the
  Rasa server (bot/rasa/turn.py). The actions label the reply that declines a question or
  confirms a handoff (:data:`OUTCOME_KEY`); a reply without a label answered;
* ``almere_turn_seconds``: from a message's arrival to its reply, for every turn not refused as busy;
* ``almere_turn_queue_wait_seconds``: how long a turn waited in line before it was taken or refused;
* ``almere_handoffs_total{desk,way}``: questions passed on to a desk, by the handoff form (the
  action server) or as a live chat asked for (the Rasa server);
* ``almere_emails_sent_total`` and ``almere_emails_failed_total``: e-mails the mail server took,
  or that could not be sent (bot/tickets/mail.py), from any server.

Read from the ticket database when scraped (:class:`TicketCollector`, on the desk), so that every
process and replica tells the same: ``almere_tickets{desk,status}``,
``almere_tickets_awaiting_reply{desk}``, ``almere_live_chats_waiting{desk}`` and
``almere_live_chat_longest_wait_seconds``; ``almere_ticket_database_up`` is 0 when it cannot be read.

A desk run with several worker processes (``ALMERE_DESK_WORKERS``) sums their counters when
``PROMETHEUS_MULTIPROC_DIR`` (read by prometheus-client when it is first imported) names a
directory writable by all of them and emptied before the desk starts: prometheus-client's
multi-process mode. Without it each scrape shows the counters of the one worker that answered.
The gauges are read from the database, the same whichever process answers.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from bot.tickets.errors import TicketError
from bot.tickets.models import DESKS, STATUSES, utc_now

if TYPE_CHECKING:  # the ticket services import bot.tickets.mail, which counts e-mails here
    from bot.tickets.live_chat_tickets import LiveChat
    from bot.tickets.records import QueueCounts

logger = logging.getLogger(__name__)

# How a turn ended: the assistant answered it (anything but the others, also a request to rephrase),
# declined the question, passed it on to a colleague, refused it because it was too busy, or could
# not answer because of a technical problem; or the person is in a live chat with a colleague.
ANSWERED = "answered"
DECLINED = "declined"
HANDED_OVER = "handed_over"
BUSY = "busy"
TROUBLE = "trouble"
LIVE_CHAT = "live_chat"
OUTCOMES = (ANSWERED, DECLINED, HANDED_OVER, BUSY, TROUBLE, LIVE_CHAT)
# The key of a bot message's metadata by which an action tells the Rasa server how the turn ended
# (``dispatcher.utter_message(..., turn_outcome=DECLINED)``); channels do not send it to the person.
OUTCOME_KEY = "turn_outcome"
# The label that wins when a turn's replies carry several.
_PRECEDENCE = (HANDED_OVER, DECLINED)
HANDOFF_WAYS = ("form", "live_chat")

TURN_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0)
WAIT_BUCKETS = (0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


class Metrics:
    """The counters and histograms of one process, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter(
            "almere_turns", "Chat turns by how they ended.", ["outcome"], registry=self.registry
        )
        self.turn_seconds = Histogram(
            "almere_turn_seconds",
            "Seconds from a message's arrival to its reply (turns not refused as busy).",
            buckets=TURN_BUCKETS,
            registry=self.registry,
        )
        self.queue_wait_seconds = Histogram(
            "almere_turn_queue_wait_seconds",
            "Seconds a turn waited in line before it was taken or refused.",
            buckets=WAIT_BUCKETS,
            registry=self.registry,
        )
        self.handoffs = Counter(
            "almere_handoffs",
            "Questions passed on to a desk: by the handoff form, or as a live chat asked for.",
            ["desk", "way"],
            registry=self.registry,
        )
        self.emails_sent = Counter(
            "almere_emails_sent", "E-mails the mail server accepted.", registry=self.registry
        )
        self.emails_failed = Counter(
            "almere_emails_failed",
            "E-mails that could not be sent (mail server unreachable or refusing).",
            registry=self.registry,
        )
        for outcome in OUTCOMES:  # every series exists from the start, so that rates see the first one
            self.turns.labels(outcome)
        for desk in DESKS:
            for way in HANDOFF_WAYS:
                self.handoffs.labels(desk, way)


@functools.cache
def metrics() -> Metrics:
    """This process's metrics."""
    return Metrics()


def turn_outcome(labels: Iterable[object]) -> str:
    """How a turn that Rasa answered ended, from the :data:`OUTCOME_KEY` labels of its replies."""
    found = set(labels)
    return next((outcome for outcome in _PRECEDENCE if outcome in found), ANSWERED)


def count_turn(outcome: str, seconds: float | None) -> None:
    """A turn ended with ``outcome`` after ``seconds`` (None: not timed, a busy refusal)."""
    metrics().turns.labels(outcome).inc()
    if seconds is not None:
        metrics().turn_seconds.observe(seconds)


def count_queue_wait(seconds: float) -> None:
    metrics().queue_wait_seconds.observe(seconds)


def count_handoff(desk: str, way: str) -> None:
    metrics().handoffs.labels(desk if desk in DESKS else "international", way).inc()


def count_email(sent: bool) -> None:
    (metrics().emails_sent if sent else metrics().emails_failed).inc()


class TicketCollector(Collector):
    """Gauges read from the ticket database at each scrape: tickets by desk and status, those
    waiting for a first reply, live chats waiting for a colleague and the longest wait."""

    def __init__(
        self,
        counts: Callable[[], QueueCounts],
        live_chats: Callable[[], list[LiveChat]],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._counts = counts
        self._live_chats = live_chats
        self._clock = clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("almere_ticket_database_up", "1 if the ticket database could be read.")
        try:
            counts = self._counts()
            chats = [chat for chat in self._live_chats() if chat.state == "waiting"]
        except TicketError:
            logger.warning("The ticket database could not be read for the metrics.", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        tickets = GaugeMetricFamily(
            "almere_tickets", "Tickets by desk and status.", labels=["desk", "status"]
        )
        awaiting = GaugeMetricFamily(
            "almere_tickets_awaiting_reply",
            "Open or claimed tickets nobody has answered yet, by desk.",
            labels=["desk"],
        )
        waiting = GaugeMetricFamily(
            "almere_live_chats_waiting", "Live chats waiting for a colleague, by desk.", labels=["desk"]
        )
        for desk in DESKS:
            for status in STATUSES:
                tickets.add_metric([desk, status], counts.count(status, desk))
            awaiting.add_metric([desk], counts.awaiting_reply(desk))
            waiting.add_metric([desk], sum(chat.desk == desk for chat in chats))
        now = self._clock()
        longest = max(((now - chat.created_at).total_seconds() for chat in chats), default=0.0)
        longest_wait = GaugeMetricFamily(
            "almere_live_chat_longest_wait_seconds",
            "Seconds the longest-waiting live chat has waited since it was asked for (0: none waits).",
        )
        longest_wait.add_metric([], max(0.0, longest))
        yield from (tickets, awaiting, waiting, longest_wait)


def exposition(*collectors: Collector) -> tuple[bytes, str]:
    """The body and content type of ``GET /metrics``: this process's metrics (every process's in
    multi-process mode) and those of ``collectors``."""
    registry = CollectorRegistry()
    if values.ValueClass is not values.MutexValue:  # prometheus-client found PROMETHEUS_MULTIPROC_DIR
        MultiProcessCollector(registry)
    else:
        registry.register(metrics().registry)
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST
