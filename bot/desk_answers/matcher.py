"""Which approved desk answer, if any, answers a question the assistant would otherwise decline.

A desk answer is given in the municipality's name, so a wrong match misleads as much as a wrong
figure would. The matcher therefore asks two things of a question (measured and justified in
README.md, "Answers from the desk"; `python -m evaluation.desk_answers` measures it):

1. **Similar enough** to one of the answer's example questions: the cosine similarity of their
   character n-grams (3 to 5 characters within the content words, TF-IDF weighted over all
   example questions) is at least :data:`THRESHOLD`. Character n-grams forgive typos and word
   forms ("registration", "registering").
2. **Nothing else asked**: every content word of the question (what is left without function
   words such as "how", "can", "my") is a word of the answer's example questions, up to its
   word form or a typo; and the question covers at least half of the best example's content
   words. "How do I register my car?" shares "register" with "How do I register at the
   municipality?" but asks about a car, which no example of that answer mentions: no match.

Plain Python: only the examples that share a word with the question are scored (no other can
pass the second test), so that a match takes well under a millisecond for a few hundred answers,
and the same question always gets the same answer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The least cosine similarity to an example question (see the module's docstring and README.md).
THRESHOLD = 0.5
# The least share of the best example's content words that the question must contain.
EXAMPLE_COVERAGE = 0.5
# ... and at least this many of them (or all, when the example has fewer): one shared word such as
# "municipality" or "open" says too little about what is asked.
MIN_SHARED = 2
NGRAM_SIZES = (3, 4, 5)
# Word forms: a word is another's form when the shorter, of at least this many letters, starts the
# longer ("register", "registration"); a typo when both have at least TYPO_LENGTH letters and one
# letter is added, removed or changed ("regster").
FORM_PREFIX = 5
TYPO_LENGTH = 6

# Words that say how something is asked, not what: they neither match nor need to be matched.
STOP_WORDS = frozenset(
    """
    a about above after again all also am an and any anyone anything are as at be because been
    before being both but by can cannot could did do does doing done for from further get gets
    getting got had has have having he her here hers him his how i if in into is it its itself
    just let me mine more most my myself no nor not now of off on once only or other our ours
    out over own please same she should so some someone something such than that the their
    theirs them then there these they this those through to too under until up very was we
    were what when where whether which while who whom whose why will with would s t d ll m re ve
    almere hi hello hey thanks thank ok okay dear sir madam
    need needs needed want wants wanted like would know tell told find found give help explain
    possible able way ways thing things info information question questions answer ask asking
    exactly actually currently still already again also maybe perhaps really yet instead new
    apply applying request requesting obtain obtaining make arrange eligible qualify entitled
    number expat expats foreigner foreigners newcomer newcomers
    """.split()
)
# Phrases and words written in one form, so that the examples and the questions agree.
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"[\u2018\u2019\u02bc`]", "'"),
        (r"\b(?:town|city)\s*hall\b", " cityhall "),
        (r"\bcitizens?\s*service\s*numbers?\b|\bburgerservicenummer\b", " bsn "),
        (r"\bthirty\b", "30"),
        (r"\bper\s*cent\b|\bpercent\b|\bpct\b", "%"),
        (r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b|\bweekends?\b", " day "),
        (r"\bwhat\s+time\b", " when "),
        # "you" asks about the desk or the assistant ("are you open on Saturday?"), which no example
        # question does, unless it is a request or the general "you" ("how do you register?").
        (r"\b(?:can|could|would|will)\s+you\b|\bdo\s+you\s+know\b", " "),
        (r"\b(how|what|where|when|which)\s+(do|does|can|should|must|would)\s+you\b", r"\1 \2 i"),
        (r"\bsign(?:ing|ed|s)?\s+up\b", " register "),
        (r"(\d)\s+%", r"\1%"),
    )
)
_WORDS = re.compile(r"[a-z0-9]+%?|%")
SYNONYMS = {
    "license": "licence",
    "licenses": "licence",
    "licences": "licence",
    "driver": "driving",
    "drivers": "driving",
    "enrol": "register",
    "enroll": "register",
    "swap": "exchange",
    "puppy": "dog",
    "kitten": "cat",
    "gemeente": "municipality",
    "sofi": "bsn",
}


def content_words(text: str) -> list[str]:
    """The words of ``text`` that say what is asked: lower case, one spelling, no plural, no
    function words ("How do I get my driver's licences?" -> ["driving", "licence"])."""
    text = unicodedata.normalize("NFKC", text).lower()
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    words = []
    for word in _WORDS.findall(text):
        if word in STOP_WORDS:
            continue
        word = singular(SYNONYMS.get(word, word))
        word = SYNONYMS.get(word, word)
        if word not in STOP_WORDS:  # "applies" is "apply"
            words.append(word)
    return words


def singular(word: str) -> str:
    """``word`` without a plural ending: "permits" -> "permit", "cities" -> "city"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def stem(word: str) -> str:
    """``word`` without a verb or noun ending, to compare word forms ("registration" -> "registr")."""
    for ending in ("ations", "ation", "ings", "ing", "ers", "er", "ed"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def same_word(first: str, second: str) -> bool:
    """Whether two content words are one word: equal, a form of it, or a typo of it."""
    if first == second:
        return True
    for one, other in ((first, second), (stem(first), stem(second))):
        short, long = sorted((one, other), key=len)
        if len(short) >= FORM_PREFIX and long.startswith(short):
            return True
    short, long = sorted((first, second), key=len)
    return len(short) >= TYPO_LENGTH and len(long) - len(short) <= 1 and _one_edit(short, long)


def word_keys(word: str) -> set[str]:
    """Keys under which :func:`same_word` words meet: the word, and the start of it and of its stem
    (a typo in a word's first letters is the one form this misses)."""
    return {word, word[:FORM_PREFIX], stem(word)[:FORM_PREFIX]}


def _one_edit(short: str, long: str) -> bool:
    """Whether ``long`` is ``short`` with one letter added or changed (``len(long) - len(short) <= 1``)."""
    if len(short) == len(long):
        return sum(a != b for a, b in zip(short, long, strict=True)) == 1
    for index in range(len(long)):
        if long[:index] + long[index + 1 :] == short:
            return True
    return False


def ngrams(words: Iterable[str]) -> Counter[str]:
    """Character n-grams of each word, marked at its start and end ("<bsn>")."""
    grams: Counter[str] = Counter()
    for word in words:
        marked = f"<{word}>"
        for size in NGRAM_SIZES:
            grams.update(marked[i : i + size] for i in range(len(marked) - size + 1))
    return grams


@dataclass(frozen=True)
class Candidate:
    """An answer the matcher may give: its id and its example questions."""

    answer_id: int
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """The answer a question got, how similar it was to the example question it matched best,
    and why it was refused (``None``: accepted)."""

    answer_id: int
    score: float
    example: str
    refused: str | None = None

    @property
    def accepted(self) -> bool:
        return self.refused is None


@dataclass(frozen=True)
class _Example:
    answer_id: int
    text: str
    words: frozenset[str]
    weights: dict[str, float]
    norm: float


class DeskAnswerMatcher:
    """Matches questions against the example questions of a fixed set of answers."""

    def __init__(
        self,
        candidates: Sequence[Candidate],
        threshold: float = THRESHOLD,
        example_coverage: float = EXAMPLE_COVERAGE,
    ) -> None:
        self.threshold = threshold
        self.example_coverage = example_coverage
        parsed = [
            (candidate.answer_id, question, content_words(question))
            for candidate in candidates
            for question in candidate.questions
            if question.strip()
        ]
        grams = [ngrams(words) for _, _, words in parsed]
        frequency: Counter[str] = Counter(gram for counts in grams for gram in counts)
        total = len(parsed)
        self._idf = {gram: math.log((1 + total) / (1 + n)) + 1.0 for gram, n in frequency.items()}
        # Examples by the keys of their words: only an example that shares a word with the
        # question can pass the word test, so only those are scored.
        self._by_word: dict[str, list[int]] = defaultdict(list)
        self._examples: list[_Example] = []
        self._vocabulary: dict[int, frozenset[str]] = defaultdict(frozenset)
        for index, ((answer_id, question, words), counts) in enumerate(zip(parsed, grams, strict=True)):
            weights = {gram: n * self._idf[gram] for gram, n in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for key in {key for word in words for key in word_keys(word)}:
                self._by_word[key].append(index)
            self._examples.append(_Example(answer_id, question, frozenset(words), weights, norm))
            self._vocabulary[answer_id] |= frozenset(words)

    def __len__(self) -> int:
        """How many answers it knows."""
        return len(self._vocabulary)

    def best(self, question: str) -> Match | None:
        """The answer of the most similar example question that passes both tests; if none does,
        the most similar one with the reason it is refused; None when no example question shares
        a word with ``question``."""
        words = content_words(question)
        candidates = sorted(
            {index for word in words for key in word_keys(word) for index in self._by_word.get(key, ())}
        )
        if not candidates:
            return None
        weights = {gram: n * self._idf.get(gram, 0.0) for gram, n in ngrams(words).items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        scored = []
        for index in candidates:
            example = self._examples[index]
            dot = sum(weight * example.weights.get(gram, 0.0) for gram, weight in weights.items())
            scored.append((dot / (norm * example.norm), index))
        # Most similar first; on a tie, the example written first (so the same question always
        # gets the same answer).
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        best: Match | None = None
        for score, index in scored:
            example = self._examples[index]
            found = Match(
                example.answer_id, round(score, 4), example.text, self._refusal(words, example, score)
            )
            if found.accepted:
                return found
            best = best or found
            if score < self.threshold:
                break  # the rest are less similar still
        return best

    def match(self, question: str) -> Match | None:
        """The answer ``question`` gets, or None (see the module's docstring)."""
        found = self.best(question)
        return found if found is not None and found.accepted else None

    def _refusal(self, words: Sequence[str], example: _Example, score: float) -> str | None:
        if score < self.threshold:
            return f"similarity {score:.2f} below {self.threshold}"
        vocabulary = self._vocabulary[example.answer_id]
        foreign = [w for w in dict.fromkeys(words) if not any(same_word(w, v) for v in vocabulary)]
        if foreign:
            return "asks about " + ", ".join(foreign)
        covered = sum(any(same_word(e, w) for w in words) for e in example.words)
        needed = max(self.example_coverage * len(example.words), min(len(example.words), MIN_SHARED))
        if covered < needed:
            return f"covers {covered} of the example's {len(example.words)} content words"
        return None
