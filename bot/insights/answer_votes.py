"""The thumbs up or down under one of the assistant's answers: stored with what was
answered only (the knowledge file's topic, or the desk answer), never with who asked or in which
conversation, so that a vote cannot be traced back to a person."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.tickets.database import guarded
from bot.tickets.models import AnswerFeedback, DeskAnswer

DESK_ANSWER_TOPIC = "desk_answer"


class InvalidFeedback(ValueError):
    """A vote that names no answer the assistant gives; ``str()`` says why."""


@dataclass(frozen=True)
class Vote:
    topic: str
    helpful: bool
    desk_answer_id: int | None = None


def parse_vote(body: object, topics: AbstractSet[str]) -> Vote:
    """The vote in a request body ``{"topic": ..., "helpful": true|false}`` (a desk answer's vote adds
    ``"desk_answer_id"``); ``topics`` are the knowledge file's. Whether a desk answer exists is
    checked when it is stored."""
    if not isinstance(body, dict):
        raise InvalidFeedback('Send JSON like {"topic": "housing", "helpful": true}.')
    topic, helpful, answer_id = body.get("topic"), body.get("helpful"), body.get("desk_answer_id")
    if not isinstance(helpful, bool):
        raise InvalidFeedback('"helpful" must be true or false.')
    if topic == DESK_ANSWER_TOPIC:
        if isinstance(answer_id, bool) or not isinstance(answer_id, int) or answer_id < 1:
            raise InvalidFeedback("A vote on a desk answer needs the number of that answer (desk_answer_id).")
        return Vote(topic, helpful, answer_id)
    if not isinstance(topic, str) or topic not in topics:
        raise InvalidFeedback("That is not a topic the assistant answers.")
    if answer_id is not None:
        raise InvalidFeedback("Only a vote on a desk answer names a desk_answer_id.")
    return Vote(topic, helpful)


class AnswerFeedbackService:
    """Stores votes; a database failure is :class:`~bot.tickets.errors.TicketStoreUnavailable`."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def record(self, vote: Vote) -> None:
        """Store ``vote``; :class:`InvalidFeedback` if it names a desk answer that is not given."""

        def store(session: Session) -> None:
            if vote.desk_answer_id is not None:
                answer = session.get(DeskAnswer, vote.desk_answer_id)
                if answer is None or answer.status != "approved":
                    raise InvalidFeedback("There is no such desk answer.")
            session.add(
                AnswerFeedback(topic=vote.topic, helpful=vote.helpful, desk_answer_id=vote.desk_answer_id)
            )

        guarded(self._session_factory, store)
