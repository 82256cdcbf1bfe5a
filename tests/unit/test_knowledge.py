"""The knowledge file: every fact traceable to the source page, answers in our own words."""

from __future__ import annotations

import re

import pytest
from support import desk_phone

from bot.config import REPO_ROOT
from bot.knowledge import Fact, parse_knowledge

SHARED_SOURCE = REPO_ROOT.parent / "shared" / "source" / "about-almere.txt"


def words(text: str):
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


NAMES = (desk_phone(abroad=True), desk_phone(), "International Affairs Department of the Municipality")


def shingles(text: str, size: int):
    """Runs of ``size`` words; names and numbers are not sentences, so they are left out."""
    for name in NAMES:
        text = text.replace(name, " ")
    tokens = words(text)
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def test_the_repository_copy_of_the_source_page_is_current(source_page):
    if not SHARED_SOURCE.exists():
        pytest.skip(f"{SHARED_SOURCE} is not on this machine")
    assert source_page == SHARED_SOURCE.read_text(encoding="utf-8")


def test_every_fact_appears_on_the_source_page(knowledge, source_page):
    page = source_page.replace("\u00a0", " ")
    for fact in knowledge.facts.values():
        if fact.key == "size_rank_nl":
            assert "eighth-largest" in page
        elif fact.key == "below_sea_level_m":
            assert "four metres below sea level" in page
        else:
            assert fact.formatted() in page, fact.key
        if fact.as_of:
            assert f"{fact.formatted()} ({fact.as_of})" in page, fact.key


def test_answers_do_not_paste_sentences_of_the_page(knowledge, source_page):
    page = shingles(source_page, 7)
    for name, topic in knowledge.topics.items():
        for template in (topic.answer, *topic.figures.values()):
            copied = shingles(knowledge.render(template), 7) & page
            assert not copied, f"{name} repeats the page: {' '.join(sorted(copied)[0])}"


def test_a_dated_figure_says_how_current_it_is(knowledge):
    answer = knowledge.answer("population")
    inhabitants = knowledge.facts["inhabitants"]
    assert inhabitants.formatted() in answer and f"as of {inhabitants.as_of}" in answer
    assert answer.endswith(knowledge.phrase("source_line"))


@pytest.mark.parametrize(
    "topic, figure, expected, absent",
    [
        ("jobs", "international_jobs", "international_jobs", "jobs"),
        ("jobs", None, "jobs", None),
        ("international_community", "cultures", "cultures", "expats"),
        ("international_community", "expats", "expats", "cultures"),
        ("international_community", "companies", "expats", None),  # not this topic's figure
    ],
)
def test_a_figure_question_gets_that_figure(knowledge, topic, figure, expected, absent):
    answer = knowledge.answer(topic, [figure] if figure else [])
    assert knowledge.facts[expected].formatted() in answer
    if absent:
        assert knowledge.facts[absent].formatted() not in answer


@pytest.mark.parametrize(
    "topic, figures",
    [
        ("international_community", ["expats", "cultures"]),
        ("jobs", ["jobs", "companies"]),
        ("companies", ["companies", "inhabitants", "expats"]),
    ],
)
def test_every_figure_asked_for_is_answered_once(knowledge, topic, figures):
    answer = knowledge.answer(topic, figures)
    for figure in (knowledge.facts[name].formatted() for name in figures):
        assert answer.count(figure) == 1, (figure, answer)
    assert answer.count(knowledge.phrase("source_line")) == 1


def test_one_figure_of_another_topic_does_not_replace_the_answer(knowledge):
    # "how many inhabitants are expected in 2050?" is a growth question that says "inhabitants".
    answer = knowledge.answer("growth", ["inhabitants"])
    facts = knowledge.facts
    assert facts["population_2050"].formatted() in answer and facts["inhabitants"].formatted() not in answer


def test_the_page_figures_are_all_reachable_from_some_answer(knowledge):
    answers = " ".join(
        knowledge.render(t)
        for topic in knowledge.topics.values()
        for t in (topic.answer, *topic.figures.values())
    )
    for key in (
        "inhabitants",
        "population_2050",
        "founded",
        "train_to_schiphol_min",
        "jobs",
        "international_jobs",
        "companies",
        "expats",
        "cultures",
    ):
        assert knowledge.facts[key].formatted() in answers, key


def test_contact_answers_give_both_numbers(knowledge):
    for topic in ("contact", "business_desk"):
        answer = knowledge.answer(topic)
        assert desk_phone() in answer and desk_phone(abroad=True) in answer
    assert "Dutch" in knowledge.answer("business_desk")


def test_the_decline_offers_the_desk_and_states_no_figure(knowledge):
    text = knowledge.decline()
    assert "don't know" in text and desk_phone() in text and desk_phone(abroad=True) in text
    without_phones = text.replace(desk_phone(), "").replace(desk_phone(abroad=True), "")
    assert not re.search(r"\d", without_phones)


def test_unknown_topic_is_a_key_error(knowledge):
    with pytest.raises(KeyError):
        knowledge.answer("rent")


def test_a_template_naming_an_unknown_fact_is_rejected():
    document = {
        "source": {"title": "t", "publisher": "p"},
        "contact": {"department": "d", "phone": "1", "phone_abroad": "2", "business_form_language": "nl"},
        "facts": {"jobs": {"value": 1, "label": "jobs", "source": "s"}},
        "topics": {"jobs": {"answer": "{jobz} jobs"}},
    }
    with pytest.raises(KeyError):
        parse_knowledge(document)


def test_figures_and_ordinals_are_formatted():
    def fact(value: int, **format) -> Fact:
        return Fact(key="figure", value=value, label="figure", source="s", **format)

    assert (fact(123456).formatted(), fact(123456).formatted("nl")) == ("123,456", "123.456")
    assert fact(2031, format="year").formatted("nl") == "2031"
    assert [fact(n).ordinal() for n in (1, 2, 3, 8, 11, 12, 13, 22)] == [
        "1st",
        "2nd",
        "3rd",
        "8th",
        "11th",
        "12th",
        "13th",
        "22nd",
    ]
    assert fact(8).ordinal("nl") == "8e"


def test_which_topics_state_figures(knowledge):
    assert knowledge.topics["population"].states_figures
    assert not knowledge.topics["contact"].states_figures
