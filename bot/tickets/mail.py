"""Sending e-mail through the configured SMTP server, for the desk and to the person.

One :class:`Mailer` knows the server, the sender and each desk's address; what is said lives with
who says it (:mod:`bot.tickets.notify` tells the desk about a new ticket, :mod:`bot.tickets.replies`
answers the person and asks them how helpful it was).
"""

from __future__ import annotations

import re
import smtplib
import unicodedata
from collections.abc import Iterable
from email.message import EmailMessage

from bot.config import Settings
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

    def message(self, *, to: str, subject: str, body: str, reply_to: str | None = None) -> EmailMessage:
        """A plain-text message from the sender."""
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = self.sender
        message["To"] = to
        if reply_to:
            message["Reply-To"] = reply_to
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
            raise MailFailed(_reason(error)) from error
        if refused:
            raise MailFailed(f"The mail server refused {', '.join(refused)}.")


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
