"""Whether the desk is open, and when a person can expect a reply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class DeskAvailability:
    is_open: bool
    message: str


def _describe_days(days: Sequence[int]) -> str:
    ordered = sorted(set(days))
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAY_NAMES[ordered[0]]} to {DAY_NAMES[ordered[-1]]}"
    names = [DAY_NAMES[day] for day in ordered]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def zone_label(zone: str) -> str:
    """``Europe/Amsterdam`` -> ``Amsterdam time``; ``UTC`` stays ``UTC``."""
    if "/" not in zone:
        return zone
    return zone.rsplit("/", 1)[-1].replace("_", " ") + " time"


def _next_opening_day(settings: Settings, today: date, opens: time, local_time: time) -> str:
    for offset in range(8):
        day = today + timedelta(days=offset)
        if day.weekday() in settings.office_days and (offset or local_time < opens):
            if offset == 0:
                return "today"
            if offset == 1:
                return "tomorrow"
            return f"on {DAY_NAMES[day.weekday()]}"
    raise ValueError("no office days configured")


def desk_availability(settings: Settings, now: datetime) -> DeskAvailability:
    """Whether the desk is open at ``now`` (an aware datetime) and a sentence for the person."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(ZoneInfo(settings.office_timezone))
    opens = time.fromisoformat(settings.office_open)
    closes = time.fromisoformat(settings.office_close)
    local_time = local.time().replace(tzinfo=None)
    is_open = local.weekday() in settings.office_days and opens <= local_time < closes
    zone = zone_label(settings.office_timezone)
    hours = (
        f"{_describe_days(settings.office_days)} {settings.office_open}\u2013{settings.office_close} ({zone})"
    )
    if is_open:
        message = f"The desk is open now: a colleague will reply within office hours, {hours}."
    else:
        day = _next_opening_day(settings, local.date(), opens, local_time)
        message = (
            f"The desk is closed now: a colleague will reply after it opens again {day} at "
            f"{settings.office_open}. Office hours are {hours}."
        )
    return DeskAvailability(is_open=is_open, message=message)
