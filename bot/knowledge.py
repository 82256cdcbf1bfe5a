"""The knowledge file: Almere's facts with their dates and source, and answers built from them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

LANGUAGES = ("en", "nl")
# A language's name in each language ("nl" is "Dutch" in English, "Nederlands" in Dutch).
LANGUAGE_NAMES = {"en": {"en": "English", "nl": "Dutch"}, "nl": {"en": "Engels", "nl": "Nederlands"}}
PHRASES = (
    "source_line",
    "decline",
    "desk_contact",
    "decline_other_place",
    "other_places",
    "figure_dated",
    "figure_undated",
    "page_checked",
    "sources",
)
# The values the phrases may insert besides the department and the phone numbers.
PHRASE_VALUES = ("place", "figure", "where", "as_of", "title", "checked")
_DUTCH_MONTHS = dict(
    zip(
        "January February March April May June July August September October November December".split(),
        "januari februari maart april mei juni juli augustus september oktober november december".split(),
        strict=True,
    )
)


@dataclass(frozen=True)
class Fact:
    """One figure from the source page."""

    key: str
    value: int
    label: str
    source: str
    as_of: str | None = None
    format: str = "count"
    label_nl: str | None = None

    def label_in(self, language: str = "en") -> str:
        """The label in ``language``: the Dutch one where the file gives it, else the English."""
        return self.label_nl if language == "nl" and self.label_nl else self.label

    def formatted(self, language: str = "en") -> str:
        if self.format == "year":
            return str(self.value)
        english = f"{self.value:,}"
        return english.replace(",", ".") if language == "nl" else english

    def ordinal(self, language: str = "en") -> str:
        if language == "nl":
            return f"{self.value}e"
        suffix = (
            "th" if 10 <= self.value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(self.value % 10, "th")
        )
        return f"{self.value}{suffix}"

    def dated(self, language: str = "en") -> str:
        """The as-of date in ``language`` ("January 2024", "januari 2024")."""
        if self.as_of is None:
            raise KeyError(f"fact {self.key!r} has no as_of date")
        if language == "nl":
            return " ".join(_DUTCH_MONTHS.get(word, word) for word in self.as_of.split())
        return self.as_of


@dataclass(frozen=True)
class Wording:
    """A topic's answer, and its sentence per figure, in one language."""

    answer: str
    figures: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Topic:
    """What the assistant says about one topic, as templates over the facts (``answer`` and
    ``figures`` in English; ``translations`` the same in other languages)."""

    name: str
    answer: str
    figures: Mapping[str, str] = field(default_factory=dict)
    states_figures: bool = False
    # Words that make a question one this answer does not answer ("to the airport on foot").
    not_about: tuple[str, ...] = ()
    translations: Mapping[str, Wording] = field(default_factory=dict)

    def wording(self, language: str = "en") -> Wording:
        return self.translations.get(language) or Wording(self.answer, self.figures)

    def answers(self, text: str) -> bool:
        """Whether the topic's answer answers ``text`` (no `not_about` word or phrase in it)."""
        return not any(re.search(rf"\b{re.escape(words)}\b", text, re.IGNORECASE) for words in self.not_about)


@dataclass(frozen=True)
class Contact:
    department: str
    phone: str
    phone_abroad: str
    business_form_language: str


