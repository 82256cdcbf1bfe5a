"""Whether the desk is open, when a person can expect a reply, and answers about its opening times.

Everything comes from the office hours in :class:`bot.config.Settings`; the desk is also closed on
the public holidays of ``office_holidays_country`` as the ``holidays`` package knows them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

from bot.config import Settings
from bot.knowledge import Contact

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DUTCH_DAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
DUTCH_MONTH_NAMES = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
# The sentences about opening times, per language.
WORDS = {
    "en": {
        "days": DAY_NAMES,
        "months": MONTH_NAMES,
        "and": "and",
        "span": "{first} to {last}",
        "zone": "{city} time",
        "today": "today",
        "tomorrow": "tomorrow",
        "on": "on {day}",
        "now": "now",
        "closure_today": "today ({name})",
        "closure_on": "on {date} ({name})",
        "open_now": "The desk is open now: a colleague will reply within office hours, {hours}.",
        "closed_until": (
            "The desk is closed {closed}: a colleague will reply after it opens again {day} at {opens}. "
            "Office hours are {hours}, except on public holidays."
        ),
        "open_until": "It's open now, until {closes}.",
        "opens_again": "It's closed {closed}; it opens again {day} at {opens}.",
        "closed_on_days": "It is closed on {days} and on public holidays",
        "closed_on_holidays": "It is closed on public holidays",
        "next_holiday": "; the next one is {name} on {date}",
        "department_open": "The {department} is open {hours}.",
        "when_tomorrow": "tomorrow ({date})",
        "closed_holiday": "The desk is closed {when}: it is {name}, a public holiday.",
        "closed_weekday": "The desk is closed {when}, as on every {day}.",
        "from_to": "from {opens} to {closes}",
        "open_on": "The desk is open {when}, {hours}.",
        "was_open": "The desk was open today until {closes}. ",
        "open_today": "The desk is open today, {hours}. ",
        "office_hours": "Office hours are {hours}, except on public holidays.",
        "call": "You can call the desk on {phone} (from abroad {phone_abroad}).",
        "weekdays_closed": "{day}s",
        "moment": "{date} at {time} ({zone})",
        "reply_by": "A colleague will reply by {moment} at the latest.",
    },
    "nl": {
        "days": DUTCH_DAY_NAMES,
        "months": DUTCH_MONTH_NAMES,
        "and": "en",
        "span": "{first} tot en met {last}",
        "zone": "tijd in {city}",
        "today": "vandaag",
        "tomorrow": "morgen",
        "on": "op {day}",
        "now": "nu",
        "closure_today": "vandaag ({name})",
        "closure_on": "op {date} ({name})",
        "open_now": "De balie is nu open: een medewerker antwoordt binnen kantooruren, {hours}.",
        "closed_until": (
            "De balie is {closed} gesloten: een medewerker antwoordt zodra de balie weer open is, {day} "
            "om {opens}. De kantooruren zijn {hours}, behalve op feestdagen."
        ),
        "open_until": "De balie is nu open, tot {closes}.",
        "opens_again": "De balie is {closed} gesloten; hij gaat weer open {day} om {opens}.",
        "closed_on_days": "Op {days} en op feestdagen is de balie gesloten",
        "closed_on_holidays": "Op feestdagen is de balie gesloten",
        "next_holiday": "; de eerstvolgende is {name} op {date}",
        "department_open": "De {department} is open {hours}.",
        "when_tomorrow": "morgen ({date})",
        "closed_holiday": "De balie is {when} gesloten: het is {name}, een feestdag.",
        "closed_weekday": "De balie is {when} gesloten, zoals elke {day}.",
        "from_to": "van {opens} tot {closes}",
        "open_on": "De balie is {when} open, {hours}.",
        "was_open": "De balie was vandaag open tot {closes}. ",
        "open_today": "De balie is vandaag open, {hours}. ",
        "office_hours": "De kantooruren zijn {hours}, behalve op feestdagen.",
        "call": "Je kunt de balie bellen op {phone} (vanuit het buitenland {phone_abroad}).",
        "weekdays_closed": "{day}",
        "moment": "{date} om {time} ({zone})",
        "reply_by": "Een medewerker antwoordt uiterlijk {moment}.",
    },
}
# How holiday names are asked of the holidays package, per language.
HOLIDAY_LANGUAGES = {"en": "en_US", "nl": "nl"}
DUTCH_DEPARTMENT = "afdeling International Affairs van de gemeente Almere"

# How far ahead a question about a day is looked up, and how many days one answer covers.
HORIZON_DAYS = 366
MAX_ASKED_DAYS = 7


@dataclass(frozen=True)
class DeskAvailability:
    is_open: bool
    message: str


def _describe_days(days: Sequence[int], language: str = "en") -> str:
    words = WORDS[language]
    ordered = sorted(set(days))
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return words["span"].format(first=words["days"][ordered[0]], last=words["days"][ordered[-1]])
    return _join([words["days"][day] for day in ordered], language)


def _join(parts: Sequence[str], language: str = "en") -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {WORDS[language]['and']} " + parts[-1]


def zone_label(zone: str) -> str:
    """``Europe/Amsterdam`` -> ``Amsterdam time``; ``UTC`` stays ``UTC``."""
    if "/" not in zone:
        return zone
    return zone.rsplit("/", 1)[-1].replace("_", " ") + " time"


def local_time(value: datetime, zone: ZoneInfo, seconds: bool = False) -> str:
    """``value`` in ``zone`` as ``2026-03-02 10:30`` (with ``:05`` seconds if asked): how the desk
    and the CLI show timestamps."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def long_date(day: date, language: str = "en") -> str:
    """``Friday 25 December`` (``vrijdag 25 december``)."""
    words = WORDS[language]
    return f"{words['days'][day.weekday()]} {day.day} {words['months'][day.month - 1]}"


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


