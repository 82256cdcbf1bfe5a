"""Retention of personal data: resolved tickets and their conversations are deleted after a while,
and so are conversations that never led to a ticket and missed live chats the person left no
contact details for (``almere tickets purge``)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from sqlalchemy import MetaData, Table, create_engine, func, inspect, select

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


def delete_idle_conversations(tracker_url: str, before: datetime, keep: Collection[str]) -> int:
    """Delete conversations whose last event is older than ``before``, except those in ``keep``
    (the conversations that have a ticket); returns the events deleted."""
    engine = create_engine(tracker_url)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        events = Table("events", MetaData(), autoload_with=engine)
        last_event = (
            select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(func.max(events.c.timestamp) < before.timestamp())
        )
        with engine.connect() as connection:
            idle = [sender for sender in connection.execute(last_event).scalars() if sender not in keep]
    finally:
        engine.dispose()
    return sum(delete_conversations(tracker_url, idle[i : i + 500]) for i in range(0, len(idle), 500))
