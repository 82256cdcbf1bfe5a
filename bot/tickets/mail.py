"""Sending e-mail through the configured SMTP server, for the desk and to the person.

One :class:`Mailer` knows the server, the sender and each desk's address; what is said lives with
who says it (:mod:`bot.tickets.notify` tells the desk about a new ticket and confirms it to the
person, :mod:`bot.tickets.replies` answers the person and asks them how helpful it was).

Every message is built with the standard library's :mod:`email` package: a ``From`` with the
desk's name in the person's language, ``Date`` and ``Message-ID``. All mail about one ticket forms
one thread: the confirmation's ``Message-ID`` is derived from the ticket (:func:`thread_id`), and
every other message about the ticket names it in ``In-Reply-To`` and ``References``, so that mail
clients show the confirmation, the replies and the rating question together (also when the
confirmation itself was never sent).
"""

from __future__ import annotations

import re
import smtplib
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from bot.config import Settings
from bot.observability import metrics
from bot.tickets.records import MessageRecord

SMTP_TIMEOUT_SECONDS = 10
DESK_LABELS = {"international": "International desk", "business": "Business desk"}
# How the desks sign an e-mail to the person.
DESK_SIGNATURES = {
    "international": "International Affairs Department, Municipality of Almere",
    "business": "Business service desk, Municipality of Almere",
}
# A name the person typed is put in an e-mail's greeting only if it is plainly a name: letters,
# with single spaces, hyphens or apostrophes between them, at most this long.
GREETING_NAME_MAX = 40
_PLAIN_NAME = re.compile(r"[^\W\d_]+(?:[ '\u2019-][^\W\d_]+)*")
# Who the person's e-mail comes from, by language and desk; and the desks' own notifications.
SENDER_NAMES = {
    "en": {
        "international": "City of Almere \u2013 International Desk",
        "business": "City of Almere \u2013 Business Desk",
    },
    "nl": {
        "international": "Gemeente Almere \u2013 International Desk",
        "business": "Gemeente Almere \u2013 Ondernemersloket",
    },
}
ASSISTANT_SENDER_NAME = "City of Almere \u2013 Digital Assistant"
# Who wrote a transcript line, as the desk reads it in an e-mail.
TRANSCRIPT_AUTHORS = {"user": "The person wrote", "bot": "The assistant answered"}


def greeting_name(name: str | None) -> str | None:
    """``name`` if it is plainly a person's name (see :data:`_PLAIN_NAME`), else None: then the
    e-mail greets without it, so that no link, address or sentence the person typed is sent in the
    municipality's name."""
    name = " ".join(unicodedata.normalize("NFC", name or "").split())
    if len(name) > GREETING_NAME_MAX or not _PLAIN_NAME.fullmatch(name):
        return None
    return name


def quoted(text: str, prefix: str) -> list[str]:
    """Every line of ``text`` behind ``prefix`` (any line break counts, so that nothing in the
    text starts a line of its own)."""
    return [f"{prefix}{line}".rstrip() for line in (text.splitlines() or [""])]


def transcript_lines(messages: Iterable[MessageRecord]) -> list[str]:
    """A transcript for an e-mail: each message under a line saying who wrote it, the person's
    lines quoted with "> " and everyone else's indented, so that nothing a person typed can look
    like the assistant's or a colleague's line."""
    lines = []
    for message in messages:
        author = TRANSCRIPT_AUTHORS.get(message.role) or f"Colleague {message.author or ''}".strip()
        lines.append(f"[{message.timestamp:%Y-%m-%d %H:%M:%S} UTC] {author}:")
        lines.extend(quoted(message.text, "  > " if message.role == "user" else "    "))
    return lines


def sender_name(desk: str | None, language: str = "en") -> str:
    """The ``From`` display name of an e-mail to the person (``desk``) or to a desk (None)."""
    if desk is None:
        return ASSISTANT_SENDER_NAME
    names = SENDER_NAMES.get(language, SENDER_NAMES["en"])
    return names.get(desk, names["international"])


