"""Fixtures shared by the test suites: the knowledge file, the entity vocabulary, the domain."""

from __future__ import annotations

import pytest

from bot.config import REPO_ROOT, Settings
from bot.knowledge import load_knowledge
from bot.language import load_vocabulary


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def knowledge(settings):
    return load_knowledge(settings.knowledge_file)


@pytest.fixture(scope="session")
def vocabulary(settings):
    return load_vocabulary(settings.entities_file)


@pytest.fixture(scope="session")
def source_page() -> str:
    return (REPO_ROOT / "bot" / "source" / "about-almere.txt").read_text(encoding="utf-8")
