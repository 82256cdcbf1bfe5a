"""answer_topic: the right fact, and a decline where the knowledge file has none."""

from __future__ import annotations

from bot.answering import answer_topic


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
