"""The project's own components of Rasa's NLU pipeline (named in config.yml)."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.opening_words import without_opening
from bot.reply_language import detect, requested_language

# Where the message as typed is kept while the pipeline reads it without its opening words.
TYPED_TEXT = "typed_text"
# The entity the language slot is filled from (domain.yml).
LANGUAGE_ENTITY = "language"


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
    """Drops a greeting or "thanks, ok" before a question (bot.opening_words), first in the pipeline.

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
    """Adds a ``language`` entity ("en" or "nl") when the message asks for a language or clearly is
    in one (bot.reply_language); the ``language`` slot takes it from there, before any response is
    chosen. A message too short to tell adds none, so the conversation keeps its language.
    Last in the pipeline, after the text as typed is back."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
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
