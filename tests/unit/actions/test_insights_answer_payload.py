"""A topic answer names its topic for the widget's thumbs (and the insights); a decline does not."""

from __future__ import annotations

from support import figure

from actions.answers import ActionAnswerTopic


async def test_an_answer_carries_its_topic(dispatcher, make_tracker, domain):
    await ActionAnswerTopic().run(
        dispatcher, make_tracker("ask_jobs", "How many jobs are there in Almere?"), domain
    )
    [message] = dispatcher.messages
    assert figure("jobs") in message["text"]
    assert message["custom"] == {"data": {"answer": {"topic": "jobs"}}}


async def test_a_decline_carries_none(dispatcher, make_tracker, domain):
    entities = [{"entity": "figure", "value": "population"}, {"entity": "place", "value": "of Tokyo"}]
    tracker = make_tracker("ask_population", "What is the population of Tokyo?", entities)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert all(not message.get("custom") for message in dispatcher.messages)
