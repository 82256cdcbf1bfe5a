"""A copy of an ended live chat by e-mail, asked for from the chat widget's socket.io connection
(event ``live_chat_transcript``), on the running assistant and through its local SMTP server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from support import Inbox
from test_channel_security import Widget, rasa_url

from bot.site.desk.accounts import StaffAccounts
from bot.tickets import TranscriptEntry
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.live_chat_tickets import LiveChatService
from bot.tickets.models import utc_now

COLLEAGUE = "anna.copy"


@pytest.fixture(scope="module")
def stack(assistant) -> Iterator[tuple[str, LiveChatService, Inbox]]:
    """The session's running assistant (its Rasa server's socket.io channel, its mail server) and
    its ticket database, with a colleague whose first name the person is shown."""
    engine = create_engine_for(assistant.env["ALMERE_DATABASE_URL"])
    factory = create_session_factory(engine)
    StaffAccounts(factory).add(COLLEAGUE, "a long enough password 1", first_name="Anna")
    try:
        yield rasa_url(assistant), LiveChatService(factory), assistant.mailbox
    finally:
        engine.dispose()


def chat_ended(live: LiveChatService, conversation_id: str) -> str:
    """A chat of this conversation that Anna took, answered and closed (as the desk does)."""
    asked = TranscriptEntry(role="user", text="Can I talk to someone?", timestamp=utc_now())
    chat = live.request(
        conversation_id, "socketio", desk="international", question=None, topic=None, transcript=[asked]
    )
    live.take(chat.reference, COLLEAGUE)
    answer = TranscriptEntry(
        role="staff",
        text="Hello, I'm Anna.",
        timestamp=asked.timestamp + timedelta(seconds=5),
        author=COLLEAGUE,
    )
    live.record_transcript(chat.reference, [asked, answer])
    live.end(chat.reference, COLLEAGUE, "closed")
    return chat.reference


async def copy(widget: Widget, data) -> dict:
    await widget.sio.emit("live_chat_transcript", data)
    return await asyncio.wait_for(widget.replies.get(), 30)


async def test_the_person_asks_for_a_copy_of_the_ended_chat_from_the_widget(stack):
    rasa_url, live, inbox = stack
    widget, other = Widget(rasa_url), Widget(rasa_url)
    try:
        await widget.connect()
        await other.connect()
        assert (await copy(widget, {"email": "ana@example.org"}))["live_chat"] == {"transcript": "no_chat"}
        reference = chat_ended(live, widget.session_id)

        bad = await copy(widget, {"email": "not an address"})
        assert bad["live_chat"] == {"transcript": "invalid_address"} and "e-mail address" in bad["text"]
        # Another connection (another conversation) cannot have this chat.
        assert (await copy(other, {"email": "eve@example.org"}))["live_chat"] == {"transcript": "no_chat"}
        sent = await copy(widget, {"email": "ana@example.org"})
        assert sent == {
            "text": "I have e-mailed you a copy of the chat.",
            "live_chat": {"transcript": "sent"},
        }
        again = await copy(widget, {"email": "eve@example.org"})
        assert again["live_chat"] == {"transcript": "already_sent"}
    finally:
        await widget.disconnect()
        await other.disconnect()

    [message] = [m for m in inbox.mails if reference in m["Subject"]]
    assert message["To"] == "ana@example.org"
    assert message["Date"] and message["Message-ID"] and message["In-Reply-To"] == message["References"]
    body = message.get_content()
    assert "Can I talk to someone?" in body and "Anna:" in body and "Hello, I'm Anna." in body
