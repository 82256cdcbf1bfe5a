"""The metrics (bot/observability/metrics.py): each turn counted by how it ended, the histograms, the
handoffs, the e-mails, the ticket database's gauges and GET /metrics of the action server and the desk."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import pytest
from prometheus_client import values
from prometheus_client.parser import text_string_to_metric_families
from rasa.core.channels.channel import CollectingOutputChannel
from rasa_sdk import Tracker
from sanic import Sanic
from support import free_port

from actions import handoff
from bot import services
from bot.access.turn_admission import TurnQueue
from bot.config import Settings, settings_from
from bot.observability.metrics import (
    DECLINED,
    HANDED_OVER,
    OUTCOME_KEY,
    OUTCOMES,
    TicketCollector,
    exposition,
    metrics,
    turn_outcome,
)
from bot.rasa.action_server import create_app as create_action_server
from bot.rasa.metrics_route import MetricsBlueprint
from bot.rasa.turn import take_turn
from bot.tickets import TicketService
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database
from bot.tickets.errors import TicketStoreUnavailable
from bot.tickets.live_chat_tickets import LiveChatService
from bot.tickets.mail import Mailer, MailFailed
from bot.tickets.models import utc_now

SETTINGS = replace(Settings(), reply_timeout_seconds=1, max_message_chars=50)


def value(name: str, **labels: str) -> float:
    return metrics().registry.get_sample_value(name, labels) or 0.0


def scraped(body: bytes) -> dict[tuple[str, tuple], float]:
    """Every sample of a /metrics body by (name, sorted labels)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def replying(*messages: dict):
    async def handler(message):
        for reply in messages:
            await message.output_channel.send_response(message.sender_id, reply)

    return handler


async def outcome_of(handler, text: str = "How many jobs?", **options) -> str:
    """The outcome the turn was counted under (exactly one counter moves by one)."""
    before = {outcome: value("almere_turns_total", outcome=outcome) for outcome in OUTCOMES}
    await take_turn(handler, CollectingOutputChannel(), text, "tester", "rest", SETTINGS, **options)
    moved = {o: value("almere_turns_total", outcome=o) - before[o] for o in OUTCOMES}
    [outcome] = [o for o, n in moved.items() if n]
    assert moved[outcome] == 1
    return outcome


async def test_each_turn_is_counted_by_how_it_ended():
    async def fails(message):
        raise ConnectionError("action server down")

    assert await outcome_of(replying({"text": "About 230,000."})) == "answered"
    assert (
        await outcome_of(replying({"text": "Sorry.", OUTCOME_KEY: DECLINED}, {"text": "Shall I?"}))
        == DECLINED
    )
    passed_on = [{"text": "Passed on.", OUTCOME_KEY: HANDED_OVER}]
    assert await outcome_of(replying(*passed_on)) == HANDED_OVER
    assert await outcome_of(fails) == "trouble"
    assert await outcome_of(replying(), paused=True) == "live_chat"
    assert await outcome_of(replying(), paused=False) == "trouble"  # silence
    assert await outcome_of(replying(), "x" * 51) == "answered"  # asked to shorten it, without Rasa


async def test_a_busy_refusal_is_counted_and_not_timed_as_a_turn():
    queue = TurnQueue(concurrency=1, wait_budget=0.05)
    release = asyncio.Event()

    async def slow(message):
        await release.wait()
        await message.output_channel.send_response(message.sender_id, {"text": "done"})

    first = asyncio.create_task(
        take_turn(slow, CollectingOutputChannel(), "hi", "a", "rest", SETTINGS, queue=queue)
    )
    await asyncio.sleep(0.01)
    timed, waited = value("almere_turn_seconds_count"), value("almere_turn_queue_wait_seconds_count")
    assert await outcome_of(replying(), queue=queue) == "busy"
    assert value("almere_turn_seconds_count") == timed
    assert value("almere_turn_queue_wait_seconds_count") == waited + 1
    release.set()
    await first
    assert value("almere_turn_seconds_count") == timed + 1


