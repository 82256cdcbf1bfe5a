"""Answering the person from the desk: an e-mail through the configured SMTP server, or a note that
staff called them back; and, once a ticket answered by e-mail is resolved, one e-mail asking how
helpful it was.

Nothing counts as an answer that did not reach the person's side: an e-mail is recorded ``sent``
only when the mail server accepted it, and ``failed`` (with the reason, for staff) otherwise;
``Ticket.first_reply_at`` is set by the first e-mail sent or call answered, never by a failure.
The e-mail goes out before its record is written, so the mail server's answer is what is recorded;
if the database then fails, staff are told the e-mail went out but is not in the history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from enum import Enum

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session, sessionmaker

from bot.observability.logs import without
from bot.tickets.database import guarded
from bot.tickets.errors import InvalidTransition, TicketNotFound, TicketStoreUnavailable
from bot.tickets.mail import Mailer, MailFailed, MailNotConfigured, sender_name, thread_id
from bot.tickets.mail_texts import desk_signature, greeting, reply_body, texts
from bot.tickets.models import StaffUser, Ticket, TicketReply, utc_now
from bot.tickets.ratings import RatingService
from bot.tickets.records import ReplyRecord, TicketRecord
from bot.tickets.validation import normalise_username, validate_call, validate_reply

logger = logging.getLogger(__name__)

# The reason a failed e-mail shows while it is being sent again (and, should the desk stop right
# then, afterwards: it can be tried again).
SENDING_AGAIN = "Being sent again; reload the page to see whether it went out."
# The site's query parameter that chooses a public page's language (bot.site.i18n.QUERY_PARAMETER).
LANGUAGE_PARAMETER = "lang"


class EmailNotConfigured(InvalidTransition):
    """No SMTP server is configured, so the desk cannot e-mail anyone; nothing was recorded."""


class ReplyNotRecorded(TicketStoreUnavailable):
    """The e-mail went out, but the database could not record it."""


class RatingAsk(Enum):
    """What became of the rating question when a ticket was resolved."""

    SENT = "sent"
    NOT_APPLICABLE = "not_applicable"  # no e-mail address, or nobody answered by e-mail
    ASKED_BEFORE = "asked_before"  # this conversation was asked already (by chat or e-mail)
    NOT_CONFIGURED = "not_configured"
    FAILED = "failed"


@dataclass(frozen=True)
class RatingAskResult:
    outcome: RatingAsk
    error: str | None = None


def reply_subject(reference: str, language: str = "en") -> str:
    return texts(language)["subject"].format(reference=reference)


def rating_body(ticket: TicketRecord, link: str) -> str:
    """The rating question; it greets the person by name only if the name is plainly one."""
    return texts(ticket.language)["rating"].format(
        greeting=greeting(ticket.name, ticket.language),
        reference=ticket.reference,
        link=link,
        signature=desk_signature(ticket.desk, ticket.language),
    )


def to_person(mailer: Mailer, ticket: TicketRecord, *, subject: str, body: str) -> EmailMessage:
    """An e-mail to the ticket's person: from the desk (named in their language), answered to the
    desk's mailbox, a later message of the ticket's thread."""
    return mailer.message(
        to=ticket.email or "",
        subject=subject,
        body=body,
        reply_to=mailer.desk_address(ticket.desk),
        sender_name=sender_name(ticket.desk, ticket.language),
        thread=thread_id(ticket.reference, ticket.created_at, mailer.domain),
    )


class ReplyService:
    """E-mails and calls of the desk, stored in ``ticket_replies``; every database failure becomes
    :class:`TicketStoreUnavailable`. ``site_url`` is where the person finds the rating page."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        mailer: Mailer,
        ratings: RatingService,
        site_url: str,
    ) -> None:
        self._session_factory = session_factory
        self._mailer = mailer
        self._ratings = ratings
        self._site_url = site_url.rstrip("/")

    @property
    def email_configured(self) -> bool:
        return self._mailer.configured

    def send_email(self, reference: str, author: str, text: str) -> ReplyRecord:
        """E-mail ``text`` to the ticket's address and record it as ``sent`` or ``failed``.

        :class:`EmailNotConfigured` (nothing recorded) without an SMTP server; :class:`InvalidTransition`
        when the ticket has no e-mail address; :class:`ReplyNotRecorded` if it was sent but not stored.
        """
        author = normalise_username(author)
        text = validate_reply(text)
        self._require_mail()
        ticket, first_name = self._read(reference, author)
        return self._deliver(ticket, first_name, author, text, replacing=None)

    def retry_email(self, reference: str, reply_id: int, author: str) -> ReplyRecord:
        """Send a failed e-mail again; the same record becomes ``sent`` (by ``author``, now) or
        stays ``failed`` with the new reason. A reply that is not a failed e-mail of this ticket
        (already sent, say, by a double click) is an :class:`InvalidTransition`."""
        author = normalise_username(author)
        self._require_mail()
        ticket, first_name = self._read(reference, author)
        failed = next((r for r in ticket.replies if r.id == reply_id), None)
        if failed is None or failed.kind != "email":
            raise InvalidTransition(f"{ticket.reference} has no such e-mail to send again.")
        if failed.outcome != "failed":
            raise InvalidTransition("This e-mail has been sent already; it is not sent twice.")
        self._claim(failed)
        return self._deliver(ticket, first_name, author, failed.text, replacing=failed.id)

    def _claim(self, failed: ReplyRecord) -> None:
        """Mark the failed e-mail as being sent again, only if nobody else did since it was read:
        of two "try again" clicks at once, one sends and the other is told so."""

        def write(session: Session) -> int:
            return session.execute(
                update(TicketReply)
                .where(
                    TicketReply.id == failed.id,
                    TicketReply.outcome == "failed",
                    TicketReply.error == failed.error,
                )
                .values(error=SENDING_AGAIN)
                .execution_options(synchronize_session=False)
            ).rowcount

        if not guarded(self._session_factory, write):
            raise InvalidTransition(
                "This e-mail is being sent again or was sent already; reload the page to see which."
            )

    def record_call(self, reference: str, author: str, outcome: str, note: str | None = None) -> ReplyRecord:
        """Record that ``author`` called the person back: ``answered`` or ``no_answer``, with a note."""
        author = normalise_username(author)
        outcome, note = validate_call(outcome, note)

        def write(session: Session) -> ReplyRecord:
            ticket = _find(session, reference)
            if not ticket.phone:
                raise InvalidTransition(f"{ticket.reference} has no phone number to call.")
            return _record(ticket, kind="call", outcome=outcome, author=author, text=note or "", error=None)

        return guarded(self._session_factory, write)

    def ask_rating(self, ticket: TicketRecord) -> RatingAskResult:
        """After ``ticket`` was resolved: if the desk answered it by e-mail, e-mail the person the
        link to rate it, unless their conversation was asked before. Never raises: the ticket is
        resolved whatever happens here, and the result tells staff whether the question went out."""
        if not ticket.email or not ticket.reply_sent:
            return RatingAskResult(RatingAsk.NOT_APPLICABLE)
        if not self._mailer.configured:
            return RatingAskResult(RatingAsk.NOT_CONFIGURED)

        def deliver(token: str) -> None:
            # The link names the ticket's language: the page opens in it, whatever the browser's.
            link = f"{self._site_url}/feedback/{token}?{LANGUAGE_PARAMETER}={ticket.language}"
            subject = texts(ticket.language)["rating_subject"].format(reference=ticket.reference)
            self._mailer.send(
                to_person(self._mailer, ticket, subject=subject, body=rating_body(ticket, link))
            )

        try:
            token = self._ratings.ask(ticket.reference, "email", deliver=deliver)
        except (MailFailed, MailNotConfigured) as error:
            return RatingAskResult(RatingAsk.FAILED, str(error))
        except (TicketStoreUnavailable, TicketNotFound) as error:
            logger.warning("Could not ask %s for a rating: %s", ticket.reference, error)
            return RatingAskResult(RatingAsk.FAILED, "The ticket database could not record the question.")
        return RatingAskResult(RatingAsk.SENT if token else RatingAsk.ASKED_BEFORE)

    def _require_mail(self) -> None:
        if not self._mailer.configured:
            raise EmailNotConfigured(
                "E-mail is not set up on this desk (no SMTP server is configured), so nothing was "
                "sent. Please call the person, or answer from your own mailbox and add a note."
            )

    def _read(self, reference: str, author: str) -> tuple[TicketRecord, str]:
        """The ticket (which must have an e-mail address) and the first name ``author`` signs with."""

        def read(session: Session) -> tuple[TicketRecord, str]:
            ticket = _find(session, reference)
            first_name = session.execute(
                select(StaffUser.first_name).where(StaffUser.username == author)
            ).scalar_one_or_none()
            return TicketRecord.from_model(ticket), first_name or author

        ticket, first_name = guarded(self._session_factory, read)
        if not ticket.email:
            raise InvalidTransition(f"{ticket.reference} has no e-mail address; call the person instead.")
        return ticket, first_name

    def _deliver(
        self, ticket: TicketRecord, first_name: str, author: str, text: str, replacing: int | None
    ) -> ReplyRecord:
        message = to_person(
            self._mailer,
            ticket,
            subject=reply_subject(ticket.reference, ticket.language),
            body=reply_body(text, first_name, ticket.desk, ticket.language),
        )
        try:
            self._mailer.send(message)
            outcome, error = "sent", None
        except MailFailed as failure:
            logger.warning("Reply to %s not sent: %s", ticket.reference, without(failure, ticket.email))
            outcome, error = "failed", str(failure)

        def write(session: Session) -> ReplyRecord:
            stored = _find(session, ticket.reference)
            if replacing is None:
                return _record(stored, kind="email", outcome=outcome, author=author, text=text, error=error)
            return _update(stored, replacing, outcome=outcome, author=author, error=error)

        try:
            return guarded(self._session_factory, write)
        except TicketStoreUnavailable as failure:
            if outcome != "sent":
                raise
            raise ReplyNotRecorded(
                f"The e-mail to {ticket.email} was sent, but the desk could not record it in the "
                "ticket's history. Please add a note saying so."
            ) from failure


