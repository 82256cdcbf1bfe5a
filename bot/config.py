"""All configuration of the project, read from the environment in one place.

Every setting has a safe default so that a fresh clone runs without any
configuration; the README lists the variables. Each setting is declared once, with its
type and checks, in :class:`Settings` (a frozen pydantic dataclass): the env var is
``ALMERE_`` + the field name in upper case (the prefix and name in any case), and a bad
value stops the start with an error naming the variable. Nothing is read at import time:
call :func:`load_settings` (or :func:`settings_from`) where the value is needed.

``Settings()`` is the defaults only (it never reads the environment), and
``dataclasses.replace(settings, ...)`` gives a validated copy.
"""

import os
from collections.abc import Mapping
from dataclasses import field, fields
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError, conint, validator
from pydantic.dataclasses import dataclass

from bot.access import limits


def _project_directory() -> Path:
    """Where the project's files beside the code live (the trained model, the training data and
    domain, endpoints, migrations, ``var/``): the checkout this package was imported from, or, for
    an installed package (a wheel, as in deploy/Dockerfile), the working directory."""
    checkout = Path(__file__).resolve().parent.parent
    return checkout if (checkout / "pyproject.toml").is_file() else Path.cwd()


REPO_ROOT = _project_directory()

_PREFIX = "ALMERE_"
_DEFAULT_COUNTRY = "NL"
LOG_FORMATS = ("text", "json")

# pydantic's constrained integers, which a type checker reads as the plain int they hold.
if TYPE_CHECKING:
    Port = int
    Positive = int
    NonNegative = int
else:
    Port = conint(ge=1, le=65535)
    Positive = conint(ge=1)
    NonNegative = conint(ge=0)


def _default_sqlite_url(name: str) -> str:
    return f"sqlite:///{REPO_ROOT / 'var' / name}"


