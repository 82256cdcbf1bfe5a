"""Starting the servers a browser test talks to: action, Rasa and desk servers on free ports, a
fresh ticket database with the given desk accounts, and the environment every browser test needs
(its own secrets, so that nothing is written under var/)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot import processes
from bot.site.desk.accounts import StaffAccounts
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    first_name: str | None = None


@dataclass
class Running:
    """The started servers, as the browser reaches them."""

    page_url: str  # the public page (desk server), an allowed chat origin
    rasa_url: str
    stack: processes.Stack
    env: dict[str, str] = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        return self.env["ALMERE_DATABASE_URL"]


@contextmanager
def running_site(
    work: Path,
    accounts: Sequence[Account] = (),
    extra_env: Mapping[str, str] | None = None,
    extra_origins: Sequence[str] = (),
) -> Iterator[Running]:
    """The servers, with the public page's origin and ``extra_origins`` (other sites embedding the
    chat) allowed to chat."""
    if not processes.MODEL.exists():
        pytest.fail(f"no trained model at {processes.MODEL}: run `make train` first")
    ports = processes.Ports.free(desk=True)
    page_origin = f"http://{processes.LOOPBACK}:{ports.desk}"
    rasa_url = f"http://{processes.LOOPBACK}:{ports.rasa[0]}"
    database_url = f"sqlite:///{work / 'desk.db'}"
    upgrade_database(database_url)
    engine = create_engine_for(database_url)
    staff = StaffAccounts(create_session_factory(engine))
    for account in accounts:
        staff.add(account.username, account.password, first_name=account.first_name)
    engine.dispose()
    env = {
        "ALMERE_DATABASE_URL": database_url,
        "ALMERE_TRACKER_URL": f"sqlite:///{work / 'tracker.db'}",
        "ALMERE_CHAT_ORIGINS": ",".join([page_origin, *extra_origins]),
        "ALMERE_RASA_PUBLIC_URL": rasa_url,
        "ALMERE_RASA_INTERNAL_URL": rasa_url,
        # Their own secrets, so that the servers write no key file under var/.
        "ALMERE_SECRET_KEY": secrets.token_hex(32),
        "ALMERE_LIVE_CHAT_SECRET": secrets.token_hex(32),
        "RASA_TELEMETRY_ENABLED": "false",
        **(extra_env or {}),
    }
    servers = processes.assistant_stack(work, ports, env, cors=[page_origin, *extra_origins])
    with processes.running(servers, together=True, timeout=180) as started:  # they load in parallel
        yield Running(page_url=page_origin + "/", rasa_url=rasa_url, stack=started, env=env)
