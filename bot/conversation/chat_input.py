"""What a person types, made safe before Rasa sees it (used by every chat channel).

- Control and invisible formatting characters are removed; text is NFC-normalised.
- Empty and over-long messages get a polite answer instead of being processed.
- Rasa reads a message starting with "/" as an intent with confidence 1.0, optionally
  with entities or slots ("/handoff{...}") and a confidence ("@0.99"). Only the exact
  payloads of the assistant's quick-reply buttons ("/affirm") pass; from anything else all
  leading slashes, look-alike slashes and spaces are removed ("/ /restart" -> "restart"),
  so that Rasa reads it as plain text.
- Bank account (IBAN), Dutch citizen service (BSN) and payment card numbers are masked,
  so they are never stored in conversations or tickets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from bot.privacy.contact_patterns import (
    DIGIT_GROUP_SEPARATOR,
    DIGIT_GROUPS_IN_TEXT,
    IBAN_IN_TEXT,
    IBAN_SEPARATOR,
    is_bsn,
    is_card_number,
    is_iban,
)

EMPTY_REPLY = "I didn't catch a question there. What would you like to know about Almere?"
TOO_LONG_REPLY = (
    "Your message is too long for me: please keep it under {limit} characters, or ask one question at a time."
)

_KEEP_CONTROLS = {"\n", "\t"}
# Characters that look like "/" but are not (NFKC turns the fullwidth and small ones into "/").
_SLASH_LOOKALIKES = frozenset("\u2215\u2044\u29f8\u2571\u27cb\u1735\u0337\u0338\u20eb\u3033\U0001d10d")


@dataclass(frozen=True)
class Inbound:
    """Either ``text`` for Rasa to process, or a ``reply`` to send without processing."""

    text: str | None = None
    reply: str | None = None


def _visible(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return "".join(
        char
        for char in text
        if char in _KEEP_CONTROLS or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co")
    )


def _valid_iban_end(candidate: str) -> int | None:
    """Length of the longest IBAN at the start of ``candidate`` (it may run into the words after it)."""
    ends = {m.start() for m in IBAN_SEPARATOR.finditer(candidate)} | {len(candidate)}
    for end in sorted(ends, reverse=True):
        prefix = candidate[:end].rstrip(" .-/")
        if is_iban(IBAN_SEPARATOR.sub("", prefix)):
            return len(prefix)
    return None


def _mask_ibans(text: str) -> str:
    parts, position = [], 0
    while match := IBAN_IN_TEXT.search(text, position):
        length = _valid_iban_end(match.group(0))
        if length is None:  # not an IBAN from here: look again from the next character
            parts.append(text[position : match.start() + 1])
            position = match.start() + 1
        else:
            parts.append(text[position : match.start()] + "[IBAN removed]")
            position = match.start() + length
    return "".join(parts) + text[position:]


def _marker(run: str) -> str | None:
    """The marker replacing ``run`` (digit groups) if it is a BSN or a payment card number."""
    if len({" " if sep.isspace() else sep for sep in DIGIT_GROUP_SEPARATOR.findall(run)}) > 1:
        return None  # "06-12345678 111222333": several numbers, not one
    groups = DIGIT_GROUP_SEPARATOR.split(run)
    if is_bsn("".join(groups)):
        return "[BSN removed]"
    if is_card_number(groups):
        return "[card number removed]"
    return None


def _mask_number(match: re.Match[str]) -> str:
    run = match.group(0)
    if match.string[max(match.start() - 1, 0) : match.start()] == "+":
        return run  # an international phone number (+31 6 12345678)
    marker = _marker(run)
    if marker is not None:
        return marker
    # Not one identifier as a whole: maybe numbers written one after the other, each on its own.
    return "".join(_marker(part) or part for part in re.split(r"( {1,2})", run))


def mask_identifiers(text: str) -> str:
    """Replace IBANs, BSNs and payment card numbers (checksums verified) with a marker.

    Separators are those people use: spaces (also two), "-", "." and "/" (NL91-ABNA-...,
    4111/1111/1111/1111, 111.222.333). A nine-digit number passing the BSN eleven-test is
    masked; phone numbers (+31 6 12345678, 06-12345678), years and figures (123,456) are kept.
    """
    return DIGIT_GROUPS_IN_TEXT.sub(_mask_number, _mask_ibans(text))


def _slash_like(char: str) -> bool:
    return char == "/" or char in _SLASH_LOOKALIKES or "/" in unicodedata.normalize("NFKC", char)


def _without_command_prefix(text: str) -> str:
    """``text`` without the slashes (and look-alikes) and spaces it starts with, in any mix."""
    start = 0
    while start < len(text) and (text[start].isspace() or _slash_like(text[start])):
        start += 1
    return text[start:]


def prepare_message(raw: str, *, max_chars: int, quick_replies: AbstractSet[str]) -> Inbound:
    """What to do with ``raw``, a message as typed (or a quick reply's payload).

    ``quick_replies`` are the "/intent" payloads the assistant's buttons send
    (:func:`bot.conversation.quick_replies.offered_payloads`): only these reach Rasa as intents. Any other
    text starting with slashes has them removed, so Rasa reads it as words.
    """
    text = _visible(raw).strip()
    if not text:
        return Inbound(reply=EMPTY_REPLY)
    if len(text) > max_chars:
        return Inbound(reply=TOO_LONG_REPLY.format(limit=max_chars))
    if text in quick_replies:
        return Inbound(text=text)
    text = _without_command_prefix(text)
    if not text:
        return Inbound(reply=EMPTY_REPLY)
    return Inbound(text=mask_identifiers(text))
