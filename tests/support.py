"""Helpers shared by the test suites (importable as `support`: tests/ is on sys.path)."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import cache

import pytest
from aiosmtpd.controller import Controller

from bot.config import Settings
from bot.knowledge import Fact, Knowledge, load_knowledge
from bot.launcher.processes import free_port
from bot.tickets import TicketResult, TicketService, TranscriptEntry

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


@cache
def read_knowledge() -> Knowledge:
    """The knowledge file, as the ``knowledge`` fixture reads it, for what is needed before any
    fixture (a test's parameters, a module's constants)."""
    return load_knowledge(Settings().knowledge_file)


def fact(name: str) -> Fact:
    return read_knowledge().facts[name]


def figure(name: str, language: str = "en") -> str:
    """A fact as the answers write it: 12345 is "12,345" in English, "12.345" in Dutch."""
    return fact(name).formatted(language)


def desk_phone(abroad: bool = False) -> str:
    """The desk's phone number the answers give (from abroad: with the country code)."""
    contact = read_knowledge().contact
    return contact.phone_abroad if abroad else contact.phone


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose server is missing, but fail it under CI, where the server must run."""
    if available:
        return
    if running_in_ci():
        pytest.fail(f"{reason} (CI is set, so this server is required)")
    pytest.skip(reason)


@dataclass
class Inbox:
    """Every message a local SMTP server (:class:`MailServer`) accepted, with its envelope's
    recipients."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    @property
    def mails(self) -> list[EmailMessage]:
        """The messages without their recipients."""
        return [message for _, message in self.messages]

    def bodies(self) -> list[str]:
        """The messages' text, with plain newlines."""
        return [message.get_content().replace("\r\n", "\n") for message in self.mails]


class MailServer:
    """The tests' one SMTP server: local, on a port of its own that it keeps while stopped (the
    mail is down) and started again; ``with MailServer() as mail:`` runs it for the block."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailServer:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def transcript(*lines: str, start: datetime = T0) -> list[TranscriptEntry]:
    """Entries alternating user, bot, user, ... one minute apart."""
    return [
        TranscriptEntry(
            role=("user", "bot")[index % 2], text=text, timestamp=start + timedelta(minutes=index)
        )
        for index, text in enumerate(lines)
    ]


def open_ticket(service: TicketService, conversation_id: str = "conv-1", **overrides) -> TicketResult:
    """Call open_or_update with valid defaults, overridden by ``overrides``."""
    values = {
        "channel": "webchat",
        "name": "Ana Silva",
        "email": "ana@example.org",
        "phone": None,
        "question": "How do I register my address?",
        "desk": "international",
        "topic": "registration",
        "consent_given": True,
        "transcript": transcript("How do I register my address?", "I will ask a colleague."),
    }
    values.update(overrides)
    channel = values.pop("channel")
    return service.open_or_update(conversation_id, channel, **values)


class TcpProxy:
    """Forwards a local port to a server; stop() cuts every connection, like an outage."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._running = threading.Event()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        listener.settimeout(0.05)
        self._listener = listener
        self._running.set()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        self._running.clear()
        if self._listener is not None:
            self._listener.close()
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._running.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
