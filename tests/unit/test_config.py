"""Configuration: safe defaults, values from ALMERE_* variables, clear errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.access import limits
from bot.config import REPO_ROOT, Settings, load_settings, settings_from


def test_defaults_need_no_environment():
    settings = settings_from({})
    assert settings == Settings()
    assert settings.tracker_url == f"sqlite:///{REPO_ROOT / 'var' / 'tracker.db'}"
    assert settings.smtp_host is None and settings.cookie_secure is False


def test_values_come_from_prefixed_variables():
    settings = settings_from(
        {
            "ALMERE_TRACKER_URL": "postgresql://postgres@127.0.0.1:5432/test",
            "ALMERE_SMTP_PORT": "2525",
            "ALMERE_COOKIE_SECURE": "true",
            "ALMERE_OFFICE_DAYS": "0,2,4",
            "ALMERE_KNOWLEDGE_FILE": "/tmp/k.yml",
            "ALMERE_CHAT_ORIGINS": "https://www.almere.nl, https://almere.nl/",
            "UNRELATED": "x",
        }
    )
    assert settings.tracker_url.startswith("postgresql://")
    assert settings.smtp_port == 2525
    assert settings.cookie_secure is True
    assert settings.office_days == (0, 2, 4)
    assert settings.knowledge_file == Path("/tmp/k.yml")
    assert settings.chat_origins == ("https://www.almere.nl", "https://almere.nl")


def test_an_empty_variable_keeps_the_default():
    assert settings_from({"ALMERE_SMTP_PORT": ""}).smtp_port == 25


@pytest.mark.parametrize(
    "name, value",
    [
        ("ALMERE_SMTP_PORT", "twenty"),
        ("ALMERE_COOKIE_SECURE", "maybe"),
        ("ALMERE_OFFICE_DAYS", "7"),
        ("ALMERE_CHAT_ORIGINS", "*"),
        ("ALMERE_CHAT_ORIGINS", "almere.nl"),
        ("ALMERE_CHAT_ORIGINS", "https://.*almere.nl"),
        ("ALMERE_CHAT_ORIGINS", "https://[a-z]+.nl"),
    ],
)
def test_a_bad_value_names_the_variable(name, value):
    with pytest.raises(ValueError, match=name):
        settings_from({name: value})


@pytest.mark.parametrize(
    "name, value",
    [
        ("ALMERE_SMTP_PORT", "0"),
        ("ALMERE_DESK_PORT", "70000"),
        ("ALMERE_MAX_MESSAGE_CHARS", "0"),
        ("ALMERE_REPLY_TIMEOUT_SECONDS", "-1"),
        ("ALMERE_CONVERSATION_RETENTION_DAYS", "0"),
        ("ALMERE_OFFICE_DAYS", "0,x"),
        ("ALMERE_OFFICE_DAYS", ","),
        ("ALMERE_OFFICE_OPEN", "nine"),
        ("ALMERE_OFFICE_CLOSE", "08:00"),
        ("ALMERE_OFFICE_TIMEZONE", "Mars/Base"),
        ("ALMERE_OFFICE_HOLIDAYS_COUNTRY", "XX"),
    ],
)
def test_values_out_of_range_name_the_variable(name, value):
    with pytest.raises(ValueError, match=name):
        settings_from({name: value})


def test_every_problem_is_named_at_once():
    with pytest.raises(ValueError) as error:
        settings_from({"ALMERE_SMTP_PORT": "twenty", "ALMERE_COOKIE_SECURE": "maybe"})
    assert "ALMERE_SMTP_PORT" in str(error.value) and "ALMERE_COOKIE_SECURE" in str(error.value)


def test_values_are_typed_and_normalised():
    settings = settings_from(
        {
            "ALMERE_OFFICE_DAYS": "4, 0,0",
            "ALMERE_OFFICE_HOLIDAYS_COUNTRY": "de",
            "ALMERE_COOKIE_SECURE": "off",
            "ALMERE_DESK_PORT": "8080",
        }
    )
    assert settings.office_days == (0, 4)
    assert settings.office_holidays_country == "DE"
    assert settings.cookie_secure is False
    assert settings.desk_port == 8080


def test_only_the_given_mapping_is_read(monkeypatch):
    monkeypatch.setenv("ALMERE_SMTP_PORT", "2525")
    assert settings_from({}).smtp_port == 25
    assert Settings().smtp_port == 25
    assert load_settings().smtp_port == 2525


def test_the_prefix_and_names_are_read_in_any_case():
    assert settings_from({"almere_smtp_port": "2525"}).smtp_port == 2525
    assert settings_from({"almere_smtp_port": "1", "ALMERE_SMTP_PORT": "2"}).smtp_port == 2


def test_settings_are_immutable_hashable_and_replace_validates():
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.smtp_port = 26  # type: ignore[misc]
    assert hash(settings) == hash(settings_from({}))
    changed = dataclasses.replace(settings, max_message_chars=50)
    assert changed.max_message_chars == 50 and settings.max_message_chars == limits.MESSAGE_CHARS
    with pytest.raises(ValueError, match="office_days"):
        dataclasses.replace(settings, office_days=(7,))


def test_every_field_is_in_the_readme():
    readme = (REPO_ROOT / "README.md").read_text()
    for setting in dataclasses.fields(Settings):
        name = f"ALMERE_{setting.name.upper()}"
        short = "_" + setting.name.upper().rsplit("_", 1)[-1]  # `ALMERE_X` / `_Y` rows
        assert f"`{name}`" in readme or (f"`{short}`" in readme and name.endswith(short)), name
