"""A copy of a live chat by e-mail, at the person's request, once the chat has ended.

The person asks from the chat widget, with the address to send it to; the conversation is the one
their chat session is bound to, so nobody can ask for another person's chat. Each chat is e-mailed
once (a failed send may be asked for again), only for a while after it ended, and what became of
it is noted in the ticket for staff; an address given for the copy becomes the ticket's e-mail
address if it had none (so the personal-data tools find it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.observability.logs import without
from bot.tickets.database import guarded, sessions_for
from bot.tickets.errors import InvalidTicket
from bot.tickets.live_chat_tickets import ENDINGS
from bot.tickets.mail import Mailer, MailFailed, quoted, sender_name, thread_id
from bot.tickets.mail_texts import desk_name, desk_signature, greeting, texts
from bot.tickets.models import StaffUser, Ticket, TicketNote, utc_now
from bot.tickets.records import MessageRecord, TicketRecord
from bot.tickets.service import ASSISTANT_AUTHOR
from bot.tickets.validation import clean_email

logger = logging.getLogger(__name__)

# How long after a live chat ended the person may still ask for its copy.
TRANSCRIPT_WINDOW = timedelta(hours=24)
TRANSCRIPT_SENT = "A copy of this live chat was e-mailed to {address} at the person's request."
TRANSCRIPT_FAILED = "A copy of this live chat to {address}, asked for by the person, was NOT sent: {error}"


class TranscriptOutcome(Enum):
    SENT = "sent"
    INVALID_ADDRESS = "invalid_address"
    NO_CHAT = "no_chat"  # no live chat of this conversation ended in the last TRANSCRIPT_WINDOW
    ALREADY_SENT = "already_sent"
    NOT_CONFIGURED = "not_configured"
    FAILED = "failed"


@dataclass(frozen=True)
class TranscriptResult:
    outcome: TranscriptOutcome
    error: str | None = None


@dataclass(frozen=True)
class _Chat:
    ticket: TicketRecord
    staff_names: Mapping[str, str]
    already_sent: bool


def transcript_body(ticket: TicketRecord, staff_names: Mapping[str, str], zone: ZoneInfo) -> str:
    """The chat as the person saw it, in their language: each message under who wrote it (the
    colleague by the first name they were shown) at the desk's local time; the person's lines
    quoted with "> " and everyone else's indented."""
    words = texts(ticket.language)
    return words["transcript"].format(
        greeting=greeting(ticket.name, ticket.language),
        desk=desk_name(ticket.desk, ticket.language),
        reference=ticket.reference,
        lines="\n".join(_lines(ticket.transcript, staff_names, zone, ticket.language)),
        regards=words["regards"],
        signature=desk_signature(ticket.desk, ticket.language),
    )


def _lines(
    messages: Iterable[MessageRecord], staff_names: Mapping[str, str], zone: ZoneInfo, language: str
) -> list[str]:
    words = texts(language)
    lines = []
    for message in messages:
        if message.role == "user":
            author = words["you"]
        elif message.role == "staff":
            author = staff_names.get(message.author or "", message.author or "")
        else:
            author = words["assistant"]
        lines.append(f"[{message.timestamp.astimezone(zone):%Y-%m-%d %H:%M}] {author}:")
        lines.extend(quoted(message.text, "  > " if message.role == "user" else "    "))
    return lines


class TranscriptService:
    """E-mails the person a copy of their conversation's live chat that ended last."""

    def __init__(self, session_factory: sessionmaker[Session], mailer: Mailer, zone: ZoneInfo) -> None:
        self._session_factory = session_factory
        self._mailer = mailer
        self._zone = zone

    def send(self, conversation_id: str, address: object, now: datetime | None = None) -> TranscriptResult:
        """E-mail the chat to ``address``; never raises for a bad address, a missing chat or a mail
        server that is down (the result says which). A database failure is
        :class:`~bot.tickets.errors.TicketStoreUnavailable`."""
        try:
            email = clean_email(address if isinstance(address, str) else None)
        except InvalidTicket as error:
            return TranscriptResult(TranscriptOutcome.INVALID_ADDRESS, error.message)
        if email is None:
            return TranscriptResult(TranscriptOutcome.INVALID_ADDRESS)
        chat = guarded(self._session_factory, lambda session: _ended_chat(session, conversation_id, now))
        if chat is None:
            return TranscriptResult(TranscriptOutcome.NO_CHAT)
        if chat.already_sent:
            return TranscriptResult(TranscriptOutcome.ALREADY_SENT)
        if not self._mailer.configured:
            return TranscriptResult(TranscriptOutcome.NOT_CONFIGURED)
        ticket = chat.ticket
        message = self._mailer.message(
            to=email,
            subject=texts(ticket.language)["transcript_subject"].format(reference=ticket.reference),
            body=transcript_body(ticket, chat.staff_names, self._zone),
            reply_to=self._mailer.desk_address(ticket.desk),
            sender_name=sender_name(ticket.desk, ticket.language),
            thread=thread_id(ticket.reference, ticket.created_at, self._mailer.domain),
        )
        try:
            self._mailer.send(message)
            result = TranscriptResult(TranscriptOutcome.SENT)
            note = TRANSCRIPT_SENT.format(address=email)
        except MailFailed as error:
            logger.warning(
                "The copy of live chat %s was not sent: %s", ticket.reference, without(error, email)
            )
            result = TranscriptResult(TranscriptOutcome.FAILED, str(error))
            note = TRANSCRIPT_FAILED.format(address=email, error=error)

        def record(session: Session) -> None:
            stored = session.get(Ticket, ticket.id, with_for_update=True)
            if stored is None:
                return
            stored.notes.append(TicketNote(author=ASSISTANT_AUTHOR, text=note, created_at=utc_now()))
            stored.email = stored.email or email

        guarded(self._session_factory, record)
        return result


def _ended_chat(session: Session, conversation_id: str, now: datetime | None) -> _Chat | None:
    """The conversation's live chat that ended last, if it ended within the window."""
    since = (now or utc_now()) - TRANSCRIPT_WINDOW
    ticket = (
        session.execute(
            select(Ticket)
            .where(
                Ticket.conversation_id == conversation_id,
                Ticket.live_chat.in_(ENDINGS),
                Ticket.updated_at >= since,
            )
            .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
            .limit(1)
        )
        .scalars()
        .first()
    )
    if ticket is None:
        return None
    authors = {message.author for message in ticket.messages if message.author}
    names = {
        username: (first_name or username).strip()
        for username, first_name in session.execute(
            select(StaffUser.username, StaffUser.first_name).where(StaffUser.username.in_(authors))
        )
    }
    sent = any(
        note.author == ASSISTANT_AUTHOR and note.text.startswith(TRANSCRIPT_SENT.split("{", 1)[0])
        for note in ticket.notes
    )
    return _Chat(TicketRecord.from_model(ticket), names, sent)


def transcript_service_for(settings: Settings) -> TranscriptService:
    """A service on ``settings.database_url`` (the process's engine for it) that mails through
    ``settings.smtp_host``."""
    return TranscriptService(
        sessions_for(settings.database_url), Mailer(settings), ZoneInfo(settings.office_timezone)
    )
