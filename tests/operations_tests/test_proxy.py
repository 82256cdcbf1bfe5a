"""deploy/haproxy.cfg's REST backend in front of the two Rasa servers, on 127.0.0.1.

Hashing on the conversation id sends one conversation's messages to one Rasa server, so
messages arriving at once are taken one at a time even with Rasa 3.6's own Redis lock store;
and at most 4 messages are in flight per server, the rest wait in HAProxy's queue.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from support import require_service
from test_scale_out import burst_problems

from bot.config import REPO_ROOT
from bot.processes import free_port
from operations.handoff_script import QUESTIONS, TROUBLE, reply_text

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def haproxy_installed() -> None:
    require_service(shutil.which("haproxy") is not None, "no haproxy here (make e2e installs it)")


ROUNDS = 10


def rest_backend_on_loopback(urls) -> str:
    """The `backend rasa_rest` section of deploy/haproxy.cfg, its servers at ``urls``."""
    config = (REPO_ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    pattern = r"^backend rasa_rest\n(?:[ \t]+.*\n|\n)+?(?=^backend )"
    section = re.search(pattern, config, re.MULTILINE).group(0)
    ports = [re.search(r":(\d+)/", url).group(1) for url in urls]
    for index, port in enumerate(ports, start=1):
        section = section.replace(f"rasa-{index}:5005", f"127.0.0.1:{port}")
    assert "rasa-" not in section.replace("server rasa-", "server x"), section
    return section


@pytest.fixture(scope="module")
def proxy_url(scaled_out, tmp_path_factory):
    port = free_port()
    config = tmp_path_factory.mktemp("haproxy") / "haproxy.cfg"
    config.write_text(
        "defaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n"
        "    timeout server 60s\n    timeout queue 30s\n\n"
        f"frontend rest\n    bind 127.0.0.1:{port}\n    default_backend rasa_rest\n\n"
        + rest_backend_on_loopback(scaled_out.urls)
    )
    process = subprocess.Popen(
        ["haproxy", "-db", "-f", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stdout.read()
            try:
                if requests.get(f"http://127.0.0.1:{port}/", timeout=2).ok:  # Rasa's "hello"
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "haproxy did not come up"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def say(url: str, sender: str, message: str) -> str:
    response = requests.post(url, json={"sender": sender, "message": message}, timeout=60)
    assert response.status_code == 200, response.text
    return reply_text(response.json())


def test_messages_of_one_conversation_at_once_through_the_proxy_are_taken_one_at_a_time(
    scaled_out, proxy_url
):
    problems = []
    for _ in range(ROUNDS):
        sender = f"ops-proxy-{uuid.uuid4()}"
        opening, questions = QUESTIONS[0], QUESTIONS[1:5]
        assert opening.expect in say(proxy_url, sender, opening.message)
        with ThreadPoolExecutor(max_workers=len(questions)) as pool:
            replies = list(
                pool.map(
                    say,
                    [proxy_url] * len(questions),
                    [sender] * len(questions),
                    [q.message for q in questions],
                )
            )
        for question, reply in zip(questions, replies, strict=True):
            assert TROUBLE not in reply and question.expect in reply, (question.message, reply)
        found = burst_problems(scaled_out.events(sender), opening, questions)
        problems += [f"{sender}: {problem}" for problem in found]
    assert problems == []


def test_many_conversations_at_once_are_all_answered_through_the_proxy(scaled_out, proxy_url):
    """40 conversations' messages at once: 8 in flight, the rest queue in HAProxy, none is late."""
    senders = [f"ops-proxy-many-{uuid.uuid4()}" for _ in range(40)]
    question = QUESTIONS[2]
    with ThreadPoolExecutor(max_workers=len(senders)) as pool:
        replies = list(pool.map(lambda sender: say(proxy_url, sender, question.message), senders))
    assert all(question.expect in reply and TROUBLE not in reply for reply in replies), replies
