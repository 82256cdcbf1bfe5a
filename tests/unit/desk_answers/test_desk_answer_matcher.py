"""The matcher of desk answers: paraphrases match, near-misses and other topics do not, and it is
deterministic and fast. The measuring set is evaluation/desk_answer_fixtures.yml."""

from __future__ import annotations

import random

import pytest
import yaml

from bot.config import REPO_ROOT
from bot.desk_answers.matcher import Candidate, DeskAnswerMatcher, content_words, same_word, word_keys

FIXTURES = yaml.safe_load((REPO_ROOT / "evaluation" / "desk_answer_fixtures.yml").read_text(encoding="utf-8"))
KEYS = [answer["key"] for answer in FIXTURES["answers"]]
PARAPHRASES = [
    (key, question) for key, questions in FIXTURES["paraphrases"].items() for question in questions
]


@pytest.fixture(scope="module")
def matcher() -> DeskAnswerMatcher:
    return DeskAnswerMatcher(
        [Candidate(index, tuple(a["questions"].splitlines())) for index, a in enumerate(FIXTURES["answers"])]
    )


def test_content_words_drop_how_it_is_asked_and_agree_on_spelling():
    assert content_words("How do I get my driver's licences?") == ["driving", "licence"]
    assert content_words("Can you tell me the Town Hall's opening hours on Sundays?") == [
        "cityhall", "opening", "hour", "day",
    ]  # fmt: skip
    assert content_words("do I qualify for the thirty per cent ruling") == ["30%", "ruling"]
    assert content_words("are you open?") == ["you", "open"]  # asks about the desk itself
    assert content_words("hello, thanks!") == []


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("register", "registration", True),  # a form of it
        ("resident", "residence", False),
        ("regster", "register", True),  # a typo
        ("park", "parking", False),  # too short to be a form of it
        ("dog", "dig", False),
        ("register", "deregister", False),
    ],
)
def test_word_forms_and_typos(first, second, same):
    assert same_word(first, second) is same


def test_every_example_question_matches_its_own_answer(matcher):
    for index, answer in enumerate(FIXTURES["answers"]):
        for question in answer["questions"].splitlines():
            found = matcher.match(question)
            assert found is not None and found.answer_id == index, question
            assert found.score == pytest.approx(1.0)


def test_most_paraphrases_match_and_none_matches_another_answer(matcher):
    results = [(key, matcher.match(question)) for key, question in PARAPHRASES]
    wrong = [(key, KEYS[found.answer_id]) for key, found in results if found and KEYS[found.answer_id] != key]
    assert wrong == []
    matched = sum(found is not None for _, found in results)
    assert matched / len(results) >= 0.6  # reports/eval.md has the measured share


@pytest.mark.parametrize("question", FIXTURES["near_misses"])
def test_near_misses_get_no_desk_answer(matcher, question):
    assert matcher.match(question) is None


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("how do I register my car at the municipality", "asks about car"),
        ("are you open on Saturday", "asks about you"),
        ("where is the city hall", "covers 1 of the example's 2"),
        ("where can I register a city hall wedding", "wedding"),
    ],
)
def test_a_refusal_says_why(matcher, question, reason):
    best = matcher.best(question)
    assert best is not None and not best.accepted and reason in best.refused


def test_nothing_to_match_with():
    assert DeskAnswerMatcher([]).match("How do I get a BSN?") is None
    assert len(DeskAnswerMatcher([])) == 0
    assert DeskAnswerMatcher([Candidate(1, ("How do I get a BSN?",))]).best("zzz qqq") is None


def test_ties_go_to_the_answer_written_first():
    twins = DeskAnswerMatcher(
        [Candidate(7, ("How do I get a BSN?",)), Candidate(3, ("How do I get a BSN?",))]
    )
    assert twins.match("how to get a BSN").answer_id == 7


def synthetic_answers(count: int, seed: int = 13) -> list[Candidate]:
    """``count`` answers of five example questions: each about its own made-up words, and one in
    three also with words every desk uses (the fixtures' words), as a real desk's would be."""
    rng = random.Random(seed)
    shared = sorted(
        {w for a in FIXTURES["answers"] for q in a["questions"].splitlines() for w in content_words(q)}
    )
    syllables = ["ba", "ko", "ri", "mel", "tan", "sor", "vi", "dun", "pe", "lag", "stra", "nio"]
    answers = []
    for number in range(count):
        own = ["".join(rng.choices(syllables, k=3)) for _ in range(6)]
        questions = []
        for _ in range(5):
            words = rng.sample(own, 2) + (rng.sample(shared, 2) if rng.random() < 1 / 3 else [])
            questions.append(f"How do I get {' '.join(words)}?")
        answers.append(Candidate(number, tuple(questions)))
    return answers


class RecordingList(list):
    """A list that records which items are read from it: the examples a match looks at."""

    def __init__(self, items) -> None:
        super().__init__(items)
        self.read: set[int] = set()

    def __getitem__(self, index):
        self.read.add(index)
        return super().__getitem__(index)


def examples_looked_at(matcher: DeskAnswerMatcher, question: str) -> set[int]:
    examples = matcher._examples = RecordingList(matcher._examples)
    matcher.best(question)
    return examples.read


def test_a_match_looks_only_at_the_examples_that_share_a_word_with_the_question():
    """However many answers the desk writes, a question is compared with the example questions that
    share a word with it only: 400 answers about other words are never looked at."""
    fixtures = [
        Candidate(index, tuple(a["questions"].splitlines())) for index, a in enumerate(FIXTURES["answers"])
    ]
    fixture_keys = {
        key for a in fixtures for q in a.questions for w in content_words(q) for key in word_keys(w)
    }
    rng = random.Random(5)
    syllables = ["zu", "qix", "fru", "vog", "plim", "xan", "gwe", "trob"]
    unrelated: list[Candidate] = []
    while len(unrelated) < 400:
        words = ["".join(rng.choices(syllables, k=4)) for _ in range(4)]
        if not {key for w in words for key in word_keys(w)} & fixture_keys:
            unrelated.append(
                Candidate(len(fixtures) + len(unrelated), (" ".join(words[:3]), " ".join(words[1:])))
            )
    alone, beside_many = DeskAnswerMatcher(fixtures), DeskAnswerMatcher(fixtures + unrelated)
    fixture_examples = set(range(len(alone._examples)))
    for _, question in PARAPHRASES:
        assert examples_looked_at(alone, question)
        assert examples_looked_at(beside_many, question) <= fixture_examples, question
    assert examples_looked_at(beside_many, unrelated[0].questions[0]) - fixture_examples


def test_the_same_question_always_gets_the_same_answer(matcher):
    again = DeskAnswerMatcher(
        [Candidate(index, tuple(a["questions"].splitlines())) for index, a in enumerate(FIXTURES["answers"])]
    )
    for _, question in PARAPHRASES:
        assert matcher.best(question) == again.best(question)