def _is_office_day(settings: Settings, day: date) -> bool:
    return day.weekday() in settings.office_days and public_holiday(settings, day) is None


def _local_time(settings: Settings, now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(settings.office_timezone))


def _hours(settings: Settings, language: str = "en") -> str:
    days = _describe_days(settings.office_days, language)
    zone = settings.office_timezone
    if "/" in zone:
        zone = WORDS[language]["zone"].format(city=zone.rsplit("/", 1)[-1].replace("_", " "))
    return f"{days} {settings.office_open}\u2013{settings.office_close} ({zone})"


def _is_open(settings: Settings, local: datetime) -> bool:
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


def _relative_day(today: date, day: date, with_date: bool, language: str = "en") -> str:
    """``today``, ``tomorrow``, ``on Monday``, or ``on Monday 28 December`` (with_date, or a week on)."""
    words = WORDS[language]
    offset = (day - today).days
    if offset == 0:
        return words["today"]
    if offset == 1:
        return words["tomorrow"]
    named = long_date(day, language) if with_date or offset >= 7 else words["days"][day.weekday()]
    return words["on"].format(day=named)


def _closed_until(
    settings: Settings, local: datetime, opening: date, language: str = "en"
) -> tuple[str, bool]:
    """``now``, ``today (King's Day)`` or ``now and on Tuesday 27 April (King's Day)``, and whether a
    public holiday closes an office day before ``opening``."""
    today = local.date()
    closures = []
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
    return _join(parts, language), bool(closures)


def desk_availability(settings: Settings, now: datetime, language: str = "en") -> DeskAvailability:
    """Whether the desk is open at ``now`` (an aware datetime) and a sentence for the person, in
    ``language``."""
    words = WORDS[language]
    local = _local_time(settings, now)
    hours = _hours(settings, language)
    if _is_open(settings, local):
        return DeskAvailability(is_open=True, message=words["open_now"].format(hours=hours))
    opening = _next_opening(settings, local)
    closed, holiday = _closed_until(settings, local, opening, language)
    day = _relative_day(local.date(), opening, holiday, language)
    message = words["closed_until"].format(closed=closed, day=day, opens=settings.office_open, hours=hours)
    return DeskAvailability(is_open=False, message=message)


def reply_due(settings: Settings, now: datetime) -> datetime:
    """When the desk promises a reply to a question asked at ``now`` (aware): after
    ``settings.reply_within_office_hours`` hours in which the desk is open (office days, not public
    holidays), rounded up to the quarter hour but not past closing time; in the desk's time zone."""
    local = _local_time(settings, now).replace(second=0, microsecond=0)
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


