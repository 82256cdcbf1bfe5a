"""The desk's days, dates and moments in words, in English and Dutch.

Day and month names, the sentences about opening times per language, and the phrases built from
them: ``Friday 25 December``, ``tomorrow``, ``Monday to Friday 09:00–17:00 (Amsterdam time)``,
``Monday 7 December 2026 at 17:00 (Amsterdam time)``. Nothing here knows the holidays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.config import Settings

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
# The names of the days (Monday first) and the months, per language.
DAYS: Mapping[str, Sequence[str]] = {"en": DAY_NAMES, "nl": DUTCH_DAY_NAMES}
MONTHS: Mapping[str, Sequence[str]] = {"en": MONTH_NAMES, "nl": DUTCH_MONTH_NAMES}
# The sentences about opening times, per language.
WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
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
DUTCH_DEPARTMENT = "afdeling International Affairs van de gemeente Almere"


def join(parts: Sequence[str], language: str = "en") -> str:
    """``a``, ``a and b``, ``a, b and c`` (``a, b en c``)."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {WORDS[language]['and']} " + parts[-1]


def describe_days(days: Sequence[int], language: str = "en") -> str:
    """Weekdays (0 is Monday) as ``Monday to Friday`` when three or more follow one another, else
    as ``Monday, Wednesday and Friday``."""
    names = DAYS[language]
    ordered = sorted(set(days))
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return WORDS[language]["span"].format(first=names[ordered[0]], last=names[ordered[-1]])
    return join([names[day] for day in ordered], language)


def zone_label(zone: str) -> str:
    """``Europe/Amsterdam`` -> ``Amsterdam time``; ``UTC`` stays ``UTC``."""
    if "/" not in zone:
        return zone
    return zone.rsplit("/", 1)[-1].replace("_", " ") + " time"


def local_time(value: datetime, zone: ZoneInfo, seconds: bool = False) -> str:
    """``value`` in ``zone`` as ``2026-03-02 10:30`` (with ``:05`` seconds if asked): how the desk
    and the CLI show timestamps."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def desk_time(settings: Settings, moment: datetime) -> datetime:
    """``moment`` (an aware datetime) on the desk's clock, in ``settings.office_timezone``."""
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment.astimezone(ZoneInfo(settings.office_timezone))


def long_date(day: date, language: str = "en") -> str:
    """``Friday 25 December`` (``vrijdag 25 december``)."""
    return f"{DAYS[language][day.weekday()]} {day.day} {MONTHS[language][day.month - 1]}"


def relative_day(today: date, day: date, with_date: bool, language: str = "en") -> str:
    """``today``, ``tomorrow``, ``on Monday``, or ``on Monday 28 December`` (with_date, or a week on)."""
    words = WORDS[language]
    offset = (day - today).days
    if offset == 0:
        return words["today"]
    if offset == 1:
        return words["tomorrow"]
    named = long_date(day, language) if with_date or offset >= 7 else DAYS[language][day.weekday()]
    return words["on"].format(day=named)


def _zone_words(settings: Settings, language: str) -> str:
    """The desk's time zone for a person: ``Amsterdam time`` (``tijd in Amsterdam``), ``UTC``."""
    zone = settings.office_timezone
    if "/" not in zone:
        return zone
    return WORDS[language]["zone"].format(city=zone.rsplit("/", 1)[-1].replace("_", " "))


def office_hours_text(settings: Settings, language: str = "en") -> str:
    """``Monday to Friday 09:00–17:00 (Amsterdam time)``."""
    days = describe_days(settings.office_days, language)
    return f"{days} {settings.office_open}\u2013{settings.office_close} ({_zone_words(settings, language)})"


def moment_text(settings: Settings, moment: datetime, language: str = "en") -> str:
    """``Monday 7 December 2026 at 17:00 (Amsterdam time)`` (``maandag 7 december 2026 om 17:00
    (tijd in Amsterdam)``): a moment the person can put in their diary."""
    local = desk_time(settings, moment)
    when = f"{long_date(local.date(), language)} {local.year}"
    return WORDS[language]["moment"].format(
        date=when, time=f"{local:%H:%M}", zone=_zone_words(settings, language)
    )
