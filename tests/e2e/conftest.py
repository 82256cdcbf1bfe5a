"""Real servers for end-to-end tests: the action server and the Rasa server on free ports."""

from __future__ import annotations

import json
import socket
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import pytest

from bot import processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Assistant:
    """The running assistant, reached over its REST channel."""

    rasa: processes.Server
    actions: processes.Server
    rest_url: str
    tracker_db: Path
    env: Dict[str, str]

    def ask(self, sender: str, message: str) -> List[Dict]:
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
    env = {"ALMERE_TRACKER_URL": f"sqlite:///{tracker_db}"}
    actions = processes.action_server(port=action_port)
    rasa = processes.rasa_server(port=rasa_port, endpoints=endpoints)
    started = []
    try:
        for server in (actions, rasa):
            started.append(processes.start(server, env=env, log_dir=work / "logs"))
            processes.wait_until_ready(server, timeout=180)
        yield Assistant(
            rasa=rasa,
            actions=actions,
            rest_url=f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            tracker_db=tracker_db,
            env=env,
        )
    finally:
        for server in reversed(started):
            processes.stop(server)
