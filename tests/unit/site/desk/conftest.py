"""A desk app on a freshly migrated SQLite database, with one staff member (jan)."""

from __future__ import annotations

import pytest
from desk_helpers import FAST_HASHER, PASSWORD, sign_in

from bot.config import Settings, settings_from
from bot.site import create_app
from bot.site.desk.extension import EXTENSION_KEY, DeskServices
from bot.tickets.database import upgrade_database


@pytest.fixture
def database_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'var' / 'desk.db'}"
    upgrade_database(url)
    return url


def desk_settings(database_url: str, **environ: str) -> Settings:
    return settings_from(
        {
            "ALMERE_DATABASE_URL": database_url,
            "ALMERE_SECRET_KEY": "test-secret-key",
            "ALMERE_LOGIN_ATTEMPTS_PER_MINUTE": "3",
            **environ,
        }
    )


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build a desk app; ``environ`` adds ALMERE_* settings, ``config`` Flask config."""

    def build(environ: dict | None = None, config: dict | None = None):
        test_config = {
            "PASSWORD_HASHER": FAST_HASHER,
            "SECRET_KEY_FILE": tmp_path / "var" / "desk_secret_key",
            "LIVE_CHAT_SECRET_FILE": tmp_path / "var" / "live_chat_secret",
            **(config or {}),
        }
        return create_app(desk_settings(database_url, **(environ or {})), test_config)

    return build


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def services(app) -> DeskServices:
    return app.extensions[EXTENSION_KEY]


@pytest.fixture
def staff(services) -> str:
    return services.accounts.add("jan", PASSWORD)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def signed_in(client, staff):
    response = sign_in(client)
    assert response.status_code == 302
    return client
