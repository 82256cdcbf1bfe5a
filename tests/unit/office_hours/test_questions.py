"""Which days a question about the desk names, and the answer about its opening times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.knowledge import Contact
from bot.office_hours.questions import asked_days, office_hours_answer

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CONTACT = Contact(
    department="International Affairs Department",
    phone="12 345",
    phone_abroad="+31 20 123 45 67",
    business_form_language="nl",
)


def at(text: str) -> datetime:
    """A moment in Amsterdam time, e.g. ``2026-12-03 10:00`` (a Thursday)."""
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


def answer(text: str, moment: str = "2026-12-03 10:00") -> str:
    """The answer at ``moment`` (default a Thursday morning, open) to ``text``."""
    return office_hours_answer(Settings(), CONTACT, at(moment), text)


def test_the_general_answer():
    assert answer("what are the opening times of the international desk") == (
        "The International Affairs Department is open Monday to Friday 09:00\u201317:00 (Amsterdam time). "
        "It is closed on Saturdays and Sundays and on public holidays; the next one is Christmas Day on "
        "Friday 25 December. It's open now, until 17:00. "
        "You can call the desk on 12 345 (from abroad +31 20 123 45 67)."
    )


@pytest.mark.parametrize(
    ("moment", "now_sentence"),
    [
        ("2026-12-04 17:30", "It's closed now; it opens again on Monday at 09:00."),
        ("2026-12-03 08:00", "It's closed now; it opens again today at 09:00."),
        (
            "2027-04-26 18:00",
            "It's closed now and on Tuesday 27 April (King's Day); it opens again on "
            "Wednesday 28 April at 09:00.",
        ),
        ("2027-04-27 09:30", "It's closed today (King's Day); it opens again tomorrow at 09:00."),
    ],
)
def test_the_general_answer_says_whether_it_is_open_now(moment, now_sentence):
    assert now_sentence in answer("what are your opening hours", moment)


def test_the_next_holiday_is_one_that_closes_an_office_day():
    # After Christmas 2026 comes New Year's Day, a Friday; Easter Sunday 2027 is skipped for Easter Monday.
    assert "the next one is New Year's Day on Friday 1 January" in answer("opening hours", "2026-12-28 10:00")
    assert "the next one is Easter Monday on Monday 29 March" in answer("opening hours", "2027-03-27 10:00")


@pytest.mark.parametrize(
    ("text", "first_sentence"),
    [
        ("could I come by on saturday", "The desk is closed on Saturday 5 December, as on every Saturday."),
        ("Zijn jullie zaterdag open?", "The desk is closed on Saturday 5 December, as on every Saturday."),
        ("can I come by on monday", "The desk is open on Monday 7 December, from 09:00 to 17:00."),
        ("open op maandag?", "The desk is open on Monday 7 December, from 09:00 to 17:00."),
        ("are you open on thursdays", "The desk is open today, from 09:00 to 17:00. It's open now, until 17"),
        ("and next thursday?", "The desk is open on Thursday 10 December, from 09:00 to 17:00."),
        ("are you there today", "The desk is open today, from 09:00 to 17:00."),
        ("can I come by tomorrow morning", "The desk is open tomorrow (Friday 4 December), from 09:00 to 17"),
        ("morgen open?", "The desk is open tomorrow (Friday 4 December), from 09:00 to 17:00."),
        (
            "is the desk open on 25 December",
            "The desk is closed on Friday 25 December: it is Christmas Day, a public holiday.",
        ),
        ("open december 25th?", "The desk is closed on Friday 25 December: it is Christmas Day"),
        ("Is the desk open on Christmas", "The desk is closed on Friday 25 December: it is Christmas Day"),
        ("and on Christmas Eve?", "The desk is open on Thursday 24 December, from 09:00 to 17:00."),
        (
            "is it open on the second day of christmas",
            "The desk is closed on Saturday 26 December: it is Second Day of Christmas",
        ),
        ("open op tweede kerstdag?", "The desk is closed on Saturday 26 December: it is Second Day of"),
        ("is the office open on King\u2019s Day", "The desk is closed on Tuesday 27 April: it is King's Day"),
        ("open met Koningsdag?", "The desk is closed on Tuesday 27 April: it is King's Day"),
        ("are you open on good friday", "The desk is closed on Friday 26 March: it is Good Friday"),
        ("open on 7 january?", "The desk is open on Thursday 7 January, from 09:00 to 17:00."),
    ],
)
def test_a_day_asked_about(text, first_sentence):
    reply = answer(text)
    assert reply.startswith(first_sentence)
    assert reply.endswith(
        "Office hours are Monday to Friday 09:00\u201317:00 (Amsterdam time), except on public holidays. "
        "You can call the desk on 12 345 (from abroad +31 20 123 45 67)."
    )


def test_this_weekend_is_both_days():
    assert answer("are you open this weekend?").startswith(
        "The desk is closed on Saturday 5 December, as on every Saturday. "
        "The desk is closed on Sunday 6 December, as on every Sunday."
    )


def test_today_after_closing_time():
    assert answer("open today?", "2026-12-03 18:00").startswith(
        "The desk was open today until 17:00. It's closed now; it opens again tomorrow at 09:00."
    )


@pytest.mark.parametrize(
    "text",
    [
        "what time do you close",
        "/ask_office_hours",
        "open on 31 february?",
        "can I call you",
        "may I come?",
        "",
    ],
)
def test_no_day_named_gets_the_general_answer(text):
    assert answer(text).startswith("The International Affairs Department is open Monday to Friday")


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("open on 2 january?", ["2027-01-02"]),  # a date already past this year is next year's
        ("open on saturday or sunday", ["2026-12-05", "2026-12-06"]),
        ("Whit Monday", ["2027-05-17"]),  # the holiday, not the next Monday
        ("overmorgen", ["2026-12-05"]),
        ("the day after tomorrow", ["2026-12-05"]),
        ("new year's eve", ["2026-12-31"]),
    ],
)
def test_asked_days(text, days):
    assert [day.isoformat() for day in asked_days(Settings(), text, at("2026-12-03 10:00").date())] == days
