"""answer_topic: the right fact, and a decline where the knowledge file has none."""

from __future__ import annotations

import pytest

from bot.answering import answer_topic, mentions_almere


def test_a_known_topic_is_answered(knowledge, vocabulary):
    reply = answer_topic(knowledge, vocabulary, "schiphol")
    assert not reply.declined and "26 minutes" in reply.text


def test_an_unknown_topic_is_declined(knowledge, vocabulary):
    reply = answer_topic(knowledge, vocabulary, "rent_prices")
    assert reply.declined and reply.text == knowledge.decline()


def test_a_figure_phrase_selects_the_figure(knowledge, vocabulary):
    reply = answer_topic(knowledge, vocabulary, "jobs", figure_phrases=["International jobs"])
    assert "6,750" in reply.text and "89,000" not in reply.text


def test_a_figure_of_another_topic_falls_back_to_the_topic_answer(knowledge, vocabulary):
    reply = answer_topic(knowledge, vocabulary, "jobs", figure_phrases=["expats"])
    assert reply.text == knowledge.answer("jobs")


def test_figures_are_never_given_for_another_place(knowledge, vocabulary):
    reply = answer_topic(knowledge, vocabulary, "population", ["population"], ["of Utrecht"])
    assert reply.declined
    assert "Utrecht" in reply.text and "226,745" not in reply.text


def test_another_place_does_not_block_an_answer_without_figures(knowledge, vocabulary):
    reply = answer_topic(knowledge, vocabulary, "about_almere", place_phrases=["Amsterdam"])
    assert not reply.declined and "Flevoland" in reply.text


def test_a_question_about_almere_in_a_wider_place_is_answered(knowledge, vocabulary):
    reply = answer_topic(knowledge, vocabulary, "population", ["size"], ["the Netherlands"],
                         text="Where does Almere rank in size in the Netherlands?")
    assert not reply.declined and "8th-largest" in reply.text


def test_a_figure_question_outside_an_almere_conversation_is_confirmed_first(knowledge, vocabulary):
    reply = answer_topic(knowledge, vocabulary, "jobs", text="how many jobs are open right now",
                         in_almere_conversation=False)
    assert reply.declined and reply.confirm_almere and "89,000" not in reply.text


def test_a_question_naming_almere_is_answered_in_a_new_conversation(knowledge, vocabulary):
    reply = answer_topic(knowledge, vocabulary, "jobs", text="how many jobs does Almere have",
                         in_almere_conversation=False)
    assert not reply.declined and "89,000" in reply.text


def test_topics_without_figures_are_answered_in_a_new_conversation(knowledge, vocabulary):
    reply = answer_topic(knowledge, vocabulary, "business_climate", text="What's the business climate like?",
                         in_almere_conversation=False)
    assert not reply.declined


@pytest.mark.parametrize(
    "text, about",
    [("How many people live in Almere?", True), ("is it far from here", True),
     ("finding work there as a foreigner", True), ("what is the size of the city", True),
     ("train to schiphol", True), ("how many homeless people are there", False),
     ("is there a lot of work", False), ("population of bora bora", False),
     ("see if there are any agencies hiring", False), ("has there ever been peace", False),
     ("going to work, will there be traffic", False), ("there will be rain", False),
     ("will I feel welcome there?", True), ("I'm thinking of founding my own firm there", True)],
)
def test_mentions_of_almere(text, about):
    assert mentions_almere(text) is about
