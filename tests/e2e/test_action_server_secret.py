"""Only Rasa may call the action server: over real HTTP."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from support import free_port

from bot.launcher import processes

SECRET = "e2e-action-secret"


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("ALMERE_ACTION_SERVER_SECRET", SECRET)
        server = processes.action_server(port=free_port())
    work = tmp_path_factory.mktemp("actions")
    env = {"ALMERE_DATABASE_URL": f"sqlite:///{work / 'desk.db'}"}
    processes.start(server, env=env, log_dir=work)
    try:
        processes.wait_until_ready(server, timeout=120)
        yield server.ready_url.rsplit("/", 1)[0]
    finally:
        processes.stop(server)


def action_call(name: str) -> dict:
    return {
        "next_action": name,
        "sender_id": f"x-{uuid.uuid4()}",
        "version": "3.6.2",
        "tracker": {
            "sender_id": "x",
            "slots": {},
            "latest_message": {},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
    }


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": SECRET}])
def test_a_call_without_the_secret_is_refused_with_401(action_server, headers):
    response = requests.post(
        f"{action_server}/webhook", json=action_call("action_cancel_handoff"), headers=headers, timeout=10
    )
    assert response.status_code == 401
    assert "shared secret" in response.json()["error"]
    assert requests.get(f"{action_server}/actions", headers=headers, timeout=10).status_code == 401


def test_the_health_check_needs_no_secret(action_server):
    assert requests.get(f"{action_server}/health", timeout=10).json() == {"status": "ok"}


def test_rasa_with_the_secret_is_answered(action_server):
    response = requests.post(
        f"{action_server}/webhook",
        json=action_call("action_cancel_handoff"),
        headers={"Authorization": f"Bearer {SECRET}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert "nothing has been passed on" in response.json()["responses"][0]["text"]


@pytest.mark.parametrize("body", ["[" * 20_000 + "]" * 20_000, "{not json", "[1, 2]"])
def test_a_bad_body_gets_a_400_not_a_500(action_server, body):
    response = requests.post(
        f"{action_server}/webhook",
        data=body.encode(),
        timeout=30,
        headers={"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert body[:10] not in json.dumps(response.json())
