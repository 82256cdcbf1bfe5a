"""A message of several sentences (bot/clauses.py): the question in a story, two requests."""

from __future__ import annotations

from bot.clauses import CLAUSE_CONFIDENCE, Choice, Clause, ClauseReading, choose, split

STORY = (
    "Good afternoon. We moved from Lima last year; my husband works in Utrecht now. "
    "Are there international schools in Almere?"
)


def test_a_message_is_split_into_its_sentences_with_their_places():
    clauses = split(STORY)
    assert [c.text for c in clauses] == [
        "Good afternoon.",
        "We moved from Lima last year;",
        "my husband works in Utrecht now.",
        "Are there international schools in Almere?",
    ]
    assert all(STORY[c.start : c.start + len(c.text)] == c.text for c in clauses)


def test_one_sentence_a_one_word_sentence_or_a_decimal_point_is_not_split():
    assert split("How many jobs are there in Almere?") == []
    assert split("Hi! How many jobs are there?") == []
    assert split("Is it 226.745 people or more?") == []
    assert split("the first restriction on immigration in u.s. history was the") == []
    assert split("Is that ca. 200 people or more?") == []


def reading(text, intent, confidence=0.9):
    return ClauseReading(Clause(text, 0), intent, confidence)


def test_the_question_about_a_topic_is_chosen_over_the_story():
    readings = [
        reading("We moved from Lima last year;", "ask_international_community", 0.6),
        reading("Are there international schools in Almere?", "ask_schools", 0.5),
    ]
    assert choose(readings) == Choice(1)


def test_a_request_for_a_person_is_kept_beside_the_question_in_either_order():
    first = [
        reading("How many jobs are there?", "ask_jobs"),
        reading("Also, please call me.", "request_human"),
    ]
    assert choose(first) == Choice(0, also_request_human=True)
    second = [
        reading("Can a colleague call me back?", "request_human"),
        reading("how many expats?", "ask_jobs"),
    ]
    assert choose(second) == Choice(1, also_request_human=True)


def test_a_request_alone_is_the_message_and_an_unsure_reading_does_not_count():
    assert choose(
        [reading("It is about my visa.", "out_of_scope"), reading("Call me?", "request_human")]
    ) == Choice(1)
    unsure = CLAUSE_CONFIDENCE / 2
    assert choose([reading("My visa.", "ask_jobs", unsure), reading("Hm, ok then.", "affirm")]) == Choice(
        None
    )
