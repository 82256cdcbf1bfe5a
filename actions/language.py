"""The action that confirms a switch of language ("in English please", "kan het in het Nederlands?")."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff_prompts as prompts
from bot import services
from bot.conversation.reply_language import LANGUAGES, requested_language

# Parse data of bot.rasa.components.LanguageDetector: a message in another language than ours.
OTHER_LANGUAGE = "other_language"


class ActionSwitchLanguage(Action):
    """Say, in the language asked for, that the assistant answers in it from now on; asked for
    another language than English or Dutch, say that it speaks only these two.

    The ``language`` slot already holds it (the LanguageDetector's entity); the widget is told too,
    so that its own texts follow (a custom payload ``{"language": "nl"}``)."""

    def name(self) -> str:
        return "action_switch_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = prompts.language_of(tracker)
        if tracker.latest_message.get(OTHER_LANGUAGE):  # written in another language: say it in both
            for each in (language, *(other for other in LANGUAGES if other != language)):
                contact = services.knowledge().desk_contact(each)
                prompts.ONLY_TWO_LANGUAGES.send(dispatcher, each, contact=contact)
            return []
        if requested_language(tracker.latest_message.get("text") or "") is None:
            # Another language ("can you speak Spanish?"), or a translation: not what it can do.
            contact = services.knowledge().desk_contact(language)
            prompts.ONLY_TWO_LANGUAGES.send(dispatcher, language, contact=contact)
            return []
        prompts.SWITCHED.send(dispatcher, language)
        dispatcher.utter_message(json_message={"data": {"language": language}})
        return []
