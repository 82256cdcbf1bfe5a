"""The ticket database's side of the insights: tickets per desk and how soon they got a first reply,
the people's ratings, and the thumbs under the assistant's answers. Read only."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.insights.period import Period
from bot.tickets.database import guarded
from bot.tickets.models import DESKS, AnswerFeedback, Rating, Ticket
from bot.tickets.validation import SCORES


@dataclass(frozen=True)
class DeskTickets:
    desk: str
    tickets: int
    replied: int  # how many got a first reply (an e-mail sent, a call answered, a live chat message)
    median_minutes: int | None  # to the first reply, of those replied (:func:`reply_minutes`)
    p90_minutes: int | None


@dataclass(frozen=True)
class Ratings:
    """The questions "how helpful was this?" asked in the period, and their answers."""

    per_score: dict[int, int]
    asked: int  # questions asked in the period, answered or not

    @property
    def answered(self) -> int:
        return sum(self.per_score.values())

    @property
    def average(self) -> float | None:
        if not self.answered:
            return None
        return sum(score * count for score, count in self.per_score.items()) / self.answered


@dataclass(frozen=True)
class TopicFeedback:
    topic: str
    helpful: int
    not_helpful: int


def reply_minutes(seconds: list[float], quantile: float) -> int | None:
    """The ``quantile`` (0.5: the median) of the times to a first reply, in ``seconds``, as the
    minutes begun ("within 1 minute" for 20 s; 0 only for a reply at once); None without replies."""
    if not seconds:
        return None
    if len(seconds) == 1:
        value = seconds[0]
    else:
        value = statistics.quantiles(sorted(seconds), n=100, method="inclusive")[round(quantile * 100) - 1]
    return math.ceil(round(value, 6) / 60)


class DeskFigures:
    """Figures from the ticket database (``ALMERE_DATABASE_URL``)."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def ticket_conversations(self, period: Period) -> frozenset[str]:
        """The conversations with a ticket made since the period began (a conversation of the period
        can only have a ticket made after it began)."""
        query = select(Ticket.conversation_id).where(Ticket.created_at >= period.start)
        return guarded(self._session_factory, lambda s: frozenset(s.execute(query).scalars()))

    def tickets_per_desk(self, period: Period) -> list[DeskTickets]:
        """Tickets made in the period, per desk, with the time to their first reply."""
        query = select(Ticket.desk, Ticket.created_at, Ticket.first_reply_at).where(
            Ticket.created_at >= period.start, Ticket.created_at < period.end
        )
        rows = guarded(self._session_factory, lambda s: s.execute(query).all())
        figures = []
        for desk in DESKS:
            mine = [row for row in rows if row.desk == desk]
            waits = sorted(
                max((row.first_reply_at - row.created_at).total_seconds(), 0.0)
                for row in mine
                if row.first_reply_at is not None
            )
            figures.append(
                DeskTickets(desk, len(mine), len(waits), reply_minutes(waits, 0.5), reply_minutes(waits, 0.9))
            )
        return figures

    def ratings(self, period: Period) -> Ratings:
        """The ratings asked for in the period, and the scores of those of them answered (also when
        answered after it): the chart and its "answered of asked" count the same ratings."""
        in_period = (Rating.asked_at >= period.start, Rating.asked_at < period.end)
        answered = (
            select(Rating.score, func.count())
            .where(Rating.score.is_not(None), *in_period)
            .group_by(Rating.score)
        )
        asked = select(func.count()).select_from(Rating).where(*in_period)

        def read(session: Session) -> Ratings:
            counts = dict(session.execute(answered).all())
            return Ratings(
                per_score={score: counts.get(score, 0) for score in SCORES},
                asked=session.execute(asked).scalar_one(),
            )

        return guarded(self._session_factory, read)

    def answer_feedback(self, period: Period) -> list[TopicFeedback]:
        """The thumbs per topic in the period, the most voted first."""
        query = (
            select(AnswerFeedback.topic, AnswerFeedback.helpful, func.count())
            .where(AnswerFeedback.created_at >= period.start, AnswerFeedback.created_at < period.end)
            .group_by(AnswerFeedback.topic, AnswerFeedback.helpful)
        )
        rows = guarded(self._session_factory, lambda s: s.execute(query).all())
        votes: dict[str, list[int]] = {}
        for topic, helpful, count in rows:
            votes.setdefault(topic, [0, 0])[0 if helpful else 1] += count
        feedback = [TopicFeedback(topic, up, down) for topic, (up, down) in votes.items()]
        return sorted(feedback, key=lambda f: (-(f.helpful + f.not_helpful), f.topic))