@dataclass(frozen=True)
class Knowledge:
    """Everything the assistant knows, loaded from the knowledge file."""

    facts: Mapping[str, Fact]
    topics: Mapping[str, Topic]
    contact: Contact
    source_title: str
    source_publisher: str
    # Per language: the assistant's own sentences (PHRASES), as templates.
    phrases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # The day the page was last read for this file.
    source_checked: date | None = None

    def answer(self, topic: str, figures: Sequence[str] = (), language: str = "en") -> str:
        """The answer for ``topic``, for the ``figures`` (fact names) the question asks about.

        One figure the topic has a sentence for gets that sentence ("how many international
        jobs?"); none or several get the topic's whole answer. Where a question asks for two
        or more figures, those the answer does not state are added from the topics that state
        them ("how many jobs and companies?"). Raises KeyError for an unknown topic.
        """
        templates = self._templates(topic, figures, language)
        answer = " ".join(self.render(template, language) for template in templates)
        return answer + "\n" + self.phrase("source_line", language)

    def stated(self, topic: str, figures: Sequence[str] = ()) -> tuple[str, ...]:
        """The facts the answer for ``topic`` and ``figures`` states (see :meth:`answer`)."""
        found = [
            name
            for template in self._templates(topic, figures)
            for name in re.findall(r"\{([a-z_0-9]+)", template)
        ]
        return tuple(name for name in dict.fromkeys(found) if name in self.facts)

    def topic_of_figure(self) -> dict[str, str]:
        """For each fact an answer states, the topic that states it (with a sentence of its own first)."""
        topics: dict[str, str] = {}
        for name, entry in self.topics.items():
            for figure in entry.figures:
                topics.setdefault(figure, name)
        for name, entry in self.topics.items():
            for figure in _placeholders(entry.answer) & self.facts.keys():
                topics.setdefault(figure, name)
        return topics

    def _templates(self, topic: str, figures: Sequence[str], language: str = "en") -> list[str]:
        entry = self.topics[topic].wording(language)
        asked = list(dict.fromkeys(figures))
        own = [figure for figure in asked if figure in entry.figures]
        templates = [entry.figures[own[0]] if len(own) == 1 else entry.answer]
        if len(asked) > 1:
            for figure in asked:
                if not any(figure in _placeholders(template) for template in templates):
                    template = self._template_stating(figure, language)
                    if template is not None:
                        templates.append(template)
        return templates

    def _template_stating(self, figure: str, language: str = "en") -> str | None:
        """The sentence (or else the answer) of the first topic that states ``figure``."""
        wordings = [entry.wording(language) for entry in self.topics.values()]
        for wording in wordings:
            if figure in wording.figures:
                return wording.figures[figure]
        for wording in wordings:
            if figure in _placeholders(wording.answer):
                return wording.answer
        return None

    def render(self, template: str, language: str = "en") -> str:
        """Fill a template's ``{fact}``, ``{fact.as_of}``, ``{fact.ordinal}`` and ``{contact.x}``."""
        return re.sub(
            r"\{([a-z_0-9]+)(?:\.([a-z_]+))?\}", lambda match: self._substitute(match, language), template
        )

    def _substitute(self, match: re.Match[str], language: str = "en") -> str:
        name, attribute = match.group(1), match.group(2)
        if name == "contact":
            value = str(getattr(self.contact, attribute))
            return (
                LANGUAGE_NAMES[language].get(value, value) if attribute == "business_form_language" else value
            )
        fact = self.facts[name]
        if attribute is None:
            return fact.formatted(language)
        if attribute == "as_of":
            return fact.dated(language)
        if attribute == "ordinal":
            return fact.ordinal(language)
        raise KeyError(f"unknown attribute {attribute!r} of fact {name!r}")

    def phrase(self, name: str, language: str = "en", **values: str) -> str:
        """One of the assistant's own sentences (PHRASES) in ``language`` (English if unknown)."""
        phrases = self.phrases.get(language) or self.phrases["en"]
        return phrases[name].format(
            department=phrases.get("department", self.contact.department),
            phone=self.contact.phone,
            phone_abroad=self.contact.phone_abroad,
            **values,
        )

    def decline_other_place(self, place: str | None = None, language: str = "en") -> str:
        """The answer to a figure question about a place other than Almere (named if known)."""
        return self.phrase(
            "decline_other_place", language, place=place or self.phrase("other_places", language)
        )

    def provenance(self, facts: Sequence[str] = (), language: str = "en") -> str:
        """Where the first of ``facts`` (an answer's main figure) comes from and how recent it is
        (what the page dates it, when the page was last read); with no facts, where all answers
        come from."""
        lines = []
        for fact in (self.facts[name] for name in facts[:1]):
            figure = f"{fact.formatted(language)} {fact.label_in(language)}"
            where = fact.source.removeprefix(f"{self.source_title}, ")
            values = {"figure": figure, "where": where, "title": self.source_title}
            if fact.as_of is None:
                lines.append(self.phrase("figure_undated", language, **values))
            else:
                lines.append(self.phrase("figure_dated", language, as_of=fact.dated(language), **values))
        checked = _long_date(self.source_checked, language) if self.source_checked else ""
        if not lines:
            return self.phrase("sources", language, title=self.source_title, checked=checked)
        return " ".join([*lines, self.phrase("page_checked", language, checked=checked)])

    def desk_contact(self, language: str = "en") -> str:
        """How to reach a person at the desk."""
        return self.phrase("desk_contact", language)

    def decline(self, language: str = "en") -> str:
        """The honest answer to a question the knowledge file does not answer."""
        return self.phrase("decline", language)


