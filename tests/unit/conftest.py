"""Fixtures for testing Rasa actions without Rasa: dispatcher, tracker and domain."""

from __future__ import annotations

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.config import REPO_ROOT


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def domain() -> dict:
    with open(REPO_ROOT / "domain.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture
def make_tracker():
    """Build a tracker whose latest message has ``intent``, ``text`` and ``entities``."""

    def build(
        intent: str, text: str = "", entities: list[dict] | None = None, sender: str = "tester"
    ) -> Tracker:
        latest = {
            "intent": {"name": intent, "confidence": 0.9},
            "entities": entities or [],
            "text": text,
        }
        events = [{"event": "user", "text": text, "parse_data": latest}]
        return Tracker(sender, {}, latest, events, False, None, {}, "action_listen")

    return build
