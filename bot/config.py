"""All configuration of the project, read from the environment in one place.

Every setting has a safe default so that a fresh clone runs without any
configuration; the README lists the variables. Nothing is read at import time:
call :func:`load_settings` (or :func:`settings_from`) where the value is needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Tuple

REPO_ROOT = Path(__file__).resolve().parent.parent


def _default_sqlite_url(name: str) -> str:
    return f"sqlite:///{REPO_ROOT / 'var' / name}"


@dataclass(frozen=True)
class Settings:
    """The project's settings; field names match the env vars without the prefix."""

    # Conversation memory (Rasa's SQL tracker store).
    tracker_url: str = field(default_factory=lambda: _default_sqlite_url("tracker.db"))
    # `almere tickets purge` deletes conversations without a ticket that are older than this.
    conversation_retention_days: int = 30
    # Handoff tickets and desk accounts.
    database_url: str = field(default_factory=lambda: _default_sqlite_url("desk.db"))
    # Where the knowledge file lives (one source of truth for facts).
    knowledge_file: Path = REPO_ROOT / "bot" / "knowledge.yml"
    # Entity patterns the spaCy pipeline is built from.
    entities_file: Path = REPO_ROOT / "bot" / "entities.yml"
    # Desk office hours, used to tell people when to expect a reply.
    office_timezone: str = "Europe/Amsterdam"
    office_days: Tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday..Friday
    office_open: str = "09:00"
    office_close: str = "17:00"
    # Country (ISO code, as the `holidays` package knows it) whose public holidays close the desk.
    office_holidays_country: str = "NL"
    # Notification e-mail on each new ticket; off unless a host is set.
    smtp_host: Optional[str] = None
    smtp_port: int = 25
    smtp_sender: str = "assistant@almere.invalid"
    smtp_recipient_international: str = "international@almere.invalid"
    smtp_recipient_business: str = "business@almere.invalid"
    # The staff desk web application.
    desk_host: str = "127.0.0.1"
    desk_port: int = 8000
    secret_key: Optional[str] = None
    cookie_secure: bool = False
    login_attempts_per_minute: int = 5
    # Sign-in attempts from one IP address, whatever the usernames (per minute).
    login_attempts_per_minute_per_address: int = 20
    # Shared by the Rasa server and the action server, which refuses every other caller; unset:
    # generated once into var/action_server_secret (bot.action_server).
    action_server_secret: Optional[str] = None
    # Chat: longest message handled, in characters; larger request bodies are refused.
    max_message_chars: int = 2000
    max_request_bytes: int = 65536
    # Seconds to wait for an answer before telling the person there is a problem.
    reply_timeout_seconds: int = 6
    # Web pages allowed to talk to the Rasa server (exact origins, comma-separated).
    chat_origins: Tuple[str, ...] = ("http://localhost:8000", "http://127.0.0.1:8000")
    # Where browsers reach the Rasa server (the chat widget connects here).
    rasa_public_url: str = "http://localhost:5005"
    # Signs the chat widget's session tokens; every Rasa server behind the proxy needs the same.
    # Unset: generated once into var/chat_session_secret.
    chat_session_secret: Optional[str] = None
    # REST channel: "Authorization: Bearer <key>" required when set; unset: loopback callers only.
    rest_api_key: Optional[str] = None


_PREFIX = "ALMERE_"


def _parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _parse_days(text: str) -> Tuple[int, ...]:
    days = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    if not days or any(day < 0 or day > 6 for day in days):
        raise ValueError(f"office days must be 0 (Monday) .. 6 (Sunday): {text!r}")
    return days


def _parse_origins(text: str) -> Tuple[str, ...]:
    origins = tuple(part.strip().rstrip("/") for part in text.split(",") if part.strip())
    # Sanic-CORS reads some characters as a regular expression: only plain origins are allowed.
    if not origins or any("://" not in o or any(c in o for c in "*?[]\\^$|+") for o in origins):
        raise ValueError(f"chat origins must be exact origins like https://www.almere.nl: {text!r}")
    return origins


def _parse_country(text: str) -> str:
    import holidays  # only when the variable is set

    country = text.strip().upper()
    if country not in holidays.list_supported_countries():
        raise ValueError(f"not a country the holidays package knows: {text!r}")
    return country


def settings_from(environ: Mapping[str, str]) -> Settings:
    """Build settings from a mapping of environment variables (ALMERE_*)."""
    defaults = Settings()
    values = {}
    for name, default in defaults.__dict__.items():
        raw = environ.get(_PREFIX + name.upper())
        if raw is None or raw == "":
            continue
        try:
            if isinstance(default, bool):
                values[name] = _parse_bool(raw)
            elif isinstance(default, int):
                values[name] = int(raw)
            elif isinstance(default, Path):
                values[name] = Path(raw)
            elif name == "office_days":
                values[name] = _parse_days(raw)
            elif name == "chat_origins":
                values[name] = _parse_origins(raw)
            elif name == "office_holidays_country":
                values[name] = _parse_country(raw)
            else:
                values[name] = raw
        except ValueError as error:
            raise ValueError(f"{_PREFIX}{name.upper()}: {error}") from error
    return Settings(**{**defaults.__dict__, **values})


def load_settings() -> Settings:
    """Settings of this process, from ``os.environ``."""
    return settings_from(os.environ)
