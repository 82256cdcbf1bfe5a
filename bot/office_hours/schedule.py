"""When the desk is open and when a person can expect a reply, from the office hours in
:class:`bot.config.Settings`; the desk is also closed on the public holidays of
``office_holidays_country`` as the ``holidays`` package knows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

from bot.config import Settings
from bot.office_hours.wording import (
    WORDS,
    desk_time,
    join,
    long_date,
    moment_text,
    office_hours_text,
    relative_day,
)

# How holiday names are asked of the holidays package, per language.
HOLIDAY_LANGUAGES = {"en": "en_US", "nl": "nl"}
# How far ahead the desk's days are looked up.
HORIZON_DAYS = 366


@dataclass(frozen=True)
class DeskAvailability:
    is_open: bool
    message: str


@lru_cache(maxsize=32)
def _holiday_names(country: str, year: int, language: str | None) -> Mapping[date, str]:
    """The public holidays of ``country`` in ``year``, named in ``language``."""
    return MappingProxyType(dict(holidays.country_holidays(country, years=year, language=language)))


@lru_cache(maxsize=8)
def _own_language(country: str) -> str | None:
    """The language ``country``'s holidays are named in there (``nl`` for NL)."""
    return holidays.country_holidays(country).default_language


def public_holiday(settings: Settings, day: date, language: str = "en") -> str | None:
    """The name (English, or in ``language`` where the holidays package has it) of the public
    holiday on ``day``, or None."""
    names = _holiday_names(settings.office_holidays_country, day.year, HOLIDAY_LANGUAGES[language])
    return names.get(day) or _holiday_names(settings.office_holidays_country, day.year, "en_US").get(day)


def upcoming_holidays(settings: Settings, today: date) -> list[tuple[str, date]]:
    """(name, day) of the public holidays of the coming year, named in English and the country's language."""
    upcoming: list[tuple[str, date]] = []
    for year in (today.year, today.year + 1):
        for language in ("en_US", _own_language(settings.office_holidays_country)):
            for day, name in _holiday_names(settings.office_holidays_country, year, language).items():
                if today <= day < today + timedelta(days=HORIZON_DAYS):
                    upcoming.append((name, day))
    return upcoming


def next_holiday(settings: Settings, today: date) -> date | None:
    """The next public holiday after ``today`` that closes an office day."""
    for offset in range(1, HORIZON_DAYS):
        day = today + timedelta(days=offset)
        if day.weekday() in settings.office_days and public_holiday(settings, day):
            return day
    return None


def _is_office_day(settings: Settings, day: date) -> bool:
    return day.weekday() in settings.office_days and public_holiday(settings, day) is None


def is_open(settings: Settings, local: datetime) -> bool:
    """Whether the desk is open at ``local``, a moment on the desk's clock."""
    clock = local.time().replace(tzinfo=None)
    return _is_office_day(settings, local.date()) and time.fromisoformat(
        settings.office_open
    ) <= clock < time.fromisoformat(settings.office_close)


def _next_opening(settings: Settings, local: datetime) -> date:
    """The first day from ``local`` on which the desk still opens."""
    today = local.date()
    opens = time.fromisoformat(settings.office_open)
    for offset in range(HORIZON_DAYS):
        day = today + timedelta(days=offset)
        if _is_office_day(settings, day) and (offset or local.time().replace(tzinfo=None) < opens):
            return day
    raise ValueError("no office days configured")


def _closed_until(
    settings: Settings, local: datetime, opening: date, language: str = "en"
) -> tuple[str, bool]:
    """``now``, ``today (King's Day)`` or ``now and on Tuesday 27 April (King's Day)``, and whether a
    public holiday closes an office day before ``opening``."""
    today = local.date()
    closures: list[tuple[date, str]] = []
    for offset in range((opening - today).days):
        day = today + timedelta(days=offset)
        name = public_holiday(settings, day, language)
        if name and day.weekday() in settings.office_days:
            closures.append((day, name))
    words = WORDS[language]
    parts = [
        words["closure_today"].format(name=name)
        if day == today
        else words["closure_on"].format(date=long_date(day, language), name=name)
        for day, name in closures
    ]
    if not closures or closures[0][0] != today:
        parts.insert(0, words["now"])
    return join(parts, language), bool(closures)


def closed_until(settings: Settings, local: datetime, language: str = "en") -> tuple[str, str]:
    """For the desk closed at ``local`` (on its clock): how long it stays closed (``now``, ``now and
    on Tuesday 27 April (King's Day)``) and the day it opens again (``tomorrow``, ``on Monday``)."""
    opening = _next_opening(settings, local)
    closed, holiday = _closed_until(settings, local, opening, language)
    return closed, relative_day(local.date(), opening, holiday, language)


def desk_availability(settings: Settings, now: datetime, language: str = "en") -> DeskAvailability:
    """Whether the desk is open at ``now`` (an aware datetime) and a sentence for the person, in
    ``language``."""
    words = WORDS[language]
    local = desk_time(settings, now)
    hours = office_hours_text(settings, language)
    if is_open(settings, local):
        return DeskAvailability(is_open=True, message=words["open_now"].format(hours=hours))
    closed, day = closed_until(settings, local, language)
    message = words["closed_until"].format(closed=closed, day=day, opens=settings.office_open, hours=hours)
    return DeskAvailability(is_open=False, message=message)


def reply_due(settings: Settings, now: datetime) -> datetime:
    """When the desk promises a reply to a question asked at ``now`` (aware): after
    ``settings.reply_within_office_hours`` hours in which the desk is open (office days, not public
    holidays), rounded up to the quarter hour but not past closing time; in the desk's time zone."""
    local = desk_time(settings, now).replace(second=0, microsecond=0)
    opens, closes = time.fromisoformat(settings.office_open), time.fromisoformat(settings.office_close)
    left = timedelta(hours=settings.reply_within_office_hours)
    day = local.date()
    for _ in range(HORIZON_DAYS * (1 + settings.reply_within_office_hours // 24)):
        if _is_office_day(settings, day):
            start = max(local, datetime.combine(day, opens, local.tzinfo))
            end = datetime.combine(day, closes, local.tzinfo)
            if start < end:
                if start + left <= end:
                    due = start + left
                    rounded = due + timedelta(minutes=-due.minute % 15)
                    return min(rounded, end)
                left -= end - start
        day += timedelta(days=1)
    raise ValueError("no office days configured")


def reply_promise(settings: Settings, now: datetime, language: str = "en") -> str:
    """The sentence that tells a person who handed over a question at ``now`` when to expect the
    desk's reply, as a date and time (:func:`reply_due`)."""
    moment = moment_text(settings, reply_due(settings, now), language)
    return WORDS[language]["reply_by"].format(moment=moment)
