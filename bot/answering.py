"""Answer one question about a topic: the plain-Python core of the assistant's fact actions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from bot.knowledge import Knowledge
from bot.language import EntityVocabulary

# Words that place a question in Almere ("is it far from here?", "jobs there").
_ABOUT_ALMERE = re.compile(
    r"\b(almere|flevoland|schiphol|(the|this|your) (city|town|municipality)|here)\b"
    # "there" as a place ("jobs there"), not as in "is there", "if there are", "there will be".
    r"|(?<!\bare )(?<!\bis )(?<!\bwas )(?<!\bif )(?<!\bhas )(?<!\bwill )(?<!\bwhether )\bthere\b"
    r"(?!\s+(is|are|was|were|be|been|will|would|ever|any|still|seems?)\b)(?!'s)",
    re.IGNORECASE,
)


def mentions_almere(text: str) -> bool:
    return bool(_ABOUT_ALMERE.search(text))


@dataclass(frozen=True)
class Reply:
    text: str
    topic: Optional[str]
    declined: bool
    # True when the question may not be about Almere: the person is asked to confirm.
    confirm_almere: bool = False


def answer_topic(
    knowledge: Knowledge,
    vocabulary: EntityVocabulary,
    topic: str,
    figure_phrases: Iterable[str] = (),
    place_phrases: Iterable[str] = (),
    text: str = "",
    in_almere_conversation: bool = True,
) -> Reply:
    """The answer for ``topic`` given the message ``text`` and the phrases found in it.

    Almere's figures are only stated for questions about Almere: a topic the knowledge
    file lacks is declined; a figure question that names another place and not Almere
    ("How many people live in Utrecht?") is declined; and one that names no place, asked
    before the conversation was about Almere ("how many people are homeless?"), is
    declined with an offer to confirm that Almere was meant.
    """
    if topic not in knowledge.topics:
        return Reply(knowledge.decline(), topic=None, declined=True)
    places = [vocabulary.place_name(phrase) for phrase in place_phrases]
    about_almere = mentions_almere(text)
    if knowledge.topics[topic].states_figures and not about_almere:
        if places:
            return Reply(knowledge.decline_other_place(places[0]), topic=topic, declined=True)
        if not in_almere_conversation:
            return Reply(knowledge.confirm_almere(), topic=topic, declined=True, confirm_almere=True)
    figures = [vocabulary.figure_for(phrase) for phrase in figure_phrases]
    figure = next((f for f in figures if f in knowledge.topics[topic].figures), None)
    return Reply(knowledge.answer(topic, figure), topic=topic, declined=False)
