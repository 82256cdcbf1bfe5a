"""The knowledge file: Almere's facts with their dates and source, and answers built from them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SOURCE_LINE = "Source: the Municipality of Almere's “About Almere” page."


@dataclass(frozen=True)
class Fact:
    """One figure from the source page."""

    key: str
    value: int
    label: str
    source: str
    as_of: str | None = None
    format: str = "count"

    def formatted(self) -> str:
        return str(self.value) if self.format == "year" else f"{self.value:,}"

    def ordinal(self) -> str:
        suffix = (
            "th" if 10 <= self.value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(self.value % 10, "th")
        )
        return f"{self.value}{suffix}"


@dataclass(frozen=True)
class Topic:
    """What the assistant says about one topic, as templates over the facts."""

    name: str
    answer: str
    figures: Mapping[str, str] = field(default_factory=dict)
    states_figures: bool = False
    # Words that make a question one this answer does not answer ("to the airport on foot").
    not_about: tuple[str, ...] = ()

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

    def answer(self, topic: str, figures: Sequence[str] = ()) -> str:
        """The answer for ``topic``, for the ``figures`` (fact names) the question asks about.

        One figure the topic has a sentence for gets that sentence ("how many international
        jobs?"); none or several get the topic's whole answer. Where a question asks for two
        or more figures, those the answer does not state are added from the topics that state
        them ("how many jobs and companies?"). Raises KeyError for an unknown topic.
        """
        entry = self.topics[topic]
        asked = list(dict.fromkeys(figures))
        own = [figure for figure in asked if figure in entry.figures]
        templates = [entry.figures[own[0]] if len(own) == 1 else entry.answer]
        if len(asked) > 1:
            for figure in asked:
                if not any(figure in _placeholders(template) for template in templates):
                    template = self._template_stating(figure)
                    if template is not None:
                        templates.append(template)
        return " ".join(self.render(template) for template in templates) + f"\n{SOURCE_LINE}"

    def _template_stating(self, figure: str) -> str | None:
        """The sentence (or else the answer) of the first topic that states ``figure``."""
        for entry in self.topics.values():
            if figure in entry.figures:
                return entry.figures[figure]
        for entry in self.topics.values():
            if figure in _placeholders(entry.answer):
                return entry.answer
        return None

    def render(self, template: str) -> str:
        """Fill a template's ``{fact}``, ``{fact.as_of}``, ``{fact.ordinal}`` and ``{contact.x}``."""
        return re.sub(r"\{([a-z_0-9]+)(?:\.([a-z_]+))?\}", self._substitute, template)

    def _substitute(self, match: re.Match[str]) -> str:
        name, attribute = match.group(1), match.group(2)
        if name == "contact":
            return str(getattr(self.contact, attribute))
        fact = self.facts[name]
        if attribute is None:
            return fact.formatted()
        if attribute == "as_of":
            if fact.as_of is None:
                raise KeyError(f"fact {name!r} has no as_of date")
            return fact.as_of
        if attribute == "ordinal":
            return fact.ordinal()
        raise KeyError(f"unknown attribute {attribute!r} of fact {name!r}")

    def decline_other_place(self, place: str | None = None) -> str:
        """The answer to a figure question about a place other than Almere (named if known)."""
        return (
            f"I only have information about Almere, so I can't answer that for "
            f"{place or 'other places'}. "
            f"For other questions, the {self.contact.department} is happy to help: call "
            f"{self.contact.phone} (from abroad {self.contact.phone_abroad})."
        )

    def desk_contact(self) -> str:
        """How to reach a person at the desk."""
        return (
            f"The people of the {self.contact.department} are happy to help you in person: "
            f"call {self.contact.phone} (from abroad {self.contact.phone_abroad})."
        )

    def decline(self) -> str:
        """The honest answer to a question the knowledge file does not answer."""
        return (
            "I'm sorry, I don't know that: I can only answer from the municipality's "
            "information about Almere, and it doesn't cover this. The "
            f"{self.contact.department} is happy to help: call {self.contact.phone} "
            f"(from abroad {self.contact.phone_abroad})."
        )


def _placeholders(template: str) -> set[str]:
    """The fact names a template inserts."""
    return set(re.findall(r"\{([a-z_0-9]+)", template))


def parse_knowledge(document: Mapping) -> Knowledge:
    """Build :class:`Knowledge` from the parsed YAML document, checking every reference."""
    facts: dict[str, Fact] = {key: Fact(key=key, **entry) for key, entry in document["facts"].items()}
    topics = {
        name: Topic(
            name=name,
            answer=entry["answer"],
            figures=entry.get("figures", {}),
            not_about=tuple(entry.get("not_about", ())),
            states_figures=any(
                _placeholders(template) & facts.keys()
                for template in (entry["answer"], *entry.get("figures", {}).values())
            ),
        )
        for name, entry in document["topics"].items()
    }
    knowledge = Knowledge(
        facts=facts,
        topics=topics,
        contact=Contact(**document["contact"]),
        source_title=document["source"]["title"],
        source_publisher=document["source"]["publisher"],
    )
    for topic in topics.values():
        for template in (topic.answer, *topic.figures.values()):
            knowledge.render(template)  # raises KeyError on an unknown fact
    return knowledge


def load_knowledge(path: Path) -> Knowledge:
    """Read and check the knowledge file at ``path``."""
    with open(path, encoding="utf-8") as handle:
        return parse_knowledge(yaml.safe_load(handle))
