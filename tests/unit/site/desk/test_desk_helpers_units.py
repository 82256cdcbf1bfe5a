"""The sliding-window limiter, the stored secret key and waiting times, on their own."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.access.secret_files import load_or_create_secret_key
from bot.site.desk.formatting import waited_iso, waited_text
from bot.site.desk.rate_limit import SlidingWindowLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_slides_its_window():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(2, window_seconds=60, clock=clock)
    assert limiter.try_acquire("a") and limiter.try_acquire("a")
    assert not limiter.try_acquire("a")
    assert limiter.try_acquire("b")
    assert limiter.retry_after("a") == 60

    clock.now += 59.5
    assert limiter.retry_after("a") == 1 and not limiter.try_acquire("a")
    clock.now += 0.5  # the first attempt left the window
    assert limiter.retry_after("a") == 0 and limiter.try_acquire("a")

    limiter.reset("a")
    assert limiter.try_acquire("a")


def test_limiter_needs_a_positive_limit():
    with pytest.raises(ValueError):
        SlidingWindowLimiter(0)


def test_secret_key_is_created_once_and_reused(tmp_path):
    path = tmp_path / "var" / "desk_secret_key"
    key = load_or_create_secret_key(path)
    assert len(key) == 64 and load_or_create_secret_key(path) == key
    assert [p.name for p in path.parent.iterdir()] == ["desk_secret_key"]  # no drafts left


def test_an_empty_secret_key_file_is_replaced(tmp_path):
    path = tmp_path / "desk_secret_key"
    path.write_text("")
    assert len(load_or_create_secret_key(path)) == 64


@pytest.mark.parametrize(
    "waited, text, iso",
    [
        (timedelta(seconds=59), "less than 1 min", "PT0M"),
        (timedelta(minutes=45, seconds=59), "45 min", "PT45M"),
        (timedelta(hours=2, minutes=10), "2 h 10 min", "PT2H10M"),
        (timedelta(hours=1), "1 h 0 min", "PT1H0M"),
        (timedelta(days=3, hours=4, minutes=59), "3 d 4 h", "P3DT4H"),
        (timedelta(minutes=-5), "less than 1 min", "PT0M"),  # a clock a little behind the database's
    ],
)
def test_waiting_times_read_well_and_as_iso_durations(waited, text, iso):
    since = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
    assert waited_text(since, since + waited) == text
    assert waited_iso(since, since + waited) == iso