async def test_the_turn_and_its_wait_are_timed():
    count, total = value("almere_turn_seconds_count"), value("almere_turn_seconds_sum")
    waits, waited = value("almere_turn_queue_wait_seconds_count"), value("almere_turn_queue_wait_seconds_sum")

    async def takes_a_while(message):
        await asyncio.sleep(0.2)
        await message.output_channel.send_response(message.sender_id, {"text": "done"})

    await outcome_of(takes_a_while)
    assert value("almere_turn_seconds_count") == count + 1
    assert value("almere_turn_seconds_sum") - total >= 0.19  # the loop may wake a timer a hair early
    assert value("almere_turn_queue_wait_seconds_count") == waits + 1
    assert (
        value("almere_turn_queue_wait_seconds_sum") - waited < 0.2
    )  # taken at once: its turn is not its wait


async def test_the_label_does_not_reach_the_person():
    output = CollectingOutputChannel()
    await take_turn(replying({"text": "Sorry.", OUTCOME_KEY: DECLINED}), output, "hi", "t", "rest", SETTINGS)
    assert output.messages == [{"recipient_id": "t", "text": "Sorry."}]


def test_handed_over_wins_over_declined():
    assert turn_outcome([DECLINED, None, HANDED_OVER]) == HANDED_OVER
    assert turn_outcome([None, DECLINED]) == DECLINED
    assert turn_outcome([None, "something else"]) == "answered"


@pytest.fixture
def tickets(tmp_path, monkeypatch) -> TicketService:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade_database(url)
    factory = create_session_factory(create_engine_for(url))
    service = TicketService(factory)
    live_chats = LiveChatService(factory)
    monkeypatch.setattr(services, "ticket_service", lambda: service)
    monkeypatch.setattr(services, "live_chats", lambda: live_chats)
    return service


def tracker(slots: dict, intent: str = "affirm") -> Tracker:
    events = [{"event": "user", "text": "weather?", "parse_data": {"intent": {"name": intent}}}]
    latest = {"intent": {"name": intent}, "entities": [], "text": "weather?"}
    return Tracker("conversation-1", slots, latest, events, False, None, {}, "action_listen")


async def test_the_actions_label_a_decline_and_a_handoff_and_count_the_handoff(tickets, dispatcher, domain):
    await handoff.ActionDecline().run(dispatcher, tracker({}, "out_of_scope"), domain)
    assert [m.get(OUTCOME_KEY) for m in dispatcher.messages] == [DECLINED, None]

    dispatcher.messages.clear()
    before = value("almere_handoffs_total", desk="business", way="form")
    slots = {
        "handoff_name": "Maria Jansen",
        "handoff_contact": "maria@example.nl",
        "handoff_question": "Can I rent an office?",
        "handoff_desk": "business",
        "handoff_consent": True,
    }
    await handoff.ActionSubmitHandoff().run(dispatcher, tracker(slots), domain)
    assert [m.get(OUTCOME_KEY) for m in dispatcher.messages] == [HANDED_OVER]
    assert value("almere_handoffs_total", desk="business", way="form") == before + 1

    dispatcher.messages.clear()
    await handoff.ActionSubmitHandoff().run(dispatcher, tracker({**slots, "handoff_consent": False}), domain)
    assert [m.get(OUTCOME_KEY) for m in dispatcher.messages] == [None]  # nothing was passed on
    assert value("almere_handoffs_total", desk="business", way="form") == before + 1


def test_emails_sent_and_failed_are_counted(mail_server):
    sent, failed = value("almere_emails_sent_total"), value("almere_emails_failed_total")
    port = str(mail_server.port)
    mailer = Mailer(settings_from({"ALMERE_SMTP_HOST": "127.0.0.1", "ALMERE_SMTP_PORT": port}))
    mailer.send(mailer.message(to="maria@example.nl", subject="Hello", body="Hello."))
    assert (value("almere_emails_sent_total"), value("almere_emails_failed_total")) == (sent + 1, failed)
    unreachable = Mailer(
        settings_from({"ALMERE_SMTP_HOST": "127.0.0.1", "ALMERE_SMTP_PORT": str(free_port())})
    )
    with pytest.raises(MailFailed):
        unreachable.send(unreachable.message(to="maria@example.nl", subject="Hello", body="Hello."))
    assert (value("almere_emails_sent_total"), value("almere_emails_failed_total")) == (sent + 1, failed + 1)