def moment_text(settings: Settings, moment: datetime, language: str = "en") -> str:
    """``Monday 7 December 2026 at 17:00 (Amsterdam time)`` (``maandag 7 december 2026 om 17:00
    (tijd in Amsterdam)``): a moment the person can put in their diary."""
    words = WORDS[language]
    local = _local_time(settings, moment)
    zone = settings.office_timezone
    if "/" in zone:
        zone = words["zone"].format(city=zone.rsplit("/", 1)[-1].replace("_", " "))
    when = f"{long_date(local.date(), language)} {local.year}"
    return words["moment"].format(date=when, time=f"{local:%H:%M}", zone=zone)


def reply_promise(settings: Settings, now: datetime, language: str = "en") -> str:
    """The sentence that tells a person who handed over a question at ``now`` when to expect the
    desk's reply, as a date and time (:func:`reply_due`)."""
    moment = moment_text(settings, reply_due(settings, now), language)
    return WORDS[language]["reply_by"].format(moment=moment)


# --- Questions about the opening times ------------------------------------------------------------


def _normalise(text: str) -> str:
    """Lower case, apostrophes dropped (``King's`` -> ``kings``), other punctuation as spaces."""
    text = text.lower().replace("\u2019", "").replace("'", "")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _alternatives(words: Sequence[str]) -> str:
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


def _upcoming_holidays(settings: Settings, today: date) -> list[tuple[str, date]]:
    """(name, day) of the public holidays of the coming year, named in English and the country's language."""
    upcoming = []
    for year in (today.year, today.year + 1):
        for language in ("en_US", _own_language(settings.office_holidays_country)):
            for day, name in _holiday_names(settings.office_holidays_country, year, language).items():
                if today <= day < today + timedelta(days=HORIZON_DAYS):
                    upcoming.append((name, day))
    return upcoming


def _holiday_keys(name: str) -> list[str]:
    """What a person may call a holiday: its name, and an English ``... Day`` without ``day``."""
    key = _normalise(name)
    return [key, key[: -len(" day")]] if key.endswith(" day") else [key]


def _named_holidays(settings: Settings, text: str, today: date) -> tuple[list[tuple[int, date]], str]:
    """The holidays ``text`` names, (position, day), and the text with those names blanked out.

    The longest name wins ("second day of christmas" over "christmas"), then the nearest day;
    "<holiday> eve" is the day before.
    """
    upcoming = _upcoming_holidays(settings, today)
    candidates = [(key, day) for name, day in upcoming for key in _holiday_keys(name)]
    found = []
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


def _days_of(match: re.Match, today: date) -> list[date]:
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
    words = WORDS[language]
    return [
        words["weekdays_closed"].format(day=words["days"][day])
        for day in range(7)
        if day not in settings.office_days
    ]


def _now_sentence(settings: Settings, local: datetime, language: str = "en") -> str:
    words = WORDS[language]
    if _is_open(settings, local):
        return words["open_until"].format(closes=settings.office_close)
    opening = _next_opening(settings, local)
    closed, holiday = _closed_until(settings, local, opening, language)
    day = _relative_day(local.date(), opening, holiday, language)
    return words["opens_again"].format(closed=closed, day=day, opens=settings.office_open)


def _next_holiday(settings: Settings, today: date) -> date | None:
    """The next public holiday after ``today`` that closes an office day."""
    for offset in range(1, HORIZON_DAYS):
        day = today + timedelta(days=offset)
        if day.weekday() in settings.office_days and public_holiday(settings, day):
            return day
    return None


def _general_answer(settings: Settings, contact: Contact, local: datetime, language: str = "en") -> list[str]:
    words = WORDS[language]
    closed = _closed_weekdays(settings, language)
    closed_on = (
        words["closed_on_days"].format(days=_join(closed, language))
        if closed
        else words["closed_on_holidays"]
    )
    holiday = _next_holiday(settings, local.date())
    if holiday:
        name = public_holiday(settings, holiday, language)
        closed_on += words["next_holiday"].format(name=name, date=long_date(holiday, language))
    department = contact.department if language == "en" else DUTCH_DEPARTMENT
    return [
        words["department_open"].format(department=department, hours=_hours(settings, language)),
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
        return words["closed_weekday"].format(when=when, day=words["days"][day.weekday()])
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
    local = _local_time(settings, now)
    days = asked_days(settings, text, local.date())
    if days:
        sentences = [_day_answer(settings, local, day, language) for day in days]
        sentences.append(words["office_hours"].format(hours=_hours(settings, language)))
    else:
        sentences = _general_answer(settings, contact, local, language)
    sentences.append(words["call"].format(phone=contact.phone, phone_abroad=contact.phone_abroad))
    return " ".join(sentences)
