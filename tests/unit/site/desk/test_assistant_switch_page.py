"""The desk's switch of the assistant: administrators only, with a reason that is kept and logged."""

from __future__ import annotations

import logging

import pytest
from desk_helpers import PASSWORD, csrf_token, sign_in

from bot.access.assistant_switch import REASON_MAX_CHARS, AssistantSwitch
from bot.tickets.database import create_engine_for, create_session_factory

PAGE = "/desk/assistant/"


@pytest.fixture
def app(make_app):
    return make_app({"ALMERE_DESK_ADMINS": "jan"})


@pytest.fixture
def switch(database_url):
    engine = create_engine_for(database_url)
    yield AssistantSwitch(create_session_factory(engine), cache_seconds=0)
    engine.dispose()


def post(client, answering, reason):
    return client.post(
        PAGE, data={"answering": answering, "reason": reason, "csrf_token": csrf_token(client, PAGE)}
    )


def test_an_administrator_switches_the_assistant_off_and_on_with_a_reason(signed_in, switch, caplog):
    page = signed_in.get(PAGE).get_data(as_text=True)
    assert 'data-answering="on"' in page and 'href="/desk/assistant/"' in page
    with caplog.at_level(logging.WARNING, logger="bot.access.assistant_switch"):
        response = post(signed_in, "off", "Outage of the knowledge source")
    assert response.status_code == 302
    assert not switch.state().answering and switch.state().switched_by == "jan"
    assert "switched off by jan: Outage of the knowledge source" in caplog.text
    page = signed_in.get(PAGE).get_data(as_text=True)
    assert 'data-answering="off"' in page and "Outage of the knowledge source" in page
    assert post(signed_in, "on", "Fixed").status_code == 302
    assert switch.state().answering
    assert [(s.answering, s.reason) for s in switch.history()] == [
        (True, "Fixed"),
        (False, "Outage of the knowledge source"),
    ]


@pytest.mark.parametrize(
    "answering, reason", [("off", ""), ("off", "  "), ("off", "x" * (REASON_MAX_CHARS + 1)), ("maybe", "Why")]
)
def test_a_switch_without_a_reason_is_refused_politely(signed_in, switch, answering, reason):
    response = post(signed_in, answering, reason)
    assert response.status_code == 400 and "Check your input" in response.get_data(as_text=True)
    assert switch.state().answering and switch.history() == []


def test_only_administrators_see_or_use_the_switch(client, services, switch):
    services.accounts.add("piet", PASSWORD)
    assert client.get(PAGE).status_code == 302  # sign in first
    sign_in(client, "piet")
    assert client.get(PAGE).status_code == 403
    assert 'href="/desk/assistant/"' not in client.get("/desk/").get_data(as_text=True)
    token = csrf_token(client, "/desk/")
    response = client.post(PAGE, data={"answering": "off", "reason": "Test", "csrf_token": token})
    assert response.status_code == 403 and switch.state().answering


def test_the_page_is_in_dutch_for_a_dutch_desk(signed_in, services):
    token = csrf_token(signed_in, PAGE)
    signed_in.post("/desk/language", data={"language": "nl", "next": PAGE, "csrf_token": token})
    page = signed_in.get(PAGE).get_data(as_text=True)
    assert "De assistent beantwoordt vragen." in page and "Assistent uitzetten" in page
