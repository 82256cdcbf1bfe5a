"""Creating, reading and handling tickets, in one transaction per call."""

from __future__ import annotations

import builtins
import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import TypeVar

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session, selectinload, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from bot.config import Settings
from bot.privacy.contact_patterns import PHONE_SEARCH as PHONE_LIKE
from bot.tickets.database import guarded, in_transaction, sessions_for
from bot.tickets.errors import (
    ConsentRequired,
    InvalidTicket,
    InvalidTransition,
    LiveChatInProgress,
    TicketNotFound,
    TicketStoreUnavailable,
)
from bot.tickets.models import (
    ACTIVE_STATUSES,
    DESKS,
    LANGUAGES,
    STATUSES,
    Rating,
    Ticket,
    TicketMessage,
    TicketNote,
    format_reference,
    utc_now,
)
from bot.tickets.notify import Confirmation, EmailNotifier, TicketNotifier
from bot.tickets.records import QueueCounts, TicketRecord, TicketResult, TranscriptEntry
from bot.tickets.validation import (
    Contact,
    normalise_username,
    validate_contact,
    validate_conversation,
    validate_note,
    validate_transcript,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Open or claimed, and nobody has answered the person yet (no e-mail sent, call answered, chat message).
_AWAITING_REPLY = (Ticket.status.in_(ACTIVE_STATUSES), Ticket.first_reply_at.is_(None))
# What a ticket record holds besides the ticket's own columns.
_LOAD_ALL = (selectinload(Ticket.messages), selectinload(Ticket.notes), selectinload(Ticket.replies))

# The live chat states in which the chat's own actions, not the ticket's, change it.
LIVE_CHAT_IN_PROGRESS = ("waiting", "active")
# Concurrent calls for one conversation collide on a unique index; the loser retries.
MAX_ATTEMPTS = 5
# Who notes in a ticket what the system did on its own, such as the confirmation e-mailed to the
# person (usernames are lower case, so no desk account can be it).
ASSISTANT_AUTHOR = "Assistant"
CONFIRMATION_SENT = "The confirmation of this question was e-mailed to {address}."
# The turn's request id, as in the servers' logs (bot/observability/logs.py).
REQUEST_ID_NOTE = "Request id of the turn that {done} this ticket: {request_id}"
CONFIRMATION_FAILED = "The confirmation of this question to {address} was NOT sent: {error}"

# The desk's search: at most this many characters and words; a phone number found from this many digits.
SEARCH_MAX = 200
SEARCH_WORDS_MAX = 8
PHONE_DIGITS_MIN = 4

# The desk's queue: open tickets, then claimed ones, each longest-waiting first; then resolved ones,
# most recently resolved first (only resolved rows have a value, so the groups do not mix).
QUEUE_ORDER = (
    case({"open": 0, "claimed": 1}, value=Ticket.status, else_=2),
    case((Ticket.status == "resolved", Ticket.updated_at), else_=None).desc(),
    Ticket.created_at,
    Ticket.id,
)


class TicketService:
    """The only way tickets are written; every database failure becomes
    :class:`TicketStoreUnavailable` with the transaction rolled back."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        notifier: TicketNotifier | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._notifier = notifier

    def open_or_update(
        self,
        conversation_id: str,
        channel: str,
        *,
        name: str | None,
        email: str | None,
        phone: str | None,
        question: str | None,
        desk: str,
        topic: str | None = None,
        consent_given: bool,
        transcript: Sequence[TranscriptEntry],
        language: str = "en",
        request_id: str | None = None,
    ) -> TicketResult:
        """Open a ticket for the conversation, or update its open one.

        The contact fields are replaced by the given ones; transcript messages
        not stored yet (same role, text and timestamp) are appended in order. ``request_id``: the
        turn's (bot/observability/logs.py), kept in an internal note so that the ticket can be found in
        the servers' logs.
        """
        if consent_given is not True:
            raise ConsentRequired("The person did not agree to share their details.")
        validate_conversation(conversation_id, channel)
        contact = validate_contact(
            name=name, email=email, phone=phone, question=question, desk=desk, topic=topic
        )
        validate_transcript(transcript)
        if language not in LANGUAGES:
            raise InvalidTicket("language", f"Unknown language {language!r}.")

        def write(session: Session) -> tuple[TicketRecord, bool]:
            return _open_or_update(
                session, conversation_id, channel, contact, transcript, language, request_id
            )

        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                record, created = self._in_transaction(write)
                break
            except IntegrityError as error:
                if attempt == MAX_ATTEMPTS:
                    raise TicketStoreUnavailable("The ticket could not be saved.") from error
                logger.info("Ticket write for a conversation collided; retrying (%d)", attempt)
        # A ticket that gets its first e-mail address later (a missed live chat's form) is confirmed then.
        confirmation = self._notify(record, created) if created or _unconfirmed(record) else None
        return TicketResult(
            reference=record.reference,
            created=created,
            confirmation_sent=confirmation is not None and confirmation.sent,
        )

    def get(self, reference: str) -> TicketRecord:
        """The ticket with this reference, or :class:`TicketNotFound`."""

        def read(session: Session) -> TicketRecord:
            [record] = _records(session, [_find(session, reference, for_update=False)])
            return record

        return self._guarded(read)

    def list(self, status: str | None = None, desk: str | None = None) -> builtins.list[TicketRecord]:
        """Tickets, newest first, optionally only those with this status and/or desk."""
        return self._select(status, desk, None, False, (Ticket.created_at.desc(), Ticket.id.desc()))

    def queue(
        self,
        status: str | None = None,
        desk: str | None = None,
        assignee: str | None = None,
        awaiting_reply: bool = False,
        search: str = "",
    ) -> builtins.list[TicketRecord]:
        """The desk's queue: open tickets longest-waiting first, then claimed ones, then resolved
        ones (most recently resolved first); optionally only those with this status, desk and/or
        assignee, only the open or claimed ones nobody has answered yet (``awaiting_reply``), and
        only those that ``search`` finds (:func:`search_condition`)."""
        if assignee is not None:
            assignee = normalise_username(assignee)
        return self._select(status, desk, assignee, awaiting_reply, QUEUE_ORDER, search_condition(search))

    def counts(self) -> QueueCounts:
        """How many tickets there are of each status and desk, and per desk how many wait for a
        first reply."""
        query = select(Ticket.status, Ticket.desk, func.count()).group_by(Ticket.status, Ticket.desk)
        awaiting = select(Ticket.desk, func.count()).where(*_AWAITING_REPLY).group_by(Ticket.desk)

        def read(session: Session) -> QueueCounts:
            return QueueCounts(
                {(status, desk): n for status, desk, n in session.execute(query)},
                {desk: n for desk, n in session.execute(awaiting)},
            )

        return self._guarded(read)

    def _select(
        self,
        status: str | None,
        desk: str | None,
        assignee: str | None,
        awaiting_reply: bool,
        order: Sequence,
        condition: ColumnElement[bool] | None = None,
    ) -> builtins.list[TicketRecord]:
        if status is not None and status not in STATUSES:
            raise InvalidTicket("status", f"Unknown status {status!r}.")
        if desk is not None and desk not in DESKS:
            raise InvalidTicket("desk", f"Unknown desk {desk!r}.")
        query = select(Ticket).options(*_LOAD_ALL).order_by(*order)
        if awaiting_reply:
            query = query.where(*_AWAITING_REPLY)
        if status is not None:
            query = query.where(Ticket.status == status)
        if desk is not None:
            query = query.where(Ticket.desk == desk)
        if assignee is not None:
            query = query.where(Ticket.assignee == assignee)
        if condition is not None:
            query = query.where(condition)

        def read(session: Session) -> list[TicketRecord]:
            return _records(session, list(session.execute(query).scalars()))

        return self._guarded(read)

    def claim(self, reference: str, username: str) -> TicketRecord:
        """Assign an open ticket to ``username`` (claiming one's own ticket again is fine)."""
        username = normalise_username(username)

        def change(ticket: Ticket) -> None:
            if ticket.status == "resolved":
                raise InvalidTransition(f"{ticket.reference} is already resolved.")
            _not_in_live_chat(ticket)
            if ticket.status == "claimed" and ticket.assignee != username:
                raise InvalidTransition(f"{ticket.reference} is already claimed by {ticket.assignee}.")
            ticket.status = "claimed"
            ticket.assignee = username

        return self._change(reference, change)

    def add_note(self, reference: str, username: str, text: str) -> TicketRecord:
        """Add an internal note by ``username``."""
        username = normalise_username(username)
        text = validate_note(text)

        def change(ticket: Ticket) -> None:
            ticket.notes.append(TicketNote(author=username, text=text, created_at=utc_now()))

        return self._change(reference, change)

    def resolve(self, reference: str, username: str) -> TicketRecord:
        """Mark an open or claimed ticket resolved; an unassigned one is assigned to ``username``."""
        username = normalise_username(username)

        def change(ticket: Ticket) -> None:
            if ticket.status == "resolved":
                raise InvalidTransition(f"{ticket.reference} is already resolved.")
            _not_in_live_chat(ticket)
            ticket.status = "resolved"
            ticket.assignee = ticket.assignee or username

        return self._change(reference, change)

    def reopen(self, reference: str, username: str) -> TicketRecord:
        """Open a resolved ticket again, unassigned, with a note saying who reopened it (and when)."""
        username = normalise_username(username)

        def change(ticket: Ticket) -> None:
            if ticket.status != "resolved":
                raise InvalidTransition(f"{ticket.reference} is not resolved, so it cannot be reopened.")
            # One open or claimed ticket per conversation: a newer one may have taken its place.
            newer = (
                object_session(ticket)
                .execute(
                    select(Ticket.reference).where(
                        Ticket.conversation_id == ticket.conversation_id,
                        Ticket.status.in_(ACTIVE_STATUSES),
                    )
                )
                .scalar()
            )
            if newer is not None:
                raise InvalidTransition(
                    f"{ticket.reference} cannot be reopened: the same conversation has an open "
                    f"ticket, {newer}. Please continue there."
                )
            note = f"Reopened this ticket (it was resolved by {ticket.assignee or 'nobody'})."
            ticket.status = "open"
            ticket.assignee = None
            ticket.notes.append(TicketNote(author=username, text=note, created_at=utc_now()))

        return self._change(reference, change)

    def purge_resolved(self, before: datetime) -> builtins.list[TicketRecord]:
        """Delete resolved tickets last changed before ``before``, with notes and transcripts.

        Returns what was deleted, so the caller can remove the matching conversations.
        """
        if before.tzinfo is None:
            raise ValueError("before must be timezone-aware")
        query = (
            select(Ticket).options(*_LOAD_ALL).where(Ticket.status == "resolved", Ticket.updated_at < before)
        )

        def delete(session: Session) -> builtins.list[TicketRecord]:
            return delete_tickets(session, list(session.execute(query).scalars()))

        return self._guarded(delete)

    def _change(self, reference: str, change: Callable[[Ticket], None]) -> TicketRecord:
        def write(session: Session) -> TicketRecord:
            ticket = _find(session, reference, for_update=True)
            change(ticket)
            ticket.updated_at = utc_now()
            session.flush()
            [record] = _records(session, [ticket])
            return record

        return self._guarded(write)

    def _in_transaction(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction; IntegrityError is left to the caller."""
        return in_transaction(self._session_factory, work)

    def _guarded(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a transaction; every database error becomes TicketStoreUnavailable."""
        return guarded(self._session_factory, work)

    def _notify(self, record: TicketRecord, created: bool) -> Confirmation | None:
        """Notify the desk of a ``created`` ticket, and confirm it to the person; what became of the
        confirmation is noted in the ticket for staff (by :data:`ASSISTANT_AUTHOR`)."""
        if self._notifier is None:
            return None
        try:
            confirmation = (
                self._notifier.ticket_created(record) if created else self._notifier.confirm(record)
            )
        except Exception:  # a notification must never undo or hide a stored ticket
            logger.exception("Could not send the notification for %s", record.reference)
            return None
        if confirmation is not None:
            note = (
                CONFIRMATION_SENT.format(address=confirmation.address)
                if confirmation.sent
                else CONFIRMATION_FAILED.format(address=confirmation.address, error=confirmation.error)
            )
            noted = TicketNote(author=ASSISTANT_AUTHOR, text=note, created_at=utc_now())
            try:
                self._change(record.reference, lambda ticket: ticket.notes.append(noted))
            except TicketStoreUnavailable:
                logger.exception("Could not note the confirmation of %s", record.reference)
        return confirmation


def _unconfirmed(record: TicketRecord) -> bool:
    """The ticket has an e-mail address, and no confirmation was sent (or tried) to the person."""
    tried = (CONFIRMATION_SENT.split("{", 1)[0], CONFIRMATION_FAILED.split("{", 1)[0])
    return record.email is not None and not any(
        note.author == ASSISTANT_AUTHOR and note.text.startswith(tried) for note in record.notes
    )


def search_condition(search: str) -> ColumnElement[bool] | None:
    """The tickets the desk's search box finds: every word of ``search`` (case does not matter;
    ``%`` and ``_`` are plain characters) in the reference, name, e-mail address, question, a
    message of the conversation or a note; a search of digits (a phone number however written,
    "06 1234 5678" or "+31 6 12345678") also in the phone number. None for a blank search;
    InvalidTicket if it is longer than SEARCH_MAX characters or SEARCH_WORDS_MAX words."""
    words = search.split()
    if len(search) > SEARCH_MAX or len(words) > SEARCH_WORDS_MAX:
        raise InvalidTicket("q", f"Search for at most {SEARCH_WORDS_MAX} words and {SEARCH_MAX} characters.")
    digits = re.sub(r"\D", "", search)
    if len(digits) >= PHONE_DIGITS_MIN and PHONE_LIKE.fullmatch(search.strip()):
        return or_(_text_contains(digits), _text_contains(" ".join(words)), _phone_contains(digits))
    return and_(*(_text_contains(word) for word in words)) if words else None


def _text_contains(word: str) -> ColumnElement[bool]:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

    def contains(column) -> ColumnElement[bool]:
        return func.lower(column).like(f"%{escaped}%", escape="\\")

    return or_(
        contains(Ticket.reference),
        contains(Ticket.name),
        contains(Ticket.email),
        contains(Ticket.question),
        Ticket.messages.any(contains(TicketMessage.text)),
        Ticket.notes.any(contains(TicketNote.text)),
    )


def _phone_contains(digits: str) -> ColumnElement[bool]:
    """The phone number's digits contain these, with or without the leading 0 or the Dutch +31."""
    phone = Ticket.phone
    for separator in (" ", "-", ".", "(", ")", "/", "+"):
        phone = func.replace(phone, separator, "")
    national = digits.lstrip("0")
    candidates = {digits, national, national[2:] if national.startswith("31") else national}
    return or_(*(phone.like(f"%{candidate}%") for candidate in candidates))


def _records(session: Session, tickets: Sequence[Ticket]) -> builtins.list[TicketRecord]:
    """The tickets as records, each with the rating asked for it (read in one query)."""
    ids = [ticket.id for ticket in tickets]
    ratings = {
        rating.ticket_id: rating
        for rating in session.execute(select(Rating).where(Rating.ticket_id.in_(ids))).scalars()
    }
    return [TicketRecord.from_model(ticket, ratings.get(ticket.id)) for ticket in tickets]


def delete_tickets(session: Session, tickets: Sequence[Ticket]) -> builtins.list[TicketRecord]:
    """Delete ``tickets`` with their transcripts, notes and replies (and, by the foreign key, their
    ratings) in ``session``; returns them as they were."""
    records = _records(session, tickets)
    for ticket in tickets:
        session.delete(ticket)
    return records


def _not_in_live_chat(ticket: Ticket) -> None:
    """Claiming or resolving a waiting or active live chat would take it from the colleague who has
    it (or is about to) without telling the person: only the live chat's own actions may."""
    if ticket.live_chat in LIVE_CHAT_IN_PROGRESS:
        raise LiveChatInProgress(ticket.reference)


def _find(session: Session, reference: str, *, for_update: bool) -> Ticket:
    query = select(Ticket).where(Ticket.reference == reference.strip().upper())
    if for_update:
        query = query.with_for_update()
    ticket = session.execute(query).scalar_one_or_none()
    if ticket is None:
        raise TicketNotFound(f"No ticket {reference!r}.")
    return ticket


def _open_or_update(
    session: Session,
    conversation_id: str,
    channel: str,
    contact: Contact,
    transcript: Sequence[TranscriptEntry],
    language: str = "en",
    request_id: str | None = None,
) -> tuple[TicketRecord, bool]:
    ticket = session.execute(
        select(Ticket)
        .where(Ticket.conversation_id == conversation_id, Ticket.status.in_(ACTIVE_STATUSES))
        .with_for_update()
    ).scalar_one_or_none()
    now = utc_now()
    created = ticket is None
    if ticket is None:
        ticket = Ticket(
            conversation_id=conversation_id,
            channel=channel,
            status="open",
            consent_at=now,
            created_at=now,
        )
        session.add(ticket)
    ticket.name = contact.name
    ticket.email = contact.email
    ticket.phone = contact.phone
    ticket.question = contact.question
    ticket.desk = contact.desk
    ticket.topic = contact.topic
    ticket.language = language
    ticket.updated_at = now
    session.flush()
    if created:
        ticket.reference = format_reference(ticket.id)
    _append_new_messages(ticket, transcript)
    if request_id is not None:
        done = "opened" if created else "updated"
        note = REQUEST_ID_NOTE.format(done=done, request_id=request_id)
        ticket.notes.append(TicketNote(author=ASSISTANT_AUTHOR, text=note, created_at=now))
    session.flush()
    return TicketRecord.from_model(ticket), created


def _append_new_messages(ticket: Ticket, transcript: Sequence[TranscriptEntry]) -> None:
    """Append the entries not stored yet, so resending a transcript adds nothing."""
    stored = Counter((m.role, m.text, m.timestamp) for m in ticket.messages)
    position = max((m.position for m in ticket.messages), default=-1) + 1
    for entry in transcript:
        timestamp = entry.timestamp.astimezone(timezone.utc)
        key = (entry.role, entry.text, timestamp)
        if stored[key]:
            stored[key] -= 1
            continue
        ticket.messages.append(
            TicketMessage(
                position=position,
                role=entry.role,
                text=entry.text,
                quick_reply=entry.quick_reply,
                author=normalise_username(entry.author) if entry.author is not None else None,
                timestamp=timestamp,
            )
        )
        position += 1


def ticket_service_for(settings: Settings) -> TicketService:
    """A service on ``settings.database_url`` (the process's engine for it) that e-mails the desk
    about new tickets."""
    return TicketService(sessions_for(settings.database_url), notifier=EmailNotifier(settings))
