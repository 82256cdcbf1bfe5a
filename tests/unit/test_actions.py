"""The answering actions, run as the action server runs them, without Rasa."""

from __future__ import annotations

import pytest

from actions.answers import ActionAnswerTopic, topic_of_intent

NON_TOPIC_ASK_INTENTS = {"ask_unknown_fact"}


def texts(dispatcher):
    return [message["text"] for message in dispatcher.messages]


async def test_a_fact_question_is_answered_from_the_knowledge_file(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_population", "How many people live in Almere?")
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert events == []
    [text] = texts(dispatcher)
    assert "226,745" in text and "January 2024" in text


async def test_the_figure_entity_narrows_the_answer(dispatcher, make_tracker, domain):
    entities = [{"entity": "figure", "value": "international jobs", "start": 9, "end": 27}]
    tracker = make_tracker("ask_jobs", "How many international jobs are there in Almere?", entities)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    [text] = texts(dispatcher)
    assert "6,750" in text and "89,000" not in text


async def test_a_figure_question_about_another_place_is_declined(dispatcher, make_tracker, domain):
    entities = [{"entity": "figure", "value": "population"}, {"entity": "place", "value": "of Tokyo"}]
    tracker = make_tracker("ask_population", "What is the population of Tokyo?", entities)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    [text] = texts(dispatcher)
    assert "Tokyo" in text and "226,745" not in text and "14 036" in text


async def test_malformed_entities_are_ignored(dispatcher, make_tracker, domain):
    entities = [{"entity": "place", "value": None}, {"entity": "figure"}]
    tracker = make_tracker("ask_companies", "companies in almere?", entities)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "24,750" in texts(dispatcher)[0]


def test_every_topic_intent_has_a_topic_and_every_topic_an_intent(domain, knowledge):
    topic_intents = {i for i in domain["intents"] if i.startswith("ask_")} - NON_TOPIC_ASK_INTENTS
    assert {topic_of_intent(i) for i in topic_intents} == set(knowledge.topics)


@pytest.mark.parametrize("intent, topic", [("ask_jobs", "jobs"), ("greet", "greet")])
def test_topic_of_intent(intent, topic):
    assert topic_of_intent(intent) == topic


def test_every_custom_action_is_in_the_domain(domain):
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(domain["actions"])


async def test_a_figure_question_without_almere_asks_to_confirm_first(dispatcher, make_tracker, domain):
    await ActionAnswerTopic().run(dispatcher, make_tracker("ask_population", "how many people are homeless"),
                                  domain)
    [message] = dispatcher.messages
    assert "226,745" not in message["text"] and "14 036" in message["text"]
    assert message["buttons"] == [{"title": "Yes, I mean Almere", "payload": "/ask_population"}]


async def test_the_confirm_button_gets_the_answer(dispatcher, make_tracker, domain):
    await ActionAnswerTopic().run(dispatcher, make_tracker("ask_population", "/ask_population"), domain)
    assert "226,745" in dispatcher.messages[0]["text"]


async def test_once_the_conversation_is_about_almere_figures_are_given(dispatcher, domain):
    from rasa_sdk import Tracker

    def user(text, intent):
        return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}

    events = [user("How many companies are in Almere?", "ask_companies"),
              {"event": "action", "name": "action_answer_topic"},
              user("and jobs?", "ask_jobs")]
    latest = {"intent": {"name": "ask_jobs"}, "entities": [], "text": "and jobs?"}
    tracker = Tracker("t", {}, latest, events, False, None, {}, "action_listen")
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "89,000" in dispatcher.messages[0]["text"]
