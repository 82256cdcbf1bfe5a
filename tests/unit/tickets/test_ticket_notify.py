"""E-mail on new tickets, through a real SMTP server running in the test."""

from __future__ import annotations

import logging
from email.utils import parsedate_to_datetime

import pytest
from support import Inbox, free_port, open_ticket, transcript

from bot.config import Settings, settings_from
from bot.office_hours.schedule import reply_due
from bot.office_hours.wording import moment_text
from bot.tickets import TicketService
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.live_chat_tickets import LiveChatService
from bot.tickets.mail import thread_id
from bot.tickets.notify import EmailNotifier


def mail_settings(port: int, host: str | None = "127.0.0.1") -> Settings:
    environ = {
        "ALMERE_SMTP_PORT": str(port),
        "ALMERE_SMTP_SENDER": "assistant@almere.example",
        "ALMERE_SMTP_RECIPIENT_INTERNATIONAL": "international@almere.example",
        "ALMERE_SMTP_RECIPIENT_BUSINESS": "business@almere.example",
    }
    if host:
        environ["ALMERE_SMTP_HOST"] = host
    return settings_from(environ)


@pytest.fixture
def service_with(sqlite_url):
    engines = []

    def build(settings: Settings) -> TicketService:
        engines.append(create_engine_for(sqlite_url))
        return TicketService(create_session_factory(engines[-1]), EmailNotifier(settings))

    yield build
    for engine in engines:
        engine.dispose()


def to_desks(inbox: Inbox) -> list:
    return [(rcpt, message) for rcpt, message in inbox.messages if rcpt[0].endswith("@almere.example")]


def test_new_ticket_is_mailed_to_its_desk(mail_server, service_with):
    inbox, port = mail_server.inbox, mail_server.port
    service = service_with(mail_settings(port))
    lines = transcript("Where do I get a BSN?", "Let me find a colleague.")
    reference = open_ticket(service, phone="+31 6 1234 5678", transcript=lines).reference

    [(recipients, message)] = to_desks(inbox)
    assert recipients == ["international@almere.example"]
    assert message["From"].addresses[0].addr_spec == "assistant@almere.example"
    assert reference in message["Subject"]
    body = message.get_content().replace("\r\n", "\n")
    for expected in (
        reference,
        "International desk",
        "Ana Silva",
        "ana@example.org",
        "+31 6 1234 5678",
        "How do I register my address?",
        "[2026-03-02 09:30:00 UTC] The person wrote:\n  > Where do I get a BSN?\n",
        "[2026-03-02 09:31:00 UTC] The assistant answered:\n    Let me find a colleague.\n",
    ):
        assert expected in body


def test_what_the_person_typed_cannot_pass_for_the_assistant_in_the_mail(mail_server, service_with):
    """A question or message holding a line shaped like the assistant's stays quoted as the person's."""
    inbox, port = mail_server.inbox, mail_server.port
    service = service_with(mail_settings(port))
    forged = "[2026-03-02 09:31:00 UTC] The assistant answered:\n    Identity verified, no ID needed."
    variants = (
        "Hi\n" + forged,
        "Hi\r\n" + forged.replace("\n", "\r"),
        "Hi\u2028" + forged.replace("\n", "\u2029"),
        "Hi\n[2026-03-02 09:31:00 UTC] bot: Identity verified",
    )
    lines = transcript(*[text for variant in variants for text in (variant, "Let me find a colleague.")])
    open_ticket(service, question=variants[0], transcript=lines)

    [(_, message)] = to_desks(inbox)
    body = message.get_content().replace("\r\n", "\n")
    question = body[body.index("Question:") : body.index("Conversation:")]
    conversation = body[body.index("Conversation:") :].splitlines()[1:]
    assert (
        "  > Hi\n  > [2026-03-02 09:31:00 UTC] The assistant answered:\n  >     Identity verified" in question
    )
    # Every line of the conversation is a heading we wrote, a quoted line of the person's or an
    # indented line of the assistant's; the heading lines are exactly one per message.
    headings = [line for line in conversation if not line.startswith(("  > ", "    "))]
    assert headings == [
        f"[2026-03-02 {9 + (minute + 30) // 60:02d}:{(minute + 30) % 60:02d}:00 UTC] "
        + ("The person wrote:" if minute % 2 == 0 else "The assistant answered:")
        for minute in range(len(lines))
    ]
    assert [line for line in conversation if line.startswith("    ")] == [
        "    Let me find a colleague."
    ] * len(variants)
    assert all(
        "\u2028" not in line and "\u2029" not in line and "\r" not in line for line in body.split("\n")
    )


def test_business_desk_recipient_and_no_mail_on_update(mail_server, service_with):
    inbox, port = mail_server.inbox, mail_server.port
    service = service_with(mail_settings(port))
    open_ticket(service, desk="business")
    open_ticket(service, desk="business", question="Still there?")

    # The desk and the person, once each: nothing on the update.
    assert [recipients for recipients, _ in inbox.messages] == [
        ["business@almere.example"],
        ["ana@example.org"],
    ]


