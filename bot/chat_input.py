"""What a person types, made safe before Rasa sees it (used by every chat channel).

- Control and invisible formatting characters are removed; text is NFC-normalised.
- Empty and over-long messages get a polite answer instead of being processed.
- Rasa reads a message starting with "/" as an intent with confidence 1.0, optionally
  with entities or slots ("/handoff{...}"). Only the bare intents the assistant offers
  as quick replies ("/affirm") pass; any other "/..." is treated as plain text.
- Bank account (IBAN), Dutch citizen service (BSN) and payment card numbers are masked,
  so they are never stored in conversations or tickets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import AbstractSet, Optional

EMPTY_REPLY = "I didn't catch a question there. What would you like to know about Almere?"
TOO_LONG_REPLY = (
    "Your message is too long for me: please keep it under {limit} characters, or ask one "
    "question at a time."
)

_KEEP_CONTROLS = {"\n", "\t"}
_BARE_INTENT = re.compile(r"/([a-z_]+)")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"(?<![\d-])\d(?:[ .-]?\d){8,18}(?![\d-])")


@dataclass(frozen=True)
class Inbound:
    """Either ``text`` for Rasa to process, or a ``reply`` to send without processing."""

    text: Optional[str] = None
    reply: Optional[str] = None


def _visible(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return "".join(
        char
        for char in text
        if char in _KEEP_CONTROLS or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co")
    )


def _iban_valid(candidate: str) -> bool:
    compact = candidate.replace(" ", "").upper()
    if not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return 15 <= len(compact) <= 34 and int(digits) % 97 == 1


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _bsn_valid(digits: str) -> bool:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return len(digits) == 9 and sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def _mask_iban(match: "re.Match[str]") -> str:
    """The longest IBAN at the start of the match (it may run into the words after it)."""
    words = match.group(0).split(" ")
    for end in range(len(words), 0, -1):
        candidate = " ".join(words[:end])
        if _iban_valid(candidate):
            return "[IBAN removed]" + match.group(0)[len(candidate):]
    return match.group(0)


def _mask_number(match: "re.Match[str]") -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if len(digits) == 9 and _bsn_valid(digits):
        return "[BSN removed]"
    if 13 <= len(digits) <= 19 and _luhn_valid(digits):
        return "[card number removed]"
    return match.group(0)


def mask_identifiers(text: str) -> str:
    """Replace IBANs, BSNs and payment card numbers (checksums verified) with a marker."""
    text = _IBAN.sub(_mask_iban, text)
    return _DIGIT_RUN.sub(_mask_number, text)


def prepare_message(raw: str, *, max_chars: int, offered_intents: AbstractSet[str]) -> Inbound:
    """What to do with ``raw``, a message as typed (or a quick reply's payload)."""
    text = _visible(raw).strip()
    if not text:
        return Inbound(reply=EMPTY_REPLY)
    if len(text) > max_chars:
        return Inbound(reply=TOO_LONG_REPLY.format(limit=max_chars))
    bare_intent = _BARE_INTENT.fullmatch(text)
    if text.startswith("/") and not (bare_intent and bare_intent.group(1) in offered_intents):
        text = text.lstrip("/").strip()
        if not text:
            return Inbound(reply=EMPTY_REPLY)
    return Inbound(text=mask_identifiers(text))
