"""Rasa's SQL tracker store, configured from ALMERE_TRACKER_URL (see bot.config).

endpoints.yml names this class, so that the database URL is read in the one
configuration module and SQLite (the default) needs no setup. Beyond Rasa's store it

- forgets what was typed into a handoff that stored nothing (bot.privacy.redaction), when it saves
  the turn that ended it: Rasa reads the tracker from here every turn, so it is gone from then on;
- refuses to start on a database it cannot write to, instead of Rasa's silent fallback to
  memory (which starts every turn afresh), and keeps track of failed writes while running, so
  that the chat (bot.rasa.turn) and the health check (bot.rasa.rest_channel) can say so;
- hands Rasa a window of the conversation's last turns, kept in memory between turns, instead of
  the whole conversation read from the database each turn (bot.rasa.conversation_window), so
  that a turn costs the same at message 200 as at message 1.
"""

from __future__ import annotations

import json
import logging
import weakref
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import load_settings
from bot.privacy.redaction import asks_to_forget, redact_handoff
from bot.rasa.conversation_window import (
    WindowCache,
    note_stored,
    send_whole_conversations_to_the_handoff,
    starts_afresh,
    stored_part,
    window,
)

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


def conversation_database_problem() -> str | None:
    """Why the conversation database cannot be written right now, or None when it can: every store
    is probed (a row written and rolled back), whatever its last write did. Blocking."""
    for store in list(_STORES):
        problem = store.probe_write()
        if problem is not None:
            return problem
    return None


def active_form(sender_id: str) -> str | None:
    """The form the conversation is in (its session's last active_loop event), or None: none, or the
    conversation database cannot be read. Blocking."""
    for store in list(_STORES):
        try:
            events = store.session_events(sender_id)
        except SQLAlchemyError as error:
            logger.warning("The conversation of %s could not be read: %s", sender_id, error)
            return None
        loops = [event.get("name") for event in events if event.get("event") == "active_loop"]
        return loops[-1] if loops else None
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
        # Built once: SQLAlchemy's ORM (and a statement built anew) cost more than the query.
        events = self.SQLEvent.__table__
        self._insert_event = events.insert()
        self._select_last_id = sa.select(sa.func.max(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender_id")
        )
        # With an event broker, Rasa's save reads the tracker back to find the new events, which
        # a kept window would answer wrongly: such a store reads every turn from the database.
        self._windows: WindowCache | None = WindowCache() if event_broker is None else None
        send_whole_conversations_to_the_handoff()

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
        """Store the turn's new events; after a handoff that stored nothing, forget its details.

        A conversation Rasa has just created, which holds its first ``action_listen`` alone, is not
        written yet: Rasa saves it again at the end of its first turn, and that save stores the
        ``action_listen`` with the turn's events, in one commit instead of two."""
        if just_created(tracker):
            return
        try:
            await self._save(tracker)
        except SQLAlchemyError as error:
            self.write_problem = f"{type(error).__name__}: {error}".splitlines()[0]
            logger.error("Conversation %s could not be saved: %s", tracker.sender_id, self.write_problem)
            raise
        self.write_problem = None

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's window: the one kept from its last turn here, if no other server has
        written to the conversation since, else read from the database."""
        if self._windows is None:
            return await super().retrieve(sender_id)
        kept = self._windows.take(sender_id)
        if kept is not None:
            tracker, last_id = kept
            with self.engine.connect() as connection:  # without the ORM's session: one query
                if self._last_event_id(connection, sender_id) == last_id:
                    return tracker
        return self._read_window(sender_id)

    def _read_window(self, sender_id: str) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            if not rows or not self.domain:
                return None
            events, last_id = [json.loads(row.data) for row in rows], rows[-1].id
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        windowed = window(tracker, self.domain.slots)
        note_stored(windowed, last_id, windowed is not tracker, self.session_events)
        return windowed

    def session_events(self, sender_id: str) -> list[dict[str, Any]]:
        """The stored events of the conversation's latest session, as dicts."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            return [json.loads(row.data) for row in rows]

    def _last_event_id(self, executor: Any, sender_id: str) -> int | None:
        """The id of the conversation's last stored event, read through a session or a connection."""
        return executor.execute(self._select_last_id, {"sender_id": sender_id}).scalar()

    async def _save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        stored = stored_part(tracker)
        with self.session_scope() as session:
            if stored is not None:
                new_events = list(tracker.events)[stored.events :]
            else:
                new_events = list(self._additional_events(session, tracker))
            new = [event.as_dict() for event in new_events]
            forget = asks_to_forget(new)
            if forget:
                stored_rows = self._event_query(
                    session, tracker.sender_id, fetch_events_from_all_sessions=True
                ).all()
                redacted = redact_handoff([json.loads(row.data) for row in stored_rows] + new)
                for row, data in zip(stored_rows, redacted, strict=False):
                    row.data = json.dumps(data)
                new = redacted[len(stored_rows) :]
            last_id = None
            for data in new:  # one row at a time, so that each insert tells its row's id
                inserted = session.execute(self._insert_event, self._columns(tracker.sender_id, data))
                last_id = inserted.inserted_primary_key[0]
            if last_id is None:
                last_id = self._last_event_id(session, tracker.sender_id)
            session.commit()
        cut = stored.cut if stored is not None else False
        note_stored(tracker, last_id, cut, self.session_events)
        self._keep_window(tracker, last_id, cut, forget or starts_afresh(new_events))

    def _keep_window(self, tracker: DialogueStateTracker, last_id: int | None, cut: bool, drop: bool) -> None:
        """Keep the saved turn's window for the conversation's next turn, unless it no longer
        matches the database: its handoff answers were just forgotten there, or a new session
        began (the next turn reads that session alone)."""
        if self._windows is None or not self.domain:
            return
        if drop or last_id is None:
            self._windows.forget(tracker.sender_id)
            return
        windowed = window(tracker, self.domain.slots)
        if windowed is not tracker:
            note_stored(windowed, last_id, True, self.session_events)
        self._windows.put(windowed, last_id)

    @staticmethod
    def _columns(sender_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The events-table columns of one event, those that Rasa's own save fills."""
        return {
            "sender_id": sender_id,
            "type_name": data.get("event"),
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }


def just_created(tracker: DialogueStateTracker) -> bool:
    """Whether ``tracker`` is a conversation Rasa has just created: never stored, and holding only
    the ``action_listen`` Rasa begins it with."""
    if stored_part(tracker) is not None or len(tracker.events) != 1:
        return False
    [event] = tracker.events
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME
