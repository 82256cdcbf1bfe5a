"""The desk's answer to a question the assistant would otherwise decline, said with its date.

The action server reads the approved answers from the ticket database and keeps them (and their
matcher) for at most :data:`CACHE_SECONDS`, so an answer a colleague approves is given to the
next person within a minute, without retraining or restarting anything. If the database cannot be
read, the answers read last are kept (none at first) and the assistant declines as it always did.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.desk_answers.matcher import Candidate, DeskAnswerMatcher
from bot.desk_answers.records import ApprovedAnswer
from bot.office_hours.wording import MONTH_NAMES
from bot.tickets.errors import TicketError

logger = logging.getLogger(__name__)

# How long the approved answers read from the database are used before they are read again.
CACHE_SECONDS = 20.0
TOPIC = "desk_answer"  # the topic of the widget's feedback payload for a desk answer
DATE_LINES = {
    "en": "Answered by the International Affairs Department on {date}.",
    "nl": "Beantwoord door de afdeling Internationale Zaken op {date}.",
}
DUTCH_MONTH_NAMES = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def date_line(approved_at: datetime, zone: ZoneInfo, language: str = "en") -> str:
    """ "Answered by the International Affairs Department on 1 December 2026." (the local date)."""
    day = approved_at.astimezone(zone).date()
    months = DUTCH_MONTH_NAMES if language == "nl" else MONTH_NAMES
    template = DATE_LINES.get(language, DATE_LINES["en"])
    return template.format(date=f"{day.day} {months[day.month - 1]} {day.year}")


@dataclass(frozen=True)
class DeskReply:
    """What the person is told: the answer followed by its date line."""

    answer_id: int
    text: str
    score: float

    @property
    def feedback_payload(self) -> dict:
        """The custom message under which the widget shows thumbs up and down for this answer."""
        return {"data": {"answer": {"topic": TOPIC, "desk_answer_id": self.answer_id}}}


@dataclass(frozen=True)
class _Loaded:
    at: float
    answers: tuple[ApprovedAnswer, ...]
    matcher: DeskAnswerMatcher


class DeskAnswerFinder:
    """Approved answers by language, read through ``load(language)`` at most every ``max_age`` seconds."""

    def __init__(
        self,
        load: Callable[[str], Sequence[ApprovedAnswer]],
        zone: ZoneInfo,
        max_age: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._zone = zone
        self._max_age = max_age
        self._clock = clock
        self._loaded: dict[str, _Loaded] = {}

    def reply(self, question: str, language: str = "en") -> DeskReply | None:
        """The approved answer for ``question`` in ``language`` with its date line, or None."""
        loaded = self._answers(language)
        found = loaded.matcher.match(question) if loaded.answers else None
        if found is None:
            return None
        answer = next(a for a in loaded.answers if a.id == found.answer_id)
        # One line break: a blank line would make the socket.io channel send two messages.
        text = f"{answer.answer}\n{date_line(answer.approved_at, self._zone, language)}"
        return DeskReply(answer.id, text, found.score)

    def _answers(self, language: str) -> _Loaded:
        now = self._clock()
        loaded = self._loaded.get(language)
        if loaded is not None and now - loaded.at < self._max_age:
            return loaded
        try:
            answers = tuple(self._load(language))
        except TicketError:
            logger.warning("Could not read the desk's answers; using those read before, if any.")
            answers = loaded.answers if loaded is not None else ()
        if loaded is not None and answers == loaded.answers:
            matcher = loaded.matcher  # unchanged: no need to index them again
        else:
            matcher = DeskAnswerMatcher([Candidate(a.id, a.questions) for a in answers])
        self._loaded[language] = _Loaded(now, answers, matcher)
        return self._loaded[language]
