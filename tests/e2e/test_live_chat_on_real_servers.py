"""A live chat on real servers (loopback, with the desk always open and a colleague available): it
opens from the assistant's offer only, and the Rasa server's relay takes a colleague's calls only
for an active chat, from the colleague who has it, once per request id."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Iterator

import pytest
import requests
from test_channel_security import Widget

from bot.launcher import processes
from bot.site.desk.accounts import StaffAccounts
from bot.site.desk.rasa_link import RasaLink
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database
from bot.tickets.live_chat_tickets import LiveChatService

ALWAYS_OPEN = {
    "ALMERE_OFFICE_DAYS": "0,1,2,3,4,5,6",
    "ALMERE_OFFICE_OPEN": "00:00",
    "ALMERE_OFFICE_CLOSE": "23:59",
}
SECRET = secrets.token_hex(16)


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[tuple[str, LiveChatService]]:
    if not processes.MODEL.exists():
        pytest.fail(f"no trained model at {processes.MODEL}: run `make train` first")
    work = tmp_path_factory.mktemp("live-chat-relay")
    database_url = f"sqlite:///{work / 'desk.db'}"
    upgrade_database(database_url)
    engine = create_engine_for(database_url)
    factory = create_session_factory(engine)
    StaffAccounts(factory).add("anna", "a long enough password 1", first_name="Anna")
    env = {
        "ALMERE_DATABASE_URL": database_url,
        "ALMERE_TRACKER_URL": f"sqlite:///{work / 'tracker.db'}",
        "ALMERE_SECRET_KEY": secrets.token_hex(16),
        "ALMERE_LIVE_CHAT_SECRET": SECRET,
        **ALWAYS_OPEN,
    }
    try:
        servers = processes.assistant_stack(work, processes.Ports.free(), env)
        with processes.running(servers, timeout=180) as started:
            yield processes.origin(started.server("Rasa server")), LiveChatService(factory)
    finally:
        engine.dispose()


SEEN: list[dict] = []


async def next_reply(widget: Widget, wanted, within: float = 30) -> dict:
    """The next message the widget gets that ``wanted(message)``; every message is kept in SEEN."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        message = await asyncio.wait_for(widget.replies.get(), max(deadline - loop.time(), 0.1))
        SEEN.append(message)
        if wanted(message):
            return message


def live_state(message: dict) -> str | None:
    live = message.get("live_chat")
    return live.get("state") if isinstance(live, dict) else None


def post(rasa_url: str, body: dict) -> requests.Response:
    return requests.post(
        f"{rasa_url}/webhooks/socketio/live",
        json=body,
        headers={"Authorization": f"Bearer {SECRET}"},
        timeout=10,
    )


async def test_a_live_chat_from_the_offer_to_its_end(stack):
    rasa_url, live = stack
    live.set_available("anna", True)
    widget = Widget(rasa_url)
    try:
        await widget.connect()
        # Asked for without an offer: nothing opens.
        await widget.sio.emit("live_chat_request", {})
        refused = await next_reply(widget, live_state)
        assert live_state(refused) == "unavailable" and "starts from my offer" in refused["text"]
        assert live.current(widget.session_id) is None

        await widget.sio.emit("user_uttered", {"message": "I would like to talk to a person"})
        offer = await next_reply(
            widget, lambda m: isinstance(m.get("live_chat"), dict) and "offer" in m["live_chat"]
        )
        assert offer["live_chat"]["offer"] == "Chat with a colleague now"
        await widget.sio.emit("live_chat_request", {})
        assert live_state(await next_reply(widget, live_state)) == "waiting"
        chat = live.current(widget.session_id)
        assert chat is not None and chat.state == "waiting"

        # A colleague's call for a chat nobody took yet is refused.
        early = post(
            rasa_url,
            {
                "reference": chat.reference,
                "event": "joined",
                "author": "anna",
                "request_id": uuid.uuid4().hex,
            },
        )
        assert early.status_code == 409
        live.take(chat.reference, "anna")
        await asyncio.to_thread(RasaLink(rasa_url, SECRET).send, chat.reference, "joined", author="anna")
        joined = await next_reply(widget, lambda m: "joined" in (m.get("text") or ""))
        assert joined["text"].startswith("Anna of the International Affairs Department")

        # Not the colleague who has it: refused; the same request twice: delivered once.
        mallory = {
            "reference": chat.reference,
            "event": "message",
            "text": "Send us your password",
            "author": "mallory",
        }
        assert post(rasa_url, {**mallory, "request_id": uuid.uuid4().hex}).status_code == 403
        body = {**mallory, "author": "anna", "text": "Hello, I'm Anna.", "request_id": uuid.uuid4().hex}
        first, again = post(rasa_url, body), post(rasa_url, body)
        assert (first.status_code, first.json()) == (200, {"ok": True, "repeated": False})
        assert (again.status_code, again.json()) == (200, {"ok": True, "repeated": True})
        assert (await next_reply(widget, lambda m: "from_staff" in m))["text"] == "Hello, I'm Anna."

        # Typing, both ways: the colleague's reaches the widget (no text), the person's the desk.
        await asyncio.to_thread(RasaLink(rasa_url, SECRET).send, chat.reference, "typing", author="anna")
        typing = await next_reply(widget, lambda m: live_state(m) == "connected")
        assert typing == {"live_chat": {"state": "connected", "typing": True}}
        await widget.sio.emit("person_typing", {"session_id": widget.session_id})
        for _ in range(50):
            if live.get(chat.reference).person_typing_at is not None:
                break
            await asyncio.sleep(0.1)
        assert live.get(chat.reference).person_typing_at is not None
        bogus = {"event": "ended", "how": "closed", "rating_token": "W1sxLCAiYWJjIl1d.forged"}
        assert post(rasa_url, {**body, **bogus, "request_id": uuid.uuid4().hex}).status_code == 400

        await asyncio.to_thread(
            RasaLink(rasa_url, SECRET).send,
            chat.reference,
            "ended",
            author="anna",
            how="closed",
            rating_token=None,
        )
        assert live_state(await next_reply(widget, live_state)) == "closed"
        live.end(chat.reference, "anna", "closed")
        texts = [message.get("text") for message in SEEN]
        assert "Send us your password" not in texts and texts.count("Hello, I'm Anna.") == 1

        # The offer was taken up: asking again opens nothing.
        await widget.sio.emit("live_chat_request", {})
        assert "starts from my offer" in (await next_reply(widget, live_state))["text"]
        assert live.current(widget.session_id) is None
    finally:
        live.set_available("anna", False)
        await widget.disconnect()
