"""A mail server's refusal names the person's address: staff see it on the ticket, the log does not."""

from __future__ import annotations

import logging

import pytest
from support import open_ticket

from bot.config import settings_from
from bot.observability.logs import without
from bot.privacy.redaction import REMOVED
from bot.tickets import TicketService
from bot.tickets.database import create_session_factory
from bot.tickets.mail import Mailer, MailFailed
from bot.tickets.notify import EmailNotifier
from bot.tickets.ratings import RatingService
from bot.tickets.replies import ReplyService

ADDRESS = "ana@example.org"  # open_ticket's
SETTINGS = settings_from({"ALMERE_SMTP_HOST": "127.0.0.1", "ALMERE_SMTP_PORT": "2"})


@pytest.fixture
def refusing(monkeypatch):
    """Every mail is refused as a mail server refuses an address: naming it."""

    def refuse(self, message) -> None:
        raise MailFailed(f"The mail server refused the address {message['To']}.")

    monkeypatch.setattr(Mailer, "send", refuse)


def test_without_replaces_each_given_value():
    assert without("refused ana@example.org, Ana", "ana@example.org", None, "") == f"refused {REMOVED}, Ana"
    assert without(ValueError("x"), None) == "x"


def test_a_refused_confirmation_is_noted_for_staff_and_logged_without_the_address(engine, refusing, caplog):
    service = TicketService(create_session_factory(engine), EmailNotifier(SETTINGS))
    with caplog.at_level(logging.INFO, logger="bot.tickets"):
        reference = open_ticket(service).reference

    assert "The confirmation of" in caplog.text and ADDRESS not in caplog.text
    assert ADDRESS in service.get(reference).notes[0].text  # staff still see which address


def test_a_refused_reply_is_logged_without_the_address(engine, refusing, caplog):
    service = TicketService(create_session_factory(engine))
    reference = open_ticket(service).reference
    ratings = RatingService(create_session_factory(engine), "test-secret")
    replies = ReplyService(create_session_factory(engine), Mailer(SETTINGS), ratings, "https://x.example")
    with caplog.at_level(logging.INFO, logger="bot.tickets"):
        reply = replies.send_email(reference, "anna", "Your permit is ready.")

    assert reply.outcome == "failed" and ADDRESS in (reply.error or "")
    assert "Reply to" in caplog.text and ADDRESS not in caplog.text
