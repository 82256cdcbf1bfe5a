"""The REST channel client against a tiny fake channel (http.server in a thread)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from measure import client

SLOW_SECONDS = 2.0


class FakeChannel(BaseHTTPRequestHandler):
    """Echoes the message as the REST channel would; some messages make it misbehave."""

    received: list[tuple[str, str, str | None]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        sender, message = body["sender"], body["message"]
        self.received.append((sender, message, self.headers.get("Authorization")))
        if message == "fail":
            self.answer(500, b'{"error": "boom"}')
        elif message == "busy":
            self.answer(503, json.dumps([{"recipient_id": sender, "text": "very busy"}]).encode())
        elif message == "not a list":
            self.answer(200, b'{"text": "a message outside a list"}')
        elif message == "slow":
            threading.Event().wait(SLOW_SECONDS)
            self.answer(200, b"[]")
        else:
            replies = [{"recipient_id": sender, "text": f"echo {message}"}, {"buttons": []}]
            self.answer(200, json.dumps(replies).encode())

    def answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except BrokenPipeError:  # the client gave up waiting (the timeout test): expected
            pass

    def log_message(self, *arguments) -> None:  # keep the test output clean
        pass


@pytest.fixture
def channel(monkeypatch) -> Iterator[str]:
    monkeypatch.delenv("ALMERE_REST_API_KEY", raising=False)
    FakeChannel.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeChannel)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/webhooks/rest/webhook"
    finally:
        server.shutdown()
        server.server_close()


def test_each_question_goes_in_a_fresh_conversation_in_order(channel):
    exchanges = client.ask_each(channel, ["one", "two", "three"], concurrency=2, prefix="t")
    assert [e.message for e in exchanges] == ["one", "two", "three"]
    assert [e.text for e in exchanges] == ["echo one\n", "echo two\n", "echo three\n"]
    assert all(e.error is None and e.status == 200 and e.seconds > 0 for e in exchanges)
    senders = {e.sender for e in exchanges}
    assert len(senders) == 3 and all(s.startswith("t-") for s in senders)


def test_a_script_keeps_its_conversation(channel):
    async def script(say: client.Say) -> list[str]:
        return [(await say(message)).sender for message in ("hello", "again")]

    [first, second] = client.converse(channel, [script, script], concurrency=2)
    assert len(set(first)) == 1 and len(set(second)) == 1 and first[0] != second[0]


def test_errors_are_recorded_not_raised(channel):
    failed, not_a_list = client.ask_each(channel, ["fail", "not a list"])
    assert (failed.status, failed.replies, failed.text) == (500, None, "")
    assert failed.error == 'HTTP 500: {"error": "boom"}'
    assert not_a_list.status == 200 and not_a_list.replies is None
    assert not_a_list.error.startswith("HTTP 200 without a list of messages")


async def test_no_answer_is_a_transport_error_without_a_status(channel):
    async with client.open_session(1, timeout=SLOW_SECONDS / 4) as session:
        slow = await client.send(session, channel, "s", "slow")
    assert slow.status is None and slow.replies is None and slow.error.startswith("TimeoutError")


async def test_nothing_listening_is_a_transport_error(unused_tcp_port):
    async with client.open_session(1) as session:
        exchange = await client.send(session, f"http://127.0.0.1:{unused_tcp_port}/", "s", "hi")
    assert exchange.status is None and exchange.error.startswith("ClientConnectorError")


def test_the_rest_api_key_of_the_environment_is_sent(channel, monkeypatch):
    client.ask_each(channel, ["without"])
    monkeypatch.setenv("ALMERE_REST_API_KEY", "k" * 32)
    client.ask_each(channel, ["with"])
    assert [auth for _sender, _message, auth in FakeChannel.received] == [None, f"Bearer {'k' * 32}"]


def test_a_load_spreads_the_messages_over_the_conversations(channel):
    load = client.conversations(channel, 3, 10, ["a", "b"], conversation_length=2, prefix="load")
    assert len(load.exchanges) == 10 and load.errors == 0 and load.throughput > 0
    # 3 workers send 4, 3 and 3 messages, a new conversation every 2: 2 + 2 + 2 conversations.
    assert len({e.sender for e in load.exchanges}) == 6


def test_the_texts_of_a_reply():
    assert client.reply_texts([{"text": "a"}, {"image": "x.png"}, {"text": None}, "junk"]) == ["a", "", ""]
    assert client.reply_texts(None) == []


def test_a_refusal_keeps_its_messages_and_counts_as_an_error(channel):
    [exchange] = client.ask_each(channel, ["busy"], concurrency=1)
    assert exchange.status == 503 and exchange.error.startswith("HTTP 503")
    assert exchange.text == "very busy"  # what the person was told
