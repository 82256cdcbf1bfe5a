"""Retention of personal data: resolved tickets and their conversations are deleted after a while."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Iterable

from sqlalchemy import MetaData, Table, create_engine, inspect

_AGE = re.compile(r"(\d+)\s*([dhw])")
_UNITS = {"d": "days", "h": "hours", "w": "weeks"}


def parse_age(text: str) -> timedelta:
    """``90d``, ``12w`` or ``36h`` as a timedelta."""
    match = _AGE.fullmatch(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"an age looks like 90d, 12w or 36h, not {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def delete_conversations(tracker_url: str, conversation_ids: Iterable[str]) -> int:
    """Delete the conversations' events from Rasa's SQL tracker store; returns rows deleted."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return 0
    engine = create_engine(tracker_url)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        events = Table("events", MetaData(), autoload_with=engine)
        with engine.begin() as connection:
            return connection.execute(events.delete().where(events.c.sender_id.in_(ids))).rowcount
    finally:
        engine.dispose()
