"""The action that confirms a switch of language ("in English please", "kan het in het Nederlands?")."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff_prompts as prompts


class ActionSwitchLanguage(Action):
    """Say, in the language asked for, that the assistant answers in it from now on.

    The ``language`` slot already holds it (the LanguageDetector's entity); the widget is told too,
    so that its own texts follow (a custom payload ``{"language": "nl"}``)."""

    def name(self) -> str:
        return "action_switch_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = prompts.language_of(tracker)
        prompts.SWITCHED.send(dispatcher, language)
        dispatcher.utter_message(json_message={"data": {"language": language}})
        return []
