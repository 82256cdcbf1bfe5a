"""A live chat asked for is counted as a handoff to its desk (bot/observability/metrics.py), once per
chat opened."""

from __future__ import annotations

from test_live_chat_relay import CONVERSATION, domain, factory, live, offer_a_live_chat, relay  # noqa: F401

from bot.observability.metrics import metrics


def handoffs(desk: str) -> float:
    return metrics().registry.get_sample_value("almere_handoffs_total", {"desk": desk, "way": "live_chat"})


async def test_a_live_chat_asked_for_is_a_handoff(relay, live, monkeypatch):  # noqa: F811
    before = handoffs("international")
    await relay.request(CONVERSATION, "socketio", may_open=lambda: True)  # no offer stands: no chat
    assert handoffs("international") == before
    await offer_a_live_chat(relay, monkeypatch)
    await relay.request(CONVERSATION, "socketio", may_open=lambda: True)
    chat = live.current(CONVERSATION)
    assert chat is not None and handoffs(chat.desk) == before + 1
    await relay.request(CONVERSATION, "socketio", may_open=lambda: True)  # asked again while it waits
    assert handoffs(chat.desk) == before + 1
