"""`python -m bot.rasa.command ARGS` is `rasa ARGS` with bot.rasa.speedups applied.

`almere run` (bot.launcher.processes.rasa_server) and deploy/docker-compose.yml start the Rasa
server this way; `make train` trains with it, and `make conversations` tests with it: there the
``language`` entity of bot.rasa.components.LanguageDetector is left out of the entities compared
with the test stories' (it is not learnt from annotations but says which language to answer in,
and bot/conversation/reply_language.py has its own tests).
"""

from __future__ import annotations

import os
import sys
from typing import Any


def leave_our_entities_out_of_tests() -> None:
    """Make `rasa test` compare every predicted entity but the LanguageDetector's and the figures
    the ThreadReader adds from the conversation (they are not in the message's text)."""
    import rasa.core.test

    from bot.rasa.components import LanguageDetector, ThreadReader

    clean = rasa.core.test._clean_entity_results
    ours = (LanguageDetector.__name__, ThreadReader.__name__)

    def without_ours(text: str, entity_results: list[dict[str, Any]]) -> Any:
        return clean(text, [entity for entity in entity_results or [] if entity.get("extractor") not in ours])

    rasa.core.test._clean_entity_results = without_ours


def parse_with_the_conversation_in_tests() -> None:
    """Make `rasa test` parse each message of a test story with the story up to it, as the server
    parses each message with its conversation (Rasa's test loop parses without one, so the
    ThreadReader could not read follow-ups there)."""
    import rasa.core.test

    predict = rasa.core.test._predict_tracker_actions

    async def predict_with_the_story(tracker: Any, agent: Any, *args: Any, **kwargs: Any) -> Any:
        return await predict(tracker, _StoryAgent(agent, tracker), *args, **kwargs)

    rasa.core.test._predict_tracker_actions = predict_with_the_story


class _StoryAgent:
    """An agent whose processor parses a test story's messages with the story before each."""

    def __init__(self, agent: Any, story: Any) -> None:
        self._agent = agent
        self.processor = _StoryProcessor(agent.processor, story)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._agent, name)


class _StoryProcessor:
    def __init__(self, processor: Any, story: Any) -> None:
        self._processor = processor
        self._story = story
        self._events = list(story.events)
        self._next = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._processor, name)

    async def parse_message(self, message: Any, tracker: Any = None, **kwargs: Any) -> Any:
        from rasa.shared.core.events import UserUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        if tracker is None:
            for index in range(self._next, len(self._events)):
                event = self._events[index]
                if isinstance(event, UserUttered) and event.text == message.text:
                    self._next = index + 1
                    tracker = DialogueStateTracker.from_events(
                        self._story.sender_id, self._events[:index], slots=self._processor.domain.slots
                    )
                    break
        return await self._processor.parse_message(message, tracker, **kwargs)


def log_as_configured() -> bool:
    """With ``ALMERE_LOG_FORMAT=json`` the Rasa server logs JSON lines from its start
    (bot/observability/logs.py), the warnings of its imports too; whether it does."""
    from bot.config import load_settings
    from bot.observability.logs import RASA_SERVER, configure_logging

    settings = load_settings()
    configure_logging(settings, RASA_SERVER, os.environ.get("LOG_LEVEL", "INFO"))
    return settings.log_format == "json"


def keep_json_logs() -> None:
    """Rasa's CLI installs its coloured text handler after reading LOG_LEVEL: the JSON one instead."""
    import rasa.utils.io

    from bot.config import load_settings
    from bot.observability.logs import RASA_SERVER, configure_logging

    settings = load_settings()

    def configure(loglevel: Any) -> None:
        configure_logging(settings, RASA_SERVER, loglevel or os.environ.get("LOG_LEVEL", "INFO"))

    rasa.utils.io.configure_colored_logging = configure


def main() -> None:
    from bot.rasa import speedups

    json_logs = sys.argv[1:2] == ["run"] and log_as_configured()
    speedups.apply()  # before Rasa's CLI imports TensorFlow
    if json_logs:
        keep_json_logs()
    if sys.argv[1:2] == ["test"]:
        leave_our_entities_out_of_tests()
        parse_with_the_conversation_in_tests()

    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
