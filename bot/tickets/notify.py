"""E-mail to the desk about each new ticket."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Protocol

from bot.config import Settings
from bot.tickets.records import TicketRecord

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10
DESK_LABELS = {"international": "International desk", "business": "Business desk"}


class TicketNotifier(Protocol):
    def ticket_created(self, ticket: TicketRecord) -> None:
        """Tell staff about a ticket that has just been stored."""


def compose_message(ticket: TicketRecord, sender: str, recipient: str) -> EmailMessage:
    """The plain-text e-mail for a new ticket."""
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
        ticket.question,
        "",
        "Conversation:",
    ]
    lines.extend(
        f"[{message.timestamp:%Y-%m-%d %H:%M:%S} UTC] {message.role}: {message.text}"
        for message in ticket.transcript
    )
    message = EmailMessage()
    message["Subject"] = f"[{ticket.reference}] New question for the {desk}"
    message["From"] = sender
    message["To"] = recipient
    message.set_content("\n".join(lines) + "\n")
    return message


class EmailNotifier:
    """Sends :func:`compose_message` through SMTP; does nothing without ``smtp_host``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def recipient_for(self, desk: str) -> str:
        if desk == "business":
            return self._settings.smtp_recipient_business
        return self._settings.smtp_recipient_international

    def ticket_created(self, ticket: TicketRecord) -> None:
        settings = self._settings
        if not settings.smtp_host:
            return
        message = compose_message(ticket, settings.smtp_sender, self.recipient_for(ticket.desk))
        try:
            with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException):
            logger.exception("Could not e-mail %s about %s", message["To"], ticket.reference)
