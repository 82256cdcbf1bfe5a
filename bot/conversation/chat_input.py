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

EMPTY_REPLY = "I didn't catch a question there. What would you like to know about Almere?"
TOO_LONG_REPLY = (
    "Your message is too long for me: please keep it under {limit} characters, or ask one question at a time."
)

_KEEP_CONTROLS = {"\n", "\t"}
# Characters that look like "/" but are not (NFKC turns the fullwidth and small ones into "/").
_SLASH_LOOKALIKES = frozenset("\u2215\u2044\u29f8\u2571\u27cb\u1735\u0337\u0338\u20eb\u3033\U0001d10d")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:(?: {1,2}|[.\-/])?[A-Z0-9]){11,30}\b", re.IGNORECASE)
_IBAN_SEPARATORS = re.compile(r"[ .\-/]")
# Digits in groups separated by one or two spaces, or by ".", "-" or "/"; not inside a word, a
# decimal or thousands figure ("226,745"), a reference ("ALM-000123") or a longer digit run.
_DIGIT_RUN = re.compile(r"(?<![\w.,/-])\d+(?:(?: {1,2}|[./-])\d+)*(?![\w/-]|[.,]\d)")
_GROUP_SEPARATOR = re.compile(r" {1,2}|[./-]")


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


def _valid_iban_end(candidate: str) -> int | None:
    """Length of the longest IBAN at the start of ``candidate`` (it may run into the words after it)."""
    ends = {m.start() for m in _IBAN_SEPARATORS.finditer(candidate)} | {len(candidate)}
    for end in sorted(ends, reverse=True):
        prefix = candidate[:end].rstrip(" .-/")
        if _iban_valid(_IBAN_SEPARATORS.sub("", prefix)):
            return len(prefix)
    return None


def _mask_ibans(text: str) -> str:
    parts, position = [], 0
    while match := _IBAN.search(text, position):
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
    if len({" " if sep.isspace() else sep for sep in _GROUP_SEPARATOR.findall(run)}) > 1:
        return None  # "06-12345678 111222333": several numbers, not one
    groups = _GROUP_SEPARATOR.split(run)
    digits = "".join(groups)
    if len(digits) == 9 and _bsn_valid(digits):
        return "[BSN removed]"
    # Cards are written in one piece or in groups: 4-4-4-4(-3), 4-6-5, 4-6-4. None starts with 0.
    grouped = len(groups) == 1 or (len(groups[0]) == 4 and all(3 <= len(g) <= 6 for g in groups))
    if 13 <= len(digits) <= 19 and digits[0] != "0" and grouped and _luhn_valid(digits):
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
    masked; phone numbers (+31 6 12345678, 06-12345678), years and figures (226,745) are kept.
    """
    return _DIGIT_RUN.sub(_mask_number, _mask_ibans(text))


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
