"""Actions that answer from the knowledge file, or honestly decline."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff_prompts as prompts
from actions.desk_answers import give_desk_answer
from actions.handoff import decline, in_handoff, offer_colleague, offer_events
from bot import services
from bot.conversation.answering import ANSWER_CONFIDENCE, answer_topic
from bot.conversation.clauses import REQUEST_HUMAN
from bot.conversation.follow_ups import topic_of_intent
from bot.conversation.spacy_pipeline import FIGURE, PLACE
from bot.observability.metrics import DECLINED, OUTCOME_KEY

# Parse data of bot.rasa.components: the sentence a longer message asks, and what else it asks for.
QUESTION = "question"
ALSO = "also"
MORE_QUESTIONS = "more_questions"
LAST_TOPIC_SLOT = "last_topic"
LAST_FIGURES_SLOT = "last_figures"


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
        text = tracker.latest_message.get(QUESTION) or tracker.latest_message.get("text") or ""
        reply = answer_topic(
            services.knowledge(),
            services.vocabulary(),
            topic_of_intent(intent) or intent,
            figure_phrases=entity_values(tracker, FIGURE),
            place_phrases=entity_values(tracker, PLACE),
            text=text,
            confidence=confidence if isinstance(confidence, (int, float)) else 1.0,
            language=prompts.language_of(tracker),
        )
        then = then_handoff(tracker)
        # An answer a colleague wrote (not in the handoff form: it offers a colleague).
        if reply.declined and not in_handoff(tracker) and give_desk_answer(dispatcher, tracker):
            return [*offer_events(tracker), *then]
        # An answer names its topic, so that the widget can ask whether it helped (bot/insights/).
        answer = None if reply.declined else {"data": {"answer": {"topic": reply.topic}}}
        declined = {OUTCOME_KEY: DECLINED} if reply.declined else {}
        dispatcher.utter_message(text=reply.text, json_message=answer, **declined)
        if reply.offer_colleague and not then:
            offer_colleague(dispatcher, tracker)
        # Not understood well enough: a colleague is offered (a reply without a topic is always such).
        if (reply.declined and reply.offer_colleague) or reply.topic is None:
            return [*offer_events(tracker), *then]
        figures = [services.vocabulary().figure_for(phrase) for phrase in entity_values(tracker, FIGURE)]
        stated = services.knowledge().stated(reply.topic, [figure for figure in figures if figure])
        # What was asked, for a follow-up ("and in the future?", "and in Almere?") or "where is that from?".
        events = [SlotSet(LAST_TOPIC_SLOT, reply.topic), SlotSet(LAST_FIGURES_SLOT, list(stated))]
        if reply.declined:
            # Declined for another place: the conversation stays on its topic, with no figure of
            # Almere's added to it ("and in Almere?" asks the question again for Almere).
            kept = (
                tracker.get_slot(LAST_FIGURES_SLOT)
                if tracker.get_slot(LAST_TOPIC_SLOT) == reply.topic
                else []
            )
            events = [SlotSet(LAST_TOPIC_SLOT, reply.topic), SlotSet(LAST_FIGURES_SLOT, list(kept or []))]
            return [*offer_events(tracker, keep_thread=True), *events, *then]
        answer_more_questions(dispatcher, tracker, {reply.topic}, set(stated))
        if then:
            return [*events, SlotSet("unanswered_question", tracker.latest_message.get("text")), *then]
        # A desk offer made earlier no longer stands once something else was answered.
        return [*events, SlotSet("handoff_offered", False)] if tracker.get_slot("handoff_offered") else events


def answer_more_questions(
    dispatcher: CollectingDispatcher, tracker: Tracker, topics: set[str], stated: set[str]
) -> None:
    """The message's questions about other topics ("What is the business climate like? And is there
    an international school?"), each answered after the first unless it would decline or repeat
    a figure already given."""
    language = prompts.language_of(tracker)
    knowledge = services.knowledge()
    for question in tracker.latest_message.get(MORE_QUESTIONS) or []:
        topic = topic_of_intent(str(question.get("intent") or ""))
        if topic is None or topic in topics or topic not in knowledge.topics:
            continue
        text = str(question.get("text") or "")
        reply = answer_topic(knowledge, services.vocabulary(), topic, text=text, language=language)
        facts = set(knowledge.stated(topic))
        if reply.declined or (facts and facts <= stated):
            continue
        topics.add(topic)
        stated |= facts
        dispatcher.utter_message(text=reply.text, json_message={"data": {"answer": {"topic": topic}}})


def then_handoff(tracker: Tracker) -> list[dict[str, Any]]:
    """When the message also asked for a person ("… Also, can someone call me?"), the handoff
    starts after the answer."""
    also = tracker.latest_message.get(ALSO) or []
    return [FollowupAction("action_prepare_handoff")] if REQUEST_HUMAN in also else []


class ActionAnswerSource(Action):
    """Where the last answer's figure comes from and how recent it is, from the knowledge file; with
    no figure answered before, where all the answers come from."""

    def name(self) -> str:
        return "action_answer_source"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        confidence = tracker.latest_message.get("intent", {}).get("confidence")
        if isinstance(confidence, (int, float)) and confidence < ANSWER_CONFIDENCE:
            return decline(dispatcher, tracker)  # a figure's source is no answer to what was not understood
        knowledge = services.knowledge()
        figures = [f for f in tracker.get_slot(LAST_FIGURES_SLOT) or [] if f in knowledge.facts]
        dispatcher.utter_message(text=knowledge.provenance(figures, prompts.language_of(tracker)))
        return []
