"""A message of several sentences: the question in a story, and two requests in one message.

"We are a family of four from Kenya; my wife starts in Amsterdam in March … Are there
international schools in Almere?" asks one thing; the story around it only makes the message
unlike any question the classifier learned. "How many jobs are there? Also, I'd like someone to
contact me" asks two. The pipeline therefore classifies every sentence of a longer message on its
own (:func:`split`) besides the whole message, and :func:`choose` decides what the message asks:

- the sentence that asks about a topic most surely is the message's question (a sentence that is
  a question wins over a statement, then the classifier's confidence); questions about other
  topics in it are answered after it;
- a request for a person in another sentence is kept beside it: the answer comes first, then the
  handoff starts, whatever the order of the sentences;
- with no topic asked, a request for a person is the message's intent (a sentence the classifier
  only thinks may be one counts when it is a question or the message's last sentence: stories
  mention colleagues without asking for one);
- with neither, the last question the classifier is sure enough of ("… Am I talking to a
  computer?"), else the whole message's reading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.conversation.follow_ups import TOPIC_INTENT_PREFIX

REQUEST_HUMAN = "request_human"
# How sure the classifier must be of a sentence's topic for it to count, and of a request for a
# person: a story's sentences mention colleagues and neighbours ("a colleague told me about
# Almere") without asking for one, while a request in a longer message is plain ("Also, I'd like a
# colleague to call me").
CLAUSE_CONFIDENCE = 0.35
REQUEST_CONFIDENCE = 0.9
# A sentence needs this many words to be read on its own ("Hi." and "Thanks!" are not questions).
CLAUSE_MIN_WORDS = 2
# At most this many sentences are read: the first two and the last ones (a question comes first or
# last in a story far more often than in its middle).
MAX_CLAUSES = 12

# A sentence ends at ! ? ; or a line break, or at a full stop after a word of two letters or more
# when a word follows ("… help me. how …", not "in u.s. history" or "ca. 200").
_BOUNDARY = re.compile(r"(?<=[!?;])\s+|(?<=[^\W\d_.]{2}\.)\s+(?=[^\W\d_]|[¿¡\"“'])|\s*\n+\s*")
_WORD = re.compile(r"\w+", re.UNICODE)
_QUESTION_START = re.compile(
    r"^\W*(?:and\s+|also\s+|so\s+|en\s+|ook\s+)?(?:how|what|where|when|why|which|who|is|are|do|does|can|could"
    r"|will|would|should|may|hoe|wat|waar|wanneer|waarom|welke|welk|wie|hoeveel|is|zijn|heeft|hebben|kan|kun"
    r"|kunt|mag|wil|zou|weet)\b",
    re.IGNORECASE,
)


# The question points at a place named in another sentence: "there" as a place (not "are there",
# "there is"), "that city", "daar", "die stad".
_POINTS_AT_A_PLACE = re.compile(
    r"(?<!\bare )(?<!\bis )(?<!\bwas )(?<!\bif )(?<!\bhas )(?<!\bwill )(?<!\bwhether )\bthere\b"
    r"(?!\s+(?:is|are|was|were|be|been|will|would|ever|any|still|seems?)\b)(?!'s)"
    r"|\b(?:that|the same) (?:city|town|place|country|area|region)\b"
    r"|\bdaar\b|\b(?:die|deze|dezelfde) (?:stad|plaats|regio)\b|\bdat land\b",
    re.IGNORECASE,
)


def points_at_a_place(question: str) -> bool:
    """Whether the question of a longer message points at a place another sentence names ("We live
    in Utrecht. How many people live there?"): then those places count for it, so that no figure
    of Almere is given for them. A question that does not ("We are moving to the Netherlands. How
    many companies are there?") is about Almere, where the assistant is."""
    return bool(_POINTS_AT_A_PLACE.search(question))


@dataclass(frozen=True)
class Clause:
    """A sentence of a message and where it starts in the message."""

    text: str
    start: int


@dataclass(frozen=True)
class ClauseReading:
    """What the classifier made of one sentence."""

    clause: Clause
    intent: str
    confidence: float

    @property
    def is_question(self) -> bool:
        text = self.clause.text.strip()
        return text.endswith("?") or bool(_QUESTION_START.search(text))


@dataclass(frozen=True)
class Choice:
    """The sentence whose reading is the message's (None: the whole message's), the sentences that
    ask about other topics (answered after it), and whether the message also asks for a person."""

    index: int | None
    also_request_human: bool = False
    other_questions: tuple[int, ...] = ()


def split(text: str) -> list[Clause]:
    """The sentences of ``text`` worth reading on their own; none when it is one sentence."""
    clauses = []
    start = 0
    for boundary in [*_BOUNDARY.finditer(text), None]:
        end = boundary.start() if boundary else len(text)
        piece = text[start:end]
        if len(_WORD.findall(piece)) >= CLAUSE_MIN_WORDS:
            clauses.append(Clause(piece, start))
        start = boundary.end() if boundary else len(text)
    if len(clauses) > MAX_CLAUSES:
        clauses = clauses[:2] + clauses[2 - MAX_CLAUSES :]
    return clauses if len(clauses) > 1 else []


def is_topic(intent: str) -> bool:
    return intent.startswith(TOPIC_INTENT_PREFIX)


def choose(readings: Sequence[ClauseReading]) -> Choice:
    """What a message of several sentences asks (see the module's docstring)."""
    last = len(readings) - 1
    topics = [i for i, r in enumerate(readings) if is_topic(r.intent) and r.confidence >= CLAUSE_CONFIDENCE]
    requests = [
        i
        for i, r in enumerate(readings)
        if r.intent == REQUEST_HUMAN
        and (
            r.confidence >= REQUEST_CONFIDENCE
            or ((r.is_question or i == last) and r.confidence >= CLAUSE_CONFIDENCE)
        )
    ]
    if topics:
        best = max(topics, key=lambda i: (readings[i].is_question, readings[i].confidence))
        others: list[int] = []
        for i in topics:
            if readings[i].is_question and readings[i].intent not in {
                readings[j].intent for j in [best, *others]
            }:
                others.append(i)
        return Choice(best, also_request_human=bool(requests), other_questions=tuple(others))
    if requests:
        return Choice(requests[0])
    questions = [i for i, r in enumerate(readings) if r.is_question and r.confidence >= CLAUSE_CONFIDENCE]
    return Choice(questions[-1]) if questions else Choice(None)