def mail_domain(sender: str) -> str:
    """The domain of the sender's address, for the ``Message-ID`` of what it sends."""
    _, at, domain = sender.rpartition("@")
    return (at and domain.strip(" <>")) or "almere.invalid"


def thread_id(reference: str, created_at: datetime, domain: str) -> str:
    """The ``Message-ID`` that heads a ticket's thread: derived from its reference and the moment
    it was made, so it is the same every time (no column needed) and differs between tickets that
    got the same reference in another database."""
    return f"<{reference.lower()}.{created_at:%Y%m%d%H%M%S%f}@{domain}>"


class MailNotConfigured(Exception):
    """No SMTP server is set (``ALMERE_SMTP_HOST``), so no e-mail can be sent."""


class MailFailed(Exception):
    """The SMTP server could not be reached or refused the message; ``str()`` says why, for staff."""


class Mailer:
    """Sends plain-text messages through ``settings.smtp_host``; :attr:`configured` is False
    without one."""

    def __init__(self, settings: Settings) -> None:
        self._host = settings.smtp_host
        self._port = settings.smtp_port
        self.sender = settings.smtp_sender
        self._desk_addresses = {
            "international": settings.smtp_recipient_international,
            "business": settings.smtp_recipient_business,
        }

    @property
    def configured(self) -> bool:
        return bool(self._host)

    def desk_address(self, desk: str) -> str:
        """The desk's own mailbox: where new tickets go, and where the person's answers go back to."""
        return self._desk_addresses.get(desk, self._desk_addresses["international"])

    @property
    def domain(self) -> str:
        """Where the ``Message-ID`` of every message comes from: the sender's domain."""
        return mail_domain(self.sender)

    def message(
        self,
        *,
        to: str,
        subject: str,
        body: str,
        reply_to: str | None = None,
        sender_name: str = ASSISTANT_SENDER_NAME,
        message_id: str | None = None,
        thread: str | None = None,
    ) -> EmailMessage:
        """A plain-text message from the sender, shown as ``sender_name``, dated now, with
        ``message_id`` (a new one if None) and, as a later message of the ``thread`` (the
        ``Message-ID`` that heads it), ``In-Reply-To`` and ``References`` naming it."""
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = _address(sender_name, self.sender)
        message["To"] = to
        if reply_to:
            message["Reply-To"] = reply_to
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = message_id or make_msgid(domain=self.domain)
        if thread and thread != message["Message-ID"]:
            message["In-Reply-To"] = thread
            message["References"] = thread
        message.set_content(body if body.endswith("\n") else body + "\n")
        return message

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the SMTP server, or raise :class:`MailNotConfigured` / :class:`MailFailed`.

        Returning means the server accepted it for every recipient; that is as far as "sent" goes.
        """
        if not self._host:
            raise MailNotConfigured("E-mail is not set up: no SMTP server is configured (ALMERE_SMTP_HOST).")
        try:
            with smtplib.SMTP(self._host, self._port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
                refused = smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            metrics.count_email(sent=False)
            raise MailFailed(_reason(error)) from error
        if refused:
            metrics.count_email(sent=False)
            raise MailFailed(f"The mail server refused {', '.join(refused)}.")
        metrics.count_email(sent=True)


def _address(name: str, address: str) -> Address | str:
    """``name <address>`` as a header value; the bare address if it cannot be parsed as one."""
    try:
        return Address(display_name=name, addr_spec=address)
    except (ValueError, HeaderParseError):  # an InvalidHeaderDefect is a ValueError
        return address


def _reason(error: Exception) -> str:
    """Why sending failed, in words staff can act on (the server's own answer when it gave one)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"The mail server refused the address {', '.join(error.recipients)}."
    if isinstance(error, smtplib.SMTPResponseException):
        detail = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else ""
        return f"The mail server refused the message ({error.smtp_code} {detail}).".replace(" )", ")")
    if isinstance(error, (ConnectionError, TimeoutError, smtplib.SMTPServerDisconnected)):
        return "The mail server could not be reached. Please try again later."
    if isinstance(error, OSError):
        return f"The mail server could not be reached ({error.strerror or error}). Please try again later."
    return f"The mail could not be sent ({error})."
