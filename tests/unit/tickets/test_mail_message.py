"""How every e-mail is built (bot.tickets.mail.Mailer.message): the standard library's email
package, with Date, Message-ID, a From display name, and the ticket's thread."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import pytest

from bot.config import Settings
from bot.tickets.mail import Mailer, mail_domain, sender_name, thread_id

CREATED = datetime(2026, 12, 7, 9, 30, 5, 123456, tzinfo=timezone.utc)


@pytest.fixture
def mailer() -> Mailer:
    return Mailer(dataclasses.replace(Settings(), smtp_sender="desk@almere.example"))


def sent(message):
    """The message as a mail client reads it after the mail server."""
    return message_from_bytes(message.as_bytes(), policy=policy.default)


def test_a_message_has_date_its_own_id_and_a_from_display_name(mailer):
    first = sent(mailer.message(to="ana@example.org", subject="Hi", body="Body", sender_name="Almere"))
    second = sent(mailer.message(to="ana@example.org", subject="Hi", body="Body"))

    assert abs(parsedate_to_datetime(first["Date"]) - datetime.now(timezone.utc)).total_seconds() < 60
    assert re.fullmatch(r"<[^<>@\s]+@almere\.example>", first["Message-ID"])
    assert first["Message-ID"] != second["Message-ID"]
    [address] = first["From"].addresses
    assert (address.display_name, address.addr_spec) == ("Almere", "desk@almere.example")
    assert second["From"].addresses[0].display_name == sender_name(None)
    assert first["In-Reply-To"] is None and first["References"] is None
    assert first.get_content() == "Body\n"


@pytest.mark.parametrize(
    ("desk", "language", "name"),
    [
        ("international", "en", "City of Almere \u2013 International Desk"),
        ("international", "nl", "Gemeente Almere \u2013 International Desk"),
        ("business", "en", "City of Almere \u2013 Business Desk"),
        ("business", "nl", "Gemeente Almere \u2013 Ondernemersloket"),
        ("unknown", "fr", "City of Almere \u2013 International Desk"),
    ],
)
def test_the_display_name_is_the_desks_in_the_persons_language(mailer, desk, language, name):
    message = mailer.message(
        to="a@example.org", subject="S", body="B", sender_name=sender_name(desk, language)
    )
    raw = message.as_bytes()
    assert b"\xe2\x80\x93" not in raw  # the dash is encoded (RFC 2047), not raw UTF-8
    assert sent(message)["From"].addresses[0].display_name == name


def test_later_messages_of_a_ticket_reply_to_its_thread_and_the_first_heads_it(mailer):
    thread = thread_id("ALM-000123", CREATED, mailer.domain)
    assert thread == "<alm-000123.20261207093005123456@almere.example>"
    assert thread == thread_id("ALM-000123", CREATED, "almere.example")  # stable
    assert thread != thread_id("ALM-000123", CREATED.replace(microsecond=0), "almere.example")

    head = sent(mailer.message(to="a@example.org", subject="S", body="B", message_id=thread, thread=thread))
    later = sent(mailer.message(to="a@example.org", subject="S", body="B", thread=thread))

    assert head["Message-ID"] == thread and head["In-Reply-To"] is None and head["References"] is None
    assert (later["In-Reply-To"], later["References"]) == (thread, thread)
    assert later["Message-ID"] != thread


def test_a_subject_in_dutch_survives_the_trip(mailer):
    subject = "[ALM-000123] Hoe nuttig was ons antwoord? \u00e9\u00e9n klik"
    assert (
        sent(mailer.message(to="a@example.org", subject=subject, body="\u00e9\u00e9n"))["Subject"] == subject
    )


@pytest.mark.parametrize(
    ("sender", "domain"),
    [
        ("desk@almere.example", "almere.example"),
        ("Desk <desk@almere.nl>", "almere.nl"),
        ("nobody", "almere.invalid"),
    ],
)
def test_the_message_ids_domain_is_the_senders(sender, domain):
    assert mail_domain(sender) == domain


def test_a_sender_that_is_no_plain_address_still_gives_a_message():
    odd = Mailer(dataclasses.replace(Settings(), smtp_sender="not an address"))
    message = odd.message(to="a@example.org", subject="S", body="B", sender_name="Almere")
    assert "not an address" in message["From"] and message["Message-ID"].endswith("@almere.invalid>")
