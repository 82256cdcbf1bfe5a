"""What the assistant gets from the desk's answers: the answer with its date line, read from the
database at most every 20 seconds, and the last answers read kept when the database fails."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from bot.desk_answers.records import ApprovedAnswer
from bot.desk_answers.reply import CACHE_SECONDS, DeskAnswerFinder, date_line
from bot.tickets.errors import TicketStoreUnavailable

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# 23:30 UTC on 30 November is already 1 December in Almere.
APPROVED_AT = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)
BSN = ApprovedAnswer(
    4, ("How do I get a BSN?", "Where can I get a citizen service number?"), "At the city hall.", APPROVED_AT
)


class Database:
    """Stands in for DeskAnswerService.approved: counts reads, can fail."""

    def __init__(self, *answers: ApprovedAnswer) -> None:
        self.answers = list(answers)
        self.reads: list[str] = []
        self.down = False

    def approved(self, language: str) -> list[ApprovedAnswer]:
        self.reads.append(language)
        if self.down:
            raise TicketStoreUnavailable("down")
        return self.answers if language == "en" else []


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_date_line_says_who_answered_and_the_local_date():
    assert (
        date_line(APPROVED_AT, AMSTERDAM)
        == "Answered by the International Affairs Department on 1 December 2026."
    )
    assert date_line(APPROVED_AT, ZoneInfo("UTC"), "nl") == (
        "Beantwoord door de afdeling Internationale Zaken op 30 november 2026."
    )


def test_a_matching_question_gets_the_answer_with_its_date_and_feedback_payload():
    finder = DeskAnswerFinder(Database(BSN).approved, AMSTERDAM)
    reply = finder.reply("how can I get my BSN")
    assert reply is not None and reply.answer_id == 4
    assert (
        reply.text
        == "At the city hall.\nAnswered by the International Affairs Department on 1 December 2026."
    )
    assert reply.feedback_payload == {"data": {"answer": {"topic": "desk_answer", "desk_answer_id": 4}}}
    assert finder.reply("how do I register my car") is None
    assert finder.reply("how can I get my BSN", "nl") is None  # answers of another language


def test_answers_are_read_again_after_20_seconds_only():
    database, clock = Database(), Clock()
    finder = DeskAnswerFinder(database.approved, AMSTERDAM, clock=clock)
    assert finder.reply("how do I get a BSN") is None
    database.answers.append(BSN)  # a colleague approves it
    clock.now += CACHE_SECONDS - 1
    assert finder.reply("how do I get a BSN") is None
    assert database.reads == ["en"]
    clock.now += 1
    assert finder.reply("how do I get a BSN").answer_id == 4
    database.answers.clear()  # ... and withdraws it
    clock.now += CACHE_SECONDS
    assert finder.reply("how do I get a BSN") is None
    assert database.reads == ["en"] * 3


def test_when_the_database_fails_the_answers_read_before_are_kept(caplog):
    database, clock = Database(BSN), Clock()
    finder = DeskAnswerFinder(database.approved, AMSTERDAM, clock=clock)
    assert finder.reply("how do I get a BSN") is not None
    database.down = True
    clock.now += CACHE_SECONDS
    assert finder.reply("how do I get a BSN") is not None
    assert "Could not read the desk's answers" in caplog.text
    fresh = DeskAnswerFinder(database.approved, AMSTERDAM, clock=clock)
    assert fresh.reply("how do I get a BSN") is None  # nothing read yet: the assistant declines