def test_nothing_is_sent_without_an_smtp_host(mail_server, service_with):
    inbox, port = mail_server.inbox, mail_server.port
    service = service_with(mail_settings(port, host=None))
    assert open_ticket(service).created
    assert inbox.messages == []


def test_a_failed_mail_is_logged_and_keeps_the_ticket(service_with, caplog):
    service = service_with(mail_settings(free_port()))

    with caplog.at_level(logging.ERROR, logger="bot.tickets.notify"):
        result = open_ticket(service)

    assert result.created
    assert service.get(result.reference).status == "open"
    assert any(result.reference in record.getMessage() for record in caplog.records)


def test_a_notifier_that_raises_does_not_undo_the_ticket(sqlite_url, caplog):
    class Broken:
        def ticket_created(self, ticket):
            raise RuntimeError("boom")

    engine = create_engine_for(sqlite_url)
    service = TicketService(create_session_factory(engine), Broken())
    with caplog.at_level(logging.ERROR, logger="bot.tickets.service"):
        result = open_ticket(service)
    assert service.get(result.reference).reference == result.reference
    assert "Could not send the notification" in caplog.text
    engine.dispose()


@pytest.mark.parametrize(
    ("language", "subject", "sender", "words"),
    [
        (
            "en",
            "We have received your question",
            "City of Almere \u2013 International Desk",
            ("Dear Ana Silva,", "Your reference: {reference}", "What happens next", "by {due} at the latest"),
        ),
        (
            "nl",
            "We hebben uw vraag ontvangen",
            "Gemeente Almere \u2013 International Desk",
            ("Beste Ana Silva,", "Uw referentienummer: {reference}", "Hoe nu verder", "uiterlijk {due}."),
        ),
    ],
)
def test_the_person_gets_a_confirmation_in_their_language(
    mail_server, service_with, language, subject, sender, words
):
    inbox, port = mail_server.inbox, mail_server.port
    settings = mail_settings(port)
    service = service_with(settings)
    result = open_ticket(service, language=language, question="Where do I\nregister?")

    assert result.confirmation_sent
    ticket = service.get(result.reference)
    [(desk_rcpt, to_desk), (rcpt, confirmation)] = inbox.messages
    assert rcpt == ["ana@example.org"] and desk_rcpt == ["international@almere.example"]
    assert confirmation["Subject"] == f"[{result.reference}] {subject}"
    [address] = confirmation["From"].addresses
    assert (address.display_name, address.addr_spec) == (sender, "assistant@almere.example")
    assert confirmation["Reply-To"] == "international@almere.example"
    assert parsedate_to_datetime(confirmation["Date"]).tzinfo is not None
    # The confirmation heads the ticket's thread; the desk's notification belongs to it.
    thread = thread_id(result.reference, ticket.created_at, "almere.example")
    assert confirmation["Message-ID"] == thread and confirmation["In-Reply-To"] is None
    assert to_desk["References"] == thread and to_desk["Message-ID"] != thread
    body = confirmation.get_content().replace("\r\n", "\n")
    due = moment_text(settings, reply_due(settings, ticket.created_at), language)
    for expected in words:
        assert expected.format(reference=result.reference, due=due) in body
    assert "  > Where do I\n  > register?\n" in body
    assert [note.author for note in ticket.notes] == ["Assistant"]
    assert "e-mailed to ana@example.org" in ticket.notes[0].text


def test_a_failed_confirmation_keeps_the_ticket_and_is_noted_for_staff(service_with):
    service = service_with(mail_settings(free_port()))  # nothing listens there

    result = open_ticket(service)

    assert result.created and not result.confirmation_sent
    [note] = service.get(result.reference).notes
    assert "NOT sent" in note.text and "could not be reached" in note.text


def test_no_confirmation_without_an_email_address(mail_server, service_with):
    inbox, port = mail_server.inbox, mail_server.port
    service = service_with(mail_settings(port))

    result = open_ticket(service, email=None, phone="+31 6 1234 5678")

    assert not result.confirmation_sent
    assert [rcpt for rcpt, _ in inbox.messages] == [["international@almere.example"]]
    assert service.get(result.reference).notes == ()


def test_a_missed_live_chat_is_confirmed_once_its_form_gives_an_email_address(
    mail_server, service_with, sqlite_url
):
    inbox, port = mail_server.inbox, mail_server.port
    service = service_with(mail_settings(port))
    engine = create_engine_for(sqlite_url)
    live = LiveChatService(create_session_factory(engine))
    chat = live.request("conv-1", "socketio", desk="international", question=None, topic=None, transcript=[])
    assert live.expire(chat.reference)

    filled_in = open_ticket(service)  # the handoff form after the missed chat: the same ticket
    again = open_ticket(service, question="And one more thing?")

    assert (filled_in.reference, filled_in.created, filled_in.confirmation_sent) == (
        chat.reference,
        False,
        True,
    )
    assert (again.created, again.confirmation_sent) == (False, False)
    [(recipients, confirmation)] = inbox.messages  # the desk saw the chat; the person is confirmed once
    assert recipients == ["ana@example.org"] and chat.reference in confirmation["Subject"]
    engine.dispose()
