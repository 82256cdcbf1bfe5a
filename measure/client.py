"""An HTTP client of the REST channel: one message, many questions in parallel, a load of conversations.

Every session sends the REST API key of this environment (ALMERE_REST_API_KEY), if any, as the
channel asks of the project's own tools (bot/access/rest_auth.py).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from bot.access.rest_auth import client_headers
from bot.config import load_settings

TIMEOUT_SECONDS = 60.0
T = TypeVar("T")


def reply_texts(replies: Sequence[Mapping[str, Any]] | None) -> list[str]:
    """The texts of a REST channel reply (a list of messages); "" for a message without text."""
    return [str(reply.get("text") or "") for reply in replies or [] if isinstance(reply, Mapping)]


@dataclass(frozen=True)
class Exchange:
    """One message sent and what came back.

    ``replies`` is the channel's list of messages, None when there was none: ``error`` then
    says why, and ``status`` is the HTTP status, None when no HTTP answer came at all.
    """

    sender: str
    message: str
    replies: list[dict[str, Any]] | None
    seconds: float
    error: str | None = None
    status: int | None = None

    @property
    def text(self) -> str:
        """The texts of the replies, one per line."""
        return "\n".join(reply_texts(self.replies))


async def send(session: aiohttp.ClientSession, url: str, sender: str, message: str) -> Exchange:
    """Post one message; an HTTP error, a body that is not a list of messages or no answer at all
    comes back as the Exchange's ``error``."""
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": message}) as response:
            status = response.status
            body = await response.text()
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        seconds = time.perf_counter() - started
        return Exchange(sender, message, None, seconds, f"{type(error).__name__}: {error}"[:300])
    seconds = time.perf_counter() - started
    try:
        replies = json.loads(body)
    except ValueError:
        replies = None
    if not isinstance(replies, list):
        replies = None
    if status != 200:
        # Kept when it is a list of messages: a server too busy to answer says so in one (503).
        return Exchange(sender, message, replies, seconds, f"HTTP {status}: {body[:200]}", status)
    if replies is None:
        error = f"HTTP 200 without a list of messages: {body[:200]}"
        return Exchange(sender, message, None, seconds, error, status)
    return Exchange(sender, message, replies, seconds, None, status)


def open_session(
    limit: int, limit_per_host: int = 0, timeout: float = TIMEOUT_SECONDS
) -> aiohttp.ClientSession:
    """A client session with at most ``limit`` connections (``limit_per_host`` to one server, 0: no
    own limit) and ``timeout`` seconds per request, sending this environment's REST API key."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit, limit_per_host=limit_per_host),
        timeout=aiohttp.ClientTimeout(total=timeout),
        headers=client_headers(load_settings()),
    )


def new_sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def ask_each(url: str, messages: Sequence[str], concurrency: int = 8, prefix: str = "eval") -> list[Exchange]:
    """Send each message in a fresh conversation, ``concurrency`` at a time; results in order."""

    async def run() -> list[Exchange]:
        limit = asyncio.Semaphore(concurrency)
        async with open_session(concurrency) as session:

            async def one(message: str) -> Exchange:
                async with limit:
                    return await send(session, url, new_sender(prefix), message)

            return list(await asyncio.gather(*(one(m) for m in messages)))

    return asyncio.run(run())


Say = Callable[[str], Awaitable[Exchange]]


def converse(
    url: str, scripts: Sequence[Callable[[Say], Awaitable[T]]], concurrency: int = 8, prefix: str = "eval"
) -> list[T]:
    """Run each script in a fresh conversation, ``concurrency`` at a time; results in order.

    A script gets ``say``: send one message in its conversation and get the Exchange back.
    """

    async def run() -> list[T]:
        limit = asyncio.Semaphore(concurrency)
        async with open_session(concurrency) as session:

            async def one(script: Callable[[Say], Awaitable[T]]) -> T:
                sender = new_sender(prefix)

                async def say(message: str) -> Exchange:
                    return await send(session, url, sender, message)

                async with limit:
                    return await script(say)

            return list(await asyncio.gather(*(one(s) for s in scripts)))

    return asyncio.run(run())


@dataclass(frozen=True)
class Load:
    exchanges: list[Exchange]
    seconds: float  # wall time of the whole load

    @property
    def errors(self) -> int:
        return sum(1 for e in self.exchanges if e.error is not None)

    @property
    def throughput(self) -> float:
        """Answered messages per second."""
        return (len(self.exchanges) - self.errors) / self.seconds if self.seconds else 0.0


def conversations(
    url: str,
    concurrent: int,
    messages: int,
    questions: Sequence[str],
    conversation_length: int = 10,
    prefix: str = "bench",
) -> Load:
    """``concurrent`` conversations at a time, ``messages`` messages in all.

    Each worker sends one message at a time (as a person would: waiting for the answer),
    cycling through ``questions``, and starts a new conversation every
    ``conversation_length`` messages, so that trackers stay the size of a real chat.
    """

    async def worker(session: aiohttp.ClientSession, index: int, count: int) -> list[Exchange]:
        exchanges: list[Exchange] = []
        sender = new_sender(prefix)
        for n in range(count):
            if n and n % conversation_length == 0:
                sender = new_sender(prefix)
            question = questions[(index + n) % len(questions)]
            exchanges.append(await send(session, url, sender, question))
        return exchanges

    async def run() -> Load:
        counts = [messages // concurrent + (1 if i < messages % concurrent else 0) for i in range(concurrent)]
        async with open_session(concurrent) as session:
            started = time.perf_counter()
            results = await asyncio.gather(*(worker(session, i, c) for i, c in enumerate(counts)))
            seconds = time.perf_counter() - started
        return Load([e for result in results for e in result], seconds)

    return asyncio.run(run())
