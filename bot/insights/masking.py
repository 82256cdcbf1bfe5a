"""Personal data taken out of the questions the insights page quotes.

The unanswered questions are shown to staff grouped and counted, so that they see what to add to the
assistant, not who asked. Before they are grouped, e-mail addresses, phone numbers and other long
digit runs (a citizen service number, an account, a case number) become markers; IBANs, BSNs and
payment card numbers were masked already when the message came in (``bot.chat_input``), and are
masked again here for conversations stored before that.

Names are not masked: nothing tells "Anna" in "my wife Anna needs a permit" from a street, a company
or a word, so the page says that the questions may still hold names, and shows them to staff only.
"""

from __future__ import annotations

import re

from bot.chat_input import mask_identifiers

EMAIL_MARKER = "[e-mail]"
PHONE_MARKER = "[phone]"
NUMBER_MARKER = "[number]"

_EMAIL = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+\.[^\s<>()\[\],;:\"']+")
# A phone number as people write it, from its + or 0: +31 6 1234 5678, 06-12345678, (036) 539 99 11.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}|\(?0\d{0,3}\)?)(?:[ .\-/]?\(?\d{1,4}\)?){2,5}(?!\w)")
# Any other run of five or more digits (a year or a house number has fewer).
_LONG_DIGITS = re.compile(r"\d{5,}")
_DIGIT = re.compile(r"\d")
# Figures people ask about are not phone numbers: "226,745 inhabitants", "1.5 million".
_FIGURE = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$|^\d+[.,]\d{1,2}$")


def _phone_or_figure(match: re.Match[str]) -> str:
    found = match.group(0)
    if _FIGURE.match(found) or len(_DIGIT.findall(found)) < 8:
        return found
    return PHONE_MARKER


def mask_personal_data(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers and long digit runs replaced by markers."""
    masked = _EMAIL.sub(EMAIL_MARKER, mask_identifiers(text))
    masked = _PHONE.sub(_phone_or_figure, masked)
    return _LONG_DIGITS.sub(NUMBER_MARKER, masked)
