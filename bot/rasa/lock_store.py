"""Rasa's Redis lock store with atomic updates, so that several Rasa servers can share it.

Rasa 3.6's RedisLockStore reads a conversation's lock, changes it in Python and writes it
back: two servers taking a message of one conversation at the same moment both get ticket 0,
and the SQL tracker store then keeps only one of the two turns (RasaHQ/rasa#9213). Here every
read-modify-write is one Redis transaction (WATCH/MULTI/EXEC, retried when another server
changed the lock meanwhile), and waiting messages look at the lock every 0.1 s instead of 1 s.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import WatchError

MAX_ATTEMPTS = 100
WAIT_SECONDS = 0.1
# A change gets the current lock (or None) and returns (result, lock to store, delete it?).
Change = Callable[[TicketLock | None], tuple[Any, TicketLock | None, bool]]


class AtomicRedisLockStore(RedisLockStore):
    """endpoints.yml: ``lock_store: {type: bot.rasa.lock_store.AtomicRedisLockStore, url, port, db}``."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _atomically(self, conversation_id: str, change: Change) -> Any:
        key = self.key_prefix + conversation_id
        for _ in range(MAX_ATTEMPTS):
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    result, changed, delete = change(lock)
                    pipe.multi()
                    if delete:
                        pipe.delete(key)
                    elif changed is not None:
                        pipe.set(key, changed.dumps())
                    pipe.execute()
                    return result
                except WatchError:
                    continue
        raise LockError(f"The lock of conversation '{conversation_id}' changed too often to update.")

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> tuple[int, TicketLock, bool]:
            lock = lock or TicketLock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock, False

        try:
            return self._atomically(conversation_id, issue)
        except LockError:
            raise
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def expire(lock: TicketLock | None) -> tuple[None, TicketLock | None, bool]:
            if lock is not None:
                lock.remove_expired_tickets()
            return None, lock, False

        self._atomically(conversation_id, expire)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> tuple[None, TicketLock | None, bool]:
            if lock is None:
                return None, None, False
            lock.remove_ticket_for(ticket_number)
            return None, lock, not lock.is_someone_waiting()

        self._atomically(conversation_id, finish)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = WAIT_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
            yield lock
