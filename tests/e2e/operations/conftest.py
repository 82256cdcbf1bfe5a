"""A scaled-out stack for the operations tests: two Rasa servers, one action server.

The Rasa servers share a tracker store in a fresh PostgreSQL database and the lock store of
deploy/endpoints.yml on a Redis database nobody else uses (both removed afterwards). The
action server reaches the ticket database (the same PostgreSQL database) through a TcpProxy,
so a test can cut it. Without PostgreSQL or Redis the tests are skipped with the reason, but
fail under CI.
"""

from __future__ import annotations

import pytest
from ops_support import ScaledOut, postgres_problem, production_lock_store_type, redis_problem
from sqlalchemy.engine import make_url
from support import POSTGRES_URL, TcpProxy, require_service

from operations import stack


@pytest.fixture(scope="session")
def services_available() -> None:
    for problem in (postgres_problem(), redis_problem()):
        require_service(problem is None, problem or "")


@pytest.fixture(scope="session")
def scaled_out(services_available, tmp_path_factory):
    """Two Rasa servers, a PostgreSQL tracker store, a Redis lock store, tickets via a proxy."""
    work = tmp_path_factory.mktemp("operations")
    port = make_url(POSTGRES_URL).port or 5432
    proxy = TcpProxy(stack.LOOPBACK, port)
    proxy.start()
    try:
        with stack.local_stack(
            work,
            "postgres",
            rasa_servers=2,
            admin_url=POSTGRES_URL,
            ticket_port=proxy.port,
            lock_store_type=production_lock_store_type(),
        ) as local:
            yield ScaledOut(local, proxy)
    finally:
        proxy.stop()
