"""The site as production builds it (``bot.site.create_app``), on settings of a test's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from bot.config import settings_from
from bot.site import create_app

SECRETS = {
    "ALMERE_SECRET_KEY": "test-secret-key",
    "ALMERE_LIVE_CHAT_SECRET": "live-chat-secret-for-tests",
    "ALMERE_CHAT_SESSION_SECRET": "chat-session-secret-for-tests",
}


def site_app(
    database_url: str = "sqlite://", config: Mapping[str, Any] | None = None, **environ: str
) -> Flask:
    """The site on the ticket database at ``database_url`` (by default one in memory, for pages that
    never read it), with fixed secrets; ``environ`` adds ALMERE_* settings, ``config`` Flask config."""
    settings = settings_from({"ALMERE_DATABASE_URL": database_url, **SECRETS, **environ})
    return create_app(settings, config)
