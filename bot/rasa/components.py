"""The project's own components of Rasa's NLU pipeline (named in config.yml)."""

from __future__ import annotations

import json
import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import services
from bot.conversation import clauses
from bot.conversation.follow_ups import Thread, can_be_goodbye, can_be_yes_or_no, read_in_thread
from bot.conversation.opening_words import without_opening
from bot.conversation.reply_language import detect, other_language, requested_language, words_of
from bot.conversation.spacy_pipeline import FIGURE, PLACE

# Where the message as typed is kept while the pipeline reads it without its opening words.
TYPED_TEXT = "typed_text"
# The entity the language slot is filled from (domain.yml).
LANGUAGE_ENTITY = "language"
# Parse data the actions read: the sentence a message of several asks (bot/conversation/clauses.py), what else
# it asks for ("request_human"), its questions about other topics, and how the conversation
# completed it (bot/conversation/follow_ups.py).
QUESTION = "question"
ALSO = "also"
MORE_QUESTIONS = "more_questions"
THREAD = "thread"
# The language of a message in neither English nor Dutch, which gets the switch_language intent.
OTHER_LANGUAGE = "other_language"
SWITCH_LANGUAGE = "switch_language"
GOODBYE = "goodbye"
YES_OR_NO = ("affirm", "deny")
FALLBACK = "nlu_fallback"
# The slots the answer actions keep the last answer's topic and figures in (domain.yml).
LAST_TOPIC_SLOT = "last_topic"
LAST_FIGURES_SLOT = "last_figures"
_NAMES_ALMERE = re.compile(r"\balmere\b", re.IGNORECASE)
# On a sentence's message while the pipeline reads it beside its whole message.
_CLAUSE_START = "clause_start"


