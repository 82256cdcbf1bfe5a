"""Rasa's SQL tracker store, configured from ALMERE_TRACKER_URL (see bot.config).

endpoints.yml names this class, so that the database URL is read in the one
configuration module and SQLite (the default) needs no setup. Beyond Rasa's store it

- forgets what was typed into a handoff that stored nothing (bot.redaction), when it saves
  the turn that ended it: Rasa reads the tracker from here every turn, so it is gone from then on;
- refuses to start on a database it cannot write to, instead of Rasa's silent fallback to
  memory (which starts every turn afresh), and keeps track of failed writes while running, so
  that the chat (bot.rasa.turn) and the health check (bot.rasa.rest_channel) can say so.
"""

from __future__ import annotations

import json
import logging
import weakref
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import load_settings
from bot.redaction import asks_to_forget, redact_handoff

logger = logging.getLogger(__name__)
PROBE_SENDER = "almere-write-probe"

# The stores of this process (Rasa makes one), for conversation_memory_problem().
_STORES: weakref.WeakSet[ConfiguredSQLTrackerStore] = weakref.WeakSet()


class TrackerStoreUnwritable(RuntimeError):
    """The conversation database cannot be written to."""


def conversation_memory_problem() -> str | None:
    """Why conversations cannot be saved right now, or None when they can.

    A store whose last write failed is probed again, so that recovery is noticed.
    """
    for store in list(_STORES):
        if store.write_problem is not None:
            store.write_problem = store.probe_write()
            if store.write_problem is not None:
                return store.write_problem
    return None


def sql_store_arguments(url: str) -> dict:
    """SQLTrackerStore's keyword arguments for a SQLAlchemy URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database:
            raise ValueError("the SQLite tracker store needs a file, e.g. sqlite:///var/tracker.db")
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return {"dialect": "sqlite", "db": parsed.database}
    return {
        "dialect": parsed.drivername,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
        "password": parsed.password,
        "query": dict(parsed.query) or None,
    }


class ConfiguredSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose database comes from the project's settings."""

    def __init__(self, domain: Any | None = None, host: str | None = None, **kwargs: Any) -> None:
        event_broker = kwargs.pop("event_broker", None)
        super().__init__(
            domain=domain,
            event_broker=event_broker,
            **sql_store_arguments(load_settings().tracker_url),
        )
        self.write_problem: str | None = self.probe_write()
        if self.write_problem is not None:
            raise TrackerStoreUnwritable(
                f"The conversation database (ALMERE_TRACKER_URL) cannot be written to: {self.write_problem}"
            )
        _STORES.add(self)

    def probe_write(self) -> str | None:
        """None if a row can be written (the write is rolled back), else what went wrong."""
        try:
            with self.engine.connect() as connection:
                transaction = connection.begin()
                try:
                    connection.execute(
                        self.SQLEvent.__table__.insert().values(
                            sender_id=PROBE_SENDER, type_name="probe", timestamp=0, data="{}"
                        )
                    )
                finally:
                    transaction.rollback()
        except SQLAlchemyError as error:
            return f"{type(error).__name__}: {error}".splitlines()[0]
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the turn's new events; after a handoff that stored nothing, forget its details."""
        try:
            await self._save(tracker)
        except SQLAlchemyError as error:
            self.write_problem = f"{type(error).__name__}: {error}".splitlines()[0]
            logger.error("Conversation %s could not be saved: %s", tracker.sender_id, self.write_problem)
            raise
        self.write_problem = None

    async def _save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            new = [event.as_dict() for event in self._additional_events(session, tracker)]
            if asks_to_forget(new):
                stored = self._event_query(
                    session, tracker.sender_id, fetch_events_from_all_sessions=True
                ).all()
                redacted = redact_handoff([json.loads(row.data) for row in stored] + new)
                for row, data in zip(stored, redacted, strict=False):
                    row.data = json.dumps(data)
                new = redacted[len(stored) :]
            for data in new:
                session.add(self._row(tracker.sender_id, data))
            session.commit()

    def _row(self, sender_id: str, data: dict[str, Any]) -> Any:
        """The events-table row of one event, with the columns Rasa's own save fills."""
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=data.get("event"),
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
            action_name=data.get("name"),
            data=json.dumps(data),
        )
