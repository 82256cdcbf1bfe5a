"""Configuration: safe defaults, values from ALMERE_* variables, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import REPO_ROOT, Settings, settings_from


def test_defaults_need_no_environment():
    settings = settings_from({})
    assert settings == Settings()
    assert settings.tracker_url == f"sqlite:///{REPO_ROOT / 'var' / 'tracker.db'}"
    assert settings.smtp_host is None and settings.cookie_secure is False


def test_values_come_from_prefixed_variables():
    settings = settings_from({
        "ALMERE_TRACKER_URL": "postgresql://postgres@127.0.0.1:5432/test",
        "ALMERE_SMTP_PORT": "2525",
        "ALMERE_COOKIE_SECURE": "true",
        "ALMERE_OFFICE_DAYS": "0,2,4",
        "ALMERE_KNOWLEDGE_FILE": "/tmp/k.yml",
        "ALMERE_CHAT_ORIGINS": "https://www.almere.nl, https://almere.nl/",
        "UNRELATED": "x",
    })
    assert settings.tracker_url.startswith("postgresql://")
    assert settings.smtp_port == 2525
    assert settings.cookie_secure is True
    assert settings.office_days == (0, 2, 4)
    assert settings.knowledge_file == Path("/tmp/k.yml")
    assert settings.chat_origins == ("https://www.almere.nl", "https://almere.nl")


def test_an_empty_variable_keeps_the_default():
    assert settings_from({"ALMERE_SMTP_PORT": ""}).smtp_port == 25


@pytest.mark.parametrize(
    "name, value", [("ALMERE_SMTP_PORT", "twenty"), ("ALMERE_COOKIE_SECURE", "maybe"),
                    ("ALMERE_OFFICE_DAYS", "7"), ("ALMERE_CHAT_ORIGINS", "*"),
                    ("ALMERE_CHAT_ORIGINS", "almere.nl"), ("ALMERE_CHAT_ORIGINS", "https://.*almere.nl"),
                    ("ALMERE_CHAT_ORIGINS", "https://[a-z]+.nl")])
def test_a_bad_value_names_the_variable(name, value):
    with pytest.raises(ValueError, match=name):
        settings_from({name: value})
