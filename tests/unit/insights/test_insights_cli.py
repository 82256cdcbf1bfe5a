"""`almere insights`: the insights as text tables or JSON, for --since days or weeks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from insights_events import answered, declined, save_conversation

from bot.launcher.cli import main
from bot.tickets.database import upgrade_database


@pytest.fixture
def environment(tmp_path, monkeypatch):
    """A tracker with two conversations yesterday and one 20 days ago; a migrated ticket database."""
    tracker = tmp_path / "tracker.db"
    yesterday = datetime.now().astimezone() - timedelta(days=1)
    save_conversation(tracker, "a", yesterday, answered("How many jobs?", "jobs"))
    save_conversation(tracker, "b", yesterday, declined("Can I call you on +31 6 12345678?"))
    save_conversation(tracker, "c", yesterday - timedelta(days=19), answered("housing?", "housing"))
    database_url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade_database(database_url)
    monkeypatch.setenv("ALMERE_TRACKER_URL", f"sqlite:///{tracker}")
    monkeypatch.setenv("ALMERE_DATABASE_URL", database_url)
    return tmp_path


def test_json_for_the_last_weeks(environment):
    result = CliRunner().invoke(main, ["insights", "--since", "4w", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["conversations"] == 3
    assert len(data["conversations_per_day"]) == 28
    assert data["outcomes"]["answered"] == 2 and data["outcomes"]["declined"] == 1
    assert data["unanswered_questions"] == [
        {"question": "Can I call you on [phone]?", "count": 1, "other_wordings": []}
    ]


def test_readable_tables_by_default_for_30_days(environment):
    result = CliRunner().invoke(main, ["insights"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("3 conversations from ")
    assert "Most asked topics\n=================\nTopic    Questions\n" in result.output
    assert "Can I call you on [phone]?" in result.output and "12345678" not in result.output


def test_a_shorter_period(environment):
    data = json.loads(CliRunner().invoke(main, ["insights", "--since", "7d", "--json"]).output)
    assert data["conversations"] == 2


@pytest.mark.parametrize("since", ["3m", "30", "0d", "999d", "soon"])
def test_a_bad_since_is_a_usage_error(environment, since):
    result = CliRunner().invoke(main, ["insights", "--since", since])
    assert result.exit_code == 2
    assert "Invalid value for '--since'" in result.output


def test_an_unmigrated_ticket_database_says_what_to_do(environment, tmp_path, monkeypatch):
    monkeypatch.setenv("ALMERE_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    result = CliRunner().invoke(main, ["insights"])
    assert result.exit_code == 1
    assert "almere db upgrade" in result.output
