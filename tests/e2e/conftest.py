"""Real servers for end-to-end tests: action, Rasa and desk servers on free ports, and a mail server."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from bot.launcher import processes
from bot.tickets.database import upgrade_database


class MailBox:
    """An SMTP handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


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
    mailbox: MailBox = field(default_factory=MailBox)

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
    mailbox = MailBox()
    smtp = Controller(mailbox, hostname=processes.LOOPBACK, port=processes.free_port())
    smtp.start()
    env = {
        "ALMERE_TRACKER_URL": f"sqlite:///{tracker_db}",
        "ALMERE_DATABASE_URL": database_url,
        "ALMERE_SMTP_HOST": processes.LOOPBACK,
        "ALMERE_SMTP_PORT": str(smtp.port),
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
                mailbox=mailbox,
            )
    finally:
        smtp.stop()
