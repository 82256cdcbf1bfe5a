"""The reply classifier of the evaluation tooling, on fixed replies."""

from __future__ import annotations

import dataclasses

import pytest

from actions.handoff_prompts import INTRO, OFFER
from evaluation.classify import Outcome, ReplyClassifier, domain_responses, figure_patterns


@pytest.fixture(scope="module")
def classifier(knowledge) -> ReplyClassifier:
    return ReplyClassifier.from_project(knowledge)


def test_every_topic_answer_is_an_almere_fact(knowledge, classifier):
    for name, topic in knowledge.topics.items():
        result = classifier.classify([knowledge.answer(name)])
        expected = Outcome.FIGURE if topic.states_figures else Outcome.TOPIC
        assert result.outcome is expected, name
        if not topic.states_figures:
            assert result.topics == (name,)


def test_declines_and_the_desk_numbers_count_as_declines(knowledge, classifier):
    assert classifier.classify([knowledge.decline(), OFFER.text]).outcome is Outcome.DECLINED
    assert classifier.classify([knowledge.decline_other_place("Utrecht")]).outcome is Outcome.DECLINED
    assert classifier.classify([f"Please call {knowledge.contact.phone}."]).outcome is Outcome.DECLINED


def test_the_handoff_small_talk_and_nothing(classifier):
    assert classifier.classify([INTRO.text, "What is your name?"]).outcome is Outcome.HANDOFF
    greeting = domain_responses()["utter_greet"][0]
    result = classifier.classify([greeting])
    assert (result.outcome, result.responses) == (Outcome.SMALL_TALK, ("utter_greet",))
    assert classifier.classify([]).outcome is Outcome.NO_REPLY
    assert classifier.classify(["Something else entirely."]).outcome is Outcome.OTHER


@pytest.mark.parametrize(
    "reply, figure",
    [
        ("Almere has 226,745 people.", "226,745"),
        ("The train takes about 26 minutes.", "26 minutes"),
        ("It was founded in 1975, on a former sea bed.", "1975"),
        ("It lies 4 metres below sea level.", "4 metres"),
        ("It is the 8th-largest city.", "8th-largest"),
    ],
)
def test_figures_are_found_in_any_wording(classifier, reply, figure):
    result = classifier.classify([reply])
    assert result.outcome is Outcome.FIGURE and figure in result.figures


@pytest.mark.parametrize(
    "reply",
    ["It has 26 bus lines.", "Founded in 19750?", "About 1,500,000 people.", "Call +31 36 539 99 11 today"],
)
def test_numbers_that_are_not_almere_figures_are_not_flagged(classifier, reply):
    assert classifier.classify([reply]).figures == ()


def test_the_figure_detectors_follow_the_knowledge_file(knowledge):
    facts = dict(knowledge.facts)
    facts["inhabitants"] = dataclasses.replace(facts["inhabitants"], value=300_001)
    changed = dataclasses.replace(knowledge, facts=facts)
    assert "300,001" in figure_patterns(changed)
    assert "226,745" not in figure_patterns(changed)
