"""Days, dates and moments in English and Dutch words."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings, settings_from
from bot.office_hours.wording import (
    WORDS,
    describe_days,
    local_time,
    long_date,
    moment_text,
    office_hours_text,
    relative_day,
    zone_label,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_every_language_has_every_sentence():
    assert WORDS["nl"].keys() == WORDS["en"].keys()


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Friday 25 December"), ("nl", "vrijdag 25 december")]
)
def test_long_date(language, expected):
    assert long_date(date(2026, 12, 25), language) == expected


@pytest.mark.parametrize(
    ("days", "language", "expected"),
    [
        ((0, 1, 2, 3, 4), "en", "Monday to Friday"),
        ((4, 2, 3), "nl", "woensdag tot en met vrijdag"),
        ((0, 2, 4), "en", "Monday, Wednesday and Friday"),
        ((5, 6), "nl", "zaterdag en zondag"),
        ((1,), "en", "Tuesday"),
    ],
)
def test_describe_days(days, language, expected):
    assert describe_days(days, language) == expected


@pytest.mark.parametrize(
    ("day", "with_date", "language", "expected"),
    [
        (date(2026, 12, 3), False, "en", "today"),
        (date(2026, 12, 4), True, "nl", "morgen"),
        (date(2026, 12, 7), False, "en", "on Monday"),
        (date(2026, 12, 7), True, "nl", "op maandag 7 december"),
        (date(2026, 12, 10), False, "en", "on Thursday 10 December"),  # a week on
    ],
)
def test_relative_day(day, with_date, language, expected):
    assert relative_day(date(2026, 12, 3), day, with_date, language) == expected


@pytest.mark.parametrize(
    ("zone", "label"),
    [("Europe/Amsterdam", "Amsterdam time"), ("America/New_York", "New York time"), ("UTC", "UTC")],
)
def test_zone_label(zone, label):
    assert zone_label(zone) == label


def test_local_time_shows_a_moment_in_a_zone():
    moment = datetime(2026, 3, 2, 9, 30, 5, tzinfo=timezone.utc)
    assert local_time(moment, AMSTERDAM) == "2026-03-02 10:30"
    assert local_time(moment, AMSTERDAM, seconds=True) == "2026-03-02 10:30:05"


def test_office_hours_text_names_the_zone_in_the_persons_language():
    assert (
        office_hours_text(Settings(), "nl")
        == "maandag tot en met vrijdag 09:00\u201317:00 (tijd in Amsterdam)"
    )
    utc = settings_from({"ALMERE_OFFICE_TIMEZONE": "UTC"})
    assert office_hours_text(utc) == "Monday to Friday 09:00\u201317:00 (UTC)"


def test_moment_text_is_on_the_desks_clock():
    moment = datetime(2026, 12, 7, 16, 0, tzinfo=timezone.utc)
    assert moment_text(Settings(), moment) == "Monday 7 December 2026 at 17:00 (Amsterdam time)"
    assert moment_text(Settings(), moment, "nl") == "maandag 7 december 2026 om 17:00 (tijd in Amsterdam)"
    with pytest.raises(ValueError):
        moment_text(Settings(), datetime(2026, 12, 7, 16, 0))
