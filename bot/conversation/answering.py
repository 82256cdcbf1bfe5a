"""Answer one question about a topic: the plain-Python core of the assistant's fact actions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.conversation.spacy_pipeline import EntityVocabulary
from bot.knowledge import Knowledge

# Words that place a question in Almere ("is it far from here?", "jobs there").
_ABOUT_ALMERE = re.compile(
    r"\b(almere|flevoland|schiphol|(the|this|your) (city|town|municipality)|here)\b"
    # Dutch: "hier", "deze stad", "de gemeente", "jullie stad", "bij jullie".
    r"|\b(hier|(deze|jullie|uw|de) (stad|gemeente)|bij jullie)\b"
    # "there" as a place ("jobs there"), not as in "is there", "if there are", "there will be".
    r"|(?<!\bare )(?<!\bis )(?<!\bwas )(?<!\bif )(?<!\bhas )(?<!\bwill )(?<!\bwhether )\bthere\b"
    r"(?!\s+(is|are|was|were|be|been|will|would|ever|any|still|seems?)\b)(?!'s)",
    re.IGNORECASE,
)


_NAMES_ALMERE = re.compile(r"\balmere\b", re.IGNORECASE)


def mentions_almere(text: str) -> bool:
    return bool(_ABOUT_ALMERE.search(text))


# "population of <somewhere>", "people living in <somewhere>": the word after it, lower case too.
_PLACE_OF_PEOPLE = re.compile(
    r"\b(?:population|inhabitants|residents|citizens|people)\s+(?:density\s+)?(?:of|in)\s+(?:the\s+)?([\w'.-]+)"
    r"|\b(?:live|lives|living)\s+in\s+(?:the\s+)?([\w'.-]+)"
    # Dutch: "inwoners van Utrecht", "bevolking van Lelystad", "wonen in Zwolle", "heeft Utrecht".
    r"|\b(?:inwoners|bewoners|bevolking|mensen|inwonersaantal)\s+(?:van|in)\s+(?:de\s+|het\s+)?([\w'.-]+)"
    r"|\b(?:wonen|woont)\s+(?:er\s+)?in\s+(?:de\s+|het\s+)?([\w'.-]+)"
    r"|\b(?:heeft|telt)\s+([A-Z][\w'.-]+)",
    re.IGNORECASE,
)
# Words after "population of" / "live in" that keep a question in Almere.
_ALMERE_SIDE = frozenset(
    "almere city town municipality community expat expats international here there this that it "
    "your our total all general now today future year years coming next "
    "stad gemeente hier daar deze dit die het de een er totaal nu vandaag toekomst jaar jaren komende".split()
)
# A topic is answered only when the classifier is this sure of it, or the question names
# Almere: below it the question is declined with the offer of a colleague, since an answer to
# a misunderstood question misleads ("share my location with David" is no question about
# Almere's location). "More likely than not" is not enough for an answer in the city's name.
ANSWER_CONFIDENCE = 0.6


# A number of five digits or more, or with thousands separators ("400.000", "1,000,000", "250000"),
# not a year or a time.
_OWN_NUMBER = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:[.,]\d{3})+|\d{5,})(?![\d.,]*\d)")


def names_another_place(text: str) -> bool:
    """Whether a population question names somewhere other than Almere ("people in vermillion")."""
    for match in _PLACE_OF_PEOPLE.finditer(text):
        word = next(group for group in match.groups() if group).lower().strip(".'")
        if word and word not in _ALMERE_SIDE and not word.isdigit():
            return True
    return False


@dataclass(frozen=True)
class Reply:
    text: str
    topic: str | None
    declined: bool
    # Declined because the question was not understood well enough: offer a colleague.
    offer_colleague: bool = False


def answer_topic(
    knowledge: Knowledge,
    vocabulary: EntityVocabulary,
    topic: str,
    figure_phrases: Iterable[str] = (),
    place_phrases: Iterable[str] = (),
    text: str = "",
    confidence: float = 1.0,
    language: str = "en",
) -> Reply:
    """The answer for ``topic`` given the message ``text`` and the phrases found in it.

    The assistant serves Almere's own website, so a question that names no other place is
    about Almere, and the answers name Almere. Almere's figures are never stated for another
    place: a figure question that names another place and not Almere ("How many people live
    in Utrecht?") is declined. Every figure asked for is answered ("how many expats and how
    many cultures?"), each from the topic that has it. A question the classifier is unsure of
    (``confidence`` below :data:`ANSWER_CONFIDENCE`) that does not name Almere is declined
    with the offer of a colleague, and so is a question the topic's answer does not answer
    (the train's time to "how do I get to the airport by bike?"). Everything is said in
    ``language`` ("en" or "nl").
    """
    if topic not in knowledge.topics:
        return Reply(knowledge.decline(language), topic=None, declined=True, offer_colleague=True)
    place_phrases = list(place_phrases)
    about_almere = mentions_almere(text)
    # "from Utrecht to Schiphol": Schiphol (or "here") places a question in Almere only when no
    # other place is named in it; Almere by name always does.
    elsewhere = bool(place_phrases) and not _NAMES_ALMERE.search(text)
    if knowledge.topics[topic].states_figures and (elsewhere or not about_almere):
        if place_phrases or names_another_place(text):
            place = next(filter(None, map(vocabulary.known_place, place_phrases)), None)
            return Reply(knowledge.decline_other_place(place, language), topic=topic, declined=True)
    unsure = confidence < ANSWER_CONFIDENCE and not about_almere
    if unsure or not knowledge.topics[topic].answers(text):
        return Reply(knowledge.decline(language), topic=topic, declined=True, offer_colleague=True)
    figures = [figure for figure in map(vocabulary.figure_for, figure_phrases) if figure]
    if _OWN_NUMBER.search(text):
        # A number of the person's own ("Is it true that Almere has 400,000 inhabitants?") is a
        # claim to check: the answer gives every related figure (today's and the forecast), so
        # that the right one answers it whichever the classifier took the question for.
        stated = knowledge.stated(topic, figures)
        figures = list(dict.fromkeys([*figures, *stated, *vocabulary.related_to(stated)]))
    answer = knowledge.answer(topic, figures, language)
    return Reply(answer, topic=topic, declined=False)
