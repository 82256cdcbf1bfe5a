"""bot.rasa.action_server.create_app: the checks before rasa_sdk's webhook, without a server."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sanic import Sanic

from bot.rasa.action_server import create_app

SECRET = "test-secret"
CALL = {"next_action": "action_answer_topic", "sender_id": "s1", "tracker": {"events": []}, "domain": {}}


@pytest.fixture
def only_rasa(monkeypatch):
    monkeypatch.setattr(Sanic, "test_mode", True)  # rasa_sdk names every app it makes the same
    app = create_app(SECRET)
    [middleware] = [m for m in app.request_middleware if m.__name__ == "only_rasa"]
    return middleware


def call(body: bytes, **headers: str) -> SimpleNamespace:
    """What the middleware reads of a request to the webhook."""
    return SimpleNamespace(
        path="/webhook",
        method="POST",
        body=body,
        headers={"authorization": f"Bearer {SECRET}", **headers},
        parsed_json=None,
    )


async def test_an_action_call_is_parsed_once_and_handed_to_the_webhook(only_rasa):
    request = call(json.dumps(CALL).encode())
    assert await only_rasa(request) is None
    assert request.parsed_json == CALL  # what Sanic's request.json gives rasa_sdk, without parsing again


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]"])
async def test_a_bad_body_is_refused_before_the_webhook(only_rasa, body):
    request = call(body)
    refused = await only_rasa(request)
    assert refused.status == 400 and request.parsed_json is None
