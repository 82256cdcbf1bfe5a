"""A message of several sentences (bot/conversation/clauses.py): the question in a story, two requests."""

from __future__ import annotations

from bot.conversation.clauses import (
    CLAUSE_CONFIDENCE,
    MAX_CLAUSES,
    REQUEST_CONFIDENCE,
    Choice,
    Clause,
    ClauseReading,
    choose,
    points_at_a_place,
    split,
)

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
    assert split("Is it 231.904 people or more?") == []
    assert split("the first restriction on immigration in u.s. history was the") == []
    assert split("Is that ca. 200 people or more?") == []


def test_a_long_story_keeps_its_first_and_last_sentences():
    story = " ".join(f"Sentence number {n} is here." for n in range(1, 21)) + " How many jobs are there?"
    clauses = split(story)
    assert len(clauses) == MAX_CLAUSES
    assert clauses[0].text == "Sentence number 1 is here." and clauses[-1].text == "How many jobs are there?"


def test_a_short_sentence_before_a_question_is_a_sentence_of_its_own():
    assert [c.text for c in split("Hi, I hope you can help me. how long is the train?")] == [
        "Hi, I hope you can help me.",
        "how long is the train?",
    ]


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


def test_a_sentence_the_classifier_only_thinks_may_ask_for_a_person_asks_for_none():
    story = reading(
        "A colleague told me about the city.", "request_human", (CLAUSE_CONFIDENCE + REQUEST_CONFIDENCE) / 2
    )
    assert choose([story, reading("How many jobs are there?", "ask_jobs")]) == Choice(1)
    # The question is what the message asks (and is declined), not the colleague.
    assert choose([story, reading("Is it sunny?", "out_of_scope")]) == Choice(1)


def test_a_request_alone_is_the_message_and_an_unsure_reading_does_not_count():
    assert choose(
        [reading("It is about my visa.", "out_of_scope"), reading("Call me?", "request_human")]
    ) == Choice(1)
    unsure = CLAUSE_CONFIDENCE / 2
    assert choose([reading("My visa.", "ask_jobs", unsure), reading("Hm, ok then.", "affirm")]) == Choice(
        None
    )


def test_a_question_points_at_a_place_of_another_sentence_only_with_a_word_for_it():
    assert points_at_a_place("How many people live there?")
    assert points_at_a_place("Hoeveel mensen wonen daar?")
    assert points_at_a_place("is that city big?")
    assert not points_at_a_place("How many companies are there?")
    assert not points_at_a_place("Are there international schools?")
    assert not points_at_a_place("How many people live here?")
    assert not points_at_a_place("what is the population of this city?")


def test_without_a_topic_or_a_request_the_last_question_is_the_message():
    story = [
        reading("We are moving here in May.", "out_of_scope", 0.6),
        reading("Am I talking to a bot?", "bot_challenge"),
    ]
    assert choose(story) == Choice(1)
    assert choose(
        [reading("We are moving here in May.", "out_of_scope"), reading("Fine.", "affirm")]
    ) == Choice(None)


def test_a_plain_request_at_the_end_of_a_story_counts():
    ending = reading("I want to speak to someone at the desk.", "request_human", 0.6)
    assert choose([reading("We moved here in May.", "out_of_scope"), ending]) == Choice(1)


def test_questions_about_other_topics_are_kept_to_answer_after_the_first():
    readings = [
        reading("What is the business climate like?", "ask_business_climate", 0.8),
        reading("We have kids.", "ask_schools", 0.5),
        reading("And is there an international school?", "ask_schools", 0.9),
        reading("And how big is the business climate?", "ask_business_climate", 0.5),
    ]
    assert choose(readings) == Choice(2, other_questions=(0,))
