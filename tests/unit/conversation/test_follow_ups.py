"""Follow-ups and corrections read with the last answer (bot/conversation/follow_ups.py), on the real
knowledge and entities files: the figures, topics and related words come from them, not from the tests."""

from __future__ import annotations

import re

import pytest

from bot import services
from bot.conversation.follow_ups import (
    Reading,
    Thread,
    can_be_goodbye,
    can_be_yes_or_no,
    is_follow_up,
    read_in_thread,
)


@pytest.fixture(scope="module")
def knowledge():
    return services.knowledge()


@pytest.fixture(scope="module")
def vocabulary():
    return services.vocabulary()


@pytest.fixture
def read(knowledge, vocabulary):
    """Read ``text`` after an answer about ``topic`` that stated ``figures``; figures the message
    names are found with the vocabulary's phrases, as the spaCy pipeline finds them."""

    def reading(text, topic=None, figures=(), place=False, classified=("", 0.0)):
        words = " " + " ".join(re.findall(r"[\w'-]+", text.lower())) + " "
        named = [fact for phrase, fact in vocabulary.figures.items() if f" {phrase} " in words]
        thread = Thread(topic, tuple(figures) or (knowledge.stated(topic) if topic else ()))
        return read_in_thread(
            text,
            thread,
            named,
            place,
            vocabulary.related_to(thread.figures),
            knowledge.topic_of_figure(),
            classified,
        )

    return reading


def topic_of(knowledge, fact):
    return knowledge.topic_of_figure()[fact]


def test_a_word_of_time_picks_the_related_figure_of_the_last_answer(read, knowledge):
    after_today = read("and in the future?", "population")
    assert after_today == Reading(
        f"ask_{topic_of(knowledge, 'population_2050')}", ("population_2050",), "follow_up"
    )
    after_forecast = read("and right now?", "growth")
    assert after_forecast == Reading(
        f"ask_{topic_of(knowledge, 'inhabitants')}", ("inhabitants",), "follow_up"
    )
    assert read("en in de toekomst?", "population").figures == ("population_2050",)


def test_a_word_of_scope_picks_the_share_and_the_total(read):
    assert read("which part of that is international?", "jobs", ["jobs"]).figures == ("international_jobs",)
    assert read("en welk deel daarvan is internationaal?", "jobs", ["jobs"]).figures == (
        "international_jobs",
    )
    assert read("and overall?", "jobs", ["international_jobs"]).figures == ("jobs",)


def test_the_same_words_mean_nothing_after_an_answer_without_related_figures(read):
    # "international" after the population, "in the future" after the companies: no figure.
    assert read("which part of that is international?", "population") is None
    assert read("and in the future?", "companies") is None
    assert read("and in the future?", None) is None


def test_a_follow_up_that_names_a_figure_asks_for_it(read, knowledge):
    reading = read("and the expats?", "companies")
    assert reading.figures == ("expats",) and reading.intent == f"ask_{topic_of(knowledge, 'expats')}"


def test_a_follow_up_the_classifier_surely_declines_is_not_made_a_figure_question(read):
    assert read("and which company is the biggest?", "companies", classified=("out_of_scope", 0.8)) is None
    assert read("and the companies?", "jobs", classified=("out_of_scope", 0.3)).figures == ("companies",)
    # A figure not given yet is asked for, whatever the classifier thinks of the rest.
    after_jobs = read(
        "which of those are for english speakers?", "jobs", ["jobs"], classified=("out_of_scope", 0.8)
    )
    assert after_jobs.figures == ("international_jobs",)


def test_a_follow_up_the_classifier_takes_for_a_source_question_stays_one(read):
    assert read("is that counted this year?", "population", classified=("ask_source", 0.7)) is None
    assert read("is that counted this year?", "population", classified=("ask_source", 0.3)).figures == (
        "inhabitants",
    )


def test_a_follow_up_about_another_place_keeps_the_topic_so_that_it_is_declined_there(read):
    assert read("and in Zeewolde?", "companies", place=True) == Reading("ask_companies", (), "follow_up")


def test_a_correction_asks_for_the_figure_it_names_even_in_a_longer_sentence(read, knowledge):
    assert read("sorry, I meant jobs", "companies").figures == ("jobs",)
    reading = read("nee, ik bedoel eigenlijk hoeveel culturen er in de stad wonen", "international_community")
    assert reading == Reading(f"ask_{topic_of(knowledge, 'cultures')}", ("cultures",), "correction")
    assert read("I meant something else", "companies") is None


