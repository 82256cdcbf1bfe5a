"""The socket.io channel's limits on a real Rasa server (loopback, bounded in time and frames): a few
clients sending in a loop are asked to slow down and dropped, while another visitor is answered as
usual; language switches in a loop do not grow the conversation; a live chat is not opened without
the assistant's offer."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import socketio
from test_channel_security import Widget, rasa_url

from bot.config import Settings

FLOODERS = 4
FLOOD_SECONDS = 12
# The visitor asks once the flooders' first bursts are answered, while they keep sending.
VISITOR_AFTER_SECONDS = 4
MAX_FRAMES = 5_000  # per flooding connection
QUESTION, ANSWERED = "How many people live in Almere?", "inhabitants"
SLOW_DOWN = "faster than I can read"
BUSY = "very busy"


class Flooder:
    """A client that sends one event in a loop, as fast as it can (long-polling: this Python
    client cannot use WebSockets with the aiohttp Rasa pins; the server handles both alike)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.replies: list[str] = []
        self.session_id = ""
        self.sent = 0
        self.stayed_connected = False

    async def connect(self) -> None:
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
        self.sio.on("session_confirm", lambda token: confirmed.done() or confirmed.set_result(token))
        self.sio.on("bot_uttered", lambda data: self.replies.append(data.get("text") or ""))
        await self.sio.connect(self.url, transports=["polling"], wait_timeout=10)
        await self.sio.emit("session_request", {"session_id": None})
        self.session_id = (await asyncio.wait_for(confirmed, 10)).partition(".")[0]

    async def flood(self, event: str, make_data, until: float) -> None:
        loop = asyncio.get_running_loop()
        while loop.time() < until and self.sent < MAX_FRAMES:
            await self.sio.emit(event, make_data(self.sent))
            self.sent += 1
            if self.sent % 10 == 0:  # up to 1,000 a second, in batches under the server's body limit
                await asyncio.sleep(0.01)
        self.stayed_connected = self.sio.connected

    async def disconnect(self) -> None:
        await self.sio.disconnect()


def stored_events(assistant, sender: str) -> list[dict]:
    with sqlite3.connect(assistant.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    return [json.loads(row[0]) for row in rows]


async def test_clients_sending_in_a_loop_do_not_keep_others_from_being_answered(assistant):
    url = rasa_url(assistant)
    flooders = [Flooder(url) for _ in range(FLOODERS)]
    visitor = Widget(url)
    try:
        for flooder in flooders:
            await flooder.connect()
        await visitor.connect()
        until = asyncio.get_running_loop().time() + FLOOD_SECONDS
        flooding = asyncio.gather(
            *(
                flooder.flood("user_uttered", lambda n: {"message": f"{QUESTION} ({n})"}, until)
                for flooder in flooders
            )
        )
        await asyncio.sleep(VISITOR_AFTER_SECONDS)
        answers = [await visitor.say(QUESTION) for _ in range(5)]
        await flooding
    finally:
        for flooder in flooders:
            await flooder.disconnect()
        await visitor.disconnect()

    assert all(ANSWERED in answer and BUSY not in answer for answer in answers), answers
    settings = Settings()
    most = settings.chat_message_burst + settings.chat_messages_per_minute * (FLOOD_SECONDS + 30) / 60
    for flooder in flooders:
        assert flooder.sent > 10 * most and flooder.stayed_connected, "the client did not send in a loop"
        assert any(SLOW_DOWN in reply for reply in flooder.replies)
        assert sum(SLOW_DOWN in reply for reply in flooder.replies) <= most  # once per allowed message
        taken = [e for e in stored_events(assistant, flooder.session_id) if e["event"] == "user"]
        assert 1 <= len(taken) <= most


async def test_language_switches_in_a_loop_do_not_grow_the_conversation(assistant):
    url = rasa_url(assistant)
    flooder = Flooder(url)
    try:
        await flooder.connect()
        until = asyncio.get_running_loop().time() + 3
        await flooder.flood("set_language", lambda n: {"language": ("nl", "en")[n % 2]}, until)
        await asyncio.sleep(2)
    finally:
        await flooder.disconnect()
    switches = [
        e
        for e in stored_events(assistant, flooder.session_id)
        if e["event"] == "slot" and e["name"] == "language"
    ]
    assert flooder.sent > 100 and flooder.stayed_connected
    assert 1 <= len(switches) <= Settings().chat_language_switches_per_minute + 1


async def test_a_live_chat_is_not_opened_without_an_offer(assistant):
    widget = Widget(rasa_url(assistant))
    try:
        await widget.connect()
        await widget.sio.emit("live_chat_request", {})
        reply = await asyncio.wait_for(widget.replies.get(), 30)
    finally:
        await widget.disconnect()
    assert reply["live_chat"] == {"state": "unavailable"}
    assert "starts from my offer" in reply["text"]