def open_ticket(service: TicketService, conversation: str, desk: str) -> None:
    service.open_or_update(
        conversation,
        "rest",
        name="Maria Jansen",
        email="maria@example.nl",
        phone=None,
        question="Can I rent an office?",
        desk=desk,
        consent_given=True,
        transcript=[],
    )


def test_the_ticket_gauges_are_read_from_the_database_when_scraped(tickets):
    live = services.live_chats()
    later = utc_now() + timedelta(seconds=90)
    collector = TicketCollector(tickets.counts, live.waiting, clock=lambda: later)
    open_ticket(tickets, "c-1", "business")
    open_ticket(tickets, "c-2", "international")
    live.request("c-3", "socketio", desk="international", question=None, topic=None, transcript=[])
    samples = scraped(exposition(collector)[0])
    assert samples[("almere_ticket_database_up", ())] == 1
    assert samples[("almere_tickets", (("desk", "business"), ("status", "open")))] == 1
    assert samples[("almere_tickets", (("desk", "international"), ("status", "open")))] == 2
    assert samples[("almere_tickets_awaiting_reply", (("desk", "business"),))] == 1
    assert samples[("almere_live_chats_waiting", (("desk", "international"),))] == 1
    assert samples[("almere_live_chats_waiting", (("desk", "business"),))] == 0
    assert 89 < samples[("almere_live_chat_longest_wait_seconds", ())] < 92


def test_an_unreadable_ticket_database_is_a_gauge_not_a_failed_scrape():
    def unavailable():
        raise TicketStoreUnavailable("down")

    samples = scraped(exposition(TicketCollector(unavailable, unavailable))[0])
    assert samples[("almere_ticket_database_up", ())] == 0
    assert ("almere_turns_total", (("outcome", "busy"),)) in samples  # the process's own still show


def test_a_multi_process_desk_sums_every_process_s_counters(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    for _worker in range(2):
        count = "from bot.observability.metrics import count_email; count_email(sent=False)"
        subprocess.run([sys.executable, "-c", count], check=True, timeout=120)
    monkeypatch.setattr(values, "ValueClass", values.MultiProcessValue())

    def unavailable():
        raise TicketStoreUnavailable("down")

    samples = scraped(exposition(TicketCollector(unavailable, unavailable))[0])
    assert samples[("almere_emails_failed_total", ())] == 2
    assert samples[("almere_ticket_database_up", ())] == 0


def test_the_rest_channel_serves_metrics_at_the_root(monkeypatch):
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic("metrics_test")
    app.blueprint(MetricsBlueprint("channel", __name__), url_prefix="/webhooks/rest")
    assert any(route.path == "metrics" for route in app.router.routes)


async def test_the_action_server_serves_metrics_without_the_secret(monkeypatch):
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = create_action_server("test-secret")
    [only_rasa] = [m for m in app.request_middleware if m.__name__ == "only_rasa"]

    class Request:
        path, method, headers = "/metrics", "GET", {}

    assert await only_rasa(Request()) is None
    [route] = [route for route in app.router.routes if route.path == "metrics"]
    result = await route.handler(Request())
    assert ("almere_turns_total", (("outcome", "answered"),)) in scraped(result.body)


def test_the_desk_serves_metrics_from_its_database(tmp_path):
    from bot.site import create_app
    from bot.site.extension import services as site_services

    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade_database(url)
    settings = settings_from({"ALMERE_DATABASE_URL": url, "ALMERE_SECRET_KEY": "x" * 32})
    app = create_app(settings)
    with app.app_context():
        open_ticket(site_services().tickets, "c-1", "international")
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    samples = scraped(response.data)
    assert samples[("almere_tickets_awaiting_reply", (("desk", "international"),))] == 1


@pytest.mark.parametrize(
    "module", ["bot.observability.metrics", "bot.rasa.action_server", "bot.tickets.mail"]
)
def test_each_server_s_first_import_works(module):
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, timeout=120)
