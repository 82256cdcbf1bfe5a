"""The secret shared by the Rasa server and the action server (which refuses every other caller).

Rasa sends it as ``Authorization: Bearer <secret>`` (endpoints.yml, ``action_endpoint.headers``,
filled from the environment variable ALMERE_ACTION_SERVER_SECRET); bot.rasa.action_server checks it.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from bot.access.secret_files import load_or_create_secret_key
from bot.config import REPO_ROOT, Settings

SECRET_ENV = "ALMERE_ACTION_SERVER_SECRET"
SECRET_FILE = REPO_ROOT / "var" / "action_server_secret"


def action_server_secret(settings: Settings, secret_file: Path = SECRET_FILE) -> str:
    """ALMERE_ACTION_SERVER_SECRET, else a secret generated once into var/ (read by both servers)."""
    return settings.action_server_secret or load_or_create_secret_key(secret_file)


def is_authorised(authorization: str | None, secret: str) -> bool:
    """Whether an ``Authorization`` header carries ``secret`` (compared in constant time)."""
    return hmac.compare_digest((authorization or "").encode(), f"Bearer {secret}".encode())
