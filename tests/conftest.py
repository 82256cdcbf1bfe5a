"""Fixtures shared by the test suites (the knowledge file, the entity vocabulary, the domain) and
the suites' one marker rule: a test is end to end by its folder, ``tests/e2e/`` (real servers)
or ``tests/browser/`` (Chromium); ``tests/unit/`` mirrors ``bot/`` and starts no server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import socketio
from socketio import packet as socketio_packet
from support import MailServer

from bot.config import REPO_ROOT, Settings
from bot.conversation.spacy_pipeline import load_vocabulary
from bot.knowledge import load_knowledge

END_TO_END = (Path(__file__).parent / "e2e", Path(__file__).parent / "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests under tests/e2e/ and tests/browser/ ``e2e`` (``make unit`` leaves them out;
    ``make e2e`` runs them)."""
    for item in items:
        if any(folder in item.path.parents for folder in END_TO_END):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def knowledge(settings):
    return load_knowledge(settings.knowledge_file)


@pytest.fixture(scope="session")
def vocabulary(settings):
    return load_vocabulary(settings.entities_file)


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A local SMTP server for the test, and what it received (``mail_server.inbox``)."""
    with MailServer() as server:
        yield server


@pytest.fixture(scope="session")
def source_page() -> str:
    return (REPO_ROOT / "bot" / "source" / "about-almere.txt").read_text(encoding="utf-8")


async def _leave_without_waiting_for_the_long_poll(client: socketio.AsyncClient) -> None:
    """socket.io's ``AsyncClient.disconnect`` as a widget's page leaves: the server is told (the
    namespaces' DISCONNECT and engine.io's CLOSE, sent before this returns), but the long poll in
    progress is not waited for; that wait lasts up to the server's ping interval (25 s) a client."""
    for namespace in client.namespaces:
        await client._send_packet(client.packet_class(socketio_packet.DISCONNECT, namespace=namespace))
    sending = client.eio.write_loop_task
    await client.eio.disconnect(abort=True)
    if sending is not None:
        await sending


@pytest.fixture(scope="session", autouse=True)
def socketio_clients_leave_at_once() -> Iterator[None]:
    patch = pytest.MonkeyPatch()
    patch.setattr(socketio.AsyncClient, "disconnect", _leave_without_waiting_for_the_long_poll)
    yield
    patch.undo()
