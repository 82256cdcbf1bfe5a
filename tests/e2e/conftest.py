"""Real servers for end-to-end tests: the action server and the Rasa server on free ports."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from support import free_port

from bot import processes
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
    action_port, rasa_port = free_port(), free_port()
    endpoints = work / "endpoints.yml"
    endpoints.write_text(
        processes.ENDPOINTS.read_text().replace(
            "http://localhost:5055/webhook", f"http://127.0.0.1:{action_port}/webhook"
        )
    )
    assert str(action_port) in endpoints.read_text()
    tracker_db = work / "tracker.db"
    database_url = f"sqlite:///{work / 'desk.db'}"
    upgrade_database(database_url)
    mailbox = MailBox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    desk_port = free_port()
    env = {
        "ALMERE_TRACKER_URL": f"sqlite:///{tracker_db}",
        "ALMERE_DATABASE_URL": database_url,
        "ALMERE_SMTP_HOST": "127.0.0.1",
        "ALMERE_SMTP_PORT": str(smtp.port),
        "ALMERE_SECRET_KEY": "e2e-only-secret",
    }
    actions = processes.action_server(port=action_port)
    rasa = processes.rasa_server(port=rasa_port, endpoints=endpoints)
    desk = processes.desk_server(port=desk_port)
    started = []
    try:
        for server in (actions, rasa, desk):
            started.append(processes.start(server, env=env, log_dir=work / "logs"))
            processes.wait_until_ready(server, timeout=180)
        yield Assistant(
            rasa=rasa,
            actions=actions,
            desk=desk,
            rest_url=f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            desk_url=f"http://127.0.0.1:{desk_port}",
            tracker_db=tracker_db,
            env=env,
            mailbox=mailbox,
        )
    finally:
        for server in reversed(started):
            processes.stop(server)
        smtp.stop()