class _WithoutState(GraphComponent):
    """A component with nothing to configure, train or persist."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class OpeningWordsRemover(_WithoutState):
    """Drops a greeting or "thanks, ok" before a question (bot.conversation.opening_words), first in
    the pipeline.

    The rest of the pipeline then classifies the question ("Hello! how big is almere" is a
    population question); :class:`OpeningWordsRestorer`, last in the pipeline, puts the text
    as typed back, with the entities' positions in it.
    """

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            # Annotated entities point into the text as written: those examples stay as they are.
            if example.get(TEXT) and not example.get(ENTITIES):
                example.set(TEXT, without_opening(example.get(TEXT)))
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            typed = message.get(TEXT)
            if typed:
                shortened = without_opening(typed)
                if shortened != typed:
                    message.set(TYPED_TEXT, typed)
                    message.set(TEXT, shortened)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class OpeningWordsRestorer(_WithoutState):
    """Puts back the text as typed that :class:`OpeningWordsRemover` shortened, last in the pipeline.

    Entities found in the shortened text are moved to their place in the typed text, so that
    the parse data describes the message the person sent.
    """

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            typed = message.get(TYPED_TEXT)
            if typed is None:
                continue
            shift = len(typed) - len(message.get(TEXT))
            for entity in message.get(ENTITIES) or []:
                entity["start"] += shift
                entity["end"] += shift
            message.set(TEXT, typed)
            message.data.pop(TYPED_TEXT)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(_WithoutState):
    """Adds a ``language`` entity ("en" or "nl") when the message asks for a language or clearly
    is in one (bot.conversation.reply_language); the ``language`` slot takes it from there, before
    any response is chosen. A message too short to tell adds none, so the conversation keeps its language.
    Last in the pipeline, after the text as typed is back; a message in another language
    (:class:`OtherLanguageDetector`) adds none."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if message.get(OTHER_LANGUAGE):
                continue
            language = requested_language(text) or detect(text)
            if language is None:
                continue
            entity = {
                "entity": LANGUAGE_ENTITY,
                "value": language,
                "start": 0,
                "end": len(message.get(TEXT) or ""),
                "extractor": type(self).__name__,
            }
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ClauseSplitter(_WithoutState):
    """First in the pipeline: a message of several sentences is followed by one message per sentence
    (bot.conversation.clauses.split), so that the rest of the pipeline reads each sentence on its own too;
    :class:`ClauseChooser` makes them one message again. Training examples are learnt whole."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        result = []
        for message in messages:
            result.append(message)
            for clause in clauses.split(message.get(TEXT) or ""):
                result.append(Message(data={TEXT: clause.text, _CLAUSE_START: clause.start}))
        return result


def _top_intent(message: Message) -> tuple[str, float]:
    """The classifier's most likely intent for a message (before any fallback)."""
    ranking = message.get(INTENT_RANKING_KEY) or [message.get(INTENT) or {}]
    best = ranking[0] if ranking else {}
    return best.get(INTENT_NAME_KEY) or "", float(best.get(PREDICTED_CONFIDENCE_KEY) or 0.0)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ClauseChooser(_WithoutState):
    """After the classifier: a message read sentence by sentence (:class:`ClauseSplitter`) takes the
    reading of the sentence it asks (bot.conversation.clauses.choose), with its entities at their place in the
    message, the figures its other questions ask for and, when that sentence points at a place
    another names ("… live there?", bot.conversation.clauses.points_at_a_place), those places; a request for a
    person in another sentence is kept as ``also``."""

    def process(self, messages: list[Message]) -> list[Message]:
        groups: list[tuple[Message, list[Message]]] = []
        for message in messages:
            if message.get(_CLAUSE_START) is None or not groups:
                groups.append((message, []))
            else:
                groups[-1][1].append(message)
        for whole, parts in groups:
            if parts:
                self._choose(whole, parts)
        return [whole for whole, _ in groups]

    @staticmethod
    def _choose(whole: Message, parts: list[Message]) -> None:
        readings = [
            clauses.ClauseReading(clauses.Clause(part.get(TEXT), part.get(_CLAUSE_START)), *_top_intent(part))
            for part in parts
        ]
        choice = clauses.choose(readings)
        if choice.index is None:
            return
        chosen = parts[choice.index]
        whole.set(INTENT, chosen.get(INTENT), add_to_output=True)
        whole.set(INTENT_RANKING_KEY, chosen.get(INTENT_RANKING_KEY), add_to_output=True)
        whole.set(QUESTION, chosen.get(TEXT), add_to_output=True)
        if choice.also_request_human:
            whole.set(ALSO, [clauses.REQUEST_HUMAN], add_to_output=True)
        if choice.other_questions:
            others = [
                {"intent": readings[i].intent, "text": readings[i].clause.text}
                for i in choice.other_questions
            ]
            whole.set(MORE_QUESTIONS, others, add_to_output=True)
        others_too = clauses.points_at_a_place(chosen.get(TEXT)) and not _NAMES_ALMERE.search(
            chosen.get(TEXT)
        )
        entities = []
        for index, part in enumerate(parts):
            for entity in part.get(ENTITIES) or []:
                kind = entity.get("entity")
                keep = (
                    index == choice.index
                    or (kind == FIGURE and clauses.is_topic(readings[index].intent))
                    or (kind == PLACE and others_too)
                )
                if keep:
                    shift = part.get(_CLAUSE_START)
                    entities.append(
                        {**entity, "start": entity["start"] + shift, "end": entity["end"] + shift}
                    )
        whole.set(ENTITIES, entities, add_to_output=True)


