"""How long a ticket has waited, as staff read it ("2 h 10 min", in Dutch "2 u 10 min") and as
HTML's ``<time datetime>`` reads it ("PT2H10M")."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext


def _parts(delta: timedelta) -> tuple[int, int, int]:
    """(days, hours, minutes) of ``delta``, rounded down to the minute; never negative."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    return minutes // (24 * 60), minutes // 60 % 24, minutes % 60


def waited_text(since: datetime, now: datetime) -> str:
    """ "less than 1 min", "45 min", "2 h 10 min", "3 d 4 h" (minutes are noise after a day)."""
    days, hours, minutes = _parts(now - since)
    if days:
        return gettext("%(days)s d %(hours)s h", days=days, hours=hours)
    if hours:
        return gettext("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
    return gettext("%(minutes)s min", minutes=minutes) if minutes else gettext("less than 1 min")


def waited_iso(since: datetime, now: datetime) -> str:
    """The same duration in ISO 8601, as ``<time datetime>`` takes it: "P3DT4H", "PT2H10M", "PT0M"."""
    days, hours, minutes = _parts(now - since)
    if days:
        return f"P{days}DT{hours}H"
    return f"PT{hours}H{minutes}M" if hours else f"PT{minutes}M"
