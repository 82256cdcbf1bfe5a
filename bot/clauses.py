"""A message of several sentences: the question in a story, and two requests in one message.

"We are a family of four from Kenya; my wife starts in Amsterdam in March … Are there
international schools in Almere?" asks one thing; the story around it only makes the message
unlike any question the classifier learned. "How many jobs are there? Also, I'd like someone to
contact me" asks two. The pipeline therefore classifies every sentence of a longer message on its
own (:func:`split`) besides the whole message, and :func:`choose` decides what the message asks:

- the sentence that asks about a topic most surely is the message's question (a sentence that is
  a question wins over a statement, then the classifier's confidence);
- a request for a person in another sentence is kept beside it: the answer comes first, then the
  handoff starts, whatever the order of the sentences;
- with no topic asked, a request for a person is the message's intent;
- with neither, the whole message's reading stands.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.follow_ups import TOPIC_INTENT_PREFIX

REQUEST_HUMAN = "request_human"
# How sure the classifier must be of a sentence's topic or request for it to count.
CLAUSE_CONFIDENCE = 0.35
# A sentence needs this many words to be read on its own ("Hi." and "Thanks!" are not questions).
CLAUSE_MIN_WORDS = 2
# At most this many sentences are read (the longest messages the channels accept are a few).
MAX_CLAUSES = 8

# A sentence ends at ! ? ; or a line break, or at a full stop after a word of three letters or more
# when a capital follows ("… in March. Are there …", not "in u.s. history" or "ca. 200").
_BOUNDARY = re.compile(r"(?<=[!?;])\s+|(?<=[^\W\d_]{3}\.)\s+(?=[A-Z¿¡\"“'])|\s*\n+\s*")
_WORD = re.compile(r"\w+", re.UNICODE)
_QUESTION_START = re.compile(
    r"^\W*(?:and\s+|also\s+|so\s+|en\s+|ook\s+)?(?:how|what|where|when|why|which|who|is|are|do|does|can|could"
    r"|will|would|should|may|hoe|wat|waar|wanneer|waarom|welke|welk|wie|hoeveel|is|zijn|heeft|hebben|kan|kun"
    r"|kunt|mag|wil|zou|weet)\b",
    re.IGNORECASE,
)


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
    """The sentence whose reading is the message's (None: the whole message's), and whether the
    message also asks for a person after its answer."""

    index: int | None
    also_request_human: bool = False


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
    return clauses[:MAX_CLAUSES] if len(clauses) > 1 else []


def is_topic(intent: str) -> bool:
    return intent.startswith(TOPIC_INTENT_PREFIX)


def choose(readings: Sequence[ClauseReading]) -> Choice:
    """What a message of several sentences asks (see the module's docstring)."""
    sure = [r for r in readings if r.confidence >= CLAUSE_CONFIDENCE]
    topics = [i for i, r in enumerate(readings) if r in sure and is_topic(r.intent)]
    requests = [i for i, r in enumerate(readings) if r in sure and r.intent == REQUEST_HUMAN]
    if topics:
        best = max(topics, key=lambda i: (readings[i].is_question, readings[i].confidence))
        return Choice(best, also_request_human=bool(requests))
    if requests:
        return Choice(requests[0])
    return Choice(None)
