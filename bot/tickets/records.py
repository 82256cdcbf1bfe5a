"""Plain, immutable values passed in and out of the ticket service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.tickets.models import Ticket


@dataclass(frozen=True)
class TranscriptEntry:
    """One chat message as sent by the assistant; ``role`` is ``user`` or ``bot``.

    For a quick reply the person clicked, ``text`` is the button's title and ``quick_reply`` the
    payload it sent.
    """

    role: str
    text: str
    timestamp: datetime
    quick_reply: str | None = None


@dataclass(frozen=True)
class TicketResult:
    """What :meth:`TicketService.open_or_update` did."""

    reference: str
    created: bool


@dataclass(frozen=True)
class QueueCounts:
    """How many tickets there are per (status, desk)."""

    by_status_and_desk: dict[tuple[str, str], int]

    def count(self, status: str | None = None, desk: str | None = None) -> int:
        """Tickets of this status and desk; ``None`` means any."""
        return sum(
            n for (s, d), n in self.by_status_and_desk.items() if status in (None, s) and desk in (None, d)
        )


@dataclass(frozen=True)
class MessageRecord:
    position: int
    role: str
    text: str
    timestamp: datetime
    quick_reply: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "role": self.role,
            "text": self.text,
            "timestamp": self.timestamp.isoformat(),
            "quick_reply": self.quick_reply,
        }


@dataclass(frozen=True)
class NoteRecord:
    author: str
    text: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"author": self.author, "text": self.text, "created_at": self.created_at.isoformat()}


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

    @classmethod
    def from_model(cls, ticket: Ticket) -> TicketRecord:
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
                )
                for message in ticket.messages
            ),
        )

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
        }
