"""The site built by its factory on a database of each test's own (the desk's tests migrate it);
the process's engines are closed after each test."""

from __future__ import annotations

import pytest
from site_apps import site_app

from bot.tickets.database import dispose_engines


@pytest.fixture(autouse=True)
def _close_engines():
    yield
    dispose_engines()


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'var' / 'desk.db'}"


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build the site on ``database_url``; ``environ`` adds ALMERE_* settings, ``config`` Flask config."""

    def build(environ: dict | None = None, config: dict | None = None):
        return site_app(
            database_url,
            {"SECRET_KEY_FILE": tmp_path / "var" / "desk_secret_key", **(config or {})},
            **(environ or {}),
        )

    return build
