"""Questions that ask the same thing in other words, counted together.

A question joins the first group (most asked first) whose first question it resembles: cosine
similarity, at least :data:`SIMILARITY`, of TF-IDF vectors of the (hashed) character 3- to 5-grams of its
words without the common ones ("is there a", "in Almere": every question has them, so they would
make "a swimming pool in Almere?" like "a zoo in Almere?"). Character n-grams let "parking permit"
meet "parkingpermit" and survive a typo. The order is fixed (by count, then text), so the same questions
always give the same groups; the groups are meant to be read by staff, so a miss costs little.

However many different questions there are, the work stays in proportion to their number: a question
is compared with at most :data:`MAX_GROUPS` groups (and the questions of its own block), never with
every other question. Once there are that many groups, a question like none of them is left out (the
most asked come first, so what is left out was asked least), and a group lists at most
:data:`MAX_VARIANTS` other wordings; its count has them all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

# Measured on the examples in tests/unit/insights/test_insights.py: rewordings of one question score
# 0.45-0.9, different questions below 0.35.
SIMILARITY = 0.4
# Words that say nothing about what was asked: English function words (scikit-learn's list), the
# city's name and the ways of asking.
_ASKING = {"almere", "hi", "hello", "please", "want", "like", "know", "tell", "does", "did", "can", "could"}
_BLOCK = 500
# The most groups (the page's and the CSV's rows) and other wordings per group that are kept.
MAX_GROUPS = 200
MAX_VARIANTS = 20
# Buckets the character n-grams are hashed into: few collisions among a period's questions.
_FEATURES = 2**18
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


def _similarities(rows, columns) -> np.ndarray:
    """Cosine similarity of each of ``rows`` to each of ``columns`` (TF-IDF rows are L2-normalised)."""
    return (rows @ columns.T).toarray()


def group_questions(
    questions: Iterable[str], threshold: float = SIMILARITY, limit: int = MAX_GROUPS
) -> list[QuestionGroup]:
    """``questions`` (one per time asked) in at most ``limit`` groups of similar ones, the largest
    first. A question is shown as it was most often written."""
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
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer, TfidfTransformer

    common = ENGLISH_STOP_WORDS | _ASKING
    # Hashed n-grams: no vocabulary to build and sort, which took most of the time with many questions.
    counter = HashingVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), alternate_sign=False, norm=None, n_features=_FEATURES
    )
    counted = counter.transform([_content_words(q, common) for q in ordered])
    vectors = TfidfTransformer(sublinear_tf=True).fit_transform(counted).tocsr()
    leaders: list[int] = []
    members: dict[int, list[int]] = {}
    for start in range(0, len(ordered), _BLOCK):
        stop = min(start + _BLOCK, len(ordered))
        block = vectors[start:stop]
        # A block at a time: its similarity to the groups so far, and to itself for the groups it starts.
        earlier = len(leaders)
        to_earlier = _similarities(block, vectors[leaders]) if earlier else None
        within = _similarities(block, block) if earlier < limit else None
        for index in range(start, stop):
            row = index - start
            hits = (
                np.flatnonzero(to_earlier[row] >= threshold)
                if to_earlier is not None
                else np.empty(0, dtype=np.intp)
            )
            if not len(hits) and within is not None and len(leaders) > earlier:
                new = np.flatnonzero(within[row, [lead - start for lead in leaders[earlier:]]] >= threshold)
                hits = new + earlier
            if len(hits):
                members[leaders[hits[0]]].append(index)
            elif len(leaders) < limit:
                leaders.append(index)
                members[index] = [index]
    groups = [
        QuestionGroup(
            example=shown[lead],
            count=sum(counts[ordered[i]] for i in members[lead]),
            variants=tuple(shown[i] for i in members[lead][1 : 1 + MAX_VARIANTS]),
        )
        for lead in leaders
    ]
    return sorted(groups, key=lambda g: (-g.count, g.example))
