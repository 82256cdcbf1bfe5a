"""Rasa's SQL tracker store, configured from ALMERE_TRACKER_URL (see bot.config).

endpoints.yml names this class, so that the database URL is read in the one
configuration module and SQLite (the default) needs no setup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine.url import make_url

from bot.config import load_settings


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

    def __init__(
        self, domain: Optional[Any] = None, host: Optional[str] = None, **kwargs: Any
    ) -> None:
        event_broker = kwargs.pop("event_broker", None)
        super().__init__(
            domain=domain,
            event_broker=event_broker,
            **sql_store_arguments(load_settings().tracker_url),
        )
