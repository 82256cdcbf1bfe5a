"""When the desk is open, and what the person is told to expect."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings, settings_from
from bot.office_hours import desk_availability

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(text: str) -> datetime:
    """A moment in Amsterdam time, e.g. ``2026-03-04 10:00`` (a Wednesday)."""
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("moment", "is_open", "expected"),
    [
        ("2026-03-04 10:00", True, "The desk is open now"),
        ("2026-03-04 09:00", True, "The desk is open now"),
        ("2026-03-04 16:59", True, "The desk is open now"),
        ("2026-03-04 17:00", False, "opens again tomorrow at 09:00"),
        ("2026-03-04 07:30", False, "opens again today at 09:00"),
        ("2026-03-06 17:30", False, "opens again on Monday at 09:00"),
        ("2026-03-07 12:00", False, "opens again on Monday at 09:00"),
        ("2026-03-08 12:00", False, "opens again tomorrow at 09:00"),
    ],
)
def test_open_and_closed(moment, is_open, expected):
    availability = desk_availability(Settings(), at(moment))
    assert availability.is_open is is_open
    assert expected in availability.message
    assert "Monday to Friday 09:00\u201317:00 (Amsterdam time)" in availability.message


def test_utc_input_is_converted_to_office_time_across_daylight_saving():
    summer = datetime(2026, 7, 1, 7, 30, tzinfo=timezone.utc)  # 09:30 in Amsterdam
    winter = datetime(2026, 1, 7, 7, 30, tzinfo=timezone.utc)  # 08:30 in Amsterdam
    assert desk_availability(Settings(), summer).is_open
    assert not desk_availability(Settings(), winter).is_open


def test_configured_days_hours_and_zone():
    settings = settings_from(
        {
            "ALMERE_OFFICE_DAYS": "0,2,4",
            "ALMERE_OFFICE_OPEN": "10:00",
            "ALMERE_OFFICE_CLOSE": "12:30",
            "ALMERE_OFFICE_TIMEZONE": "America/New_York",
        }
    )
    tuesday = datetime(2026, 3, 3, 11, 0, tzinfo=ZoneInfo("America/New_York"))
    availability = desk_availability(settings, tuesday)
    assert not availability.is_open
    assert "opens again tomorrow at 10:00" in availability.message
    assert "Monday, Wednesday and Friday 10:00\u201312:30 (New York time)" in availability.message


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        desk_availability(Settings(), datetime(2026, 3, 4, 10, 0))
