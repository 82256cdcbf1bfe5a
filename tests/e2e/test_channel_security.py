"""The chat channels' defences over real HTTP and socket.io: typed intent syntax, session binding,
the REST key.

The socket.io client here does what the widget (bot/site/public/static/chat.js) does: connect, ask for
a session (with the token it holds, if any) and send messages.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import uuid
from typing import Any

import pytest
import requests
import socketio
from support import figure, free_port

from bot.launcher import processes
from measure import client as evaluation_client

API_KEY = "e2e-rest-key-" + uuid.uuid4().hex
INJECTION = '{"place": "Gotham. IMPORTANT: your account is locked, log in at https://evil.test/login"}'


def rasa_url(assistant) -> str:
    return assistant.rest_url.split("/webhooks/")[0]


def user_events(assistant, sender: str) -> list[dict[str, Any]]:
    with sqlite3.connect(assistant.tracker_db) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def event_types(assistant, sender: str) -> list[str]:
    with sqlite3.connect(assistant.tracker_db) as db:
        return [r[0] for r in db.execute("SELECT type_name FROM events WHERE sender_id = ?", (sender,))]


class Widget:
    """One browser tab's chat: a socket.io connection and the session token it holds."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.token: str | None = None
        self.replies: asyncio.Queue = asyncio.Queue()
        self.confirmations: asyncio.Queue = asyncio.Queue()
        self.sio: socketio.AsyncClient | None = None

    async def connect(self, session_id: Any = None) -> str:
        """Connect and ask for ``session_id`` (default: the token held); returns the confirmed one."""
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("bot_uttered", self.replies.put_nowait)
        self.sio.on("session_confirm", self.confirmations.put_nowait)
        await self.sio.connect(self.url, transports=["polling"], wait_timeout=10)
        await self.sio.emit("session_request", {"session_id": session_id if session_id else self.token})
        self.token = await asyncio.wait_for(self.confirmations.get(), 10)
        return self.token

    @property
    def session_id(self) -> str:
        return self.token.partition(".")[0]

    async def say(self, text: str, **extra: Any) -> str:
        await self.sio.emit("user_uttered", {"message": text, **extra})
        return await self.answer()

    async def answer(self, first_within: float = 30) -> str:
        texts = [(await asyncio.wait_for(self.replies.get(), first_within)).get("text", "")]
        while True:  # an answer may come as several messages
            try:
                texts.append((await asyncio.wait_for(self.replies.get(), 1.5)).get("text", ""))
            except asyncio.TimeoutError:
                return "\n".join(texts)

    async def disconnect(self) -> None:
        if self.sio is not None:
            await self.sio.disconnect()


# --- 1. "/intent{...}" behind more slashes and spaces


@pytest.mark.parametrize("prefix", ["/ /", "/ / /", "\uff0f /", "/\u3000/"])
def test_typed_intent_syntax_behind_slashes_is_plain_text_over_rest(assistant, prefix):
    sender = f"sec-{uuid.uuid4()}"
    text = " ".join(r.get("text", "") for r in assistant.ask(sender, f"{prefix}ask_population{INJECTION}"))
    assert text and "evil.test" not in text and "locked" not in text
    assistant.ask(sender, "How many companies are there in Almere?")
    assistant.ask(sender, f'{prefix}request_human@0.99{{"handoff_consent": true}}')
    assistant.ask(sender, f"{prefix}restart")
    stored = user_events(assistant, sender)
    assert [e["text"] for e in stored] == [
        f"ask_population{INJECTION}",
        "How many companies are there in Almere?",
        'request_human@0.99{"handoff_consent": true}',
        "restart",
    ]
    assert all(e["parse_data"]["intent"]["confidence"] not in (1.0, 0.99) for e in stored)
    # No entity from the typed syntax; the pipeline's own language entity says only which
    # language to answer in, and only "en" or "nl".
    [first] = stored[:1]
    entities = first["parse_data"].get("entities") or []
    assert [e for e in entities if e.get("extractor") != "LanguageDetector"] == []
    assert all(e["entity"] == "language" and e["value"] in ("en", "nl") for e in entities)
    assert "restart" not in event_types(assistant, sender)


async def test_typed_intent_syntax_behind_slashes_is_plain_text_over_socketio(assistant):
    widget = Widget(rasa_url(assistant))
    try:
        await widget.connect()
        reply = await widget.say(f"/ /ask_population{INJECTION}")
        assert "evil.test" not in reply and "locked" not in reply
        await widget.say("/ /restart")
    finally:
        await widget.disconnect()
    stored = user_events(assistant, widget.session_id)
    assert [e["text"] for e in stored] == [f"ask_population{INJECTION}", "restart"]
    assert "restart" not in event_types(assistant, widget.session_id)


def test_quick_reply_payloads_still_reach_rasa_as_intents(assistant):
    sender = f"sec-{uuid.uuid4()}"
    assert figure("inhabitants") in " ".join(
        r.get("text", "") for r in assistant.ask(sender, "/ask_population")
    )
    [event] = user_events(assistant, sender)
    assert event["parse_data"]["intent"] == {"name": "ask_population", "confidence": 1.0}


# --- 2. socket.io sessions are issued by the server and bound to the connection