def _find(session: Session, reference: str) -> Ticket:
    query = select(Ticket).where(Ticket.reference == reference.strip().upper()).with_for_update()
    ticket = session.execute(query).scalar_one_or_none()
    if ticket is None:
        raise TicketNotFound(f"No ticket {reference!r}.")
    return ticket


def _answered(ticket: Ticket, outcome: str, now: datetime) -> None:
    """The first e-mail sent or call answered (at ``now``) is the ticket's first reply."""
    ticket.updated_at = now
    if outcome in ("sent", "answered") and ticket.first_reply_at is None:
        ticket.first_reply_at = now


def _record(
    ticket: Ticket, *, kind: str, outcome: str, author: str, text: str, error: str | None
) -> ReplyRecord:
    now = utc_now()
    reply = TicketReply(kind=kind, outcome=outcome, author=author, text=text, error=error, created_at=now)
    ticket.replies.append(reply)
    _answered(ticket, outcome, now)
    object_session(ticket).flush()
    return ReplyRecord.from_model(reply)


def _update(ticket: Ticket, reply_id: int, *, outcome: str, author: str, error: str | None) -> ReplyRecord:
    now = utc_now()
    reply = next(r for r in ticket.replies if r.id == reply_id)
    reply.outcome, reply.author, reply.error, reply.created_at = outcome, author, error, now
    _answered(ticket, outcome, now)
    object_session(ticket).flush()
    return ReplyRecord.from_model(reply)
