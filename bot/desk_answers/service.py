"""Writing, approving and withdrawing answers from the desk, each change kept in the
answer's history, in one transaction per call.

The assistant gives an answer only while it is ``approved``, and a colleague other than its
author and its last editor approves it: two people have read every text the assistant says in
the municipality's name. An edit takes an approved answer back to ``draft`` (the assistant stops
giving it until it is approved again): the edit may be a correction, so the old text should not
stay live, and a second text waiting beside the live one would need columns the schema does not
have. An edit of a withdrawn answer makes it a draft again. Every database failure becomes
:class:`~bot.tickets.errors.TicketStoreUnavailable` with the transaction rolled back.
"""

from __future__ import annotations

import builtins
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.access import limits
from bot.desk_answers.records import ApprovedAnswer, DeskAnswerRecord, question_lines
from bot.tickets.database import guarded
from bot.tickets.errors import InvalidTicket, InvalidTransition, TicketError, TicketNotFound
from bot.tickets.models import (
    DESK_ANSWER_STATUSES,
    LANGUAGES,
    DeskAnswer,
    DeskAnswerEvent,
    StaffUser,
    Ticket,
    utc_now,
)
from bot.tickets.validation import normalise_username

T = TypeVar("T")

# An example question is one chat question; a handful is what matching needs.
QUESTION_CHARS = 300
MAX_QUESTIONS = 20
# The assistant says the answer in one chat message.
ANSWER_CHARS = limits.MESSAGE_CHARS
_ALLOWED_CONTROLS = frozenset("\n\t")


class DeskAnswerNotFound(TicketError, LookupError):
    """No desk answer has this id."""


class ApprovalRefused(InvalidTransition):
    """The colleague may not approve this answer (they wrote or last edited it), or it is no draft."""


class ChangedMeanwhile(InvalidTransition):
    """The answer changed after the colleague read it: they should read it again first."""


def _text(field: str, value: object, label: str, limit: int) -> str:
    """Text typed into a box: one kind of line ending, no surrounding blanks, no control characters."""
    if not isinstance(value, str):
        raise InvalidTicket(field, f"{label} must be text.")
    cleaned = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        raise InvalidTicket(field, f"{label} cannot be empty.")
    if len(cleaned) > limit:
        raise InvalidTicket(field, f"{label} is longer than {limit} characters.")
    if any(unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS for char in cleaned):
        raise InvalidTicket(field, f"{label} contains control characters; please remove them.")
    return cleaned


def validate_questions(questions: object) -> str:
    """The example questions, one per line, without blank lines and repeats; or InvalidTicket."""
    lines = question_lines(_text("questions", questions, "The example questions", 1_000_000))
    unique: dict[str, str] = {}  # the first of each question, however it was spaced or capitalised
    for line in lines:
        unique.setdefault(" ".join(line.lower().split()), " ".join(line.split()))
    if len(unique) > MAX_QUESTIONS:
        raise InvalidTicket("questions", f"Give at most {MAX_QUESTIONS} example questions.")
    for line in unique.values():
        if len(line) > QUESTION_CHARS:
            raise InvalidTicket(
                "questions", f"An example question has at most {QUESTION_CHARS} characters: put one per line."
            )
    return "\n".join(unique.values())


def validate_answer(answer: object) -> str:
    return _text("answer", answer, "The answer", ANSWER_CHARS)


def validate_language(language: object) -> str:
    if language not in LANGUAGES:
        raise InvalidTicket("language", f"The language is one of: {', '.join(LANGUAGES)}.")
    return str(language)


def validate_status(status: object) -> str | None:
    """A status filter: one of the statuses, or None (empty) for all."""
    if status in (None, ""):
        return None
    if status not in DESK_ANSWER_STATUSES:
        raise InvalidTicket("status", f"The status is one of: {', '.join(DESK_ANSWER_STATUSES)}.")
    return str(status)


