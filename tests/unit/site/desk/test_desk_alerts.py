"""Alerts for people waiting for a live chat: every desk page asks /desk/api/alerts and shows the
count; the live list's columns keep their order when the page refreshes it."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timezone

import pytest
from desk_helpers import make_ticket

from bot.tickets import TranscriptEntry

ASKED = TranscriptEntry(role="user", text="Can I talk to someone?", timestamp=datetime.now(timezone.utc))


@pytest.fixture
def live_chats(services):
    return services.live_chats


def request_chat(live_chats, conversation: str):
    return live_chats.request(
        conversation, "socketio", desk="international", question=None, topic=None, transcript=[ASKED]
    )


def test_the_alerts_count_only_chats_waiting_for_a_colleague(signed_in, live_chats):
    assert signed_in.get("/desk/api/alerts").get_json() == {"waiting": 0, "references": []}
    first = request_chat(live_chats, "conv-a")
    second = request_chat(live_chats, "conv-b")
    assert signed_in.get("/desk/api/alerts").get_json() == {
        "waiting": 2,
        "references": [first.reference, second.reference],
    }
    live_chats.take(first.reference, "jan")
    assert signed_in.get("/desk/api/alerts").get_json() == {"waiting": 1, "references": [second.reference]}


def test_asking_for_alerts_counts_as_being_at_the_desk(signed_in, live_chats):
    live_chats.set_available("jan", True)
    assert signed_in.get("/desk/api/alerts").status_code == 200
    assert live_chats.available_staff() == ["jan"]


def test_alerts_need_a_signed_in_colleague(client, staff):
    response = client.get("/desk/api/alerts")
    assert response.status_code == 401 and "Sign in" in response.get_json()["error"]


def test_every_desk_page_loads_the_alerts(signed_in, services):
    reference = make_ticket(services.tickets)
    for path in ("/desk/", f"/desk/tickets/{reference}", "/desk/live/", "/desk/answers/", "/desk/insights/"):
        page = signed_in.get(path).get_data(as_text=True)
        assert '<script src="/desk/static/alerts.js" defer></script>' in page, path
        assert 'id="waiting-count"' in page and 'data-source="/desk/api/alerts"' in page, path
        assert '<label for="alert-sound">Sound for waiting chats</label>' in page, path
        assert 'rel="icon" href="/desk/static/favicon.svg"' in page, path
    login = signed_in.application.test_client().get("/desk/login").get_data(as_text=True)
    assert "alerts.js" not in login


def test_the_live_lists_columns_keep_their_order_when_refreshed(signed_in, live_chats):
    request_chat(live_chats, "conv-a")
    page = signed_in.get("/desk/live/").get_data(as_text=True)
    texts = json.loads(html.unescape(re.search(r"id=\"chats\"[^>]*data-texts='([^']*)'", page).group(1)))
    headers = re.findall(r'<th scope="col">([^<]+)</th>', page)
    assert texts["columns"] == headers == ["Reference", "State", "Desk", "Waiting", "Colleague"]
