"""Actions that answer from the knowledge file, or honestly decline."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff_prompts as prompts
from actions.desk_answers import give_desk_answer
from actions.handoff import offer_events
from bot import services
from bot.answering import answer_topic
from bot.language import FIGURE, PLACE

# Intents named `ask_<topic>` answer that topic of the knowledge file.
TOPIC_INTENT_PREFIX = "ask_"


def topic_of_intent(intent: str) -> str:
    return intent[len(TOPIC_INTENT_PREFIX) :] if intent.startswith(TOPIC_INTENT_PREFIX) else intent


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    return [
        item["value"]
        for item in tracker.latest_message.get("entities", [])
        if item.get("entity") == entity and isinstance(item.get("value"), str)
    ]


class ActionAnswerTopic(Action):
    """Answer the topic of the last intent from the knowledge file."""

    def name(self) -> str:
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = tracker.latest_message.get("intent", {}).get("name") or ""
        confidence = tracker.latest_message.get("intent", {}).get("confidence")
        text = tracker.latest_message.get("text") or ""
        reply = answer_topic(
            services.knowledge(),
            services.vocabulary(),
            topic_of_intent(intent),
            figure_phrases=entity_values(tracker, FIGURE),
            place_phrases=entity_values(tracker, PLACE),
            text=text,
            confidence=confidence if isinstance(confidence, (int, float)) else 1.0,
            language=prompts.language_of(tracker),
        )
        if reply.declined and give_desk_answer(dispatcher, tracker):  # an answer a colleague wrote
            return offer_events(tracker)
        # An answer names its topic, so that the widget can ask whether it helped (bot/insights/).
        answer = None if reply.declined else {"data": {"answer": {"topic": reply.topic}}}
        dispatcher.utter_message(text=reply.text, json_message=answer)
        if reply.offer_colleague:
            prompts.OFFER.send(dispatcher, prompts.language_of(tracker))
        if reply.declined:
            return offer_events(tracker)
        # A desk offer made earlier no longer stands once something else was answered.
        return [SlotSet("handoff_offered", False)] if tracker.get_slot("handoff_offered") else []
