"""Helpers shared by the desk tests."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from flask.testing import FlaskClient

from bot.tickets import TicketService, TranscriptEntry

# Cheap argon2 for tests only; production uses argon2-cffi's recommended cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_ticket(service: TicketService, conversation_id: str = "conv-1", *lines: str, **overrides) -> str:
    """Open a ticket with valid defaults and return its reference."""
    lines = lines or ("How do I register my address?", "I will ask a colleague.")
    values = {
        "name": "Ana Silva",
        "email": "ana@example.org",
        "phone": None,
        "question": "How do I register my address?",
        "desk": "international",
        "topic": "registration",
        "consent_given": True,
        "transcript": [
            TranscriptEntry(("user", "bot")[i % 2], text, T0 + timedelta(minutes=i))
            for i, text in enumerate(lines)
        ],
    }
    values.update(overrides)
    return service.open_or_update(conversation_id, "webchat", **values).reference


def csrf_token(client: FlaskClient, path: str = "/desk/login") -> str:
    """The CSRF token of the form on ``path`` (also stores it in the client's session)."""
    match = _CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, username: str = "jan", password: str = PASSWORD, path: str = "/desk/login"):
    return client.post(
        path,
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
    )
