"""Plain, immutable values passed in and out of the desk answer service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.tickets.models import DeskAnswer, DeskAnswerEvent


def question_lines(questions: str) -> tuple[str, ...]:
    """The example questions stored one per line."""
    return tuple(line for line in (part.strip() for part in questions.splitlines()) if line)


@dataclass(frozen=True)
class DeskAnswerEventRecord:
    """One change of an answer (``created``, ``edited``, ``approved``, ``withdrawn``): who, when,
    and the example questions and answer as they were then."""

    id: int
    action: str
    actor: str
    questions: tuple[str, ...]
    answer: str
    created_at: datetime

    @classmethod
    def from_model(cls, event: DeskAnswerEvent) -> DeskAnswerEventRecord:
        return cls(
            id=event.id,
            action=event.action,
            actor=event.actor,
            questions=question_lines(event.questions),
            answer=event.answer,
            created_at=event.created_at,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action,
            "actor": self.actor,
            "questions": list(self.questions),
            "answer": self.answer,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class DeskAnswerRecord:
    """An answer staff wrote: ``draft`` until a second colleague approves it, then ``approved``
    (the assistant gives it), or ``withdrawn``. ``approver`` and ``approved_at`` belong to the
    current text: an edit clears them."""

    id: int
    status: str
    questions: tuple[str, ...]
    answer: str
    language: str
    author: str
    approver: str | None
    source_ticket: str | None  # the reference of the ticket it was written from
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None
    history: tuple[DeskAnswerEventRecord, ...]

    @classmethod
    def from_model(cls, answer: DeskAnswer, source_ticket: str | None) -> DeskAnswerRecord:
        return cls(
            id=answer.id,
            status=answer.status,
            questions=question_lines(answer.questions),
            answer=answer.answer,
            language=answer.language,
            author=answer.author,
            approver=answer.approver,
            source_ticket=source_ticket,
            created_at=answer.created_at,
            updated_at=answer.updated_at,
            approved_at=answer.approved_at,
            history=tuple(DeskAnswerEventRecord.from_model(event) for event in answer.history),
        )

    @property
    def last_editor(self) -> str:
        """Who wrote the current text: the last colleague who edited it, or its author."""
        edits = [event.actor for event in self.history if event.action == "edited"]
        return edits[-1] if edits else self.author

    @property
    def version(self) -> int:
        """The id of the latest change: an approval names it, so that only the text the approver
        read is approved."""
        return self.history[-1].id if self.history else 0

    def may_be_approved_by(self, username: str) -> bool:
        """A draft, and ``username`` neither wrote it nor edited it last."""
        return self.status == "draft" and username not in (self.author, self.last_editor)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "questions": list(self.questions),
            "answer": self.answer,
            "language": self.language,
            "author": self.author,
            "last_editor": self.last_editor,
            "approver": self.approver,
            "source_ticket": self.source_ticket,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "approved_at": self.approved_at.isoformat() if self.approved_at else None,
            "version": self.version,
            "history": [event.to_dict() for event in self.history],
        }


@dataclass(frozen=True)
class ApprovedAnswer:
    """What the assistant needs of an approved answer: matched by its example questions, said
    with the date of its approval."""

    id: int
    questions: tuple[str, ...]
    answer: str
    approved_at: datetime
