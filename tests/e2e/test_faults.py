"""Faults: the person still gets a helpful reply when the action server is down or slow."""

from __future__ import annotations

import socket
import threading
import time
import uuid

import pytest
import requests
from support import desk_phone, figure, free_port

from bot.launcher import processes


def test_action_server_down_still_gets_the_desk_numbers(assistant):
    processes.stop(assistant.actions)
    try:
        start = time.monotonic()
        response = requests.post(
            assistant.rest_url,
            json={"sender": f"f-{uuid.uuid4()}", "message": "How many jobs are there in Almere?"},
            timeout=30,
        )
        assert response.status_code == 200 and time.monotonic() - start < 8
        [reply] = response.json()
        assert "technical problem" in reply["text"] and desk_phone() in reply["text"]
    finally:
        processes.start(assistant.actions, env=assistant.env, log_dir=assistant.rasa.log_path.parent)
        processes.wait_until_ready(assistant.actions)
    question = {"sender": f"f-{uuid.uuid4()}", "message": "How many jobs are there in Almere?"}
    response = requests.post(assistant.rest_url, json=question, timeout=30)
    assert figure("jobs") in response.json()[0]["text"]


@pytest.fixture
def black_hole():
    """A port that accepts connections and never answers: a hung action server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    held = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_a_hung_action_server_is_answered_within_seconds(assistant, black_hole, tmp_path):
    endpoints = processes.write_endpoints(
        tmp_path / "endpoints.yml", f"http://127.0.0.1:{black_hole}/webhook"
    )
    port = free_port()
    rasa = processes.rasa_server(port=port, endpoints=endpoints)
    processes.start(rasa, env=assistant.env, log_dir=tmp_path)
    try:
        processes.wait_until_ready(rasa, timeout=180)
        start = time.monotonic()
        response = requests.post(
            f"http://127.0.0.1:{port}/webhooks/rest/webhook",
            json={"sender": f"f-{uuid.uuid4()}", "message": "How many jobs in Almere?"},
            timeout=30,
        )
        elapsed = time.monotonic() - start
    finally:
        processes.stop(rasa)
    assert response.status_code == 200 and elapsed < 10
    assert "technical problem" in response.json()[0]["text"]


def test_a_restart_mid_handoff_continues_where_it_was(assistant):
    sender = f"f-{uuid.uuid4()}"

    def ask(message: str) -> str:
        response = requests.post(assistant.rest_url, json={"sender": sender, "message": message}, timeout=30)
        return " ".join(r.get("text", "") for r in response.json())

    assert "What is your name?" in ask("I'd like to speak to a person")
    assert "email address or phone number" in ask("Lotte")
    assistant.restart_rasa()
    assert "What would you like to ask the desk?" in ask("lotte@example.nl")
