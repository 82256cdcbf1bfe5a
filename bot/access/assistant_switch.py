"""The assistant's switch: whether it answers, kept in the ticket database that every Rasa server shares.

An administrator switches it off (and on again) from the desk with a reason; each switch is kept
(who, when, why) and logged. While it is off, each Rasa server answers people itself with the desk's
phone numbers and the handoff form (bot/rasa/turn.py). A server reads the switch at most every
:data:`CACHE_SECONDS`, so a switch holds on every server within seconds without a database query per
message. If the database cannot be read, the state read last is kept (answering, at first): a
database fault does not switch the assistant off.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.tickets.errors import TicketStoreUnavailable
from bot.tickets.models import AssistantSwitchEvent, AssistantSwitchState, utc_now

logger = logging.getLogger(__name__)

# How long a server uses the state it read before it reads it again.
CACHE_SECONDS = 2.0
REASON_MAX_CHARS = 500
HISTORY_SHOWN = 20
_ROW_ID = 1


class InvalidReason(ValueError):
    """A switch without a reason, or with one too long to keep."""


@dataclass(frozen=True)
class SwitchState:
    """Whether the assistant answers; who switched it last, when and why (None: never switched)."""

    answering: bool
    reason: str | None = None
    switched_by: str | None = None
    switched_at: datetime | None = None


ANSWERING = SwitchState(answering=True)


def checked_reason(reason: str | None) -> str:
    """The reason as kept: required, at most :data:`REASON_MAX_CHARS` characters."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidReason("Give the reason for the switch.")
    if len(reason) > REASON_MAX_CHARS:
        raise InvalidReason(f"Keep the reason within {REASON_MAX_CHARS} characters.")
    return reason


class AssistantSwitch:
    """Reads and sets the switch in the ticket database."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = session_factory
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._state = ANSWERING
        self._read_at: float | None = None

    def cached(self) -> SwitchState | None:
        """The state read within the last :data:`CACHE_SECONDS`, or None when it is to be read again."""
        if self._read_at is None or self._clock() - self._read_at >= self._cache_seconds:
            return None
        return self._state

    def state(self) -> SwitchState:
        """The current state: the cached one, else read from the database (blocking)."""
        cached = self.cached()
        if cached is not None:
            return cached
        try:
            self._state = self.read()
        except SQLAlchemyError as error:
            logger.warning(
                "The assistant's switch could not be read (%s); keeping the state read last.", error
            )
        self._read_at = self._clock()
        return self._state

    def read(self) -> SwitchState:
        """The state in the database, uncached."""
        with self._sessions() as session:
            row = session.get(AssistantSwitchState, _ROW_ID)
            return ANSWERING if row is None else _state_of(row)

    def switch(self, answering: bool, reason: str | None, by: str) -> SwitchState:
        """Switch the assistant on or off for ``reason`` (:class:`InvalidReason` if none); kept and logged."""
        reason = checked_reason(reason)
        now = utc_now()
        try:
            with self._sessions.begin() as session:
                row = session.get(AssistantSwitchState, _ROW_ID, with_for_update=True)
                if row is None:
                    row = AssistantSwitchState(id=_ROW_ID)
                    session.add(row)
                row.answering, row.reason, row.switched_by, row.switched_at = answering, reason, by, now
                session.add(
                    AssistantSwitchEvent(answering=answering, reason=reason, switched_by=by, switched_at=now)
                )
        except SQLAlchemyError as error:
            raise TicketStoreUnavailable(str(error)) from error
        logger.warning("The assistant was switched %s by %s: %s", "on" if answering else "off", by, reason)
        self._state, self._read_at = SwitchState(answering, reason, by, now), self._clock()
        return self._state

    def history(self, limit: int = HISTORY_SHOWN) -> list[SwitchState]:
        """The latest switches, newest first."""
        query = select(AssistantSwitchEvent).order_by(
            AssistantSwitchEvent.switched_at.desc(), AssistantSwitchEvent.id.desc()
        )
        with self._sessions() as session:
            return [_state_of(event) for event in session.scalars(query.limit(limit))]


def _state_of(row: AssistantSwitchState | AssistantSwitchEvent) -> SwitchState:
    return SwitchState(bool(row.answering), row.reason, row.switched_by, row.switched_at)
