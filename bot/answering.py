"""Answer one question about a topic: the plain-Python core of the assistant's fact actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from bot.knowledge import Knowledge
from bot.language import EntityVocabulary


@dataclass(frozen=True)
class Reply:
    text: str
    topic: Optional[str]
    declined: bool


def answer_topic(
    knowledge: Knowledge,
    vocabulary: EntityVocabulary,
    topic: str,
    figure_phrases: Iterable[str] = (),
    place_phrases: Iterable[str] = (),
    text: str = "",
) -> Reply:
    """The answer for ``topic`` given the message ``text`` and the phrases found in it.

    A topic the knowledge file lacks is declined. A question that names another place
    and not Almere ("How many people live in Utrecht?") is declined for topics that
    state figures, so that Almere's figure is never given as another place's.
    """
    if topic not in knowledge.topics:
        return Reply(knowledge.decline(), topic=None, declined=True)
    places = [vocabulary.place_name(phrase) for phrase in place_phrases]
    about_almere = "almere" in text.lower()
    if places and not about_almere and knowledge.topics[topic].states_figures:
        return Reply(knowledge.decline_other_place(places[0]), topic=topic, declined=True)
    figures = [vocabulary.figure_for(phrase) for phrase in figure_phrases]
    figure = next((f for f in figures if f in knowledge.topics[topic].figures), None)
    return Reply(knowledge.answer(topic, figure), topic=topic, declined=False)
