"""Live chat on the scaled layout: the person's socket is held by one Rasa server, the
desk's calls reach the other, and socket.io's Redis message queue carries the messages across."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import socketio

from bot.launcher.processes import origin
from bot.site.desk.accounts import StaffAccounts
from bot.site.desk.rasa_link import RasaLink
from bot.tickets import MessageRecord, TicketService
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.live_chat_tickets import LiveChatService

TIMEOUT = 20
QUESTION = "Thank you, which documents do I need?"


@dataclass
class Outcome:
    received: list[dict] = field(default_factory=list)
    after_own_message: list[dict] = field(default_factory=list)
    transcript: tuple[MessageRecord, ...] = ()


async def _until(condition, timeout: float = TIMEOUT) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.1)


async def _chat_across_servers(scaled_out) -> Outcome:
    server_one, server_two = (origin(server) for server in scaled_out.local.stack.rasa[:2])
    engine = create_engine_for(scaled_out.local.database_url)
    factory = create_session_factory(engine)
    live, tickets = LiveChatService(factory), TicketService(factory)
    StaffAccounts(factory).add("anna-ops", "a long enough password 1", first_name="Anna")
    outcome = Outcome()
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    person = socketio.AsyncClient()
    person.on("session_confirm", lambda token: confirmed.done() or confirmed.set_result(token))
    person.on("bot_uttered", outcome.received.append)
    await person.connect(server_one, socketio_path="/socket.io", transports=["polling"])
    try:
        await person.emit("session_request", {"session_id": None})
        conversation = (await asyncio.wait_for(confirmed, TIMEOUT)).split(".")[0]
        await person.emit("user_uttered", {"message": "How many people live in Almere?"})
        await _until(lambda: any("inhabitants" in (m.get("text") or "") for m in outcome.received))

        chat = live.request(
            conversation, "socketio", desk="international", question=None, topic=None, transcript=[]
        )
        live.take(chat.reference, "anna-ops")
        desk = RasaLink(server_two, scaled_out.local.live_chat_secret)
        await asyncio.to_thread(desk.send, chat.reference, "joined", author="anna-ops")
        await asyncio.to_thread(
            desk.send, chat.reference, "message", text="Hello from the desk", author="anna-ops"
        )
        await _until(lambda: any(m.get("from_staff") == "Anna" for m in outcome.received))

        before = len(outcome.received)
        await person.emit("user_uttered", {"message": QUESTION})
        await _until(lambda: QUESTION in [m.text for m in tickets.get(chat.reference).transcript])
        await asyncio.sleep(2)  # time enough for an answer the assistant must not give
        outcome.after_own_message = outcome.received[before:]
        outcome.transcript = tickets.get(chat.reference).transcript
        return outcome
    finally:
        await person.disconnect()
        engine.dispose()


def test_a_staff_message_reaches_a_socket_held_by_the_other_server(scaled_out):
    outcome = asyncio.run(_chat_across_servers(scaled_out))
    texts = [m.get("text") or "" for m in outcome.received]
    assert any("Anna of the International Affairs Department has joined" in text for text in texts)
    staff_message = {
        "text": "Hello from the desk",
        "from_staff": "Anna",
        "live_chat": {"state": "active", "staff": "Anna"},
    }
    assert staff_message in outcome.received
    assert outcome.after_own_message == [], "the assistant answered while a colleague had the conversation"
    staff = [(m.role, m.author, m.text) for m in outcome.transcript if m.role == "staff"]
    assert staff == [("staff", "anna-ops", "Hello from the desk")]
