"""Reading the conversations of a period from Rasa's SQL tracker store, read-only.

Rasa keeps one row per event in its ``events`` table (id, sender_id, type_name, timestamp as a Unix
float, intent_name, action_name, data: the event as JSON). Insights only read it: a SQLite file is
opened in read-only mode (and not created when it is missing), a PostgreSQL connection runs its
transactions read-only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.insights.conversations import EVENT_TYPES, Conversation, read_conversation, stored_event
from bot.insights.period import Period
from bot.tickets.database import shared_engine

logger = logging.getLogger(__name__)

# The tracker store's write check (bot/rasa/tracker_store.py) leaves these; they are no one's chat.
PROBE_SENDER = "almere-write-probe"

EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("data", sa.Text),
)


class ConversationsUnavailable(RuntimeError):
    """The conversation database cannot be read right now."""


def _create_read_only_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database).resolve()
        # SQLite's URI form: mode=ro opens an existing file read-only and never creates one.
        return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", future=True)
    return sa.create_engine(
        url, future=True, pool_pre_ping=True, execution_options={"postgresql_readonly": True}
    )


def read_only_engine(url: str) -> Engine:
    """This process's engine that cannot change the database at ``url`` (see the module), made once."""
    return shared_engine(f"read-only {url}", lambda: _create_read_only_engine(url))


class TrackerReader:
    """The conversations Rasa stored at ``url`` (``ALMERE_TRACKER_URL``)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._engine = read_only_engine(url)

    def _missing(self) -> bool:
        """No conversation was ever stored: a SQLite file or an ``events`` table not made yet."""
        parsed = make_url(self._url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            if not Path(parsed.database).exists():
                return True
        return not sa.inspect(self._engine).has_table("events")

    def conversations(self, period: Period, ticket_conversations: frozenset[str]) -> list[Conversation]:
        """Every conversation whose first message falls in ``period``, oldest first.
        ``ticket_conversations``: the sender ids that have a ticket."""
        try:
            if self._missing():
                return []
            found = [
                conversation
                for sender_id, events in self._events(period)
                if (conversation := read_conversation(sender_id, events, sender_id in ticket_conversations))
            ]
        except SQLAlchemyError as error:
            logger.warning("Conversation database unreadable: %s", error)
            raise ConversationsUnavailable("The conversation database cannot be read right now.") from error
        return sorted(found, key=lambda c: (c.started_at, c.sender_id))

    def _events(self, period: Period) -> Iterator[tuple[str, list]]:
        """(sender id, its events in stored order) of each conversation that started in ``period``."""
        first_message = sa.func.min(EVENTS.c.timestamp)
        started = (
            sa.select(EVENTS.c.sender_id)
            .where(EVENTS.c.type_name == "user", EVENTS.c.sender_id != PROBE_SENDER)
            .group_by(EVENTS.c.sender_id)
            .having(
                sa.and_(first_message >= period.start.timestamp(), first_message < period.end.timestamp())
            )
        )
        query = (
            sa.select(EVENTS.c.sender_id, EVENTS.c.data)
            .where(EVENTS.c.sender_id.in_(started), EVENTS.c.type_name.in_(EVENT_TYPES))
            .order_by(EVENTS.c.sender_id, EVENTS.c.id)
        )
        sender: str | None = None
        events: list = []
        with self._engine.connect() as connection:
            for row in connection.execute(query):
                if row.sender_id != sender:
                    if sender is not None:
                        yield sender, events
                    sender, events = row.sender_id, []
                events.append(stored_event(row.data))
        if sender is not None:
            yield sender, events

    def dispose(self) -> None:
        self._engine.dispose()
