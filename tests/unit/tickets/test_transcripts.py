"""A copy of an ended live chat by e-mail, at the person's request, through a real SMTP server
running in the test; and the chat widget's request for it (the socket.io event's handler)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from support import free_port

from bot.config import settings_from
from bot.rasa import chat_copy
from bot.tickets import TranscriptEntry
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.live_chat_tickets import LiveChatService
from bot.tickets.mail import Mailer, thread_id
from bot.tickets.models import StaffUser, utc_now
from bot.tickets.transcripts import TRANSCRIPT_WINDOW, TranscriptOutcome, TranscriptService

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def mailer(port: int | None) -> Mailer:
    environ = {"ALMERE_SMTP_SENDER": "desk@almere.example"}
    if port is not None:
        environ |= {"ALMERE_SMTP_HOST": "127.0.0.1", "ALMERE_SMTP_PORT": str(port)}
    return Mailer(settings_from(environ))


@pytest.fixture
def factory(engine):
    factory = create_session_factory(engine)
    with factory() as session, session.begin():
        session.add(StaffUser(username="anna", password_hash="x", first_name="Anna"))
    return factory


@pytest.fixture
def transcripts_with(factory):
    return lambda port: TranscriptService(factory, mailer(port), AMSTERDAM)


def ended_chat(factory, conversation: str = "c1", language: str = "en", how: str = "closed") -> str:
    """A live chat that Anna took, answered and ended; its reference."""
    live = LiveChatService(factory)
    start = utc_now() - timedelta(minutes=5)
    asked = TranscriptEntry(role="user", text="Can I talk to someone?\n> fake line", timestamp=start)
    chat = live.request(
        conversation,
        "socketio",
        desk="international",
        question=None,
        topic=None,
        transcript=[asked],
        language=language,
    )
    live.take(chat.reference, "anna")
    answer = TranscriptEntry(
        role="staff", text="Hello, I am here.", timestamp=start + timedelta(minutes=1), author="anna"
    )
    live.record_transcript(chat.reference, [asked, answer])
    live.end(chat.reference, "anna", how)
    return chat.reference


@pytest.mark.parametrize(
    ("language", "subject", "sender", "you"),
    [
        (
            "en",
            "Your chat with the Municipality of Almere",
            "City of Almere \u2013 International Desk",
            "You",
        ),
        ("nl", "Uw chat met de gemeente Almere", "Gemeente Almere \u2013 International Desk", "U"),
    ],
)
def test_the_person_gets_a_copy_of_the_ended_chat_in_their_language(
    factory, transcripts_with, mail_server, service, language, subject, sender, you
):
    inbox, port = mail_server.inbox, mail_server.port
    reference = ended_chat(factory, language=language)

    result = transcripts_with(port).send("c1", " ana@example.org ")

    assert result.outcome is TranscriptOutcome.SENT
    [(recipients, message)] = inbox.messages
    assert recipients == ["ana@example.org"]
    assert message["Subject"] == f"[{reference}] {subject}"
    assert message["From"].addresses[0].display_name == sender
    assert message["Date"] and message["Message-ID"].endswith("@almere.example>")
    ticket = service.get(reference)
    thread = thread_id(reference, ticket.created_at, "almere.example")
    assert (message["In-Reply-To"], message["References"]) == (thread, thread)
    body = message.get_content().replace("\r\n", "\n")
    asked_at = ticket.transcript[0].timestamp.astimezone(AMSTERDAM)
    assert f"[{asked_at:%Y-%m-%d %H:%M}] {you}:\n  > Can I talk to someone?\n  > > fake line\n" in body
    assert "] Anna:\n    Hello, I am here.\n" in body
    # Staff see what was sent, and the address is the ticket's now.
    assert ticket.email == "ana@example.org"
    assert "e-mailed to ana@example.org" in ticket.notes[-1].text


def test_each_chat_is_emailed_once_and_a_failed_copy_may_be_asked_for_again(
    factory, transcripts_with, mail_server, service
):
    inbox, port = mail_server.inbox, mail_server.port
    reference = ended_chat(factory)

    failed = transcripts_with(free_port()).send("c1", "ana@example.org")  # nothing listens there
    assert failed.outcome is TranscriptOutcome.FAILED and "could not be reached" in failed.error
    assert "NOT sent" in service.get(reference).notes[-1].text

    assert transcripts_with(port).send("c1", "ana@example.org").outcome is TranscriptOutcome.SENT
    again = transcripts_with(port).send("c1", "someone.else@example.org")
    assert again.outcome is TranscriptOutcome.ALREADY_SENT
    assert [recipients for recipients, _ in inbox.messages] == [["ana@example.org"]]


def test_no_copy_without_an_ended_chat_a_valid_address_or_a_mail_server(
    factory, transcripts_with, mail_server
):
    inbox, port = mail_server.inbox, mail_server.port
    transcripts = transcripts_with(port)
    assert transcripts.send("c1", "ana@example.org").outcome is TranscriptOutcome.NO_CHAT
    live = LiveChatService(factory)
    chat = live.request("c1", "socketio", desk="international", question=None, topic=None, transcript=[])
    live.take(chat.reference, "anna")
    assert transcripts.send("c1", "ana@example.org").outcome is TranscriptOutcome.NO_CHAT  # still going on
    live.end(chat.reference, "anna", "returned")

    for address in ("not an address", "", None, 42, "a@b@example.org"):
        assert transcripts.send("c1", address).outcome is TranscriptOutcome.INVALID_ADDRESS
    assert transcripts.send("another", "ana@example.org").outcome is TranscriptOutcome.NO_CHAT
    later = utc_now() + TRANSCRIPT_WINDOW + timedelta(minutes=1)
    assert transcripts.send("c1", "ana@example.org", now=later).outcome is TranscriptOutcome.NO_CHAT
    assert transcripts_with(None).send("c1", "ana@example.org").outcome is TranscriptOutcome.NOT_CONFIGURED
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("language", "data", "outcome", "text"),
    [
        ("en", {"email": "ana@example.org"}, "sent", "I have e-mailed you a copy of the chat."),
        ("nl", {"email": "ana@example.org"}, "sent", "Ik heb je een kopie van de chat gemaild."),
        ("en", {"email": "nope"}, "invalid_address", "doesn't look like an e-mail address"),
        ("nl", "not a dict", "invalid_address", "lijkt geen e-mailadres"),
    ],
)
async def test_the_widgets_request_is_answered_in_the_persons_language(
    factory, transcripts_with, mail_server, language, data, outcome, text
):
    ended_chat(factory, language=language)
    message = await chat_copy.reply(transcripts_with(mail_server.port), "c1", data, language)
    assert message["live_chat"] == {"transcript": outcome} and text in message["text"]


async def test_the_widgets_request_while_the_database_is_down_is_answered(
    transcripts_with, mail_server, tmp_path
):
    broken = tmp_path / "directory"
    broken.mkdir()
    down = TranscriptService(
        create_session_factory(create_engine_for(f"sqlite:///{broken}")), mailer(mail_server.port), AMSTERDAM
    )
    message = await chat_copy.reply(down, "c1", {"email": "ana@example.org"}, "en")
    assert message["live_chat"] == {"transcript": "unavailable"} and "try again later" in message["text"]
