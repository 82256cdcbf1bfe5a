"""E-mail to the desk about each new ticket."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.config import Settings
from bot.tickets.mail import DESK_LABELS, Mailer, MailFailed, quoted, transcript_lines
from bot.tickets.records import TicketRecord

logger = logging.getLogger(__name__)


class TicketNotifier(Protocol):
    def ticket_created(self, ticket: TicketRecord) -> None:
        """Tell staff about a ticket that has just been stored."""


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


class EmailNotifier:
    """Mails :func:`compose_body` to the ticket's desk; does nothing without ``smtp_host``."""

    def __init__(self, settings: Settings) -> None:
        self._mailer = Mailer(settings)

    def ticket_created(self, ticket: TicketRecord) -> None:
        if not self._mailer.configured:
            return
        desk = DESK_LABELS.get(ticket.desk, ticket.desk)
        message = self._mailer.message(
            to=self._mailer.desk_address(ticket.desk),
            subject=f"[{ticket.reference}] New question for the {desk}",
            body=compose_body(ticket),
        )
        try:
            self._mailer.send(message)
        except MailFailed as error:
            logger.error("Could not e-mail %s about %s: %s", message["To"], ticket.reference, error)
