"""Everything kept about one person, found, handed over and erased on their request (AVG/GDPR
articles 15 and 17).

A person is found by what they can tell the desk: their e-mail address, their phone number, a
request's reference (ALM-…) or a conversation's id. What is kept about them:

* their **requests** (tickets, from the handoff form or a live chat) found by that e-mail address,
  phone number (written any way: ``+31 6 1234 5678`` finds ``06-12345678``), reference or
  conversation, each with its transcript (a live chat's too), internal notes, replies (e-mails
  and calls) and the rating asked for it with its score and comment;
* **notes on other requests** that name one of their e-mail addresses, phone numbers or references;
* the **desk answers** colleagues wrote from one of their requests: their example questions began as
  the person's question. They are reusable answers, so erasing leaves them (the link to the request
  goes with it) and lists them for a colleague to check that they name no one;
* the **conversations** in the assistant's conversation database (Rasa's SQL tracker store, read
  with SQLAlchemy like :mod:`bot.privacy.retention`): those of their requests, the one asked for, and any
  conversation whose stored events contain one of their e-mail addresses, phone numbers (as written
  in their requests) or references.

The votes under the assistant's answers are stored without anything that links them to a person or
a conversation (:mod:`bot.insights.answer_votes`), so there are none to find for one person.

Erasing deletes the requests (through the retention purge's own deletion,
:func:`bot.tickets.service.delete_tickets`, so transcripts, notes, replies and ratings go with them)
and the conversations (:func:`bot.privacy.retention.delete_conversations`), and replaces the person's
identifiers in other requests' notes by ``[removed]``. It is logged with the counts and the
references erased, never the address or number searched for.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import MetaData, Table, func, inspect, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.privacy.contact_patterns import PHONE_IN_TEXT
from bot.privacy.retention import delete_conversations
from bot.tickets.database import engine_for, guarded
from bot.tickets.errors import InvalidTicket
from bot.tickets.models import CONVERSATION_ID_MAX, DeskAnswer, Ticket, TicketNote
from bot.tickets.records import TicketRecord
from bot.tickets.service import _records, delete_tickets
from bot.tickets.validation import clean_email, clean_phone

logger = logging.getLogger(__name__)

KINDS = {
    "email": "e-mail address",
    "phone": "phone number",
    "reference": "reference",
    "conversation": "conversation id",
}
REMOVED = "[removed]"
# The tracker store's write check leaves these; they are no one's (bot/insights/tracker.py).
PROBE_SENDER = "almere-write-probe"
# A live chat that is waiting or going on is still being written to.
LIVE_CHATS_GOING_ON = ("waiting", "active")
ANSWER_VOTES = (
    "Votes under the assistant's answers (helpful or not) are stored with the answer's topic and the "
    "time only, without anything that links them to a person or a conversation: there are none to "
    "hand over or erase for one person."
)
_REFERENCE = re.compile(r"ALM-\d{6,}")
_NON_DIGITS = re.compile(r"\D")


class InvalidSubject(ValueError):
    """What was typed cannot find anyone; ``str()`` says what to type, politely."""


class SubjectBusy(RuntimeError):
    """A live chat of the person is still going on; ``str()`` says so, politely."""


class ConversationsUnavailable(RuntimeError):
    """The conversation database cannot be read or changed right now."""


@dataclass(frozen=True)
class Subject:
    """How a person is found: ``kind`` (one of :data:`KINDS`) and its cleaned ``value``."""

    kind: str
    value: str

    @property
    def label(self) -> str:
        return KINDS[self.kind]


def phone_key(text: str) -> str:
    """A phone number's digits as dialled in the Netherlands: ``+31 (0)6 1234 5678`` and
    ``06-12345678`` both give ``0612345678``."""
    text = text.replace("(0)", "")
    digits = _NON_DIGITS.sub("", text)
    if text.strip().startswith("+"):
        digits = "00" + digits
    return "0" + digits[4:] if digits.startswith("0031") else digits


def parse_subject(kind: str | None, value: str | None) -> Subject:
    """The person to find, or :class:`InvalidSubject` saying what to type."""
    if kind not in KINDS:
        raise InvalidSubject(
            "Choose what to search by: an e-mail address, a phone number, a reference or a conversation id."
        )
    text = " ".join((value or "").split())
    if not text:
        raise InvalidSubject(f"Type the {KINDS[kind]} to search for.")
    try:
        if kind == "email":
            return Subject(kind, (clean_email(text) or "").lower())
        if kind == "phone":
            cleaned = clean_phone(text) or ""
            return Subject(kind, cleaned)
    except InvalidTicket as error:
        raise InvalidSubject(error.message) from None
    if kind == "reference":
        if not _REFERENCE.fullmatch(text.upper()):
            raise InvalidSubject("A reference looks like ALM-000123.")
        return Subject(kind, text.upper())
    if len(text) > CONVERSATION_ID_MAX or " " in text or not text.isprintable():
        raise InvalidSubject(f"A conversation id has no spaces and at most {CONVERSATION_ID_MAX} characters.")
    return Subject(kind, text)


@dataclass(frozen=True)
class NoteNaming:
    """A note on someone else's request that names the person."""

    note_id: int
    reference: str
    author: str
    text: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "on_request": self.reference,
            "author": self.author,
            "text": self.text,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class DeskAnswerFrom:
    """A desk answer written from one of the person's requests."""

    answer_id: int
    status: str
    questions: str
    reference: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "desk_answer": self.answer_id,
            "status": self.status,
            "example_questions": self.questions,
            "written_from_request": self.reference,
        }


