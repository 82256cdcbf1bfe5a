"""A message read in its conversation: follow-ups and corrections of the last answer.

People talk in threads. After "How many people live in Almere?" they ask "and in the future?",
"which part of that is international?" or "sorry, I meant jobs": messages that say what they
want only together with the last answer. The answer actions keep what the last answer was about
(:class:`Thread`: its topic and the figures it stated, in the ``last_topic`` and ``last_figures``
slots); :func:`read_in_thread` completes a message from it:

- a **correction** ("I meant …", "ik bedoel …", "no wait, …") that names a figure, or a word of
  time or scope of the last answer's related figures ("no wait, the total"), asks for that figure;
- a **follow-up** is short and leans on the last answer: it starts by continuing it ("and …",
  "en …", "what about …"), points back at it ("that", "daarvan") or is a fragment of a few words.
  It then asks for the figure it names ("and the expats?"), for a place other than Almere ("and in
  Zeewolde?": the last topic, so that the answer declines for that place; "and in Almere?" after
  such a decline asks the last question for Almere), for another trip ("and to Amsterdam?" after
  the train to Schiphol: out of scope, declined), or, with a word of time
  or scope, for the related figure of the last answer's ("and in the future?" after the
  population: the 2050 forecast; "which part of that is international?" after the jobs: the
  international jobs), or only asks for the figure again ("by how much?", "how long does it
  take?", "hoe lang duurt dat?"): the last answer's main figure.
  Related figures and their words are language data (bot/entities.yml).

Anything else is left to the classifier: a follow-up that asks for something the last answer has
no related figure for ("and by car?" after the train, "and in 2030?") gets no figure from here, so
it is declined rather than answered with a figure the person did not ask about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Intents named `ask_<topic>` answer that topic of the knowledge file.
TOPIC_INTENT_PREFIX = "ask_"
# A follow-up is at most this many words (more is a question of its own).
FOLLOW_UP_MAX_WORDS = 8
# This many words or fewer is a fragment ("right now?", "in total?") after an answer.
FRAGMENT_MAX_WORDS = 3
# The intent of what the page does not answer, and how sure the classifier must be of it to keep
# a follow-up that names a figure declined ("and which company is the biggest?").
OUT_OF_SCOPE = "out_of_scope"
SURELY_OUT_OF_SCOPE = 0.5
# Asking where the last answer's figure comes from or how recent it is: answered as that.
SOURCE = "ask_source"
SURELY_SOURCE = 0.5

_WORD = re.compile(r"[\w'’-]+", re.UNICODE)
# Continuing the last answer: "and …", "also …", "what about …", "en …", "hoe zit het met …".
_CONTINUES = re.compile(
    r"^\W*(?:and|also|plus|but|so|then|what about|how about"
    r"|en|ook|maar|dus|hoe zit het met|wat dacht je van)\b",
    re.IGNORECASE,
)
# Pointing back at the last answer: "that", "of it", "daarvan".
_POINTS_BACK = re.compile(
    r"\b(?:that|this|those|these|it|them|thereof|dat|dit|die|deze|daarvan|hiervan|ervan)\b", re.IGNORECASE
)
# Correcting the last question: "sorry, I meant jobs", "nee, ik bedoel hoeveel culturen", "no wait,
# the total".
_CORRECTS = re.compile(
    r"\b(?:i meant|i mean|meant to ask|i was asking about|i was asking for|i asked about|i asked for"
    r"|what i meant|ik bedoel|ik bedoelde|bedoel ik|ik vroeg naar|ik had het over)\b"
    r"|^\W*(?:no|nope|nee|oops|sorry)\b[\s,.!]+(?:wait\b|wacht\b)?",
    re.IGNORECASE,
)
# Asking the last question again for Almere itself ("and in Almere?" after a decline for Lelystad).
_ALMERE_ONLY = re.compile(
    r"^\W*(?:(?:and|also|what about|how about|en|ook|hoe zit het met)\s+)?(?:(?:in|for|voor|van)\s+)?"
    r"almere(?:\s+(?:itself|then|zelf|dan))?\W*$",
    re.IGNORECASE,
)
# Asking only for the figure just given, again ("how long does it take?", "by how much?", "hoeveel
# is dat?", "hoe lang duurt dat?"): a word that asks for an amount, a duration or a moment, then
# only words that point back at the last answer, ask again or name a unit of time.
_ASKS_THE_FIGURE = re.compile(
    r"^\W*(?:(?:and|so|but|en|dus|maar)\s+)?(?:by\s+)?"
    r"(?:how\s+(?:much|many|long)|what\s+number|when|hoeveel|met\s+hoeveel|hoe\s+lang|wanneer)"
    r"(?:\s+(?:does|do|did|is|are|was|were|will|would|it|that|this|there|take|takes|exactly|precisely"
    r"|roughly|approximately|again|then|you|say|minutes?|mins?|hours?"
    r"|duurt|duurde|doe|doet|doen|je|u|het|dat|dit|is|zijn|was|er|erover|over|dan|precies|ongeveer|nog"
    r"|eens|weer|nogmaals|zei|minuten|minuut|uur))*\W*$",
    re.IGNORECASE,
)
# A follow-up that takes the last answer to another destination or starting point ("and to
# Amsterdam?", "en naar Utrecht?", "and from Rotterdam?"): a trip the answer is not about.
_ANOTHER_ROUTE = re.compile(r"\b(?:to|towards|from|naar|vanaf|vanuit|richting)\s+\w", re.IGNORECASE)


@dataclass(frozen=True)
class Thread:
    """What the assistant's last answer was about: its topic and the figures (fact names) it stated."""

    topic: str | None = None
    figures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reading:
    """A message understood in its thread: the intent to answer it with and the figures it asks for."""

    intent: str
    figures: tuple[str, ...]
    # "follow_up" or "correction", for the parse data and the logs.
    kind: str


