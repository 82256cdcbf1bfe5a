"""The expectation checker of the scenario sets, on fixed replies (own example strings)."""

from __future__ import annotations

import pytest

from actions.handoff_prompts import INTRO, OFFER, QUESTIONS
from evaluation.classify import ReplyClassifier
from evaluation.expectations import Checker, states_figure, without_separators


@pytest.fixture(scope="module")
def checker(knowledge) -> Checker:
    return Checker(ReplyClassifier.from_project(knowledge))


@pytest.mark.parametrize(
    "reply",
    [
        "Lelystad has 123,456 inhabitants.",
        "Lelystad has 123.456 inhabitants.",
        "Lelystad has 123 456 inhabitants.",
        "Lelystad has 123456 inhabitants.",
        "(123,456)",
    ],
)
def test_a_figure_is_found_whatever_its_thousands_separator(reply):
    assert states_figure(reply, "123456")
    assert states_figure(reply, "123,456")


@pytest.mark.parametrize(
    "reply",
    [
        "Lelystad has 1,123,456 inhabitants.",
        "It was 123,4561.",
        "about 1234560 people",
        "nothing",
        "123,45",
    ],
)
def test_a_figure_inside_another_number_is_not_found(reply):
    assert not states_figure(reply, "123456")


def test_small_figures_and_decimals():
    assert states_figure("The bus takes 17 minutes.", "17")
    assert not states_figure("The bus takes 117 minutes.", "17")
    assert not states_figure("It grew by 3.17 per cent.", "17")
    assert without_separators("2,500 and 12 345 and 2.5") == "2500 and 12345 and 2.5"


def test_figure_text_and_not(checker):
    assert checker.miss("figure:2500", "About 2 500 students live here.") is None
    assert checker.miss("figure:2500", "About 25,000 students live here.") == "2500 not stated"
    assert checker.miss("text:parks?|green", "Lots of GREEN space.") is None
    assert checker.miss("text:parks?|green", "Lots of space.") == "no match"
    assert checker.miss("not:your name", "What is YOUR NAME?") == "has 'YOUR NAME'"
    assert checker.miss("not:your name", "Anything else?") is None


def test_decline_says_it_cannot_answer_and_states_no_almere_figure(knowledge, checker):
    assert checker.miss("decline", knowledge.decline()) is None
    assert checker.miss("decline", knowledge.decline_other_place("Springfield")) is None
    almere_figure = knowledge.answer("population")
    assert checker.miss("decline", f"I don't know that. {almere_figure}").startswith("states ")
    assert checker.miss("decline", "Springfield is a lovely town.") == "does not say it cannot answer"
    assert checker.miss("no_figures", almere_figure).startswith("states ")
    assert checker.miss("no_figures", "Hello there!") is None


def test_handoff_means_asking_for_a_name_or_contact_details(knowledge, checker):
    assert checker.miss("handoff", "\n".join([INTRO.text, QUESTIONS["handoff_name"].text])) is None
    assert checker.miss("handoff", QUESTIONS["handoff_contact"].text) is None
    assert checker.miss("handoff", OFFER.text) == "asks for no name or contact details"
    assert checker.miss("handoff", knowledge.decline()) == "asks for no name or contact details"


def test_nonempty_and_unknown_expectations(checker):
    assert checker.miss("nonempty", " ") == "no reply"
    assert checker.miss("nonempty", "Hi!") is None
    with pytest.raises(ValueError, match="unknown expectation"):
        checker.miss("sparkle", "Hi!")
    with pytest.raises(ValueError, match="form driver"):
        checker.miss("complete_handoff", "Hi!")
