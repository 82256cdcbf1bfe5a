"""How the desk shows timestamps: in the office's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_time(value: datetime, zone: ZoneInfo, seconds: bool = False) -> str:
    """``value`` in ``zone`` as ``2026-03-02 10:30`` (with ``:05`` seconds if asked)."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