def intent_for(topic: str) -> str:
    return TOPIC_INTENT_PREFIX + topic


def topic_of_intent(intent: str) -> str | None:
    return intent[len(TOPIC_INTENT_PREFIX) :] if intent.startswith(TOPIC_INTENT_PREFIX) else None


def is_correction(text: str) -> bool:
    return bool(_CORRECTS.search(text))


def is_follow_up(text: str) -> bool:
    """Whether ``text`` is short and leans on what was said before (see the module's docstring)."""
    words = _WORD.findall(text)
    if not words or len(words) > FOLLOW_UP_MAX_WORDS:
        return False
    leans = _CONTINUES.search(text) or _POINTS_BACK.search(text) or _ASKS_THE_FIGURE.search(text)
    return len(words) <= FRAGMENT_MAX_WORDS or bool(leans)


def can_be_yes_or_no(text: str) -> bool:
    """Whether a message the classifier took for a yes or no can be one: one that quotes words for
    the assistant to say ("Zeg 'Uw aanvraag is goedgekeurd'") is not."""
    return not re.search(r"['\"‘’“”]\s*\w[^'\"‘’“”]*\s\w[^'\"‘’“”]*['\"‘’“”]", text)


def can_be_goodbye(text: str) -> bool:
    """Whether a message the classifier took for a goodbye can be one: a question ("and right
    now?") or a message that goes on from the last answer ("and …") is not."""
    stripped = text.strip()
    return not (stripped.endswith("?") or _CONTINUES.search(stripped))


def _says(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text, re.IGNORECASE) is not None


def read_in_thread(
    text: str,
    thread: Thread,
    figures: Sequence[str],
    names_other_place: bool,
    related: Mapping[str, Iterable[str]],
    topic_of_figure: Mapping[str, str],
    classified: tuple[str, float] = ("", 0.0),
) -> Reading | None:
    """How to understand ``text`` after the last answer (``thread``), or None to leave it to the
    classifier.

    ``figures`` are the fact names the message names itself ("expats"), ``names_other_place``
    whether it names a place other than Almere, ``related`` the figures related to the last
    answer's with the words that pick each (EntityVocabulary.related_to), ``topic_of_figure`` the
    topic that states each figure, ``classified`` the classifier's intent and confidence: a
    follow-up it is sure the page does not answer keeps that reading when it names a figure
    already given ("and which company is the biggest?" asks about companies, not for their
    number), and one it is sure asks for the source keeps that.
    """
    named = [figure for figure in dict.fromkeys(figures) if figure in topic_of_figure]
    if is_correction(text):
        if named:
            return Reading(intent_for(topic_of_figure[named[0]]), tuple(named), "correction")
        picked = _picked(text, related, topic_of_figure)
        return Reading(intent_for(topic_of_figure[picked]), (picked,), "correction") if picked else None
    if thread.topic is None or not is_follow_up(text):
        return None
    if _ASKS_THE_FIGURE.search(text) and thread.figures and thread.figures[0] in topic_of_figure:
        return Reading(intent_for(topic_of_figure[thread.figures[0]]), thread.figures[:1], "follow_up")
    if classified[0] == SOURCE and classified[1] >= SURELY_SOURCE:
        return None  # "is that counted this year?" asks how recent the figure is
    if names_other_place:
        # Another place: declined there (the last topic's answer knows only Almere); another trip:
        # declined as a question the page does not answer.
        intent = OUT_OF_SCOPE if _ANOTHER_ROUTE.search(text) else intent_for(thread.topic)
        return Reading(intent, (), "follow_up")
    if _ALMERE_ONLY.search(text):
        return Reading(intent_for(thread.topic), thread.figures, "follow_up")
    picked = _picked(text, related, topic_of_figure)
    if picked and set(named) & set(related):
        # "and how many of those jobs are international?": the word of scope picks within the group.
        return Reading(intent_for(topic_of_figure[picked]), (picked,), "follow_up")
    if named:
        # Naming a figure already given, in words the classifier surely declines, asks something
        # else about it ("and which company is the biggest?"); a figure not given yet is asked for.
        intent, confidence = classified
        if intent == OUT_OF_SCOPE and confidence >= SURELY_OUT_OF_SCOPE and set(named) <= set(thread.figures):
            return None
        return Reading(intent_for(topic_of_figure[named[0]]), tuple(named), "follow_up")
    return Reading(intent_for(topic_of_figure[picked]), (picked,), "follow_up") if picked else None


def _picked(
    text: str, related: Mapping[str, Iterable[str]], topic_of_figure: Mapping[str, str]
) -> str | None:
    """The one related figure whose words ``text`` says, if exactly one."""
    picked = [
        figure
        for figure, words in related.items()
        if figure in topic_of_figure and any(_says(text, phrase) for phrase in words)
    ]
    return picked[0] if len(picked) == 1 else None
