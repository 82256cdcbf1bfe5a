"""The dates an insights report covers: whole days in the desk's time zone, from and to inclusive.

The desk's page takes them from its query string (``from``/``to``, ``YYYY-MM-DD``), the command line
as ``--since 30d`` or ``--since 4w``; either way a bad value is an :class:`InvalidPeriod` whose message
says what to type instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_DAYS = 30
# A longer range would mean reading years of conversations for one page view.
MAX_DAYS = 366
_SINCE = re.compile(r"\s*(\d+)\s*([dw])\s*", re.IGNORECASE)


class InvalidPeriod(ValueError):
    """Dates that do not make a range; ``str()`` says why, politely."""


@dataclass(frozen=True)
class Period:
    """The days ``first`` to ``last`` (inclusive) as lived in ``zone``."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        """The first moment of the range (aware)."""
        return datetime.combine(self.first, time.min, self.zone)

    @property
    def end(self) -> datetime:
        """The first moment after the range (aware, exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, self.zone)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def day_of(self, moment: datetime) -> date:
        """The day in this zone on which ``moment`` (aware) happened."""
        return moment.astimezone(self.zone).date()


def _checked(first: date, last: date, zone: ZoneInfo) -> Period:
    if first > last:
        raise InvalidPeriod(
            f"The start date ({first.isoformat()}) is after the end date ({last.isoformat()})."
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidPeriod(f"Choose at most {MAX_DAYS} days at a time.")
    return Period(first, last, zone)


def last_days(days: int, zone: ZoneInfo, today: date) -> Period:
    """The ``days`` days up to and including ``today``."""
    if days < 1:
        raise InvalidPeriod("Choose at least one day.")
    return _checked(today - timedelta(days=days - 1), today, zone)


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidPeriod(
            f"The {name} date {value!r} is not a date: write it as YYYY-MM-DD, for example 2026-11-01."
        ) from None


def period_from_query(start: str | None, end: str | None, zone: ZoneInfo, today: date) -> Period:
    """The period of the desk page's ``from`` and ``to``; a missing one defaults to the last
    :data:`DEFAULT_DAYS` days (``to`` today, ``from`` 29 days before ``to``)."""
    last = _date(end, "end") if end else today
    first = _date(start, "start") if start else last - timedelta(days=DEFAULT_DAYS - 1)
    return _checked(first, last, zone)


def parse_since(value: str) -> int:
    """The number of days of ``--since``: ``30d`` (days) or ``4w`` (weeks)."""
    match = _SINCE.fullmatch(value or "")
    if not match:
        raise InvalidPeriod(f"{value!r} is not a period: write a number of days or weeks, such as 30d or 4w.")
    count = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
    if not 1 <= count <= MAX_DAYS:
        raise InvalidPeriod(f"Choose from 1 to {MAX_DAYS} days.")
    return count
