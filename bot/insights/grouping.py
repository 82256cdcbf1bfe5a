"""Questions that ask the same thing in other words, counted together.

A question joins the first group (most asked first) whose first question it resembles: cosine
similarity, at least :data:`SIMILARITY`, of TF-IDF vectors of the character 3- to 5-grams of its
words without the common ones ("is there a", "in Almere": every question has them, so they would
make "a swimming pool in Almere?" like "a zoo in Almere?"). Character n-grams let "parking permit"
meet "parkingpermit" and survive a typo. The order is fixed (by count, then text), so the same questions
always give the same groups; the groups are meant to be read by staff, so a miss costs little.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

# Measured on the examples in tests/unit/test_insights.py: rewordings of one question score
# 0.45-0.9, different questions below 0.35.
SIMILARITY = 0.4
# Words that say nothing about what was asked: English function words (scikit-learn's list), the
# city's name and the ways of asking.
_ASKING = {"almere", "hi", "hello", "please", "want", "like", "know", "tell", "does", "did", "can", "could"}
_BLOCK = 500
_WORD = re.compile(r"[^\W\d_]{2,}")
_SPACES = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s?!.]+$")


@dataclass(frozen=True)
class QuestionGroup:
    """Questions asked ``count`` times in all; ``example`` is the most asked of them."""

    example: str
    count: int
    variants: tuple[str, ...]  # the other wordings, most asked first


def normalised(question: str) -> str:
    """The form two questions are compared in: lower case, single spaces, no closing "?!."."""
    return _TRAILING.sub("", _SPACES.sub(" ", question).strip()).lower()


def _content_words(question: str, common: frozenset[str]) -> str:
    words = [word for word in _WORD.findall(question) if word not in common]
    return " ".join(words) or question


def group_questions(questions: Iterable[str], threshold: float = SIMILARITY) -> list[QuestionGroup]:
    """``questions`` (one per time asked) in groups of similar ones, the largest first. A question
    is shown as it was most often written."""
    wordings: dict[str, Counter[str]] = {}
    for question in questions:
        if key := normalised(question):
            wordings.setdefault(key, Counter())[_SPACES.sub(" ", question).strip()] += 1
    if not wordings:
        return []
    counts = {key: sum(written.values()) for key, written in wordings.items()}
    ordered = sorted(counts, key=lambda q: (-counts[q], q))
    shown = [min(wordings[key], key=lambda w: (-wordings[key][w], w)) for key in ordered]
    # Imported here: scikit-learn takes a second to import, and only this page needs it.
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    common = ENGLISH_STOP_WORDS | _ASKING
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    vectors = vectorizer.fit_transform([_content_words(q, common) for q in ordered])
    leaders: list[int] = []
    members: dict[int, list[int]] = {}
    for block in range(0, len(ordered), _BLOCK):
        # Rows are L2-normalised, so this is the cosine; a block at a time keeps memory small.
        similarity = (vectors[block : block + _BLOCK] @ vectors.T).toarray()
        for index in range(block, min(block + _BLOCK, len(ordered))):
            row = similarity[index - block]
            hits = np.flatnonzero(row[leaders] >= threshold) if leaders else ()
            if len(hits):
                members[leaders[hits[0]]].append(index)
            else:
                leaders.append(index)
                members[index] = [index]
    groups = [
        QuestionGroup(
            example=shown[lead],
            count=sum(counts[ordered[i]] for i in members[lead]),
            variants=tuple(shown[i] for i in members[lead][1:]),
        )
        for lead in leaders
    ]
    return sorted(groups, key=lambda g: (-g.count, g.example))
