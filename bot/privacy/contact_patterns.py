"""What a person's contact details and identifiers look like: e-mail addresses, phone numbers, a name
given after "my name is", IBANs, citizen service numbers (BSN) and payment card numbers.

Two kinds of pattern, on purpose:

* A **field** pattern (:data:`EMAIL`, :data:`PHONE`, with :func:`is_email` and :func:`is_phone`)
  says whether a whole value, typed into one field, is an address the desk can write to or a number
  it can call. Everything around it was taken away already, so it may allow any character the
  address or number can hold.
* A **finding** pattern (the ``*_IN_TEXT`` ones) looks for one inside free text, where the words
  around it are not part of it: it must know where an address starts and ends ("mail me at
  jan@example.nl, thanks"), and it finds candidates that a field pattern, a checksum or a
  comparison then confirms. Text is not a field: the comma, the brackets and the quotes that end an
  address in a sentence would be refused by a field, not cut off.

Who uses which:

* :data:`EMAIL`, :data:`PHONE`: ``bot.tickets.validation`` (``clean_email``, ``clean_phone``), which
  every ticket, the handoff form, the copy of a live chat and the personal-data search go through.
* :data:`EMAIL_IN_TEXT`: the handoff's contact answer (``bot.handoff.contact_answers``: the address
  in "you can mail me at ...", then checked as a field) and the insights page's masking
  (``bot.insights.masking``).
* :data:`SPELLED_OUT_EMAIL_IN_TEXT` with :func:`is_spelled_out_email`, :data:`PREFIXED_PHONE_IN_TEXT`
  with :func:`is_prefixed_phone`, and :func:`given_name_spans`: the insights page's masking. It
  shows staff what people ask, so a figure or a year must stay: a phone number there is one written
  from its "+", "00" or "0", with at least eight digits.
* :data:`PHONE_IN_TEXT`: any run that may be a phone number however written, for those that check
  it after: the handoff's contact answer (as a field) and the erasure of one person's data
  (``bot.privacy.subject_data``, compared with their numbers).
* :data:`PHONE_SEARCH`: a desk search made only of what a phone number is written with
  (``bot.tickets.service``), which then also searches the tickets' phone numbers.
* :data:`IBAN_IN_TEXT`, :data:`DIGIT_GROUPS_IN_TEXT` with :func:`is_iban`, :func:`is_bsn` and
  :func:`is_card_number`: what every chat message is masked of before Rasa sees it
  (``bot.conversation.chat_input``), and the insights page again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# The characters that end an address in a sentence: blanks, brackets, punctuation and quotes.
_ENDS = r"\s<>()\[\],;:\"'"

# An e-mail address as a whole field: one "@", a domain of dot-separated, non-empty labels.
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
# A phone number as a whole field: digits with the separators people write, "+" first, and
# PHONE_DIGITS digits (the shortest local numbers to the longest international ones).
PHONE = re.compile(r"\+?[0-9 ()./-]+")
PHONE_DIGITS = range(6, 21)

# An e-mail address in text, from the start of a word, with one "@" and a dot after it: "a@a@a@..."
# must not take a time growing with its cube. An apostrophe inside the part before the "@" belongs
# to it (o'brien@example.ie); one before it is a quote ('jan@example.nl').
EMAIL_IN_TEXT = re.compile(rf"(?<![^{_ENDS}])[^{_ENDS}@]+(?:'[^{_ENDS}@]+)*@[^{_ENDS}@]+\.[^{_ENDS}@]+")
# "at" and "dot" written out or in brackets: jan at example dot com, jan[at]example[dot]nl, jan @ x . nl.
_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
_AT = rf"(?P<at>\s*{_OPEN}\s*(?:at|@|apenstaartje)\s*{_CLOSE}\s*|\s+(?:at|apenstaartje)\s+|\s*@\s*)"
_DOT = rf"(?:\s*{_OPEN}\s*(?:dot|punt|\.)\s*{_CLOSE}\s*|\s+(?:dot|punt)\s+|\s?\.\s?)"
SPELLED_OUT_EMAIL_IN_TEXT = re.compile(
    rf"(?<![\w.+-])[\w.+-]+(?:(?:\s+(?:dot|punt)\s+|{_OPEN}\s*(?:dot|punt)\s*{_CLOSE})[\w+-]+){{0,3}}{_AT}"
    rf"(?P<domain>[\w-]+(?:{_DOT}[\w-]+){{0,5}}{_DOT}[a-z]{{2,6}})(?![\w.-])",
    re.IGNORECASE,
)
_SPELLED_OUT_DOT = re.compile(rf"{_OPEN}|\b(?:dot|punt)\b", re.IGNORECASE)

# Any run of digits and the separators of a phone number, from a "+" or "(" or digit to a digit.
PHONE_IN_TEXT = re.compile(r"[+(]?[0-9][0-9\s().\-/]{4,}[0-9]")
# A phone number as people write it, from its + or 0: +31 6 1234 5678, 06 12 34 56 78, (036) 539 99 11,
# +31 (0)36 - 123 4567.
PREFIXED_PHONE_IN_TEXT = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}|00\d{2}|\(?0\d{0,3}\)?)(?:\s?(?:\(0\)|[.\-/])?\s?\(?\d{1,4}\)?){2,6}(?!\w)"
)
PREFIXED_PHONE_DIGITS_MIN = 8
# Figures people ask about are not phone numbers: "123,456 inhabitants", "1.5 million".
_FIGURE = re.compile(r"\d{1,3}(?:[.,]\d{3})+|\d+[.,]\d{1,2}")
_DIGIT = re.compile(r"\d")
# A search box's text that is only digits, blanks and the separators of a phone number.
PHONE_SEARCH = re.compile(r"[\d\s()+./-]+")

# An IBAN in text: country, check digits and 11 to 30 letters or digits, grouped by one or two
# spaces or by ".", "-" or "/" (NL91 ABNA 0417 1643 00, NL91-ABNA-...); it may run into the words
# after it, which is_iban then tells apart.
IBAN_IN_TEXT = re.compile(r"\b[A-Z]{2}\d{2}(?:(?: {1,2}|[.\-/])?[A-Z0-9]){11,30}\b", re.IGNORECASE)
IBAN_SEPARATOR = re.compile(r"[ .\-/]")
# Digits in groups separated by one or two spaces, or by ".", "-" or "/"; not inside a word, a
# decimal or thousands figure ("123,456"), a reference ("ALM-000123") or a longer digit run. A BSN or
# a card number is one of these (is_bsn, is_card_number).
DIGIT_GROUPS_IN_TEXT = re.compile(r"(?<![\w.,/-])\d+(?:(?: {1,2}|[./-])\d+)*(?![\w/-]|[.,]\d)")
DIGIT_GROUP_SEPARATOR = re.compile(r" {1,2}|[./-]")

# A name given in text: the words after one of these, up to a comma, a full stop or a word that is no name.
_NAME_CUE = re.compile(r"\b(?:my name is|my name's|mijn naam is|ik heet|name:|naam:)\s+", re.IGNORECASE)
_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_PARTICLES = frozenset("van de der den het ter ten el al la le du da dos bin".split())
# Words that end a name given after the cue ("my name is Jan and ...") or show that none was given.
_NOT_A_NAME = frozenset(
    "and en but maar from uit i ik i'm im not niet is am ben the a an een in of my mijn please graag live"
    " woon have heb want wil need moet can kan how hoe what wat where waar who wie why waarom when wanneer"
    " also ook just gewoon here hier".split()
)
_NAME_WORDS_MAX = 4


def is_email(value: str) -> bool:
    """Whether the whole of ``value`` is an e-mail address (:data:`EMAIL`)."""
    return EMAIL.fullmatch(value) is not None


def is_phone(value: str) -> bool:
    """Whether the whole of ``value`` is a phone number: :data:`PHONE` with :data:`PHONE_DIGITS` digits."""
    return PHONE.fullmatch(value) is not None and sum(char.isdigit() for char in value) in PHONE_DIGITS


def is_spelled_out_email(match: re.Match[str]) -> bool:
    """Whether a match of :data:`SPELLED_OUT_EMAIL_IN_TEXT` is an address: one with "at" written out
    needs "dot" written out too ("look at almere.nl" is no address)."""
    at = match.group("at").strip().lower()
    return at not in ("at", "apenstaartje") or _SPELLED_OUT_DOT.search(match.group("domain")) is not None


def is_prefixed_phone(found: str) -> bool:
    """Whether a match of :data:`PREFIXED_PHONE_IN_TEXT` is a phone number, not a figure or a short code."""
    return _FIGURE.fullmatch(found) is None and len(_DIGIT.findall(found)) >= PREFIXED_PHONE_DIGITS_MIN


def is_iban(compact: str) -> bool:
    """Whether ``compact`` (letters and digits without separators) is an IBAN: its check digits hold."""
    compact = compact.upper()
    # Letters A to Z and digits only: the Kelvin sign (U+212A) matches [A-Z] ignoring case, but has no value.
    if not (15 <= len(compact) <= 34 and all(c.isdecimal() or "A" <= c <= "Z" for c in compact)):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def is_bsn(digits: str) -> bool:
    """Whether ``digits`` is a Dutch citizen service number: nine digits passing the eleven-test."""
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return len(digits) == 9 and sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def _passes_luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def is_card_number(groups: Sequence[str]) -> bool:
    """Whether digit ``groups`` (as written, in one piece or in groups) are a payment card number.

    Cards are written in one piece or in groups: 4-4-4-4(-3), 4-6-5, 4-6-4; 13 to 19 digits, none
    starting with 0, with a valid Luhn check digit."""
    digits = "".join(groups)
    grouped = len(groups) == 1 or (len(groups[0]) == 4 and all(3 <= len(g) <= 6 for g in groups))
    return 13 <= len(digits) <= 19 and digits[0] != "0" and grouped and _passes_luhn(digits)


def given_name_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` gives a name after "my name is", "ik heet" and the like: (start, end) of the
    name's words, up to a comma, a full stop or a word that is no name ("my name is Jan and ...")."""
    spans: list[tuple[int, int]] = []
    position = 0
    for cue in _NAME_CUE.finditer(text):
        if cue.start() < position:
            continue
        end, words, cursor = cue.end(), 0, cue.end()
        while words < _NAME_WORDS_MAX:
            word = _NAME_WORD.match(text, cursor)
            if word is None or word.group(0).lower() in _NOT_A_NAME:
                break
            words += 1
            if word.group(0).lower() not in _PARTICLES:
                end = word.end()
            cursor = word.end()
            if not text.startswith(" ", cursor):
                break
            cursor += 1
        if end > cue.end():
            spans.append((cue.end(), end))
            position = end
    return spans
