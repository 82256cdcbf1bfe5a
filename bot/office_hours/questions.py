"""Questions about the desk's opening times: which days a message asks about ("on Saturday",
"tomorrow", "25 December", "King's Day", "zaterdag") and the answer to it, in English or Dutch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from bot.config import Settings
from bot.knowledge import Contact
from bot.office_hours.schedule import closed_until, is_open, next_holiday, public_holiday, upcoming_holidays
from bot.office_hours.wording import (
    DAY_NAMES,
    DAYS,
    DUTCH_DAY_NAMES,
    DUTCH_DEPARTMENT,
    DUTCH_MONTH_NAMES,
    MONTH_NAMES,
    WORDS,
    desk_time,
    join,
    long_date,
    office_hours_text,
)

# How many days one answer covers.
MAX_ASKED_DAYS = 7


def _normalise(text: str) -> str:
    """Lower case, apostrophes dropped (``King's`` -> ``kings``), other punctuation as spaces."""
    text = text.lower().replace("\u2019", "").replace("'", "")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted({re.escape(word) for word in words}, key=len, reverse=True))


_MONTHS = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, 1)},
    **{name.lower()[:3]: number for number, name in enumerate(MONTH_NAMES, 1)},
    **{name: number for number, name in enumerate(DUTCH_MONTH_NAMES, 1)},
}
_WEEKDAYS = {
    **{name.lower(): number for number, name in enumerate(DAY_NAMES)},
    **{name: number for number, name in enumerate(DUTCH_DAY_NAMES)},
}
_ASKED_DAY = re.compile(
    rf"\b(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th|e|ste|de)? (?:of )?(?P<month>{_alternatives(_MONTHS)})"
    rf"|(?P<month_first>{_alternatives(_MONTHS)}) (?P<day_after>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<next>next |volgende )?(?P<weekday>{_alternatives(_WEEKDAYS)})s?"
    r"|(?P<after_tomorrow>day after tomorrow|overmorgen)"
    r"|(?P<tomorrow>tomorrow|morgen(?:ochtend|middag|avond)?)"
    r"|(?P<today>today|tonight|this (?:morning|afternoon|evening)|vandaag|vanavond|vanmiddag|vanochtend"
    r"|vanmorgen)"
    r"|(?P<weekend>weekends?)"
    r")\b"
)


def _holiday_keys(name: str) -> list[str]:
    """What a person may call a holiday: its name, and an English ``... Day`` without ``day``."""
    key = _normalise(name)
    return [key, key[: -len(" day")]] if key.endswith(" day") else [key]


def _named_holidays(settings: Settings, text: str, today: date) -> tuple[list[tuple[int, date]], str]:
    """The holidays ``text`` names, (position, day), and the text with those names blanked out.

    The longest name wins ("second day of christmas" over "christmas"), then the nearest day;
    "<holiday> eve" is the day before.
    """
    upcoming = upcoming_holidays(settings, today)
    candidates = [(key, day) for name, day in upcoming for key in _holiday_keys(name)]
    found: list[tuple[int, date]] = []
    for key, day in sorted(candidates, key=lambda candidate: (-len(candidate[0]), candidate[1])):
        match = re.search(rf"\b{re.escape(key)}(?P<eve> eve)?\b", text)
        if match is None:
            continue
        asked = day - timedelta(days=1) if match.group("eve") else day
        if asked >= today:
            found.append((match.start(), asked))
        text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return found, text


def _weekday_from(today: date, weekday: int, following_week: bool) -> date:
    offset = (weekday - today.weekday()) % 7
    return today + timedelta(days=offset or (7 if following_week else 0))


def _date_from(today: date, day: int, month: int) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            asked = date(year, month, day)
        except ValueError:
            return None
        if asked >= today:
            return asked
    return None


def _days_of(match: re.Match[str], today: date) -> list[date]:
    if match.group("month"):
        asked = _date_from(today, int(match.group("day")), _MONTHS[match.group("month")])
        return [asked] if asked else []
    if match.group("month_first"):
        asked = _date_from(today, int(match.group("day_after")), _MONTHS[match.group("month_first")])
        return [asked] if asked else []
    if match.group("weekday"):
        return [_weekday_from(today, _WEEKDAYS[match.group("weekday")], bool(match.group("next")))]
    if match.group("after_tomorrow"):
        return [today + timedelta(days=2)]
    if match.group("tomorrow"):
        return [today + timedelta(days=1)]
    if match.group("today"):
        return [today]
    saturday, sunday = _weekday_from(today, 5, False), _weekday_from(today, 6, False)
    return [sunday] if sunday < saturday else [saturday, sunday]


