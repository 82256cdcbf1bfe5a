"""The rating question: asked once per conversation, answered once, with a signed token."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from support import open_ticket

from bot.tickets import InvalidTicket, TicketNotFound, TicketStoreUnavailable
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.models import utc_now
from bot.tickets.ratings import AlreadyAnswered, InvalidRatingLink, RatingNotFound, RatingService
from bot.tickets.validation import RATING_COMMENT_MAX

SECRET = "rating-test-secret"


@pytest.fixture
def ratings(engine) -> RatingService:
    return RatingService(create_session_factory(engine), SECRET)


def test_asked_once_per_conversation(service, ratings):
    reference = open_ticket(service, "conv-r").reference
    token = ratings.ask(reference, "chat")
    assert isinstance(token, str) and token
    assert ratings.ask(reference, "email") is None
    service.resolve(reference, "jan")
    later = open_ticket(service, "conv-r").reference  # a new ticket of the same conversation
    assert later != reference
    assert ratings.ask(later, "email") is None
    other = open_ticket(service, "conv-other").reference
    assert ratings.ask(other, "email") is not None


def test_simultaneous_asks_give_one_token(service, ratings):
    reference = open_ticket(service, "conv-race").reference
    with ThreadPoolExecutor(max_workers=6) as pool:
        tokens = list(pool.map(lambda _: ratings.ask(reference, "chat"), range(6)))
    assert len([token for token in tokens if token]) == 1


def test_a_failed_delivery_records_nothing(service, ratings):
    reference = open_ticket(service).reference

    def deliver(token: str) -> None:
        raise OSError("mail server down")

    with pytest.raises(OSError):
        ratings.ask(reference, "email", deliver=deliver)
    assert ratings.for_ticket(reference) is None
    delivered: list[str] = []
    token = ratings.ask(reference, "email", deliver=delivered.append)
    assert delivered == [token]
    assert ratings.for_ticket(reference).channel == "email"


def test_answer_is_stored_once(service, ratings):
    reference = open_ticket(service).reference
    token = ratings.ask(reference, "email")
    assert ratings.for_ticket(reference).score is None

    record = ratings.answer(token, 4, "  Quick and clear.\r\nThanks!  ")
    assert (record.score, record.comment, record.channel) == (4, "Quick and clear.\nThanks!", "email")
    assert record.answered_at is not None
    with pytest.raises(AlreadyAnswered, match="already answered"):
        ratings.answer(token, 1, "changed my mind")
    assert ratings.for_ticket(reference).score == 4
    assert service.get(reference).rating.score == 4


def test_simultaneous_answers_store_the_first(service, ratings):
    token = ratings.ask(open_ticket(service).reference, "chat")

    def answer(score: int) -> str:
        try:
            ratings.answer(token, score)
            return "stored"
        except AlreadyAnswered:
            return "refused"

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = sorted(pool.map(answer, range(1, 6)))
    assert outcomes == ["refused"] * 4 + ["stored"]


@pytest.mark.parametrize("score", [0, 6, -1, True, 4.5, "4.0", "five", None, [4]])
def test_scores_are_whole_numbers_from_1_to_5(service, ratings, score):
    token = ratings.ask(open_ticket(service).reference, "chat")
    with pytest.raises(InvalidTicket) as error:
        ratings.answer(token, score)
    assert error.value.field == "score"


def test_a_score_may_come_as_its_digit_and_the_comment_is_optional(service, ratings):
    token = ratings.ask(open_ticket(service).reference, "chat")
    record = ratings.answer(token, "5", "   ")
    assert (record.score, record.comment) == (5, None)


@pytest.mark.parametrize(
    "comment", ["x" * (RATING_COMMENT_MAX + 1), "nul\x00byte", "escape \x1b[31m", 42], ids=str
)
def test_bad_comments_are_refused(service, ratings, comment):
    reference = open_ticket(service).reference
    token = ratings.ask(reference, "chat")
    with pytest.raises(InvalidTicket) as error:
        ratings.answer(token, 3, comment)
    assert error.value.field == "comment"
    assert ratings.for_ticket(reference).score is None  # nothing stored; may answer again


@pytest.mark.parametrize("token", ["", "garbage", "WzEsImFiYyJd.forged", None, 7])
def test_forged_or_malformed_tokens_are_refused(service, ratings, token):
    ratings.ask(open_ticket(service).reference, "chat")
    with pytest.raises(InvalidRatingLink, match="not valid"):
        ratings.answer(token, 5)


def test_a_token_of_another_site_or_an_edited_one_is_refused(engine, service, ratings):
    reference = open_ticket(service).reference
    foreign = RatingService(create_session_factory(engine), "another-secret")
    token = foreign.ask(reference, "chat")
    with pytest.raises(InvalidRatingLink):
        ratings.answer(token, 5)
    payload, signature = token.rsplit(".", 1)
    with pytest.raises(InvalidRatingLink):
        foreign.answer(payload + "." + signature[::-1], 5)


def test_a_purged_ticket_takes_its_question_along(service, ratings):
    reference = open_ticket(service).reference
    token = ratings.ask(reference, "email")
    service.resolve(reference, "jan")
    service.purge_resolved(utc_now() + timedelta(seconds=1))
    with pytest.raises(RatingNotFound):
        ratings.answer(token, 5)
    with pytest.raises(RatingNotFound):
        ratings.question(token)


def test_summary_counts_answered_ratings_only(service, ratings):
    assert (ratings.summary().count, ratings.summary().average) == (0, None)
    tokens = [ratings.ask(open_ticket(service, f"conv-{n}").reference, "chat") for n in range(4)]
    ratings.answer(tokens[0], 5)
    ratings.answer(tokens[1], 4)
    ratings.answer(tokens[2], 2)
    summary = ratings.summary()
    assert summary.count == 3
    assert summary.average == pytest.approx(11 / 3)


def test_unknown_ticket_and_channel(service, ratings):
    with pytest.raises(TicketNotFound):
        ratings.ask("ALM-999999", "chat")
    with pytest.raises(InvalidTicket):
        ratings.ask(open_ticket(service).reference, "carrier pigeon")


def test_database_down_is_ticket_store_unavailable(tmp_path):
    engine = create_engine_for(f"sqlite:///{tmp_path}")  # a directory: SQLite cannot open it
    down = RatingService(create_session_factory(engine), SECRET)
    with pytest.raises(TicketStoreUnavailable):
        down.ask("ALM-000001", "chat")
    with pytest.raises(TicketStoreUnavailable):
        down.summary()
    engine.dispose()
