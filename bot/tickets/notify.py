"""E-mail about each new ticket: to the desk, and a confirmation to the person who left an e-mail
address (the reference, their question, what happens next and by when to expect the answer)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bot.config import Settings
from bot.observability.logs import without
from bot.office_hours.schedule import reply_due
from bot.office_hours.wording import moment_text
from bot.tickets.mail import DESK_LABELS, Mailer, MailFailed, quoted, sender_name, thread_id, transcript_lines
from bot.tickets.mail_texts import desk_name, desk_signature, greeting, quoted_question, texts
from bot.tickets.records import TicketRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Confirmation:
    """What became of the confirmation e-mailed to the person: the mail server took it (``sent``),
    or not, and why (``error``, for staff)."""

    address: str
    sent: bool
    error: str | None = None


class TicketNotifier(Protocol):
    def ticket_created(self, ticket: TicketRecord) -> Confirmation | None:
        """Tell staff about a ticket that has just been stored, and confirm it to the person;
        None when no confirmation was due (no e-mail address, or no mail server)."""

    def confirm(self, ticket: TicketRecord) -> Confirmation | None:
        """Confirm the ticket to the person (only); None as for :meth:`ticket_created`."""


def compose_body(ticket: TicketRecord) -> str:
    """The plain text of the e-mail for a new ticket; what the person typed is quoted ("> ")."""
    desk = DESK_LABELS.get(ticket.desk, ticket.desk)
    lines = [
        f"A new question for the {desk}.",
        "",
        f"Reference: {ticket.reference}",
        f"Desk:      {desk}",
        f"Name:      {ticket.name}",
        f"E-mail:    {ticket.email or '-'}",
        f"Phone:     {ticket.phone or '-'}",
        f"Topic:     {ticket.topic or '-'}",
        f"Channel:   {ticket.channel}",
        f"Created:   {ticket.created_at:%Y-%m-%d %H:%M} UTC",
        "",
        "Question:",
        *quoted(ticket.question, "  > "),
        "",
        "Conversation:",
        *transcript_lines(ticket.transcript),
    ]
    return "\n".join(lines) + "\n"


def confirmation_body(ticket: TicketRecord, settings: Settings) -> str:
    """The confirmation to the person, in their language: the reference, their question as they
    wrote it (quoted), what happens next and the date and time by which the desk answers."""
    words = texts(ticket.language)
    return words["confirmation"].format(
        greeting=greeting(ticket.name, ticket.language),
        desk=desk_name(ticket.desk, ticket.language),
        reference=ticket.reference,
        question=quoted_question(ticket.question),
        how=words["by_email_or_phone" if ticket.phone else "by_email"],
        due=moment_text(settings, reply_due(settings, ticket.created_at), ticket.language),
        regards=words["regards"],
        signature=desk_signature(ticket.desk, ticket.language),
    )


class EmailNotifier:
    """Mails :func:`compose_body` to the ticket's desk and :func:`confirmation_body` to the person;
    does nothing without ``smtp_host``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._mailer = Mailer(settings)

    def ticket_created(self, ticket: TicketRecord) -> Confirmation | None:
        if not self._mailer.configured:
            return None
        thread = thread_id(ticket.reference, ticket.created_at, self._mailer.domain)
        desk = DESK_LABELS.get(ticket.desk, ticket.desk)
        message = self._mailer.message(
            to=self._mailer.desk_address(ticket.desk),
            subject=f"[{ticket.reference}] New question for the {desk}",
            body=compose_body(ticket),
            thread=thread,
        )
        try:
            self._mailer.send(message)
        except MailFailed as error:
            logger.error("Could not e-mail %s about %s: %s", message["To"], ticket.reference, error)
        return self.confirm(ticket)

    def confirm(self, ticket: TicketRecord) -> Confirmation | None:
        """The confirmation heads the ticket's thread: its ``Message-ID`` is the thread's."""
        if not self._mailer.configured or not ticket.email:
            return None
        address = ticket.email
        thread = thread_id(ticket.reference, ticket.created_at, self._mailer.domain)
        message = self._mailer.message(
            to=address,
            subject=texts(ticket.language)["confirmation_subject"].format(reference=ticket.reference),
            body=confirmation_body(ticket, self._settings),
            reply_to=self._mailer.desk_address(ticket.desk),
            sender_name=sender_name(ticket.desk, ticket.language),
            message_id=thread,
        )
        try:
            self._mailer.send(message)
        except MailFailed as error:
            logger.warning(
                "The confirmation of %s was not sent: %s", ticket.reference, without(error, address)
            )
            return Confirmation(address, sent=False, error=str(error))
        return Confirmation(address, sent=True)