@dataclass(frozen=True)
class Settings:
    """The project's settings; field names match the env vars without the prefix."""

    # Conversation memory (Rasa's SQL tracker store).
    tracker_url: str = field(default_factory=lambda: _default_sqlite_url("tracker.db"))
    # `almere tickets purge` deletes conversations without a ticket that are older than this.
    conversation_retention_days: Positive = 30
    # Handoff tickets and desk accounts.
    database_url: str = field(default_factory=lambda: _default_sqlite_url("desk.db"))
    # Where the knowledge file lives (one source of truth for facts).
    knowledge_file: Path = Path(__file__).resolve().parent / "knowledge.yml"
    # Entity patterns the spaCy pipeline is built from.
    entities_file: Path = Path(__file__).resolve().parent / "entities.yml"
    # Desk office hours, used to tell people when to expect a reply.
    office_timezone: str = "Europe/Amsterdam"
    office_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday..Friday; env: "0,1,2,3,4"
    office_open: str = "09:00"
    office_close: str = "17:00"
    # Country (ISO code, as the `holidays` package knows it) whose public holidays close the desk.
    office_holidays_country: str = _DEFAULT_COUNTRY
    # The desk's promise: a reply within this many hours in which it is open. The handoff and the
    # confirmation e-mail give the person the resulting date and time (bot/office_hours/schedule.py).
    reply_within_office_hours: Positive = 8
    # Notification e-mail on each new ticket; off unless a host is set.
    smtp_host: str | None = None
    smtp_port: Port = 25
    smtp_sender: str = "assistant@almere.invalid"
    smtp_recipient_international: str = "international@almere.invalid"
    smtp_recipient_business: str = "business@almere.invalid"
    # The staff desk web application.
    desk_host: str = "127.0.0.1"
    desk_port: Port = 8000
    secret_key: str | None = None
    cookie_secure: bool = False
    # Desk usernames (comma-separated) of the administrators, who alone may find, export and erase one
    # person's data (/desk/personal-data/); none by default.
    desk_admins: tuple[str, ...] = ()
    login_attempts_per_minute: Positive = 5
    # Sign-in attempts from one IP address, whatever the usernames (per minute).
    login_attempts_per_minute_per_address: Positive = 20
    # Proxies in front of the desk, each adding the client's address to X-Forwarded-For and setting
    # X-Forwarded-Proto (deploy/: 1, HAProxy). The desk takes the address that many hops back as the
    # client's; 0: the connection's own address, and forwarding headers are ignored.
    proxy_hops: NonNegative = 0
    # Desk server processes (gunicorn workers, each with bot.site.server.THREADS threads); more
    # than one needs rate_limit_redis_url, or each process would allow every limit again.
    desk_workers: Positive = 1
    # Redis holding the desk's rate limits (sign-in attempts, answer votes) for all its processes;
    # unset: each process's memory.
    rate_limit_redis_url: str | None = None
    # Shared by the Rasa server and the action server, which refuses every other caller; unset:
    # generated once into var/action_server_secret (bot.rasa.action_server).
    action_server_secret: str | None = None
    # Chat: longest message handled, in characters; larger request bodies are refused.
    max_message_chars: Positive = limits.MESSAGE_CHARS
    max_request_bytes: Positive = 65536
    # Seconds Rasa has to answer a turn, from when it starts on it (a wait in line does not count),
    # before the person is told there is a problem.
    reply_timeout_seconds: Positive = 6
    # Turns one Rasa server works on at a time (both channels). Rasa answers on one event loop, so
    # more in flight would only share its time: the next turns wait in line (bot/access/turn_admission.py).
    max_concurrent_turns: Positive = 4
    # Seconds a person may wait for an answer, in line and during the turn: a turn whose answer
    # could not come within it is refused at once ("very busy, try again", with the desk's
    # number); every other turn waits its turn in line and is answered.
    turn_wait_budget_seconds: Positive = 2
    # Web pages allowed to talk to the Rasa server (exact origins, comma-separated).
    chat_origins: tuple[str, ...] = ("http://localhost:8000", "http://127.0.0.1:8000")
    # Where browsers reach the Rasa server (the chat widget connects here).
    rasa_public_url: str = "http://localhost:5005"
    # Signs the chat widget's session tokens; every Rasa server behind the proxy needs the same.
    # Unset: generated once into var/chat_session_secret.
    chat_session_secret: str | None = None
    # REST channel: "Authorization: Bearer <key>" required when set; unset: loopback callers only.
    rest_api_key: str | None = None
    # Where people reach the web page (links in e-mails to the person, e.g. the rating page).
    site_url: str = "http://localhost:8000"
    # Live chat: where the desk reaches a Rasa server (several: comma-separated, tried in order),
    # the secret the desk proves itself with (unset: generated once into var/live_chat_secret),
    # how long a person waits for a colleague before the form is offered instead, and how
    # recently a colleague's desk must have been open for them to count as available.
    rasa_internal_url: str = "http://localhost:5005"
    live_chat_secret: str | None = None
    live_chat_wait_seconds: Positive = 120
    staff_presence_seconds: Positive = 60
    # The socket.io channel's limits per connection and per conversation (bot/access/chat_limits.py):
    # messages (a burst, then so many a minute; beyond that the person is asked to slow down),
    # language switches a minute, and live chats asked for an hour (each only after an offer).
    chat_message_burst: Positive = 10
    chat_messages_per_minute: Positive = 30
    chat_language_switches_per_minute: Positive = 6
    live_chat_requests_per_hour: Positive = 3
    # The socket.io message queue of several Rasa servers (deploy/: Redis), so that a staff message
    # reaches the person whichever server holds their socket; unset: one server, no queue.
    socketio_redis_url: str | None = None
    # How the servers write their logs: "text" (for a person at a terminal) or "json" (one JSON
    # object a line: time, level, logger, process, message and the turn's request_id, for a log
    # collector; bot/observability/logs.py). The level stays Rasa's LOG_LEVEL.
    log_format: str = "text"

    @validator("cookie_secure", pre=True)
    def _boolean(cls, value: Any) -> Any:
        return _parse_bool(value) if isinstance(value, str) else value

    @validator("log_format", pre=True)
    def _log_format(cls, value: Any) -> Any:
        value = value.strip().lower() if isinstance(value, str) else value
        if value not in LOG_FORMATS:
            raise ValueError(f"the log format is one of {', '.join(LOG_FORMATS)}: {value!r}")
        return value

    @validator("office_days", pre=True)
    def _days(cls, value: Any) -> Any:
        return _split(value) if isinstance(value, str) else value

    @validator("office_days")
    def _days_of_the_week(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if not days or any(day < 0 or day > 6 for day in days):
            raise ValueError(f"office days must be 0 (Monday) .. 6 (Sunday): {days!r}")
        return tuple(sorted(set(days)))

    @validator("desk_admins", pre=True)
    def _usernames(cls, value: Any) -> Any:
        return tuple(name.lower() for name in _split(value)) if isinstance(value, str) else value

    @validator("chat_origins", pre=True)
    def _origins(cls, value: Any) -> Any:
        return _split(value) if isinstance(value, str) else value

    @validator("chat_origins")
    def _exact_origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        origins = tuple(o.strip().rstrip("/") for o in origins if o.strip())
        # Sanic-CORS reads some characters as a regular expression: only plain origins are allowed.
        if not origins or any("://" not in o or any(c in o for c in "*?[]\\^$|+") for o in origins):
            raise ValueError(f"chat origins must be exact origins like https://www.almere.nl: {origins!r}")
        return origins

    @validator("rate_limit_redis_url", always=True)
    def _shared_limits_for_several_workers(cls, value: str | None, values: Mapping[str, Any]) -> str | None:
        if values.get("desk_workers", 1) > 1 and not value:
            raise ValueError("more than one desk worker needs the rate limits in Redis (a redis:// URL)")
        return value

    @validator("office_open", "office_close")
    def _clock_time(cls, value: str) -> str:
        try:
            time.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not a time like 09:00: {value!r}") from None
        return value

    @validator("office_close")
    def _closes_after_opening(cls, value: str, values: Mapping[str, Any]) -> str:
        opens = values.get("office_open")
        if opens is not None and time.fromisoformat(value) <= time.fromisoformat(opens):
            raise ValueError(f"the desk closes ({value}) before it opens ({opens})")
        return value

    @validator("office_timezone")
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"not a time zone like Europe/Amsterdam: {value!r}") from None
        return value

    @validator("office_holidays_country")
    def _known_country(cls, value: str) -> str:
        country = value.strip().upper()
        if country != _DEFAULT_COUNTRY and country not in _supported_countries():
            raise ValueError(f"not a country the holidays package knows: {value!r}")
        return country


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {text!r}")


@lru_cache(maxsize=1)
def _supported_countries() -> frozenset[str]:
    import holidays  # only when another country than the default is set

    return frozenset(holidays.list_supported_countries())


def settings_from(environ: Mapping[str, str]) -> Settings:
    """Build settings from a mapping of environment variables (ALMERE_*), and nothing else.

    The prefix and names are read in any case (an exact upper-case name wins); an empty
    variable keeps the default. A bad value raises :class:`ValueError` naming the variable.
    """
    given: dict[str, str] = {}
    for key, raw in environ.items():
        upper = key.upper()
        if upper.startswith(_PREFIX) and (upper not in given or key == upper):
            given[upper] = raw
    # The variables' text, which Settings parses and checks field by field.
    values: dict[str, Any] = {}
    for setting in fields(Settings):
        text = given.get(_PREFIX + setting.name.upper())
        if text:
            values[setting.name] = text
    try:
        return Settings(**values)
    except ValidationError as error:
        problems = "; ".join(
            f"{_PREFIX}{str(problem['loc'][0]).upper()}: {problem['msg']}" for problem in error.errors()
        )
        raise ValueError(problems) from error


def load_settings() -> Settings:
    """Settings of this process, from ``os.environ``."""
    return settings_from(os.environ)
