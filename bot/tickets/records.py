"""Plain, immutable values passed in and out of the ticket service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.tickets.models import Rating, Ticket, TicketReply


@dataclass(frozen=True)
class TranscriptEntry:
    """One chat message as sent by the assistant; ``role`` is ``user``, ``bot`` or ``staff`` (a
    colleague in a live chat, whose username is ``author``).

    For a quick reply the person clicked, ``text`` is the button's title and ``quick_reply`` the
    payload it sent.
    """

    role: str
    text: str
    timestamp: datetime
    quick_reply: str | None = None
    # The colleague (username) who wrote a ``staff`` message in a live chat.
    author: str | None = None


@dataclass(frozen=True)
class TicketResult:
    """What :meth:`TicketService.open_or_update` did."""

    reference: str
    created: bool
    # The person was e-mailed a confirmation of the new ticket (the mail server took it).
    confirmation_sent: bool = False


@dataclass(frozen=True)
class QueueCounts:
    """How many tickets there are per (status, desk), and per desk how many open or claimed ones
    still wait for a first reply."""

    by_status_and_desk: dict[tuple[str, str], int]
    awaiting_reply_by_desk: dict[str, int] = field(default_factory=dict)

    def count(self, status: str | None = None, desk: str | None = None) -> int:
        """Tickets of this status and desk; ``None`` means any."""
        return sum(
            n for (s, d), n in self.by_status_and_desk.items() if status in (None, s) and desk in (None, d)
        )

    def awaiting_reply(self, desk: str | None = None) -> int:
        """Open or claimed tickets of this desk (``None``: any) nobody has answered yet."""
        return sum(n for d, n in self.awaiting_reply_by_desk.items() if desk in (None, d))


@dataclass(frozen=True)
class MessageRecord:
    position: int
    role: str
    text: str
    timestamp: datetime
    quick_reply: str | None = None
    author: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "role": self.role,
            "text": self.text,
            "timestamp": self.timestamp.isoformat(),
            "quick_reply": self.quick_reply,
            "author": self.author,
        }


@dataclass(frozen=True)
class NoteRecord:
    author: str
    text: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"author": self.author, "text": self.text, "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class ReplyRecord:
    """An answer staff gave outside the chat: an e-mail (``sent`` or ``failed``, with the ``error``
    staff are shown) or a phone call (``answered`` or ``no_answer``, ``text`` the optional note)."""

    id: int
    kind: str
    outcome: str
    author: str
    text: str
    error: str | None
    created_at: datetime

    @classmethod
    def from_model(cls, reply: TicketReply) -> ReplyRecord:
        return cls(
            id=reply.id,
            kind=reply.kind,
            outcome=reply.outcome,
            author=reply.author,
            text=reply.text,
            error=reply.error,
            created_at=reply.created_at,
        )

    @property
    def answered(self) -> bool:
        """The person got this answer: an e-mail that was sent, or a call they picked up."""
        return self.outcome in ("sent", "answered")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "outcome": self.outcome,
            "author": self.author,
            "text": self.text,
            "error": self.error,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class RatingRecord:
    """The person's say: asked once per conversation, by chat or e-mail; ``score`` (1-5) is None
    until they answer."""

    ticket_id: int
    channel: str
    asked_at: datetime
    score: int | None
    comment: str | None
    answered_at: datetime | None

    @classmethod
    def from_model(cls, rating: Rating) -> RatingRecord:
        return cls(
            ticket_id=rating.ticket_id,
            channel=rating.channel,
            asked_at=rating.asked_at,
            score=rating.score,
            comment=rating.comment,
            answered_at=rating.answered_at,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "asked_at": self.asked_at.isoformat(),
            "score": self.score,
            "comment": self.comment,
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
        }


@dataclass(frozen=True)
class RatingSummary:
    """All answered ratings: how many, and their average score (None when there are none)."""

    count: int
    average: float | None


@dataclass(frozen=True)
class TicketRecord:
    """A ticket with its notes and transcript, detached from the database."""

    id: int
    reference: str
    status: str
    desk: str
    name: str
    email: str | None
    phone: str | None
    question: str
    topic: str | None
    consent_at: datetime
    conversation_id: str
    channel: str
    created_at: datetime
    updated_at: datetime
    assignee: str | None
    notes: tuple[NoteRecord, ...]
    transcript: tuple[MessageRecord, ...]
    # One of models.LIVE_CHAT_STATES when the ticket began as a live chat; None for the form's.
    live_chat: str | None = None
    # When the person first got an answer from a person (e-mail sent, call answered, chat message).
    first_reply_at: datetime | None = None
    replies: tuple[ReplyRecord, ...] = ()
    rating: RatingRecord | None = None
    # The person's language ("en" or "nl"): staff answer in it, e-mails to the person use it.
    language: str = "en"

    @classmethod
    def from_model(cls, ticket: Ticket, rating: Rating | None = None) -> TicketRecord:
        """The ticket as read in its session; ``rating`` is the one asked for it, if any (it is not
        a relationship of the model, so the service reads it alongside)."""
        return cls(
            id=ticket.id,
            reference=ticket.reference,
            status=ticket.status,
            desk=ticket.desk,
            name=ticket.name,
            email=ticket.email,
            phone=ticket.phone,
            question=ticket.question,
            topic=ticket.topic,
            consent_at=ticket.consent_at,
            conversation_id=ticket.conversation_id,
            channel=ticket.channel,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            assignee=ticket.assignee,
            language=ticket.language or "en",
            notes=tuple(
                NoteRecord(author=note.author, text=note.text, created_at=note.created_at)
                for note in ticket.notes
            ),
            transcript=tuple(
                MessageRecord(
                    position=message.position,
                    role=message.role,
                    text=message.text,
                    timestamp=message.timestamp,
                    quick_reply=message.quick_reply,
                    author=message.author,
                )
                for message in ticket.messages
            ),
            live_chat=ticket.live_chat,
            first_reply_at=ticket.first_reply_at,
            replies=tuple(ReplyRecord.from_model(reply) for reply in ticket.replies),
            rating=RatingRecord.from_model(rating) if rating is not None else None,
        )

    @property
    def awaiting_reply(self) -> bool:
        """Open or claimed, and nobody has answered the person yet."""
        return self.status != "resolved" and self.first_reply_at is None

    @property
    def reply_sent(self) -> bool:
        """At least one e-mail from the desk reached the mail server."""
        return any(reply.kind == "email" and reply.outcome == "sent" for reply in self.replies)

    def to_dict(self) -> dict[str, Any]:
        """All fields as JSON-ready values (timestamps in ISO 8601, UTC)."""
        return {
            "id": self.id,
            "reference": self.reference,
            "status": self.status,
            "desk": self.desk,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "question": self.question,
            "topic": self.topic,
            "consent_at": self.consent_at.isoformat(),
            "conversation_id": self.conversation_id,
            "channel": self.channel,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "assignee": self.assignee,
            "notes": [note.to_dict() for note in self.notes],
            "transcript": [message.to_dict() for message in self.transcript],
            "live_chat": self.live_chat,
            "first_reply_at": self.first_reply_at.isoformat() if self.first_reply_at else None,
            "replies": [reply.to_dict() for reply in self.replies],
            "rating": self.rating.to_dict() if self.rating else None,
            "language": self.language,
        }
