"""The answering actions, run as the action server runs them, without Rasa."""

from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from support import desk_phone, fact, figure

from actions import handoff_prompts as prompts
from actions.answers import ActionAnswerSource, ActionAnswerTopic, topic_of_intent
from actions.language import ActionSwitchLanguage

NON_TOPIC_ASK_INTENTS = {"ask_office_hours", "ask_source"}


def texts(dispatcher):
    return [message["text"] for message in dispatcher.messages]


async def test_a_fact_question_is_answered_from_the_knowledge_file(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_population", "How many people live in Almere?")
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    # The answer's topic and the figures it states are kept for a follow-up.
    assert events == [
        SlotSet("last_topic", "population"),
        SlotSet("last_figures", ["inhabitants", "size_rank_nl"]),
    ]
    [text] = texts(dispatcher)
    assert figure("inhabitants") in text and fact("inhabitants").dated() in text


async def test_the_figure_entity_narrows_the_answer(dispatcher, make_tracker, domain):
    entities = [{"entity": "figure", "value": "international jobs", "start": 9, "end": 27}]
    tracker = make_tracker("ask_jobs", "How many international jobs are there in Almere?", entities)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    [text] = texts(dispatcher)
    assert figure("international_jobs") in text and figure("jobs") not in text


async def test_a_figure_question_about_another_place_is_declined(dispatcher, make_tracker, domain):
    entities = [{"entity": "figure", "value": "population"}, {"entity": "place", "value": "of Tokyo"}]
    tracker = make_tracker("ask_population", "What is the population of Tokyo?", entities)
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    [text] = texts(dispatcher)
    assert "Tokyo" in text and figure("inhabitants") not in text and desk_phone() in text
    # "yes" now passes the question on.
    assert SlotSet("handoff_offered", True) in events
    assert SlotSet("unanswered_question", "What is the population of Tokyo?") in events


async def test_malformed_entities_are_ignored(dispatcher, make_tracker, domain):
    entities = [{"entity": "place", "value": None}, {"entity": "figure"}]
    tracker = make_tracker("ask_companies", "companies in almere?", entities)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert figure("companies") in texts(dispatcher)[0]


def test_every_topic_intent_has_a_topic_and_every_topic_an_intent(domain, knowledge):
    topic_intents = {i for i in domain["intents"] if i.startswith("ask_")} - NON_TOPIC_ASK_INTENTS
    assert {topic_of_intent(i) for i in topic_intents} == set(knowledge.topics)


@pytest.mark.parametrize("intent, topic", [("ask_jobs", "jobs"), ("greet", None)])
def test_topic_of_intent(intent, topic):
    assert topic_of_intent(intent) == topic


def test_every_custom_action_is_in_the_domain(domain):
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(domain["actions"])


async def test_a_figure_question_that_names_no_place_is_answered(dispatcher, make_tracker, domain):
    await ActionAnswerTopic().run(
        dispatcher, make_tracker("ask_companies", "How many companies are there?"), domain
    )
    [message] = dispatcher.messages
    assert figure("companies") in message["text"] and "Almere" in message["text"] and not message["buttons"]


async def test_every_figure_entity_is_answered(dispatcher, make_tracker, domain):
    entities = [{"entity": "figure", "value": "jobs"}, {"entity": "figure", "value": "companies"}]
    tracker = make_tracker("ask_jobs", "How many jobs and how many companies are there?", entities)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    [text] = texts(dispatcher)
    assert figure("jobs") in text and figure("companies") in text


async def test_an_unsure_figure_question_is_declined_and_a_colleague_offered(dispatcher, domain):
    from rasa_sdk import Tracker

    latest = {"intent": {"name": "ask_jobs", "confidence": 0.41}, "entities": [], "text": "a suit for work"}
    tracker = Tracker(
        "t", {}, latest, [{"event": "user", "text": "a suit for work"}], False, None, {}, "action_listen"
    )
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    first, offer = texts(dispatcher)
    assert figure("jobs") not in first and desk_phone() in first and "colleague" in offer
    assert SlotSet("handoff_offered", True) in events


def tracker_with(make_tracker, intent, text, slots=None, **parse_data):
    tracker = make_tracker(intent, text)
    tracker.latest_message.update(parse_data)
    tracker.slots.update(slots or {})
    return tracker


async def test_where_the_last_figure_comes_from_and_how_recent_it_is(
    dispatcher, make_tracker, domain, knowledge
):
    slots = {"last_topic": "population", "last_figures": ["inhabitants", "size_rank_nl"]}
    tracker = tracker_with(make_tracker, "ask_source", "where is that from?", slots)
    assert await ActionAnswerSource().run(dispatcher, tracker, domain) == []
    [text] = texts(dispatcher)
    fact = knowledge.facts["inhabitants"]
    assert fact.formatted() in text and fact.as_of in text and knowledge.source_title in text
    assert str(knowledge.source_checked.year) in text


async def test_a_figure_the_page_does_not_date_is_said_to_be_undated(
    dispatcher, make_tracker, domain, knowledge
):
    undated = next(name for name, fact in knowledge.facts.items() if fact.as_of is None)
    tracker = tracker_with(make_tracker, "ask_source", "how recent is that?", {"last_figures": [undated]})
    await ActionAnswerSource().run(dispatcher, tracker, domain)
    [text] = texts(dispatcher)
    assert knowledge.facts[undated].formatted() in text and "does not say when" in text


async def test_the_source_asked_unsure_is_declined_with_the_offer(dispatcher, make_tracker, domain):
    tracker = tracker_with(make_tracker, "ask_source", "and by boat?", {"last_figures": ["jobs"]})
    tracker.latest_message["intent"]["confidence"] = 0.3
    events = await ActionAnswerSource().run(dispatcher, tracker, domain)
    assert SlotSet("handoff_offered", True) in events and figure("jobs") not in " ".join(texts(dispatcher))


async def test_a_message_that_also_asks_for_a_person_gets_the_answer_then_the_handoff(
    dispatcher, make_tracker, domain
):
    text = "How many companies are there? Also, please have someone call me."
    tracker = tracker_with(make_tracker, "ask_companies", text, question="How many companies are there?")
    tracker.latest_message["also"] = ["request_human"]
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert figure("companies") in texts(dispatcher)[0]
    assert events[-2:] == [SlotSet("unanswered_question", text), FollowupAction("action_prepare_handoff")]


async def test_a_message_in_another_language_gets_the_notice_in_english_and_dutch(
    dispatcher, make_tracker, domain
):
    tracker = tracker_with(make_tracker, "switch_language", "Wie viele Einwohner?", other_language="de")
    await ActionSwitchLanguage().run(dispatcher, tracker, domain)
    english, dutch = texts(dispatcher)
    assert "English or Dutch" in english and "Nederlands of het Engels" in dutch and desk_phone() in dutch


async def test_a_second_question_about_another_topic_is_answered_after_the_first(
    dispatcher, make_tracker, domain, knowledge
):
    text = "Is there an international school? And what's the business climate like?"
    tracker = tracker_with(make_tracker, "ask_schools", text, question="Is there an international school?")
    tracker.latest_message["more_questions"] = [
        {"intent": "ask_business_climate", "text": "And what's the business climate like?"},
        {"intent": "ask_schools", "text": "Is there an international school?"},  # answered already
        {"intent": "ask_weather", "text": "And the weather?"},  # no topic of ours
    ]
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    schools, climate = texts(dispatcher)
    assert knowledge.answer("schools").split("\n")[0] in schools
    assert knowledge.answer("business_climate").split("\n")[0] in climate


async def test_a_second_question_that_repeats_a_figure_already_given_is_not_answered_again(
    dispatcher, make_tracker, domain
):
    entities = [{"entity": "figure", "value": "jobs"}, {"entity": "figure", "value": "companies"}]
    tracker = make_tracker("ask_jobs", "How many jobs are there? And how many companies?", entities)
    tracker.latest_message["more_questions"] = [
        {"intent": "ask_companies", "text": "And how many companies?"}
    ]
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    [text] = texts(dispatcher)
    assert figure("jobs") in text and figure("companies") in text


async def test_a_decline_for_another_place_keeps_the_conversation_on_its_topic(
    dispatcher, make_tracker, domain
):
    entities = [{"entity": "place", "value": "Utrecht"}]
    tracker = tracker_with(make_tracker, "ask_population", "and Utrecht?", {"last_topic": "population"})
    tracker.latest_message["entities"] = entities
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert SlotSet("handoff_offered", True) in events
    # The question stays the thread ("and in Almere?" asks it again for Almere), with the figures
    # of the answer before it and none of Almere's added for Utrecht.
    assert SlotSet("last_topic", "population") in events and SlotSet("last_figures", []) in events


async def test_a_follow_up_the_answer_does_not_answer_keeps_the_conversation_on_its_topic(
    dispatcher, make_tracker, domain
):
    slots = {"last_topic": "schiphol", "last_figures": ["train_to_schiphol_min"]}
    tracker = tracker_with(make_tracker, "ask_schiphol", "and by car?", slots)
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert SlotSet("handoff_offered", True) in events
    # "and to Amsterdam?" next still follows the train, not whatever the classifier makes of it.
    assert not [e for e in events if e["name"] in {"last_topic", "last_figures"}]
    full_question = tracker_with(
        make_tracker, "ask_schiphol", "Can I get to Schiphol by bike from Almere?", slots
    )
    events = await ActionAnswerTopic().run(dispatcher, full_question, domain)
    assert SlotSet("last_topic", None) in events


async def test_a_topic_declined_in_the_handoff_form_offers_no_colleague(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_schiphol", "and by car?")
    tracker.active_loop = {"name": "handoff_form"}
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[-1] == prompts.ALREADY_PASSING_ON.text
    assert prompts.OFFER.text not in texts(dispatcher)
    assert not [e for e in events if e["name"] == "handoff_offered"]
