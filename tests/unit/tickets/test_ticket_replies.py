"""Replies from the desk: e-mails through a real SMTP server running in the test, calls,
the first reply, the queue's "awaiting first reply", and the rating question after resolving."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update
from support import T0, free_port, open_ticket

from bot.config import settings_from
from bot.site.i18n import QUERY_PARAMETER
from bot.tickets import InvalidTicket, InvalidTransition, TicketStoreUnavailable, TranscriptEntry
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.mail import Mailer, thread_id
from bot.tickets.models import StaffUser, TicketReply
from bot.tickets.ratings import RatingService
from bot.tickets.replies import (
    LANGUAGE_PARAMETER,
    SENDING_AGAIN,
    EmailNotConfigured,
    RatingAsk,
    ReplyService,
)
from bot.tickets.validation import REPLY_MAX


def mailer(port: int | None) -> Mailer:
    environ = {
        "ALMERE_SMTP_SENDER": "desk@almere.example",
        "ALMERE_SMTP_RECIPIENT_INTERNATIONAL": "international@almere.example",
        "ALMERE_SMTP_RECIPIENT_BUSINESS": "business@almere.example",
    }
    if port is not None:
        environ |= {"ALMERE_SMTP_HOST": "127.0.0.1", "ALMERE_SMTP_PORT": str(port)}
    return Mailer(settings_from(environ))


@pytest.fixture
def ratings(engine) -> RatingService:
    return RatingService(create_session_factory(engine), "replies-test-secret")


@pytest.fixture
def replies_with(engine, ratings):
    def build(port: int | None) -> ReplyService:
        return ReplyService(
            create_session_factory(engine), mailer(port), ratings, "https://www.almere.example/"
        )

    return build


@pytest.fixture
def replies(mail_server, replies_with) -> ReplyService:
    return replies_with(mail_server.port)


def set_first_name(engine, username: str, first_name: str) -> None:
    with create_session_factory(engine)() as session, session.begin():
        session.add(StaffUser(username=username, password_hash="x", first_name=first_name))


def test_an_email_reply_reaches_the_person_and_is_recorded(engine, service, replies, mail_server):
    inbox = mail_server.inbox
    set_first_name(engine, "jan", "Jan")
    reference = open_ticket(service, desk="business").reference

    reply = replies.send_email(reference, "JAN", "  Dear Ana,\r\n\r\nYou can register at the city hall.  ")

    [(recipients, message)] = inbox.messages
    assert recipients == ["ana@example.org"]
    assert message["Subject"] == f"[{reference}] Your question to the Municipality of Almere"
    [sender] = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "City of Almere \u2013 Business Desk",
        "desk@almere.example",
    )
    assert message["Reply-To"] == "business@almere.example"
    assert message.get_content_type() == "text/plain"
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Dear Ana,\n\nYou can register at the city hall.\n\nKind regards,\n\nJan\n")
    assert "Business service desk, Municipality of Almere" in body
    assert (reply.kind, reply.outcome, reply.author, reply.error) == ("email", "sent", "jan", None)
    ticket = service.get(reference)
    assert [r.text for r in ticket.replies] == ["Dear Ana,\n\nYou can register at the city hall."]
    assert ticket.first_reply_at == reply.created_at
    assert not ticket.awaiting_reply and ticket.reply_sent


def test_staff_without_a_first_name_sign_with_their_username(service, replies, mail_server):
    reference = open_ticket(service).reference
    replies.send_email(reference, "piet", "Hello")
    body = mail_server.inbox.messages[0][1].get_content().replace("\r\n", "\n")
    assert "Kind regards,\n\npiet\nInternational Affairs Department" in body
    assert mail_server.inbox.messages[0][1]["Reply-To"] == "international@almere.example"


def test_a_failed_send_is_recorded_as_failed_and_can_be_tried_again(service, replies_with, mail_server):
    inbox, port = mail_server.inbox, mail_server.port
    reference = open_ticket(service).reference
    down = replies_with(free_port())  # nothing listens there

    failed = down.send_email(reference, "jan", "Your answer")

    assert (failed.outcome, inbox.messages) == ("failed", [])
    assert "could not be reached" in failed.error
    ticket = service.get(reference)
    assert ticket.first_reply_at is None and ticket.awaiting_reply and not ticket.reply_sent

    again = down.retry_email(reference, failed.id, "jan")  # still down: still failed
    assert (again.id, again.outcome) == (failed.id, "failed")
    sent = replies_with(port).retry_email(reference, failed.id, "piet")
    assert (sent.id, sent.outcome, sent.author, sent.error) == (failed.id, "sent", "piet", None)
    assert len(inbox.messages) == 1
    ticket = service.get(reference)
    assert [r.outcome for r in ticket.replies] == ["sent"]
    assert ticket.first_reply_at == sent.created_at
    with pytest.raises(InvalidTransition, match="sent already"):
        replies_with(port).retry_email(reference, failed.id, "jan")
    assert len(inbox.messages) == 1


def test_a_second_try_again_click_does_not_send_twice(
    engine, service, replies_with, mail_server, monkeypatch
):
    reference = open_ticket(service).reference
    failed = replies_with(free_port()).send_email(reference, "jan", "Your answer")
    read = ReplyService._read

    def read_then_other_click_claims(self, *args):
        found = read(self, *args)
        with create_session_factory(engine)() as session, session.begin():
            session.execute(update(TicketReply).values(error=SENDING_AGAIN))
        return found

    monkeypatch.setattr(ReplyService, "_read", read_then_other_click_claims)
    with pytest.raises(InvalidTransition, match="being sent again"):
        replies_with(mail_server.port).retry_email(reference, failed.id, "jan")
    assert mail_server.inbox.messages == []


def test_without_an_smtp_server_nothing_is_sent_or_recorded(service, replies_with):
    replies = replies_with(None)
    reference = open_ticket(service).reference
    assert not replies.email_configured
    with pytest.raises(EmailNotConfigured, match="not set up"):
        replies.send_email(reference, "jan", "Hello")
    assert service.get(reference).replies == ()


def test_no_email_address_means_no_email(service, replies, mail_server):
    reference = open_ticket(service, email=None, phone="+31 6 1234 5678").reference
    with pytest.raises(InvalidTransition, match="no e-mail address"):
        replies.send_email(reference, "jan", "Hello")
    assert mail_server.inbox.messages == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Write the reply"),
        ("   \n ", "Write the reply"),
        ("x" * (REPLY_MAX + 1), "longer than"),
        ("a\x00b", "control"),
    ],
    ids=["empty", "blank", "too long", "control character"],
)
def test_bad_reply_text_is_refused_before_sending(service, replies, mail_server, text, message):
    reference = open_ticket(service).reference
    with pytest.raises(InvalidTicket, match=message):
        replies.send_email(reference, "jan", text)
    assert mail_server.inbox.messages == [] and service.get(reference).replies == ()


def test_calls_answered_count_as_the_first_reply_and_unanswered_ones_do_not(service, replies):
    reference = open_ticket(service, email=None, phone="+31 6 1234 5678").reference

    missed = replies.record_call(reference, "jan", "no_answer", "")
    assert (missed.kind, missed.outcome, missed.text) == ("call", "no_answer", "")
    assert service.get(reference).first_reply_at is None

    answered = replies.record_call(reference, "jan", "answered", " Explained the registration. ")
    assert (answered.outcome, answered.text) == ("answered", "Explained the registration.")
    first = service.get(reference).first_reply_at
    assert first == answered.created_at
    replies.record_call(reference, "jan", "answered", None)
    assert service.get(reference).first_reply_at == first  # the first stays the first


def test_call_outcome_and_phone_are_checked(service, replies):
    with_phone = open_ticket(service, "conv-p", phone="+31 6 1234 5678").reference
    with pytest.raises(InvalidTicket, match="answered the call"):
        replies.record_call(with_phone, "jan", "sent", None)
    without = open_ticket(service, "conv-e").reference
    with pytest.raises(InvalidTransition, match="no phone number"):
        replies.record_call(without, "jan", "answered", None)


def test_the_database_down_means_nothing_is_sent(tmp_path, ratings, mail_server):
    engine = create_engine_for(f"sqlite:///{tmp_path}")  # a directory: SQLite cannot open it
    down = ReplyService(
        create_session_factory(engine), mailer(mail_server.port), ratings, "https://x.example"
    )
    with pytest.raises(TicketStoreUnavailable):
        down.send_email("ALM-000001", "jan", "Hello")
    assert mail_server.inbox.messages == []
    engine.dispose()


def test_queue_filter_and_counts_of_tickets_awaiting_a_first_reply(service, replies):
    waiting = open_ticket(service, "conv-1").reference
    answered = open_ticket(service, "conv-2", desk="business").reference
    resolved = open_ticket(service, "conv-3").reference
    replies.send_email(answered, "jan", "Answer")
    service.resolve(resolved, "jan")

    assert [t.reference for t in service.queue(awaiting_reply=True)] == [waiting]
    assert service.queue(awaiting_reply=True, desk="business") == []
    counts = service.counts()
    assert (
        counts.awaiting_reply(),
        counts.awaiting_reply("international"),
        counts.awaiting_reply("business"),
    ) == (
        1,
        1,
        0,
    )


def test_staff_messages_in_a_transcript_carry_their_author(service):
    staff = TranscriptEntry(role="staff", text="Hello, Anna here.", timestamp=T0, author="Anna")
    reference = open_ticket(service, transcript=[staff]).reference
    [message] = service.get(reference).transcript
    assert (message.role, message.author) == ("staff", "anna")
    assert service.get(reference).to_dict()["transcript"][0]["author"] == "anna"


@pytest.mark.parametrize(
    "entry",
    [
        TranscriptEntry(role="staff", text="Hi", timestamp=T0),
        TranscriptEntry(role="user", text="Hi", timestamp=T0, author="anna"),
        TranscriptEntry(role="staff", text="Hi", timestamp=T0, author="not a username!"),
    ],
    ids=["staff without author", "person with author", "bad author"],
)
def test_authors_belong_to_staff_messages_only(service, entry):
    with pytest.raises(InvalidTicket):
        open_ticket(service, transcript=[entry])


# The rating question by e-mail, once the ticket is resolved.


def test_resolving_a_ticket_answered_by_email_asks_for_a_rating_once(service, replies, ratings, mail_server):
    inbox = mail_server.inbox
    reference = open_ticket(service).reference
    replies.send_email(reference, "jan", "Answer")

    result = replies.ask_rating(service.resolve(reference, "jan"))

    assert result.outcome is RatingAsk.SENT
    (_, question) = inbox.messages[-1]
    assert question["Subject"] == f"[{reference}] How helpful was our answer?"
    assert question["To"] == "ana@example.org"
    body = question.get_content().replace("\r\n", "\n")
    link = next(line for line in body.splitlines() if line.startswith("https://www.almere.example/feedback/"))
    token = urlsplit(link).path.removeprefix("/feedback/")
    assert ratings.answer(token, 5).score == 5

    service.reopen(reference, "jan")
    again = replies.ask_rating(service.resolve(reference, "jan"))
    assert again.outcome is RatingAsk.ASKED_BEFORE
    assert len(inbox.messages) == 2


@pytest.mark.parametrize(
    ("language", "name", "greeting"),
    [
        ("en", "Ana Silva", "Dear Ana Silva,"),
        ("en", "Jean-Luc O'Neil", "Dear Jean-Luc O'Neil,"),
        ("nl", "Zoë van der Berg", "Beste Zoë van der Berg,"),
        ("en", "Login at https://almere-verify.example to keep your permit", "Hello,"),
        ("en", "Ana www.almere-verify.example", "Hello,"),
        ("en", "Ana (call +31 20 123 4567)", "Hello,"),
        ("en", "Ana Maria Silva Santos Pereira da Costa Oliveira", "Hello,"),  # longer than 40
        ("nl", "Ana: uw vergunning verloopt", "Goedendag,"),
    ],
)
def test_the_rating_email_greets_by_name_only_a_plain_name(
    service, replies, mail_server, language, name, greeting
):
    inbox = mail_server.inbox
    reference = open_ticket(service, name=name, language=language).reference
    replies.send_email(reference, "jan", "Answer")

    assert replies.ask_rating(service.resolve(reference, "jan")).outcome is RatingAsk.SENT
    body = inbox.messages[-1][1].get_content().replace("\r\n", "\n")
    assert body.startswith(greeting + "\n\n")
    if greeting in ("Hello,", "Goedendag,"):
        assert name not in body and "almere-verify" not in body and "+31" not in body


def test_no_rating_question_without_an_email_sent(service, replies, mail_server):
    called = open_ticket(service, "conv-call", phone="+31 6 1234 5678").reference
    replies.record_call(called, "jan", "answered", None)
    assert replies.ask_rating(service.resolve(called, "jan")).outcome is RatingAsk.NOT_APPLICABLE
    assert mail_server.inbox.messages == []


def test_rating_question_not_sent_is_not_asked(engine, service, replies_with, ratings, mail_server):
    inbox, port = mail_server.inbox, mail_server.port
    reference = open_ticket(service).reference
    replies_with(port).send_email(reference, "jan", "Answer")
    resolved = service.resolve(reference, "jan")

    failed = replies_with(free_port()).ask_rating(resolved)
    assert failed.outcome is RatingAsk.FAILED and "could not be reached" in failed.error
    assert ratings.for_ticket(reference) is None

    unconfigured = replies_with(None).ask_rating(resolved)
    assert unconfigured.outcome is RatingAsk.NOT_CONFIGURED
    assert ratings.for_ticket(reference) is None

    assert replies_with(port).ask_rating(resolved).outcome is RatingAsk.SENT
    assert ratings.for_ticket(reference).channel == "email"
    assert len(inbox.messages) == 2  # the answer and the one question


def test_a_dutch_speakers_ticket_keeps_the_language_and_gets_a_dutch_email(
    engine, service, replies, mail_server
):
    inbox = mail_server.inbox
    set_first_name(engine, "jan", "Jan")
    reference = open_ticket(service, language="nl").reference
    assert service.get(reference).language == "nl"
    assert service.get(reference).to_dict()["language"] == "nl"

    replies.send_email(reference, "jan", "U kunt zich inschrijven op het stadhuis.")

    [(_, message)] = inbox.messages
    assert message["Subject"] == f"[{reference}] Uw vraag aan de gemeente Almere"
    body = message.get_content().replace("\r\n", "\n")
    assert "Met vriendelijke groet,\n\nJan\nAfdeling International Affairs, gemeente Almere" in body


def test_an_unknown_language_is_refused(service):
    with pytest.raises(InvalidTicket, match="language"):
        open_ticket(service, language="fr")


def thread_of(service, reference: str) -> str:
    ticket = service.get(reference)
    return thread_id(ticket.reference, ticket.created_at, "almere.example")


def test_every_email_to_the_person_is_dated_identified_and_threads_under_the_ticket(
    service, replies, mail_server
):
    inbox = mail_server.inbox
    reference = open_ticket(service).reference
    other = open_ticket(service, "conv-other").reference
    replies.send_email(reference, "jan", "First answer")
    replies.send_email(reference, "jan", "Second answer")
    replies.send_email(other, "jan", "Another ticket's answer")
    replies.ask_rating(service.resolve(reference, "jan"))

    messages = [message for _, message in inbox.messages]
    ids = [message["Message-ID"] for message in messages]
    assert len(set(ids)) == 4 and all(re.fullmatch(r"<[^<>@\s]+@almere\.example>", i) for i in ids)
    for message in messages:
        assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    thread, other_thread = thread_of(service, reference), thread_of(service, other)
    assert thread != other_thread and thread not in ids
    assert [(m["In-Reply-To"], m["References"]) for m in messages] == [
        (thread, thread),
        (thread, thread),
        (other_thread, other_thread),
        (thread, thread),
    ]


def test_a_dutch_tickets_rating_email_is_dutch_and_its_link_opens_in_dutch(service, replies, mail_server):
    inbox = mail_server.inbox
    reference = open_ticket(service, language="nl").reference
    replies.send_email(reference, "jan", "Antwoord")

    assert replies.ask_rating(service.resolve(reference, "jan")).outcome is RatingAsk.SENT

    question = inbox.messages[-1][1]
    assert question["Subject"] == f"[{reference}] Hoe nuttig was ons antwoord?"
    assert question["From"].addresses[0].display_name == "Gemeente Almere \u2013 International Desk"
    link = re.search(r"https://www\.almere\.example/feedback/\S+", question.get_content()).group(0)
    assert urlsplit(link).query == f"{LANGUAGE_PARAMETER}=nl" and LANGUAGE_PARAMETER == QUERY_PARAMETER


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Dear Ana,\n\nBook an appointment.\n\nKind regards,\nJan"),
        ("en", "Dear Ana,\n\nBook an appointment.\n\nJan"),
        ("en", "Dear Ana,\n\nBook an appointment.\n\nBest regards, Jan de Vries"),
        ("nl", "Beste Ana,\n\nMaak een afspraak.\n\nMet vriendelijke groet,\n\nJan"),
        (
            "nl",
            "Beste Ana,\n\nMaak een afspraak.\n\nGroeten,\nJan\n"
            "Afdeling International Affairs, gemeente Almere",
        ),
    ],
)
def test_a_colleague_who_signed_the_reply_gets_no_second_signature(
    engine, service, replies, mail_server, language, text
):
    inbox = mail_server.inbox
    set_first_name(engine, "jan", "Jan")
    reference = open_ticket(service, language=language).reference
    replies.send_email(reference, "jan", text)

    body = inbox.messages[-1][1].get_content().replace("\r\n", "\n")
    regards = "Kind regards," if language == "en" else "Met vriendelijke groet,"
    signature = "International Affairs Department" if language == "en" else "Afdeling International Affairs"
    assert body.startswith(text)
    assert body.count("Jan") == 1 and body.count(signature) == 1
    assert body.count(regards) == text.count(regards) <= 1


def test_an_unsigned_reply_is_signed_once(engine, service, replies, mail_server):
    inbox = mail_server.inbox
    set_first_name(engine, "jan", "Jan")
    reference = open_ticket(service).reference
    replies.send_email(reference, "jan", "Dear Ana,\n\nJan from our team will call you tomorrow about it.")

    body = inbox.messages[-1][1].get_content().replace("\r\n", "\n")
    assert body.endswith(
        "about it.\n\nKind regards,\n\nJan\nInternational Affairs Department, Municipality of Almere\n"
    )
