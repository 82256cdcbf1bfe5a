"""The project's own spaCy pipeline and the entity vocabulary behind it."""

from __future__ import annotations

import pytest
import spacy

from bot.conversation.spacy_pipeline import PIPELINE_NAME, build_pipeline, parse_vocabulary, save_pipeline


@pytest.fixture(scope="module")
def nlp(vocabulary):
    return build_pipeline(vocabulary)


def entities(nlp, text):
    return [(ent.label_, ent.text) for ent in nlp(text).ents]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("How many international jobs are there?", [("figure", "international jobs")]),
        ("how many JOBS", [("figure", "JOBS")]),
        ("What is the population of Utrecht?", [("figure", "population"), ("place", "of Utrecht")]),
        ("population of tokyo", [("figure", "population"), ("place", "tokyo")]),
        ("How many people live in Springfield?", [("figure", "people live"), ("place", "in Springfield")]),
        ("How many people live in Almere?", [("figure", "people live")]),
        (
            "jobs in the Amsterdam Metropolitan Area",
            [("figure", "jobs"), ("not_place", "Amsterdam Metropolitan Area")],
        ),
        ("train to Schiphol", [("not_place", "Schiphol")]),
    ],
)
def test_entities_are_recognised(nlp, text, expected):
    assert entities(nlp, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hoeveel inwoners heeft Almere?", [("figure", "inwoners")]),
        ("hoeveel mensen wonen er in almere", [("figure", "mensen wonen")]),
        ("hoeveel internationale banen zijn er", [("figure", "internationale banen")]),
        ("zijn er banen in het engels", [("figure", "banen in het engels")]),
        ("hoeveel expats en hoeveel culturen", [("figure", "expats"), ("figure", "culturen")]),
        ("hoeveel inwoners heeft utrecht", [("figure", "inwoners"), ("place", "utrecht")]),
        ("bevolking van nederland", [("figure", "bevolking"), ("place", "nederland")]),
        ("hoeveel bedrijven zitten er in parijs", [("figure", "bedrijven"), ("place", "parijs")]),
        ("hoeveel mensen wonen er in Keulen", [("figure", "mensen wonen"), ("place", "in Keulen")]),
        (
            "werkgelegenheid in de regio amsterdam",
            [("figure", "werkgelegenheid"), ("not_place", "regio amsterdam")],
        ),
        # Dutch words that are also the names of places: "houses", "English".
        ("hoeveel huizen worden er gebouwd", []),
        ("kan ik in het engels werken", []),
    ],
)
def test_dutch_entities_are_recognised(nlp, text, expected):
    assert entities(nlp, text) == expected


@pytest.mark.parametrize(
    "phrase, fact",
    [
        ("Inwonersaantal", "inhabitants"),
        ("werkgelegenheid", "jobs"),
        ("engelstalige vacatures", "international_jobs"),
        ("ondernemingen", "companies"),
        ("buitenlanders", "expats"),
        ("nationaliteiten", "cultures"),
    ],
)
def test_dutch_figure_phrases_map_to_facts(vocabulary, phrase, fact):
    assert vocabulary.figure_for(phrase) == fact


def test_figure_phrases_map_to_facts(vocabulary):
    assert vocabulary.figure_for("International Jobs ") == "international_jobs"
    assert vocabulary.figure_for("nationalities") == "cultures"
    assert vocabulary.figure_for("weather") is None


@pytest.mark.parametrize(
    "text, name",
    [("in Springfield", "Springfield"), ("Utrecht", "Utrecht"), ("of New York", "New York"), ("in", "in")],
)
def test_place_names_lose_their_preposition(vocabulary, text, name):
    assert vocabulary.place_name(text) == name


def test_a_phrase_may_name_only_one_fact():
    with pytest.raises(ValueError):
        parse_vocabulary({"figure": {"jobs": ["work"], "companies": ["work"]}, "place": [], "not_place": []})


def test_the_saved_pipeline_loads_like_rasa_loads_it(vocabulary, tmp_path):
    directory = save_pipeline(vocabulary, tmp_path / "spacy" / PIPELINE_NAME)
    loaded = spacy.load(directory, disable=["parser"])
    assert loaded.path is not None  # Rasa's SpacyNLP rejects pipelines not loaded from disk
    assert spacy.info(str(directory))["name"] == PIPELINE_NAME
    assert [(e.label_, e.text) for e in loaded("expats in Berlin").ents] == [
        ("figure", "expats"),
        ("place", "in Berlin"),
    ]


def test_rasa_loads_the_pipeline_from_where_it_is_built():
    import yaml

    from bot.config import REPO_ROOT
    from bot.conversation.spacy_pipeline import PIPELINE_DIR

    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text())
    [spacy_nlp] = [c for c in config["pipeline"] if c["name"] == "SpacyNLP"]
    assert spacy_nlp["model"] == str(PIPELINE_DIR)
