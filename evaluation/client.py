"""An HTTP client of the REST channel: many questions in parallel, or a load of conversations."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from bot.config import load_settings
from bot.rest_auth import client_headers

TIMEOUT_SECONDS = 60.0
T = TypeVar("T")


@dataclass(frozen=True)
class Exchange:
    """One message sent and what came back (``replies`` is None on an error)."""

    sender: str
    message: str
    replies: list[dict[str, Any]] | None
    seconds: float
    error: str | None = None


async def send(session: aiohttp.ClientSession, url: str, sender: str, message: str) -> Exchange:
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": message}) as response:
            body = await response.json(content_type=None)
            if response.status != 200 or not isinstance(body, list):
                raise ValueError(f"HTTP {response.status}: {str(body)[:200]}")
        return Exchange(sender, message, body, time.perf_counter() - started)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return Exchange(sender, message, None, time.perf_counter() - started, repr(error))


def _session(concurrency: int) -> aiohttp.ClientSession:
    """A client session that sends the REST API key of this environment (ALMERE_REST_API_KEY), if any."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency),
        timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
        headers=client_headers(load_settings()),
    )


def new_sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def ask_each(url: str, messages: Sequence[str], concurrency: int = 8, prefix: str = "eval") -> list[Exchange]:
    """Send each message in a fresh conversation, ``concurrency`` at a time; results in order."""

    async def run() -> list[Exchange]:
        limit = asyncio.Semaphore(concurrency)
        async with _session(concurrency) as session:

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
        async with _session(concurrency) as session:

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
        async with _session(concurrent) as session:
            started = time.perf_counter()
            results = await asyncio.gather(*(worker(session, i, c) for i, c in enumerate(counts)))
            seconds = time.perf_counter() - started
        return Load([e for result in results for e in result], seconds)

    return asyncio.run(run())