@dataclass(frozen=True)
class StoredEvent:
    """One event of a conversation as the tracker store keeps it."""

    type: str
    timestamp: float
    data: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "time": datetime.fromtimestamp(self.timestamp, timezone.utc).isoformat(),
            "event": self.data,
        }


@dataclass(frozen=True)
class ConversationRecord:
    conversation_id: str
    events: tuple[StoredEvent, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"conversation_id": self.conversation_id, "events": [e.to_dict() for e in self.events]}


@dataclass(frozen=True)
class SubjectData:
    """What was found about ``subject``."""

    subject: Subject
    tickets: tuple[TicketRecord, ...]
    notes: tuple[NoteNaming, ...]  # on other requests
    conversations: tuple[ConversationRecord, ...]
    desk_answers: tuple[DeskAnswerFrom, ...] = ()

    @property
    def ratings(self) -> int:
        return sum(1 for ticket in self.tickets if ticket.rating is not None)

    @property
    def live_chats(self) -> int:
        return sum(1 for ticket in self.tickets if ticket.live_chat is not None)

    @property
    def events(self) -> int:
        return sum(len(conversation.events) for conversation in self.conversations)

    @property
    def empty(self) -> bool:
        return not (self.tickets or self.notes or self.conversations)

    def as_json(self, exported_at: datetime) -> dict[str, Any]:
        """Everything, as plain JSON values: the file handed to the person."""
        return {
            "searched_by": {"kind": self.subject.kind, "value": self.subject.value},
            "exported_at": exported_at.isoformat(),
            "requests": [ticket.to_dict() for ticket in self.tickets],
            "notes_on_other_requests": [note.to_dict() for note in self.notes],
            "conversations": [conversation.to_dict() for conversation in self.conversations],
            "desk_answers_written_from_requests": [answer.to_dict() for answer in self.desk_answers],
            "answer_votes": ANSWER_VOTES,
        }

    def to_json(self, exported_at: datetime) -> str:
        return json.dumps(self.as_json(exported_at), ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class Erasure:
    """What :meth:`SubjectDataService.erase` deleted (counts only, and the references)."""

    references: tuple[str, ...]
    live_chats: int
    ratings: int
    notes_edited: int
    conversations: int
    events: int


class SubjectDataService:
    """Finds, exports and erases one person's data in the ticket database (``session_factory``)
    and the conversation database (``tracker_url``)."""

    def __init__(self, session_factory: sessionmaker[Session], tracker_url: str) -> None:
        self._session_factory = session_factory
        self._tracker_url = tracker_url

    def find(self, subject: Subject) -> SubjectData:
        """Everything about ``subject``. Raises ``TicketStoreUnavailable`` or
        :class:`ConversationsUnavailable` when a database cannot be read."""
        tickets, notes, answers = guarded(
            self._session_factory, lambda session: _find_in_desk(session, subject)
        )
        conversations = self._conversations(subject, tickets)
        return SubjectData(subject, tuple(tickets), tuple(notes), tuple(conversations), tuple(answers))

    def erase(self, subject: Subject, by: str) -> Erasure:
        """Delete everything about ``subject`` (see the module); ``by``: who asked (for the log).

        The conversations go first and the requests after, in one transaction: if that fails, the
        requests still name the conversations, and erasing again finishes the work.
        Raises :class:`SubjectBusy` while one of the person's live chats goes on."""
        found = self.find(subject)
        going_on = [t.reference for t in found.tickets if t.live_chat in LIVE_CHATS_GOING_ON]
        if going_on:
            raise SubjectBusy(
                f"The live chat {', '.join(going_on)} is still going on: end it first, then erase."
            )
        ids = [conversation.conversation_id for conversation in found.conversations]
        try:
            events = delete_conversations(self._tracker_url, ids)
        except SQLAlchemyError as error:
            logger.warning("Conversation database unavailable for an erasure: %s", error)
            raise ConversationsUnavailable(
                "The conversation database cannot be changed right now."
            ) from error
        identifiers = _identifiers(subject, found.tickets)

        def erase(session: Session) -> tuple[int, int]:
            tickets = list(
                session.execute(select(Ticket).where(Ticket.id.in_([t.id for t in found.tickets]))).scalars()
            )
            deleted = delete_tickets(session, tickets)
            edited = 0
            for note in session.execute(
                select(TicketNote).where(TicketNote.id.in_([n.note_id for n in found.notes]))
            ).scalars():
                note.text = _without(note.text, identifiers)
                edited += 1
            return len(deleted), edited

        tickets, notes = guarded(self._session_factory, erase)
        erasure = Erasure(
            references=tuple(t.reference for t in found.tickets),
            live_chats=found.live_chats,
            ratings=found.ratings,
            notes_edited=notes,
            conversations=len(ids),
            events=events,
        )
        logger.warning(
            "Personal data erased on request by %s (found by %s): %d request(s) %s with %d live chat(s) "
            "and %d rating(s), %d note(s) on other requests edited, %d conversation(s) with %d event(s)",
            by,
            subject.label,
            tickets,
            ", ".join(erasure.references) or "-",
            erasure.live_chats,
            erasure.ratings,
            notes,
            erasure.conversations,
            events,
        )
        return erasure

    def _conversations(self, subject: Subject, tickets: list[TicketRecord]) -> list[ConversationRecord]:
        ids = {ticket.conversation_id for ticket in tickets}
        if subject.kind == "conversation":
            ids.add(subject.value)
        needles = sorted(
            {value.lower() for t in tickets for value in (t.email, t.phone, t.reference) if value}
            | ({subject.value.lower()} if subject.kind != "conversation" else set())
        )
        try:
            engine = engine_for(self._tracker_url)
            if not inspect(engine).has_table("events"):
                return []
            return _read_conversations(engine, ids, needles)
        except SQLAlchemyError as error:
            logger.warning("Conversation database unreadable: %s", error)
            raise ConversationsUnavailable("The conversation database cannot be read right now.") from error


def _find_in_desk(
    session: Session, subject: Subject
) -> tuple[list[TicketRecord], list[NoteNaming], list[DeskAnswerFrom]]:
    """The person's requests, the notes on other requests that name them, and the desk answers
    written from their requests."""
    query = select(Ticket).options(
        selectinload(Ticket.messages), selectinload(Ticket.notes), selectinload(Ticket.replies)
    )
    if subject.kind == "email":
        query = query.where(func.lower(Ticket.email) == subject.value)
    elif subject.kind == "reference":
        query = query.where(Ticket.reference == subject.value)
    elif subject.kind == "conversation":
        query = query.where(Ticket.conversation_id == subject.value)
    else:
        wanted = phone_key(subject.value)
        ids = [
            ticket_id
            for ticket_id, phone in session.execute(
                select(Ticket.id, Ticket.phone).where(Ticket.phone.is_not(None))
            )
            if phone_key(phone) == wanted
        ]
        query = query.where(Ticket.id.in_(ids))
    tickets = _records(session, list(session.execute(query.order_by(Ticket.id)).scalars()))
    identifiers = _identifiers(subject, tickets)
    own = [ticket.id for ticket in tickets]
    notes = session.execute(
        select(TicketNote.id, Ticket.reference, TicketNote.author, TicketNote.text, TicketNote.created_at)
        .join(Ticket, Ticket.id == TicketNote.ticket_id)
        .where(Ticket.id.not_in(own))
        .order_by(TicketNote.id)
    )
    naming = [NoteNaming(*row) for row in notes if _without(row.text, identifiers) != row.text]
    answers = session.execute(
        select(DeskAnswer.id, DeskAnswer.status, DeskAnswer.questions, Ticket.reference)
        .join(Ticket, Ticket.id == DeskAnswer.source_ticket_id)
        .where(Ticket.id.in_(own))
        .order_by(DeskAnswer.id)
    )
    return tickets, naming, [DeskAnswerFrom(*row) for row in answers]


def _identifiers(subject: Subject, tickets: Iterable[TicketRecord]) -> set[str]:
    """The person's e-mail addresses, phone numbers and references, as searched and as in their requests."""
    found = {value for t in tickets for value in (t.email, t.phone, t.reference) if value}
    if subject.kind != "conversation":
        found.add(subject.value)
    return found


def _without(text: str, identifiers: set[str]) -> str:
    """``text`` with every one of ``identifiers`` replaced by :data:`REMOVED`: e-mail addresses and
    references in any case, phone numbers however they are written."""
    phones = {
        phone_key(value) for value in identifiers if not _REFERENCE.fullmatch(value) and "@" not in value
    }
    for value in identifiers:
        if "@" in value or _REFERENCE.fullmatch(value):
            text = re.sub(re.escape(value), REMOVED, text, flags=re.IGNORECASE)
    if phones:
        text = PHONE_IN_TEXT.sub(lambda m: REMOVED if phone_key(m.group(0)) in phones else m.group(0), text)
    return text


def _read_conversations(engine: Engine, ids: set[str], needles: list[str]) -> list[ConversationRecord]:
    """The conversations ``ids`` and those whose events contain one of ``needles``, oldest event first."""
    events = Table("events", MetaData(), autoload_with=engine)
    with engine.connect() as connection:
        if needles:
            mentions = select(events.c.sender_id).where(
                or_(*[func.lower(events.c.data).contains(needle, autoescape=True) for needle in needles])
            )
            ids |= set(connection.execute(mentions.distinct()).scalars())
        ids.discard(PROBE_SENDER)
        if not ids:
            return []
        rows = connection.execute(
            select(events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data)
            .where(events.c.sender_id.in_(sorted(ids)))
            .order_by(events.c.sender_id, events.c.id)
        )
        found: dict[str, list[StoredEvent]] = {}
        for row in rows:
            found.setdefault(row.sender_id, []).append(
                StoredEvent(row.type_name, row.timestamp, _json(row.data))
            )
    return [ConversationRecord(sender, tuple(stored)) for sender, stored in found.items()]


def _json(data: str | None) -> Any:
    try:
        return json.loads(data) if data else None
    except (ValueError, RecursionError):
        return data
