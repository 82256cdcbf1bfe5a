"""When the desk is open, and what the person is told to expect."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings, settings_from
from bot.office_hours.schedule import desk_availability, reply_due, reply_promise

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


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Monday evening before King's Day (Tuesday 27 April 2027).
        (
            "2027-04-26 18:00",
            "The desk is closed now and on Tuesday 27 April (King's Day): a colleague will reply after it "
            "opens again on Wednesday 28 April at 09:00.",
        ),
        (
            "2027-04-27 10:00",
            "The desk is closed today (King's Day): a colleague will reply after it opens again tomorrow "
            "at 09:00.",
        ),
        # Thursday 24 December 2026: Christmas Day is a Friday, the Second Day of Christmas a Saturday.
        (
            "2026-12-24 17:00",
            "The desk is closed now and on Friday 25 December (Christmas Day): a colleague will reply after "
            "it opens again on Monday 28 December at 09:00.",
        ),
        # Good Friday and Easter Monday 2026 around a weekend.
        (
            "2026-04-03 12:00",
            "The desk is closed today (Good Friday) and on Monday 6 April (Easter Monday): a colleague will "
            "reply after it opens again on Tuesday 7 April at 09:00.",
        ),
        (
            "2026-05-13 20:00",
            "The desk is closed now and on Thursday 14 May (Ascension Day): a colleague will reply after it "
            "opens again on Friday 15 May at 09:00.",
        ),
    ],
)
def test_public_holidays_close_the_desk_and_are_named(moment, expected):
    availability = desk_availability(Settings(), at(moment))
    assert not availability.is_open
    assert availability.message.startswith(expected)
    assert availability.message.endswith("(Amsterdam time), except on public holidays.")


def test_a_holiday_on_a_closed_day_changes_nothing():
    # Saturday 26 December 2026 (Second Day of Christmas) is not an office day anyway.
    message = desk_availability(Settings(), at("2026-12-26 12:00")).message
    assert message.startswith(
        "The desk is closed now: a colleague will reply after it opens again on Monday at"
    )


def test_holidays_come_from_the_configured_country():
    # 27 April is King's Day in the Netherlands, an ordinary Tuesday in Germany.
    german = settings_from({"ALMERE_OFFICE_HOLIDAYS_COUNTRY": "de"})
    assert german.office_holidays_country == "DE"
    assert desk_availability(german, at("2027-04-27 10:00")).is_open
    assert not desk_availability(Settings(), at("2027-04-27 10:00")).is_open


def test_an_unknown_country_is_refused_when_the_settings_are_read():
    with pytest.raises(ValueError, match="ALMERE_OFFICE_HOLIDAYS_COUNTRY"):
        settings_from({"ALMERE_OFFICE_HOLIDAYS_COUNTRY": "Netherlands"})


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        ("2026-03-04 10:00", "2026-03-05 10:00"),  # one office day on
        ("2026-03-04 10:07", "2026-03-05 10:15"),  # rounded up to the quarter hour
        ("2026-03-04 07:30", "2026-03-04 17:00"),  # before opening: the whole day
        ("2026-03-06 16:59", "2026-03-09 17:00"),  # Friday's last minute, then Monday (not past closing)
        ("2026-03-07 12:00", "2026-03-09 17:00"),  # the weekend does not count
        ("2026-04-24 14:00", "2026-04-28 14:00"),  # King's Day (Monday 27 April) does not count
        ("2026-12-24 11:00", "2026-12-28 11:00"),  # nor Christmas
    ],
)
def test_the_reply_is_due_after_a_days_office_hours(moment, due):
    assert reply_due(Settings(), at(moment)) == at(due)


def test_the_reply_promise_is_a_date_and_time_in_the_persons_language():
    settings = settings_from({"ALMERE_REPLY_WITHIN_OFFICE_HOURS": "2"})
    assert reply_due(settings, at("2026-03-06 16:00")) == at("2026-03-09 10:00")
    assert reply_promise(settings, at("2026-03-06 16:00")) == (
        "A colleague will reply by Monday 9 March 2026 at 10:00 (Amsterdam time) at the latest."
    )
    assert reply_promise(settings, at("2026-03-06 16:00"), "nl") == (
        "Een medewerker antwoordt uiterlijk maandag 9 maart 2026 om 10:00 (tijd in Amsterdam)."
    )
