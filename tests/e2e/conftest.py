"""Real servers for end-to-end tests: action, Rasa and desk servers on free ports, and a mail server."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support import Inbox, MailServer

from bot.launcher import processes
from bot.tickets.database import upgrade_database


@dataclass
class Assistant:
    """The running assistant, reached over its REST channel, with its desk and mail server."""

    rasa: processes.Server
    actions: processes.Server
    desk: processes.Server
    rest_url: str
    desk_url: str
    tracker_db: Path
    env: dict[str, str]
    mailbox: Inbox = field(default_factory=Inbox)

    def ask(self, sender: str, message: str) -> list[dict]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            self.rest_url, data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def restart_rasa(self) -> None:
        processes.stop(self.rasa)
        processes.start(self.rasa, env=self.env, log_dir=self.rasa.log_path.parent)
        processes.wait_until_ready(self.rasa)


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    if not processes.MODEL.exists():
        pytest.fail(f"no trained model at {processes.MODEL}: run `make train` first")
    work = tmp_path_factory.mktemp("assistant")
    tracker_db = work / "tracker.db"
    database_url = f"sqlite:///{work / 'desk.db'}"
    upgrade_database(database_url)
    mail = MailServer()
    mail.start()
    env = {
        "ALMERE_TRACKER_URL": f"sqlite:///{tracker_db}",
        "ALMERE_DATABASE_URL": database_url,
        "ALMERE_SMTP_HOST": processes.LOOPBACK,
        "ALMERE_SMTP_PORT": str(mail.port),
        "ALMERE_SECRET_KEY": "e2e-only-secret",
        "ALMERE_LIVE_CHAT_SECRET": "e2e-only-live-chat-secret",
    }
    try:
        servers = processes.assistant_stack(work, processes.Ports.free(desk=True), env)
        with processes.running(servers, timeout=180) as started:
            yield Assistant(
                rasa=started.server("Rasa server"),
                actions=started.server("action server"),
                desk=started.server("desk server"),
                rest_url=started.rest_urls[0],
                desk_url=processes.origin(started.server("desk server")),
                tracker_db=tracker_db,
                env=env,
                mailbox=mail.inbox,
            )
    finally:
        mail.stop()
