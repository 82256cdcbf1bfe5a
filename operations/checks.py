"""What the operations checks read back: tracker events from the database, tickets from the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import bindparam, create_engine, text

from bot.config import REPO_ROOT


def tracker_events(tracker_url: str, sender_ids: Iterable[str]) -> dict[str, list[dict]]:
    """Every stored event of these conversations, in the order Rasa stored them (by id)."""
    wanted = sorted(set(sender_ids))
    events: dict[str, list[dict]] = defaultdict(list)
    if not wanted:
        return events
    engine = create_engine(tracker_url, future=True)
    try:
        query = text("SELECT sender_id, data FROM events WHERE sender_id IN :ids ORDER BY id").bindparams(
            bindparam("ids", expanding=True)
        )
        with engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                for sender_id, data in connection.execute(query, {"ids": wanted[start : start + 500]}):
                    events[sender_id].append(json.loads(data))
    finally:
        engine.dispose()
    return events


def user_texts(events: Sequence[Mapping]) -> list[str]:
    return [event.get("text") for event in events if event.get("event") == "user"]


def bot_texts(events: Sequence[Mapping]) -> list[str]:
    """The texts the assistant said (a message with only a payload for the widget has none)."""
    return [event["text"] for event in events if event.get("event") == "bot" and event.get("text")]


def turn_problems(events: Sequence[Mapping]) -> list[str]:
    """Where the stored events are not whole turns one after another.

    A turn is a user message, then the actions (and bot messages) Rasa ran for it, ending
    with ``action_listen``. Two turns processed at the same time on a conversation show up as
    a user message inside another turn, a turn without its closing ``action_listen``, or an
    event stored twice.
    """
    problems = []
    in_turn = False
    seen = set()
    for position, event in enumerate(events):
        kind = event.get("event")
        key = json.dumps(event, sort_keys=True)
        if kind in ("user", "bot") and key in seen:
            problems.append(f"event {position} ({kind} {event.get('text')!r}) stored twice")
        seen.add(key)
        if kind == "user":
            if in_turn:
                problems.append(f"event {position}: user message {event.get('text')!r} inside another turn")
            in_turn = True
        elif kind == "action" and event.get("name") == "action_listen":
            in_turn = False
    if in_turn:
        problems.append("the last turn has no closing action_listen")
    return problems


def almere_cli(env: Mapping[str, str], *arguments: str, timeout: float = 120) -> str:
    """Run ``python -m bot ARGUMENTS`` (the ``almere`` command) with ``env`` added; its stdout."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"almere {' '.join(arguments)} failed ({result.returncode}): {result.stderr}")
    return result.stdout


def tickets(env: Mapping[str, str]) -> list[dict]:
    """Every ticket, as ``almere tickets list --json`` prints it."""
    return json.loads(almere_cli(env, "tickets", "list", "--json"))


def tickets_by_conversation(env: Mapping[str, str], sender_ids: Iterable[str]) -> dict[str, list[dict]]:
    wanted = set(sender_ids)
    found: dict[str, list[dict]] = defaultdict(list)
    for ticket in tickets(env):
        if ticket["conversation_id"] in wanted:
            found[ticket["conversation_id"]].append(ticket)
    return found


def transcript_user_lines(ticket: Mapping) -> list[str]:
    """What the person sent, as a ticket's transcript keeps it, in stored order: the text they
    typed, or the payload of the button they clicked (the transcript shows its title)."""
    messages = sorted(ticket["transcript"], key=lambda message: message["position"])
    return [m.get("quick_reply") or m["text"] for m in messages if m["role"] == "user"]


def transcript_bot_lines(ticket: Mapping) -> list[str]:
    messages = sorted(ticket["transcript"], key=lambda message: message["position"])
    return [message["text"] for message in messages if message["role"] == "bot"]