def asked_days(settings: Settings, text: str, today: date) -> list[date]:
    """The days a question about the desk asks about, in the order it names them; [] for none."""
    found, rest = _named_holidays(settings, _normalise(text), today)
    for match in _ASKED_DAY.finditer(rest):
        found.extend((match.start(), day) for day in _days_of(match, today))
    days: list[date] = []
    for _, day in sorted(found, key=lambda item: item[0]):
        if day not in days:
            days.append(day)
    return days[:MAX_ASKED_DAYS]


def _closed_weekdays(settings: Settings, language: str = "en") -> list[str]:
    return [
        WORDS[language]["weekdays_closed"].format(day=DAYS[language][day])
        for day in range(7)
        if day not in settings.office_days
    ]


def _now_sentence(settings: Settings, local: datetime, language: str = "en") -> str:
    words = WORDS[language]
    if is_open(settings, local):
        return words["open_until"].format(closes=settings.office_close)
    closed, day = closed_until(settings, local, language)
    return words["opens_again"].format(closed=closed, day=day, opens=settings.office_open)


def _general_answer(settings: Settings, contact: Contact, local: datetime, language: str = "en") -> list[str]:
    words = WORDS[language]
    closed = _closed_weekdays(settings, language)
    closed_on = (
        words["closed_on_days"].format(days=join(closed, language)) if closed else words["closed_on_holidays"]
    )
    holiday = next_holiday(settings, local.date())
    if holiday:
        name = public_holiday(settings, holiday, language)
        closed_on += words["next_holiday"].format(name=name, date=long_date(holiday, language))
    department = contact.department if language == "en" else DUTCH_DEPARTMENT
    return [
        words["department_open"].format(department=department, hours=office_hours_text(settings, language)),
        closed_on + ".",
        _now_sentence(settings, local, language),
    ]


def _day_answer(settings: Settings, local: datetime, day: date, language: str = "en") -> str:
    words = WORDS[language]
    today = local.date()
    offset = (day - today).days
    dated = long_date(day, language)
    when = {0: words["today"], 1: words["when_tomorrow"].format(date=dated)}.get(
        offset, words["on"].format(day=dated)
    )
    holiday = public_holiday(settings, day, language)
    if holiday:
        return words["closed_holiday"].format(when=when, name=holiday)
    if day.weekday() not in settings.office_days:
        return words["closed_weekday"].format(when=when, day=DAYS[language][day.weekday()])
    hours = words["from_to"].format(opens=settings.office_open, closes=settings.office_close)
    if offset:
        return words["open_on"].format(when=when, hours=hours)
    if local.time().replace(tzinfo=None) >= time.fromisoformat(settings.office_close):
        return words["was_open"].format(closes=settings.office_close) + _now_sentence(
            settings, local, language
        )
    return words["open_today"].format(hours=hours) + _now_sentence(settings, local, language)


def office_hours_answer(
    settings: Settings, contact: Contact, now: datetime, text: str = "", language: str = "en"
) -> str:
    """Answer a question about the desk's opening times at ``now`` (an aware datetime), in ``language``.

    When ``text`` names days ("on Saturday", "tomorrow", "this weekend", "25 December", "King's Day",
    "zaterdag") the answer says whether the desk is open on each; otherwise it gives the office hours,
    the next public holiday and whether the desk is open now. It ends with the phone numbers.
    """
    words = WORDS[language]
    local = desk_time(settings, now)
    days = asked_days(settings, text, local.date())
    if days:
        sentences = [_day_answer(settings, local, day, language) for day in days]
        sentences.append(words["office_hours"].format(hours=office_hours_text(settings, language)))
    else:
        sentences = _general_answer(settings, contact, local, language)
    sentences.append(words["call"].format(phone=contact.phone, phone_abroad=contact.phone_abroad))
    return " ".join(sentences)
