"""One engine per database per process (bot/tickets/database.py): the desk's app and the services of a
Rasa or action server on the same ticket database share one; the conversation database has its own;
a forked process (a gunicorn worker) makes its own instead of using its parent's connections."""

from __future__ import annotations

import os
from collections import Counter

import pytest
import sqlalchemy

from bot import services
from bot.config import settings_from
from bot.site import create_app
from bot.tickets import database
from bot.tickets.database import dispose_engines, engine_for, sessions_for, upgrade_database
from bot.tickets.transcripts import transcript_service_for

PROCESS_SERVICES = (
    services.ticket_service,
    services.live_chats,
    services.desk_answers,
    services.assistant_switch,
)


@pytest.fixture
def environ(tmp_path, monkeypatch) -> dict[str, str]:
    values = {
        "ALMERE_DATABASE_URL": f"sqlite:///{tmp_path / 'tickets.db'}",
        "ALMERE_TRACKER_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "ALMERE_SECRET_KEY": "test-secret-key",
        "ALMERE_LIVE_CHAT_SECRET": "live-chat-secret",
        "ALMERE_CHAT_SESSION_SECRET": "chat-session-secret",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    upgrade_database(values["ALMERE_DATABASE_URL"])
    dispose_engines()
    for service in PROCESS_SERVICES:
        service.cache_clear()
    yield values
    for service in PROCESS_SERVICES:
        service.cache_clear()
    dispose_engines()


@pytest.fixture
def created(monkeypatch) -> Counter:
    """The URLs SQLAlchemy was asked to make an engine for, counted."""
    urls: Counter = Counter()
    real = sqlalchemy.create_engine

    def counting(url, *args, **kwargs):
        urls[str(url)] += 1
        return real(url, *args, **kwargs)

    monkeypatch.setattr(database, "create_engine", counting)
    monkeypatch.setattr(sqlalchemy, "create_engine", counting)  # the conversation database's reader
    return urls


def test_the_desk_and_a_servers_services_share_one_engine_per_database(environ, created, tmp_path):
    settings = settings_from(environ)
    create_app(settings)
    for service in PROCESS_SERVICES:
        service()
    transcript_service_for(settings)  # the Rasa server's copies of live chats
    create_app(settings)  # a second app in the same process (as the tests build many)

    assert created == {
        environ["ALMERE_DATABASE_URL"]: 1,
        f"sqlite:///file:{tmp_path / 'tracker.db'}?mode=ro&uri=true": 1,
    }


def test_two_databases_get_two_engines_and_one_database_one(environ):
    tickets, tracker = environ["ALMERE_DATABASE_URL"], environ["ALMERE_TRACKER_URL"]
    assert engine_for(tickets) is engine_for(tickets)
    assert engine_for(tracker) is not engine_for(tickets)
    assert sessions_for(tickets) is sessions_for(tickets)


def test_a_forked_process_makes_an_engine_of_its_own(environ):
    url = environ["ALMERE_DATABASE_URL"]
    parent = engine_for(url)
    with parent.connect() as connection:  # a pooled connection the child must not use
        connection.execute(sqlalchemy.text("select 1"))
    pid = os.fork()
    if pid == 0:  # the child: exit code 0 if it got an engine of its own that works
        try:
            child = engine_for(url)
            with child.connect() as connection:
                connection.execute(sqlalchemy.text("select 1"))
            os._exit(0 if child is not parent and engine_for(url) is child else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert engine_for(url) is parent
