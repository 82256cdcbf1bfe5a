"""The action that answers questions about the desk's opening times."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_prompts import language_of
from bot import services
from bot.config import load_settings
from bot.office_hours.questions import office_hours_answer


class ActionAnswerOfficeHours(Action):
    """Say when the desk is open, or whether it is open on the day the person asks about."""

    def name(self) -> str:
        return "action_answer_office_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        dispatcher.utter_message(
            text=office_hours_answer(
                load_settings(),
                services.knowledge().contact,
                datetime.now(timezone.utc),
                text,
                language_of(tracker),
            )
        )
        # A desk offer made earlier no longer stands once something else was answered.
        return [SlotSet("handoff_offered", False)] if tracker.get_slot("handoff_offered") else []
