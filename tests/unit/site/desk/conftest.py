"""A desk app on a freshly migrated SQLite database, with one staff member (jan)."""

from __future__ import annotations

import pytest
from desk_helpers import FAST_HASHER, PASSWORD, services_of, sign_in

from bot.site.extension import SiteServices
from bot.tickets.database import upgrade_database


@pytest.fixture
def database_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'var' / 'desk.db'}"
    upgrade_database(url)
    return url


@pytest.fixture
def make_app(make_app):
    """The site's ``make_app`` with three sign-in attempts a minute and a fast password hasher."""

    def build(environ: dict | None = None, config: dict | None = None):
        return make_app(
            {"ALMERE_LOGIN_ATTEMPTS_PER_MINUTE": "3", **(environ or {})},
            {"PASSWORD_HASHER": FAST_HASHER, **(config or {})},
        )

    return build


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def services(app) -> SiteServices:
    return services_of(app)


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
