"""The pipeline's own components: opening words dropped for the classifier, the typed text given back."""

from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa.components import OpeningWordsRemover, OpeningWordsRestorer


def test_the_classifier_reads_the_question_and_the_parse_data_keeps_the_typed_text():
    typed = "Hello! how many jobs are there?"
    [message] = OpeningWordsRemover().process([Message(data={TEXT: typed})])
    assert message.get(TEXT) == "how many jobs are there?"
    start = message.get(TEXT).index("jobs")
    message.set(ENTITIES, [{"entity": "figure", "value": "jobs", "start": start, "end": start + 4}])
    [message] = OpeningWordsRestorer().process([message])
    assert message.get(TEXT) == typed
    [entity] = message.get(ENTITIES)
    assert typed[entity["start"] : entity["end"]] == "jobs"
    assert "typed_text" not in message.as_dict()


def test_a_message_without_opening_words_is_untouched():
    [message] = OpeningWordsRestorer().process(OpeningWordsRemover().process([Message(data={TEXT: "hello"})]))
    assert message.data == {TEXT: "hello"}


def test_training_examples_are_shortened_unless_their_entities_point_into_them():
    plain = Message(data={TEXT: "hi, what's the population?", "intent": "ask_population"})
    figure = {"entity": "figure", "start": 15, "end": 25, "value": "population"}
    annotated = Message(
        data={TEXT: "hi, what's the population?", "intent": "ask_population", ENTITIES: [figure]}
    )
    OpeningWordsRemover().process_training_data(TrainingData([plain, annotated]))
    assert plain.get(TEXT) == "what's the population?"
    assert annotated.get(TEXT) == "hi, what's the population?"
