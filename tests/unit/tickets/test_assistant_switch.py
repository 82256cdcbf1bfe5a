"""The assistant's switch in the ticket database: kept with its history, read through a short cache."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import create_engine

from bot.access.assistant_switch import (
    CACHE_SECONDS,
    REASON_MAX_CHARS,
    AssistantSwitch,
    InvalidReason,
)
from bot.tickets.database import create_session_factory


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def switch(engine, clock) -> AssistantSwitch:
    return AssistantSwitch(create_session_factory(engine), clock=clock)


def test_the_assistant_answers_until_switched_off(switch):
    assert switch.state().answering and switch.history() == []


def test_a_switch_is_kept_with_who_and_why_and_logged(switch, engine, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.access.assistant_switch"):
        switch.switch(False, "  Outage at the municipality ", by="admin")
    switch.switch(True, "Fixed", by="other")
    other_server = AssistantSwitch(create_session_factory(engine))
    assert other_server.state().answering and other_server.state().switched_by == "other"
    history = other_server.history()
    assert [(s.answering, s.reason, s.switched_by) for s in history] == [
        (True, "Fixed", "other"),
        (False, "Outage at the municipality", "admin"),
    ]
    assert "switched off by admin: Outage at the municipality" in caplog.text


@pytest.mark.parametrize("reason", [None, "", "   ", "x" * (REASON_MAX_CHARS + 1)])
def test_a_switch_needs_a_reason_of_a_keepable_length(switch, reason):
    with pytest.raises(InvalidReason):
        switch.switch(False, reason, by="admin")
    assert switch.read().answering and switch.history() == []


def test_another_server_sees_a_switch_once_its_cache_expires(switch, engine, clock):
    other_server = AssistantSwitch(create_session_factory(engine), clock=clock)
    assert other_server.state().answering
    switch.switch(False, "Maintenance", by="admin")
    clock.now += CACHE_SECONDS / 2
    assert other_server.cached() is not None and other_server.state().answering
    clock.now += CACHE_SECONDS / 2
    assert other_server.cached() is None and not other_server.state().answering


def test_a_database_fault_keeps_the_state_read_last(switch, engine, clock, tmp_path):
    switch.switch(False, "Maintenance", by="admin")
    clock.now += CACHE_SECONDS
    assert not switch.state().answering
    switch._sessions = create_session_factory(create_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}"))
    clock.now += CACHE_SECONDS
    assert not switch.state().answering
    never_read = AssistantSwitch(switch._sessions, clock=clock)
    assert never_read.state().answering