class DeskAnswerService:
    """The only way desk answers are written."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def create(
        self,
        *,
        questions: object,
        answer: object,
        author: str,
        language: object = "en",
        source_ticket: str | None = None,
    ) -> DeskAnswerRecord:
        """A new draft by ``author``, written from the ticket ``source_ticket`` (a reference) if given."""
        cleaned_questions, cleaned_answer = validate_questions(questions), validate_answer(answer)
        language = validate_language(language)
        author = normalise_username(author)

        def write(session: Session) -> DeskAnswerRecord:
            _require_colleague(session, author)
            ticket_id = _ticket_id(session, source_ticket) if source_ticket else None
            now = utc_now()
            row = DeskAnswer(
                status="draft",
                questions=cleaned_questions,
                answer=cleaned_answer,
                language=language,
                author=author,
                source_ticket_id=ticket_id,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            _record(session, row, "created", author, now)
            return _load(session, row.id)

        return self._run(write)

    def edit(self, answer_id: int, *, questions: object, answer: object, editor: str) -> DeskAnswerRecord:
        """New text by ``editor``; it becomes a draft that needs approval again. Saving the same
        text changes nothing (an approved answer stays approved)."""
        cleaned_questions, cleaned_answer = validate_questions(questions), validate_answer(answer)
        editor = normalise_username(editor)

        def write(session: Session) -> DeskAnswerRecord:
            _require_colleague(session, editor)
            row = _find(session, answer_id)
            if (row.questions, row.answer) == (cleaned_questions, cleaned_answer):
                return _load(session, row.id)
            now = utc_now()
            row.questions, row.answer = cleaned_questions, cleaned_answer
            row.status, row.approver, row.approved_at, row.updated_at = "draft", None, None, now
            _record(session, row, "edited", editor, now)
            return _load(session, row.id)

        return self._run(write)

    def approve(self, answer_id: int, approver: str, version: int | None = None) -> DeskAnswerRecord:
        """Publish a draft: the assistant gives it from now on. ``approver`` must be a colleague
        other than its author and its last editor; ``version`` (:attr:`DeskAnswerRecord.version`),
        if given, is the text they read, and :class:`ChangedMeanwhile` is raised if it changed."""
        approver = normalise_username(approver)

        def write(session: Session) -> DeskAnswerRecord:
            _require_colleague(session, approver)
            current = _load(session, answer_id)
            if version is not None and version != current.version:
                raise ChangedMeanwhile(
                    f"Answer {answer_id} was changed after you opened it: read it again before approving it."
                )
            if current.status != "draft":
                raise ApprovalRefused(
                    f"Answer {answer_id} is approved already."
                    if current.status == "approved"
                    else f"Answer {answer_id} is withdrawn: edit it to make it a draft again first."
                )
            if not current.may_be_approved_by(approver):
                raise ApprovalRefused(
                    f"A colleague other than {_who_wrote(current)} must approve answer {answer_id}."
                )
            now = utc_now()
            # Only the text that was read changes status, even if someone edits it at this moment.
            changed = session.execute(
                update(DeskAnswer)
                .where(
                    DeskAnswer.id == answer_id,
                    DeskAnswer.status == "draft",
                    DeskAnswer.updated_at == current.updated_at,
                )
                .values(status="approved", approver=approver, approved_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not changed:
                raise ChangedMeanwhile(
                    f"Answer {answer_id} was changed after you opened it: read it again before approving it."
                )
            row = _find(session, answer_id)
            session.refresh(row)
            _record(session, row, "approved", approver, now)
            return _load(session, answer_id)

        return self._run(write)

    def withdraw(self, answer_id: int, actor: str) -> DeskAnswerRecord:
        """Stop the assistant giving this answer (a draft can be withdrawn too). Any colleague may."""
        actor = normalise_username(actor)

        def write(session: Session) -> DeskAnswerRecord:
            _require_colleague(session, actor)
            row = _find(session, answer_id)
            if row.status == "withdrawn":
                raise InvalidTransition(f"Answer {answer_id} is withdrawn already.")
            now = utc_now()
            row.status, row.updated_at = "withdrawn", now
            _record(session, row, "withdrawn", actor, now)
            return _load(session, row.id)

        return self._run(write)

    def get(self, answer_id: int) -> DeskAnswerRecord:
        """The answer with its history, or :class:`DeskAnswerNotFound`."""
        return self._run(lambda session: _load(session, answer_id))

    def list(self, status: object = None) -> builtins.list[DeskAnswerRecord]:
        """All answers (or those of one ``status``): drafts first, as they wait for a colleague,
        then approved and withdrawn ones; most recently changed first within each."""
        status = validate_status(status)
        query = select(DeskAnswer).options(selectinload(DeskAnswer.history))
        if status is not None:
            query = query.where(DeskAnswer.status == status)

        def read(session: Session) -> builtins.list[DeskAnswerRecord]:
            rows = session.execute(query).scalars().all()
            references = _references(session, {row.source_ticket_id for row in rows} - {None})
            records = [DeskAnswerRecord.from_model(row, references.get(row.source_ticket_id)) for row in rows]
            order = {name: index for index, name in enumerate(DESK_ANSWER_STATUSES)}
            records.sort(key=lambda r: (r.updated_at, r.id), reverse=True)
            return sorted(records, key=lambda r: order[r.status])

        return self._run(read)

    def approved(self, language: str) -> builtins.list[ApprovedAnswer]:
        """The answers the assistant gives in ``language``, oldest first."""
        query = (
            select(DeskAnswer.id, DeskAnswer.questions, DeskAnswer.answer, DeskAnswer.approved_at)
            .where(DeskAnswer.status == "approved", DeskAnswer.language == language)
            .order_by(DeskAnswer.id)
        )

        def read(session: Session) -> builtins.list[ApprovedAnswer]:
            return [
                ApprovedAnswer(row.id, question_lines(row.questions), row.answer, row.approved_at)
                for row in session.execute(query)
            ]

        return self._run(read)

    def _run(self, work: Callable[[Session], T]) -> T:
        return guarded(self._session_factory, work)


def _who_wrote(record: DeskAnswerRecord) -> str:
    if record.author == record.last_editor:
        return f"its author ({record.author})"
    return f"its author ({record.author}) and its last editor ({record.last_editor})"


def _require_colleague(session: Session, username: str) -> None:
    """Only desk accounts write and approve answers (the two-colleague rule needs real people)."""
    found = session.execute(select(StaffUser.id).where(StaffUser.username == username)).first()
    if found is None:
        raise InvalidTicket("username", f"There is no desk account {username!r}.")


def _ticket_id(session: Session, reference: str) -> int:
    found = session.execute(select(Ticket.id).where(Ticket.reference == reference.strip().upper())).first()
    if found is None:
        raise TicketNotFound(f"No ticket {reference!r}.")
    return found.id


def _references(session: Session, ticket_ids: set[int]) -> dict[int, str]:
    if not ticket_ids:
        return {}
    rows = session.execute(select(Ticket.id, Ticket.reference).where(Ticket.id.in_(ticket_ids)))
    return {row.id: row.reference for row in rows}


def _find(session: Session, answer_id: int) -> DeskAnswer:
    row = session.get(DeskAnswer, answer_id) if isinstance(answer_id, int) else None
    if row is None:
        raise DeskAnswerNotFound(f"There is no desk answer {answer_id}.")
    return row


def _load(session: Session, answer_id: int) -> DeskAnswerRecord:
    row = _find(session, answer_id)
    session.expire(row, ["history"])  # events added in this transaction are read with it
    references = _references(session, {row.source_ticket_id} - {None})
    return DeskAnswerRecord.from_model(row, references.get(row.source_ticket_id))


def _record(session: Session, row: DeskAnswer, action: str, actor: str, now: datetime) -> None:
    session.add(
        DeskAnswerEvent(
            desk_answer_id=row.id,
            action=action,
            actor=actor,
            questions=row.questions,
            answer=row.answer,
            created_at=now,
        )
    )
    session.flush()
