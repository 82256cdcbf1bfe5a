"""Classify the assistant's replies: an Almere figure, a topic answer, a decline, small talk, ...

Every detector is derived from the project's own sources, not typed in here: the figures and
topic answers from the knowledge file (bot.services.knowledge()), the decline texts and desk
numbers from bot.knowledge, the handoff's opening from actions.handoff_prompts and the
small-talk texts from domain.yml's responses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import yaml

from bot.knowledge import LANGUAGES, Knowledge
from evaluation.common import REPO_ROOT

PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)(?:\.([a-z_]+))?\}")
# A value this small is only an Almere figure together with the word after it ("26 minutes").
SMALL_VALUE = 100
_OTHER_PLACE = "\x00"


class Outcome(str, Enum):
    FIGURE = "stated an Almere figure"
    TOPIC = "answered a topic (no figure)"
    DECLINED = "declined, desk offered"
    HANDOFF = "started the handoff to the desk"
    SMALL_TALK = "small talk"
    OTHER = "other"
    NO_REPLY = "no reply"


@dataclass(frozen=True)
class Classification:
    outcome: Outcome
    figures: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    responses: tuple[str, ...] = ()


def figure_patterns(knowledge: Knowledge) -> dict[str, re.Pattern[str]]:
    """Each figure as the answers print it, e.g. "123,456", "1975", "26 minutes", "8th-largest".

    Every fact's value of three digits or more, plus every placeholder of every topic
    template as rendered; a small number only counts with the word that follows it in the
    template ("4 metres"), a date (``as_of``) as it is.
    """
    shown_figures = [
        f.formatted(language)
        for f in knowledge.facts.values()
        if f.value >= SMALL_VALUE
        for language in LANGUAGES
    ]
    for topic in knowledge.topics.values():
        for language in LANGUAGES:
            wording = topic.wording(language)
            for template in (wording.answer, *wording.figures.values()):
                for match in PLACEHOLDER.finditer(template):
                    name, attribute = match.groups()
                    if name == "contact":
                        continue
                    shown = knowledge.render(match.group(0), language)
                    if (
                        attribute is None
                        and knowledge.facts[name].value < SMALL_VALUE
                        or (attribute == "ordinal")
                    ):
                        unit = re.match(r"[ -]?[A-Za-z]+", template[match.end() :])
                        shown += unit.group(0) if unit else ""
                    shown_figures.append(shown)
    return {
        shown: re.compile(
            r"(?<![\w,.])" + re.escape(shown).replace(r"\ ", r"\s+") + r"(?!\w|[,.]\d)",
            re.IGNORECASE,
        )
        for shown in dict.fromkeys(shown_figures)
    }


def domain_responses(domain_path: Path = REPO_ROOT / "domain.yml") -> dict[str, tuple[str, ...]]:
    """The texts of each response in domain.yml, e.g. {"utter_greet": ("Hello! ...",)}."""
    with open(domain_path, encoding="utf-8") as handle:
        domain = yaml.safe_load(handle)
    return {
        name: tuple(v["text"] for v in variations if v.get("text"))
        for name, variations in (domain.get("responses") or {}).items()
    }


@dataclass(frozen=True)
class ReplyClassifier:
    figures: Mapping[str, re.Pattern[str]]
    topic_answers: Mapping[str, tuple[str, ...]]
    decline_markers: tuple[str, ...]
    handoff_markers: tuple[str, ...]
    responses: Mapping[str, tuple[str, ...]]
    source_lines: tuple[str, ...] = ()

    @classmethod
    def from_project(
        cls, knowledge: Knowledge, responses: Mapping[str, tuple[str, ...]] | None = None
    ) -> ReplyClassifier:
        from actions.handoff_prompts import INTRO  # rasa_sdk: imported only when needed

        other_place = tuple(
            part
            for language in LANGUAGES
            for part in knowledge.decline_other_place(_OTHER_PLACE, language).split(_OTHER_PLACE)
        )
        return cls(
            figures=figure_patterns(knowledge),
            topic_answers={
                name: tuple(
                    knowledge.render(t, language)
                    for language in LANGUAGES
                    for t in (topic.wording(language).answer, *topic.wording(language).figures.values())
                )
                for name, topic in knowledge.topics.items()
            },
            decline_markers=(
                *(knowledge.decline(language) for language in LANGUAGES),
                *(p.strip() for p in other_place if p.strip()),
                knowledge.contact.phone,
                knowledge.contact.phone_abroad,
            ),
            handoff_markers=tuple(INTRO.wording(language)[0] for language in LANGUAGES),
            source_lines=tuple(knowledge.phrase("source_line", language) for language in LANGUAGES),
            responses=dict(responses if responses is not None else domain_responses()),
        )

    def classify(self, texts: Sequence[str]) -> Classification:
        """Classify one reply: the texts of the messages the assistant sent back."""
        if not any(t.strip() for t in texts):
            return Classification(Outcome.NO_REPLY)
        text = "\n".join(texts)
        figures = tuple(shown for shown, pattern in self.figures.items() if pattern.search(text))
        topics = tuple(
            name for name, answers in self.topic_answers.items() if any(answer in text for answer in answers)
        )
        responses = tuple(
            name for name, variations in self.responses.items() if any(v in text for v in variations)
        )
        if figures:
            outcome = Outcome.FIGURE
        elif topics or any(line in text for line in self.source_lines):
            outcome = Outcome.TOPIC
        elif any(marker in text for marker in self.decline_markers):
            outcome = Outcome.DECLINED
        elif any(marker in text for marker in self.handoff_markers):
            outcome = Outcome.HANDOFF
        elif responses:
            outcome = Outcome.SMALL_TALK
        else:
            outcome = Outcome.OTHER
        return Classification(outcome, figures, topics, responses)
