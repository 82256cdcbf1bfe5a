"""What a reply must show, as the external scenario sets write it (../shared/eval/README.md).

``figure:N`` the reply states N (thousands separators , . or space ignored); ``text:REGEX`` /
``not:REGEX`` it matches / does not match REGEX (case-insensitive); ``handoff`` it asks for the
person's name or contact details; ``decline`` it says it does not know or cannot answer and
states no figure of the knowledge file; ``no_figures``; ``nonempty``. ``complete_handoff`` and
``refuse_consent`` are not checks of one reply: evaluation.form_driver plays them. ``lang:xx`` (and
``language:xx``, added to the Dutch set from its ``reply_language`` column): the reply is in that
language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.conversation.reply_language import detect
from evaluation.classify import ReplyClassifier

FORM_KINDS = ("complete_handoff", "refuse_consent")
LANGUAGE_KINDS = ("language", "lang")
KINDS = (
    "figure",
    "text",
    "not",
    "handoff",
    "decline",
    "no_figures",
    "nonempty",
    *LANGUAGE_KINDS,
    *FORM_KINDS,
)

# A thousands separator: between digits, before a group of exactly three.
_SEPARATOR = re.compile(r"(?<=\d)[,. ](?=\d{3}(?!\d))")
# Asking for the person's name or how to reach them (not merely giving the desk's number).
HANDOFF_ASK = re.compile(
    r"\byour (?:full )?name\b|\byour (?:e-?mail|email address|phone number|contact details)"
    r"|\breach you\b"
    r"|\b(?:je|uw) (?:volledige )?naam\b|\b(?:je|uw) (?:e-?mailadres|telefoonnummer|contactgegevens)"
    r"|\b(?:je|u) (?:kan|kunnen) bereiken\b|\bbereiken\?",
    re.IGNORECASE,
)
# Saying it does not know or cannot answer.
DECLINE_SAY = re.compile(
    r"\b(?:do not|don't|can't|cannot|can not) (?:know|answer|tell|help with)\b|\bnot sure\b"
    r"|\bonly have (?:information|figures) about\b|\bno information\b|\bdoesn't cover\b"
    r"|\b(?:dat|dit) weet ik niet\b|\bkan ik (?:dat|dit|je) niet\b|\bniet beantwoorden\b"
    r"|\balleen informatie over\b|\bstaat dit niet\b",
    re.IGNORECASE,
)


def without_separators(text: str) -> str:
    """``text`` with thousands separators removed: "123,456", "123.456", "123 456" -> "123456"."""
    return _SEPARATOR.sub("", text)


def states_figure(text: str, figure: str) -> bool:
    """Whether ``text`` states the number ``figure`` as a whole number (not inside another one)."""
    number = re.escape(without_separators(figure.strip()))
    return re.search(rf"(?<!\d)(?<!\d[.,]){number}(?!\d)(?![.,]\d)", without_separators(text)) is not None


def kind_of(expectation: str) -> str:
    kind = expectation.split(":", 1)[0].strip()
    if kind not in KINDS:
        raise ValueError(f"unknown expectation {expectation!r}")
    return kind


@dataclass(frozen=True)
class Checker:
    """Checks one reply (all the assistant's messages of a turn, joined) against an expectation."""

    classifier: ReplyClassifier

    def miss(self, expectation: str, reply: str) -> str | None:
        """None if ``reply`` shows ``expectation``, else why not."""
        kind = kind_of(expectation)
        argument = expectation.split(":", 1)[1] if ":" in expectation else ""
        figures = self.classifier.classify([reply]).figures
        if kind == "figure":
            return None if states_figure(reply, argument) else f"{argument} not stated"
        if kind == "text":
            return None if re.search(argument, reply, re.IGNORECASE) else "no match"
        if kind == "not":
            found = re.search(argument, reply, re.IGNORECASE)
            return f"has {found.group(0)!r}" if found else None
        if kind == "handoff":
            return None if HANDOFF_ASK.search(reply) else "asks for no name or contact details"
        if kind == "decline":
            if figures:
                return f"states {', '.join(figures)}"
            return None if DECLINE_SAY.search(reply) else "does not say it cannot answer"
        if kind == "no_figures":
            return f"states {', '.join(figures)}" if figures else None
        if kind == "nonempty":
            return None if reply.strip() else "no reply"
        if kind in LANGUAGE_KINDS:
            said = detect(reply)
            return None if said == argument.strip() else f"in {said or 'an unknown language'}"
        raise ValueError(f"{expectation!r} is played by the form driver, not checked on one reply")
