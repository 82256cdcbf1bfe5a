"""Helpers shared by the desk tests."""

from __future__ import annotations

import dataclasses
import re

from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from support import open_ticket, transcript

from bot.site.extension import EXTENSION_KEY, SiteServices, services
from bot.tickets import TicketService

# Cheap argon2 for tests only; production uses argon2-cffi's recommended cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def services_of(app: Flask) -> SiteServices:
    """The services ``app``'s views use."""
    with app.app_context():
        return services()


def replace_services(app: Flask, **changes: object) -> None:
    """Give ``app``'s views other services (a fake ``rasa_link``, say) in place of some of its own."""
    app.extensions[EXTENSION_KEY] = dataclasses.replace(services_of(app), **changes)


def make_ticket(service: TicketService, conversation_id: str = "conv-1", *lines: str, **overrides) -> str:
    """Open a ticket with valid defaults and return its reference."""
    if lines:
        overrides["transcript"] = transcript(*lines)
    return open_ticket(service, conversation_id, **overrides).reference


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