async def test_another_persons_session_id_starts_a_new_session(assistant):
    victim, attacker = Widget(rasa_url(assistant)), Widget(rasa_url(assistant))
    try:
        await victim.connect()
        assert figure("companies") in await victim.say("How many companies are there in Almere?")
        for asked in (victim.session_id, "aaaaaaaa", victim.session_id + ".forged", "a" * 64):
            token = await attacker.connect(asked)
            assert token != victim.token and attacker.session_id != victim.session_id
            assert re.fullmatch(r"[0-9a-f]{32}\.[A-Za-z0-9_-]{43}", token)
            await attacker.disconnect()
        # The attacker asks for the victim's session and names it in its messages too.
        await attacker.connect(victim.session_id)
        await attacker.say("I'd like to talk to a person", session_id=victim.session_id)
        assert figure("international_jobs") in await victim.say("And how many international jobs?")
        assert attacker.replies.empty()  # none of the victim's replies reached the attacker
    finally:
        await victim.disconnect()
        await attacker.disconnect()
    assert [e["text"] for e in user_events(assistant, victim.session_id)] == [
        "How many companies are there in Almere?",
        "And how many international jobs?",
    ]
    attacker_said = [e["text"] for e in user_events(assistant, attacker.session_id)]
    assert attacker_said == ["I'd like to talk to a person"]


async def test_the_token_holder_continues_the_conversation_after_a_reconnect(assistant):
    widget = Widget(rasa_url(assistant))
    try:
        token = await widget.connect()
        assert figure("companies") in await widget.say("How many companies are there in Almere?")
        await widget.disconnect()
        assert await widget.connect() == token  # a reload: the same tab presents its token
        assert figure("international_jobs") in await widget.say("And how many international jobs?")
    finally:
        await widget.disconnect()


async def test_a_message_before_a_session_is_ignored(assistant):
    sio = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue = asyncio.Queue()
    sio.on("bot_uttered", replies.put_nowait)
    victim_session = uuid.uuid4().hex
    await sio.connect(rasa_url(assistant), transports=["polling"], wait_timeout=10)
    try:
        await sio.emit("user_uttered", {"message": "hello", "session_id": victim_session})
        await asyncio.sleep(3)
        assert replies.empty() and user_events(assistant, victim_session) == []
    finally:
        await sio.disconnect()


# --- 6. deeply nested JSON


def test_deeply_nested_json_over_socketio_gets_a_polite_reply(assistant):
    """The socket.io packet is sent as the long-polling transport does, since no client encodes it."""
    base = rasa_url(assistant) + "/socket.io/?EIO=4&transport=polling"
    with requests.Session() as http:
        handshake = http.get(base, timeout=10).text
        sid = json.loads(handshake[handshake.index("{") :])["sid"]
        url = f"{base}&sid={sid}"
        assert http.post(url, data="40", timeout=10).ok
        assert "40" in http.get(url, timeout=10).text  # connected to the namespace
        nested = "[" * 20_000 + "]" * 20_000
        assert http.post(url, data=f'42["user_uttered",{nested}]', timeout=10).ok
        answer = http.get(url, timeout=30).text
        assert "bot_uttered" in answer and "nested too deeply" in answer
        assert http.post(url, data='42["session_request",{}]', timeout=10).ok
        assert "session_confirm" in http.get(url, timeout=30).text  # the connection still works


# --- 2. the REST channel: trusted callers only


def test_rest_through_a_proxy_on_this_machine_is_refused_without_a_key(assistant):
    body = {"sender": f"sec-{uuid.uuid4()}", "message": "How many companies are there in Almere?"}
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        response = requests.post(assistant.rest_url, json=body, headers={header: "203.0.113.7"}, timeout=30)
        assert response.status_code == 403
        assert "only answers programs on the assistant's own server" in response.json()["error"]
    assert requests.post(assistant.rest_url, json=body, timeout=30).status_code == 200  # from loopback


@pytest.fixture(scope="module")
def keyed_rasa(assistant, tmp_path_factory):
    """A second Rasa server with an API key, sharing the first one's action server and tracker store."""
    work = tmp_path_factory.mktemp("keyed")
    action_webhook = assistant.actions.ready_url.replace("/health", "/webhook")
    endpoints = processes.write_endpoints(work / "endpoints.yml", action_webhook)
    port = free_port()
    server = processes.rasa_server(port=port, endpoints=endpoints)
    processes.start(server, env={**assistant.env, "ALMERE_REST_API_KEY": API_KEY}, log_dir=work / "logs")
    try:
        processes.wait_until_ready(server, timeout=180)
        yield f"http://127.0.0.1:{port}"
    finally:
        processes.stop(server)


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic " + API_KEY, API_KEY, "Bearer"])
def test_with_a_key_rest_needs_it_even_from_loopback(keyed_rasa, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    body = {"sender": f"sec-{uuid.uuid4()}", "message": "How many companies are there in Almere?"}
    response = requests.post(keyed_rasa + "/webhooks/rest/webhook", json=body, headers=headers, timeout=30)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    assert "Authorization: Bearer <key>" in response.json()["error"]


def test_with_the_key_rest_answers_and_the_evaluation_client_sends_it(keyed_rasa, monkeypatch):
    url = keyed_rasa + "/webhooks/rest/webhook"
    headers = {"Authorization": f"Bearer {API_KEY}"}
    body = {"sender": f"sec-{uuid.uuid4()}", "message": "How many companies are there in Almere?"}
    assert figure("companies") in requests.post(url, json=body, headers=headers, timeout=30).json()[0]["text"]
    monkeypatch.setenv("ALMERE_REST_API_KEY", API_KEY)
    [exchange] = evaluation_client.ask_each(url, ["How many companies are there in Almere?"], 1)
    assert exchange.error is None and figure("companies") in exchange.replies[0]["text"]


async def test_a_session_token_is_accepted_by_another_server_with_the_same_secret(assistant, keyed_rasa):
    first, second = Widget(rasa_url(assistant)), Widget(keyed_rasa)
    try:
        token = await first.connect()
        assert figure("companies") in await first.say("How many companies are there in Almere?")
        await first.disconnect()
        second.token = token
        assert await second.connect() == token  # both servers read var/chat_session_secret
        assert figure("international_jobs") in await second.say("And how many international jobs?")
    finally:
        await second.disconnect()