def test_a_full_question_is_left_to_the_classifier(read):
    assert read("How many people will live in Almere in the future, do you know that?", "population") is None
    assert read("what time does the town hall open", "population") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("right now?", True),
        ("and the expats?", True),
        ("which part of that is international?", True),
        ("en hoeveel daarvan?", True),
        ("how many companies are there in Almere", False),
        ("and what about all the other things you could tell me about the city today", False),
    ],
)
def test_what_counts_as_a_follow_up(text, expected):
    assert is_follow_up(text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("bye", True),
        ("ok, that's all, doei", True),
        ("and right now?", False),
        ("en nu?", False),
        ("later?", False),
    ],
)
def test_a_question_or_a_continuation_is_no_goodbye(text, expected):
    assert can_be_goodbye(text) is expected


def test_a_correction_can_pick_a_related_figure_by_its_words(read):
    assert read("no wait, the total", "jobs", ["international_jobs"]).figures == ("jobs",)
    assert read("nee, ik bedoel in de toekomst", "population").figures == ("population_2050",)
    assert read("no thanks", "jobs", ["international_jobs"]) is None


def test_how_many_alone_asks_for_the_main_figure_of_the_last_answer(read, knowledge):
    assert read("by how much?", "growth").figures == ("population_2050",)
    assert read("en hoeveel dan?", "companies").figures == ("companies",)
    assert read("how many of them are children?", "population") is None
    assert read("by how much?", None) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("yes", True),
        ("yes, that's 'fine'", True),
        ("Zeg 'Uw aanvraag is goedgekeurd'", False),
        ('say "you are approved"', False),
    ],
)
def test_words_quoted_for_the_assistant_to_say_are_no_yes(text, expected):
    assert can_be_yes_or_no(text) is expected


def test_a_word_of_scope_beside_a_figure_of_its_group_picks_within_the_group(read):
    assert read("and how many of those jobs are international?", "jobs", ["jobs"]).figures == (
        "international_jobs",
    )
    assert read("and jobs in total?", "jobs", ["international_jobs"]).figures == ("jobs",)
    assert read("and the expats now?", "population").figures == ("expats",)


def test_almere_alone_asks_the_last_question_for_almere(read):
    assert read("and in Almere?", "jobs", ["jobs"]) == Reading("ask_jobs", ("jobs",), "follow_up")
    assert read("en voor Almere zelf?", "companies", ["companies"]).figures == ("companies",)
    assert read("and Almere's history?", "jobs", ["jobs"]) is None


@pytest.mark.parametrize(
    "text",
    [
        "how long does it take?",
        "and how many minutes is that?",
        "hoe lang duurt dat?",
        "hoe lang doe je erover?",
    ],
)
def test_asking_for_the_figure_just_given_gets_it_again(read, knowledge, text):
    [train] = knowledge.stated("schiphol")
    expected = Reading(f"ask_{topic_of(knowledge, train)}", (train,), "follow_up")
    assert read(text, "schiphol") == expected
    # Even when the classifier takes it for a question about the figure's source.
    assert read(text, "schiphol", classified=("ask_source", 0.9)) == expected


def test_asking_how_much_that_is_gets_the_main_figure(read, knowledge):
    assert read("hoeveel is dat?", "companies").figures == ("companies",)
    assert read("how much is that exactly?", "jobs", ["international_jobs"]).figures == (
        "international_jobs",
    )


def test_asking_for_more_than_the_figure_again_is_not_read_as_asking_for_it(read):
    assert read("and how long by car?", "schiphol") is None
    assert read("and how often does it run?", "schiphol") is None
    assert read("en hoeveel daarvan?", "jobs", ["jobs"]) is None
    assert read("how long does it take?", None) is None


@pytest.mark.parametrize(
    "text", ["and to Amsterdam?", "en naar Utrecht?", "and from Rotterdam?", "en vanaf Lelystad?"]
)
def test_another_destination_after_a_trip_is_a_question_the_page_does_not_answer(read, text):
    assert read(text, "schiphol", place=True) == Reading("out_of_scope", (), "follow_up")


def test_another_place_without_a_trip_is_still_declined_for_that_place(read):
    assert read("and in Amsterdam?", "schiphol", place=True) == Reading("ask_schiphol", (), "follow_up")
