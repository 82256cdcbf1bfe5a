"""The person's say: after a resolved ticket or a live chat, one optional question, "how helpful was
this?" (1-5, and a comment), asked at most once per conversation.

Asking stores a row for the conversation (its unique constraint decides, so two colleagues closing at
once still ask once) and gives a signed token; whoever holds the token may answer, once. The token
names the rating's row and a digest of its conversation, so a row id that SQLite hands out again
after a purge does not accept an old link, and the link does not show the conversation's id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.tickets.database import guarded, in_transaction
from bot.tickets.errors import TicketError, TicketNotFound
from bot.tickets.models import Rating, Ticket, utc_now
from bot.tickets.records import RatingRecord, RatingSummary
from bot.tickets.validation import validate_rating, validate_rating_channel

TOKEN_SALT = "almere.rating"


class RatingError(TicketError):
    """A rating that cannot be stored; ``str()`` says why, politely, for the person."""


class InvalidRatingLink(RatingError):
    """The token is malformed or was not signed by this site."""


class RatingNotFound(RatingError, LookupError):
    """The token is genuine but its question is gone (the ticket was purged)."""


class AlreadyAnswered(RatingError):
    """The person answered this question before; the first answer stands."""


def _digest(conversation_id: str) -> str:
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:16]


def names_open_question(session: Session, token: object, ticket_id: int) -> bool:
    """Whether ``token`` names the unanswered rating question asked for ticket ``ticket_id``.

    For the Rasa servers, which pass a token on to the person but do not hold the site's key: the
    signature is not checked here (the site checks it when the person answers), the question is.
    """
    if not isinstance(token, str):
        return False
    try:
        _, payload = URLSafeSerializer(b"", salt=TOKEN_SALT).loads_unsafe(token)
    except BadData:
        return False
    if not isinstance(payload, list) or len(payload) != 2 or not isinstance(payload[0], int):
        return False
    rating = session.get(Rating, payload[0])
    return (
        rating is not None
        and rating.ticket_id == ticket_id
        and rating.score is None
        and _digest(rating.conversation_id) == payload[1]
    )


class RatingService:
    """Asking and answering the rating question; every database failure becomes
    :class:`~bot.tickets.errors.TicketStoreUnavailable` with the transaction rolled back.

    ``secret_key`` signs the tokens (the site passes its Flask ``SECRET_KEY``, so a token stays
    valid as long as desk sessions do).
    """

    def __init__(self, session_factory: sessionmaker[Session], secret_key: str) -> None:
        self._session_factory = session_factory
        self._serializer = URLSafeSerializer(secret_key, salt=TOKEN_SALT)

    def ask(self, reference: str, channel: str, deliver: Callable[[str], None] | None = None) -> str | None:
        """Record that the person of this ticket's conversation is asked, and return the token for
        the answer; None when that conversation was asked before (then nothing is delivered).

        ``deliver(token)``, if given, runs before the question is committed: when it raises, nothing
        is recorded and its error reaches the caller. So a question e-mailed is "asked" only once
        the mail server took it (the transaction, and on SQLite the database's write lock, is held
        for as long as that takes; the mailer gives up after its timeout).
        """
        channel = validate_rating_channel(channel)

        def write(session: Session) -> str:
            ticket = session.execute(
                select(Ticket).where(Ticket.reference == reference.strip().upper())
            ).scalar_one_or_none()
            if ticket is None:
                raise TicketNotFound(f"No ticket {reference!r}.")
            rating = Rating(
                conversation_id=ticket.conversation_id,
                ticket_id=ticket.id,
                channel=channel,
                asked_at=utc_now(),
            )
            session.add(rating)
            session.flush()  # the unique constraint decides here, before anything is delivered
            token = self._serializer.dumps([rating.id, _digest(ticket.conversation_id)])
            if deliver is not None:
                deliver(token)
            return token

        try:
            return in_transaction(self._session_factory, write)
        except IntegrityError:
            return None  # this conversation was asked already

    def answer(self, token: object, score: object, comment: object = None) -> RatingRecord:
        """Store the person's answer once; :class:`InvalidRatingLink`, :class:`RatingNotFound`,
        :class:`AlreadyAnswered` or :class:`~bot.tickets.errors.InvalidTicket` (score, comment)."""
        rating_id, digest = self._read(token)
        score, comment = validate_rating(score, comment)

        def write(session: Session) -> RatingRecord:
            rating = self._find(session, rating_id, digest)
            # Only an unanswered row changes, so two answers sent at once store the first.
            changed = session.execute(
                update(Rating)
                .where(Rating.id == rating.id, Rating.score.is_(None))
                .values(score=score, comment=comment, answered_at=utc_now())
                .execution_options(synchronize_session=False)
            ).rowcount
            if not changed:
                raise AlreadyAnswered("You have already answered this question. Thank you!")
            session.refresh(rating)
            return RatingRecord.from_model(rating)

        return guarded(self._session_factory, write)

    def question(self, token: object) -> RatingRecord:
        """The question a token asks (to show its page): :class:`InvalidRatingLink` or
        :class:`RatingNotFound` if there is none."""
        rating_id, digest = self._read(token)
        return guarded(
            self._session_factory,
            lambda session: RatingRecord.from_model(self._find(session, rating_id, digest)),
        )

    def for_ticket(self, reference: str) -> RatingRecord | None:
        """The rating asked for this ticket, answered or not; None if it was not asked."""
        query = (
            select(Rating)
            .join(Ticket, Ticket.id == Rating.ticket_id)
            .where(Ticket.reference == reference.strip().upper())
        )

        def read(session: Session) -> RatingRecord | None:
            rating = session.execute(query).scalar_one_or_none()
            return RatingRecord.from_model(rating) if rating is not None else None

        return guarded(self._session_factory, read)

    def summary(self) -> RatingSummary:
        """How many questions were answered, and their average score."""
        query = select(func.count(Rating.score), func.avg(Rating.score)).where(Rating.score.is_not(None))

        def read(session: Session) -> RatingSummary:
            count, average = session.execute(query).one()
            return RatingSummary(count=count, average=float(average) if count else None)

        return guarded(self._session_factory, read)

    def _read(self, token: object) -> tuple[int, str]:
        """The rating id and conversation digest a token carries, or :class:`InvalidRatingLink`."""
        try:
            payload: Any = self._serializer.loads(token) if isinstance(token, str) else None
        except BadData:
            payload = None
        if (
            not isinstance(payload, list)
            or len(payload) != 2
            or not isinstance(payload[0], int)
            or not isinstance(payload[1], str)
        ):
            raise InvalidRatingLink(
                "This rating link is not valid. Please use the link exactly as you got it."
            )
        return payload[0], payload[1]

    @staticmethod
    def _find(session: Session, rating_id: int, digest: str) -> Rating:
        rating = session.get(Rating, rating_id)
        if rating is None or _digest(rating.conversation_id) != digest:
            raise RatingNotFound("This question is no longer available, so it cannot be answered.")
        return rating
