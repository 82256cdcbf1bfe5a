"""Helpers shared by the test suites (importable as `support`: tests/ is on sys.path)."""

from __future__ import annotations

import os
import socket

import pytest

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose server is missing, but fail it under CI, where the server must run."""
    if available:
        return
    if running_in_ci():
        pytest.fail(f"{reason} (CI is set, so this server is required)")
    pytest.skip(reason)
