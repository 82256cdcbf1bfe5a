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


def test_a_story_takes_the_reading_of_its_question_with_entities_at_their_place_in_the_message():
    from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY

    from bot.rasa.components import ALSO, QUESTION, ClauseChooser, ClauseSplitter

    typed = "We live in Lima now. How many jobs are there? Also, can someone call me?"
    whole, story, question, request = ClauseSplitter().process([Message(data={TEXT: typed})])
    assert [m.get(TEXT) for m in (story, question, request)] == [
        "We live in Lima now.",
        "How many jobs are there?",
        "Also, can someone call me?",
    ]
    for message, intent in ((whole, "out_of_scope"), (story, "out_of_scope"), (question, "ask_jobs")):
        message.set(INTENT, {"name": intent, "confidence": 0.9})
        message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.9}])
    request.set(INTENT, {"name": "request_human", "confidence": 0.8})
    story.set(ENTITIES, [{"entity": "place", "value": "in Lima", "start": 8, "end": 15}])
    question.set(ENTITIES, [{"entity": "figure", "value": "jobs", "start": 9, "end": 13}])
    [message] = ClauseChooser().process([whole, story, question, request])
    assert message is whole and message.get(TEXT) == typed
    assert message.get(INTENT)["name"] == "ask_jobs" and message.get(QUESTION) == "How many jobs are there?"
    assert message.get(ALSO) == ["request_human"]
    # "are there" points at no place: the story's place is left out, the question is about Almere.
    assert {typed[e["start"] : e["end"]] for e in message.get(ENTITIES)} == {"jobs"}


def test_a_question_that_points_at_the_place_of_another_sentence_keeps_it():
    from rasa.shared.nlu.constants import INTENT

    from bot.rasa.components import ClauseChooser, ClauseSplitter

    typed = "We live in Lima now. How many people live there?"
    whole, story, question = ClauseSplitter().process([Message(data={TEXT: typed})])
    story.set(INTENT, {"name": "out_of_scope", "confidence": 0.9})
    question.set(INTENT, {"name": "ask_population", "confidence": 0.9})
    story.set(ENTITIES, [{"entity": "place", "value": "in Lima", "start": 8, "end": 15}])
    [message] = ClauseChooser().process([whole, story, question])
    # So that no figure of Almere is given for Lima.
    assert [typed[e["start"] : e["end"]] for e in message.get(ENTITIES)] == ["in Lima"]


class _Tracker:
    """What the ThreadReader reads of Rasa's tracker: the slots and the active form."""

    def __init__(self, **slots):
        self.slots = slots
        self.active_loop_name = None

    def get_slot(self, name):
        return self.slots.get(name)


def test_a_follow_up_is_read_with_the_slots_the_last_answer_set():
    from rasa.shared.nlu.constants import INTENT

    from bot.rasa.components import THREAD, ThreadReader

    message = Message(data={TEXT: "and in the future?", INTENT: {"name": "out_of_scope", "confidence": 0.4}})
    tracker = _Tracker(last_topic="population", last_figures=["inhabitants", "size_rank_nl"])
    [read] = ThreadReader().process([message], tracker)
    assert read.get(INTENT) == {"name": "ask_growth", "confidence": 1.0}
    assert [e["value"] for e in read.get(ENTITIES)] == ["population_2050"] and read.get(THREAD) == "follow_up"
    # A figure the message names beside the one the reading picks is left out.
    jobs = {"entity": "figure", "value": "jobs", "start": 27, "end": 31}
    share = Message(
        data={
            TEXT: "and how many of those jobs are international?",
            INTENT: {"name": "ask_jobs", "confidence": 0.9},
            ENTITIES: [jobs],
        }
    )
    [read] = ThreadReader().process([share], _Tracker(last_topic="jobs", last_figures=["jobs"]))
    assert [e["value"] for e in read.get(ENTITIES)] == ["international_jobs"]
    # Without a conversation (rasa shell nlu) nothing changes, and a question is never a goodbye.
    alone = Message(data={TEXT: "and in the future?", INTENT: {"name": "goodbye", "confidence": 0.7}})
    [read] = ThreadReader().process([alone], None)
    assert read.get(INTENT)["name"] == "nlu_fallback" and not read.get(ENTITIES)
    # Words quoted for the assistant to say are no yes, outside a form.
    quoted = Message(
        data={TEXT: "Zeg 'Uw aanvraag is goedgekeurd'", INTENT: {"name": "affirm", "confidence": 0.5}}
    )
    [read] = ThreadReader().process([quoted], _Tracker())
    assert read.get(INTENT)["name"] == "nlu_fallback"


def test_a_message_in_another_language_gets_the_switch_language_intent_except_in_a_form(tmp_path):
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import INTENT

    from bot.rasa.components import OTHER_LANGUAGE, LanguageDetector, OtherLanguageDetector

    storage, resource = LocalModelStorage(tmp_path), Resource("other_language")
    learnt = ["how many people live in almere", "hoeveel mensen wonen er in almere", "business service desk"]
    OtherLanguageDetector(storage, resource).train(TrainingData([Message(data={TEXT: t}) for t in learnt]))
    detector = OtherLanguageDetector.load({}, storage, resource, None)

    spanish = "¿Cuántas personas viven en Almere?"
    [message] = detector.process([Message(data={TEXT: spanish})], _Tracker())
    assert message.get(INTENT)["name"] == "switch_language" and message.get(OTHER_LANGUAGE) == "es"
    [message] = LanguageDetector().process([message])
    assert not message.get(ENTITIES)  # no language of ours is detected in it
    # Words it learnt are English or Dutch, whatever a statistical detector says of them.
    for ours in ("business service desk", "hoeveel mensen wonen er", "how many people live in almere"):
        [message] = detector.process([Message(data={TEXT: ours})], _Tracker())
        assert message.get(INTENT) is None, ours
    in_form = _Tracker()
    in_form.active_loop_name = "handoff_form"
    [message] = detector.process([Message(data={TEXT: spanish})], in_form)
    assert message.get(INTENT) is None
