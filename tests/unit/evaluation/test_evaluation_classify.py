"""The reply classifier of the evaluation tooling, on fixed replies."""

from __future__ import annotations

import dataclasses

import pytest
from support import fact, figure, read_knowledge

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
    "wording, shown",
    [
        ("Almere has {} people.", figure("inhabitants")),
        ("The train takes about {}.", f"{figure('train_to_schiphol_min')} minutes"),
        ("It was founded in {}, on a former sea bed.", figure("founded")),
        ("It lies {} below sea level.", f"{figure('below_sea_level_m')} metres"),
        ("It is the {} city.", f"{fact('size_rank_nl').ordinal()}-largest"),
    ],
)
def test_figures_are_found_in_any_wording(classifier, wording, shown):
    result = classifier.classify([wording.format(shown)])
    assert result.outcome is Outcome.FIGURE and shown in result.figures


@pytest.mark.parametrize(
    "reply",
    [
        f"It has {figure('train_to_schiphol_min')} bus lines.",  # a small figure without its unit
        f"Founded in {figure('founded')}0?",
        f"About {figure('expats')},000 people.",
        f"Call {read_knowledge().contact.phone_abroad} today",
    ],
)
def test_numbers_that_are_not_almere_figures_are_not_flagged(classifier, reply):
    assert classifier.classify([reply]).figures == ()


def test_the_figure_detectors_follow_the_knowledge_file(knowledge):
    facts = dict(knowledge.facts)
    facts["inhabitants"] = dataclasses.replace(facts["inhabitants"], value=300_001)
    changed = dataclasses.replace(knowledge, facts=facts)
    assert "300,001" in figure_patterns(changed)
    assert figure("inhabitants") not in figure_patterns(changed)