def _long_date(day: date, language: str = "en") -> str:
    """ "27 November 2026" ("27 november 2026" in Dutch)."""
    month = day.strftime("%B")
    return f"{day.day} {_DUTCH_MONTHS[month] if language == 'nl' else month} {day.year}"


def _placeholders(template: str) -> set[str]:
    """The fact names a template inserts."""
    return set(re.findall(r"\{([a-z_0-9]+)", template))


def parse_knowledge(document: Mapping) -> Knowledge:
    """Build :class:`Knowledge` from the parsed YAML document, checking every reference, and that
    every language states the same facts in each answer and has every phrase."""
    facts: dict[str, Fact] = {key: Fact(key=key, **entry) for key, entry in document["facts"].items()}
    topics = {name: _topic(name, entry, facts) for name, entry in document["topics"].items()}
    phrases = {language: dict(entries) for language, entries in document["phrases"].items()}
    knowledge = Knowledge(
        facts=facts,
        topics=topics,
        contact=Contact(**document["contact"]),
        source_title=document["source"]["title"],
        source_publisher=document["source"]["publisher"],
        phrases=phrases,
        source_checked=document["source"].get("retrieved"),
    )
    if set(phrases) != set(LANGUAGES):
        raise ValueError(f"phrases are needed in {LANGUAGES}, not {sorted(phrases)}")
    for language in LANGUAGES:
        missing = set(PHRASES) - set(phrases[language])
        if missing:
            raise ValueError(f"phrases {sorted(missing)} are missing in {language!r}")
        for name in PHRASES:
            # raises KeyError on an unknown placeholder
            knowledge.phrase(name, language, **dict.fromkeys(PHRASE_VALUES, "x"))
    for topic in topics.values():
        for language in LANGUAGES:
            wording = topic.wording(language)
            for template in (wording.answer, *wording.figures.values()):
                knowledge.render(template, language)  # raises KeyError on an unknown fact
    return knowledge


def _topic(name: str, entry: Mapping, facts: Mapping[str, Fact]) -> Topic:
    english = Wording(entry["answer"], entry.get("figures", {}))
    translations = {
        language: Wording(entry[language]["answer"], entry[language].get("figures", {}))
        for language in LANGUAGES
        if language != "en"
    }
    for language, wording in translations.items():
        if set(wording.figures) != set(english.figures):
            raise ValueError(f"topic {name!r}: the figures' sentences differ in {language!r}")
        pairs = [(english.answer, wording.answer)] + [
            (english.figures[key], wording.figures[key]) for key in english.figures
        ]
        for original, translated in pairs:
            if _placeholders_with_attributes(original) != _placeholders_with_attributes(translated):
                raise ValueError(
                    f"topic {name!r}: the {language!r} answer states other facts than the English one"
                )
    return Topic(
        name=name,
        answer=english.answer,
        figures=english.figures,
        not_about=tuple(entry.get("not_about", ())),
        states_figures=any(
            _placeholders(template) & facts.keys() for template in (english.answer, *english.figures.values())
        ),
        translations=translations,
    )


def _placeholders_with_attributes(template: str) -> set[str]:
    """Everything a template inserts, with attributes ("inhabitants.as_of")."""
    return set(re.findall(r"\{([a-z_0-9.]+)\}", template))


def load_knowledge(path: Path) -> Knowledge:
    """Read and check the knowledge file at ``path``."""
    with open(path, encoding="utf-8") as handle:
        return parse_knowledge(yaml.safe_load(handle))
