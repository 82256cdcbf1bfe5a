"""Moved to measure.client (issue 15). Only tests/e2e/test_channel_security.py still imports it
from here; when its import reads ``from measure import client``, this module goes."""

from measure.client import ask_each

__all__ = ["ask_each"]