def _can_be(intent: str | None, text: str, in_form: bool) -> bool:
    """Whether the message can be what the classifier took it for: a question is never a goodbye,
    and outside a form words quoted for the assistant to say are never a yes or no."""
    if intent == GOODBYE:
        return can_be_goodbye(text)
    if intent in YES_OR_NO and not in_form:
        return can_be_yes_or_no(text)
    return True


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ThreadReader(_WithoutState):
    """Reads a message with the conversation it belongs to (bot.conversation.follow_ups): a follow-up or a
    correction of the last answer ("and in the future?", "sorry, I meant jobs") gets the intent and
    figures it asks for, from the topic and figures the answer actions kept in the
    ``last_topic`` / ``last_figures`` slots. Rasa gives a component whose ``process`` takes a
    ``tracker`` the conversation so far (None where there is none, as in ``rasa shell nlu``)."""

    def process(self, messages: list[Message], tracker: DialogueStateTracker | None = None) -> list[Message]:
        thread = Thread()
        in_form = tracker is not None and tracker.active_loop_name is not None
        if tracker is not None:
            topic = tracker.get_slot(LAST_TOPIC_SLOT)
            figures = tracker.get_slot(LAST_FIGURES_SLOT) or []
            thread = Thread(topic if isinstance(topic, str) else None, tuple(map(str, figures)))
        knowledge, vocabulary = services.knowledge(), services.vocabulary()
        for message in messages:
            entities = message.get(ENTITIES) or []
            named = [
                vocabulary.figure_for(e["value"])
                for e in entities
                if e.get("entity") == FIGURE and isinstance(e.get("value"), str)
            ]
            reading = read_in_thread(
                message.get(QUESTION) or message.get(TEXT) or "",
                thread,
                figures=[figure for figure in named if figure],
                names_other_place=any(e.get("entity") == PLACE for e in entities),
                related=vocabulary.related_to(thread.figures),
                topic_of_figure=knowledge.topic_of_figure(),
                classified=_top_intent(message),
            )
            if reading is None:
                intent = message.get(INTENT) or {}
                if not _can_be(intent.get(INTENT_NAME_KEY), message.get(TEXT) or "", in_form):
                    message.set(INTENT, {**intent, INTENT_NAME_KEY: FALLBACK}, add_to_output=True)
                continue
            message.set(
                INTENT, {INTENT_NAME_KEY: reading.intent, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True
            )
            added = [
                {"entity": FIGURE, "value": figure, "start": 0, "end": 0, "extractor": type(self).__name__}
                for figure in reading.figures
                if figure not in named
            ]
            # The figures the reading asks for replace the others the message names ("and how many
            # of those jobs are international?" asks for the international jobs only).
            kept = [
                e
                for e in entities
                if not reading.figures
                or e.get("entity") != FIGURE
                or vocabulary.figure_for(str(e.get("value"))) in reading.figures
            ]
            message.set(ENTITIES, [*kept, *added], add_to_output=True)
            message.set(THREAD, reading.kind, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class OtherLanguageDetector(GraphComponent):
    """A message clearly in another language than English or Dutch ("¿Cuántas personas viven en
    Almere?") gets the ``switch_language`` intent, with the language as ``other_language``, so that
    the assistant says in both its languages which it speaks; never while a form takes the person's
    answers. "Clearly" needs words it never learnt (bot.conversation.reply_language.other_language): training
    keeps the training data's words."""

    WORDS_FILE = "words.json"

    def __init__(self, model_storage: ModelStorage, resource: Resource, words: frozenset[str] = frozenset()):
        self._model_storage = model_storage
        self._resource = resource
        self._words = words

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OtherLanguageDetector:
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        words = {
            word for example in training_data.training_examples for word in words_of(example.get(TEXT) or "")
        }
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self.WORDS_FILE).write_text(json.dumps(sorted(words)), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> OtherLanguageDetector:
        with model_storage.read_from(resource) as directory:
            words = json.loads((directory / cls.WORDS_FILE).read_text(encoding="utf-8"))
        return cls(model_storage, resource, frozenset(words))

    def process(self, messages: list[Message], tracker: DialogueStateTracker | None = None) -> list[Message]:
        if tracker is not None and tracker.active_loop_name is not None:
            return messages
        for message in messages:
            other = other_language(message.get(TEXT) or "", self._words)
            if other is not None:
                intent = {INTENT_NAME_KEY: SWITCH_LANGUAGE, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(OTHER_LANGUAGE, other, add_to_output=True)
        return messages
