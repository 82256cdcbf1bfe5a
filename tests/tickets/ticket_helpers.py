"""Temporary: moved to tests/support.py (removed once tests/operations imports it)."""
from support import TcpProxy, free_port  # noqa: F401
