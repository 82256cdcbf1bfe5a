"""Personal data taken out of the questions the insights page quotes.

The unanswered questions are shown to staff grouped and counted, so that they see what to add to the
assistant, not who asked. Before they are grouped, these become markers:

* e-mail addresses, also written to fool robots ("jan at example dot com", "jan[at]example[dot]nl");
* phone numbers as people write them ("06 12 34 56 78", "+31 (0)36 - 123 4567");
* dates with a year ("12-03-1985", "12 maart 1985", "March 12, 1985"): a date of birth, mostly;
* street addresses ("Stationsstraat 12", "Grote Markt 3a", "12 Main Street") and postcodes ("1312 AB");
* a name the person gives after "my name is", "ik heet" or "mijn naam is";
* other runs of five or more digits (a citizen service number, an account, a case number).

IBANs, BSNs and payment card numbers were masked already when the message came in
(``bot.conversation.chat_input``), and are masked again here for conversations stored before
that. The e-mail addresses, phone numbers and names are found by the patterns of
``bot.privacy.contact_patterns``. What people ask about stays: figures ("123,456"), years, times, a
date without a year ("27 april").

Other names are not masked: nothing tells "Anna" in "my wife Anna needs a permit" from a street, a
company or a word, so the page says that the questions may still hold names, and shows them to staff
only. tests/unit/insights/masking_cases.tsv is the table of formats this is measured on.
"""

from __future__ import annotations

import re

from bot.conversation.chat_input import mask_identifiers
from bot.privacy.contact_patterns import (
    EMAIL_IN_TEXT,
    PREFIXED_PHONE_IN_TEXT,
    SPELLED_OUT_EMAIL_IN_TEXT,
    given_name_spans,
    is_prefixed_phone,
    is_spelled_out_email,
)

EMAIL_MARKER = "[e-mail]"
PHONE_MARKER = "[phone]"
NUMBER_MARKER = "[number]"
DATE_MARKER = "[date]"
ADDRESS_MARKER = "[address]"
POSTCODE_MARKER = "[postcode]"
NAME_MARKER = "[name]"
MARKERS = (
    NAME_MARKER,
    EMAIL_MARKER,
    PHONE_MARKER,
    ADDRESS_MARKER,
    POSTCODE_MARKER,
    DATE_MARKER,
    NUMBER_MARKER,
)

# Any other run of five or more digits (a year or a house number has fewer).
_LONG_DIGITS = re.compile(r"\d{5,}")

_MONTHS = (
    r"(?:january|januari|february|februari|march|maart|april|may|mei|june|juni|july|juli|august|augustus"
    r"|september|october|oktober|november|december"
    r"|jan|feb|mar|mrt|maa|apr|jun|jul|aug|sept|sep|oct|okt|nov|dec)\.?"
)
_DATE = re.compile(
    # 12-03-1985, 12/03/85, 12.03.1985, 1985-03-12 (not inside a longer run: 06.12.34.56.78 is a phone).
    r"(?<![\d.\-/])(?:(?P<d1>\d{1,2})[-/.](?P<m1>\d{1,2})[-/.](?:\d{4}|\d{2})"
    r"|\d{4}[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2}))(?![.\-/]?\d)"
    # 12 maart 1985, 12th of March 1985, 3 mrt. 1990
    rf"|\b\d{{1,2}}(?:st|nd|rd|th|e|ste|de)?(?:\s+of)?\s+{_MONTHS},?\s+\d{{4}}\b"
    # March 12, 1985; Dec 1, 1979; March 12th 1985
    rf"|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b",
    re.IGNORECASE,
)

_STREET_SUFFIXES = tuple(
    "straat straatje laan laantje weg plein pleintje gracht kade singel dijk dreef pad steeg hof hofje"
    " markt baan boulevard wal erf plantsoen allee promenade passage kant zijde".split()
)
_HOUSE_NUMBER = r"\d{1,5}(?:\s?[-/]\s?\d{1,4}|[a-zA-Z](?!\w)|\s[A-Z](?!\w)|\s(?:bis|hs|huis|I{1,3})(?!\w))?"
# "op de markt 3 keer per week" counts, it is no address.
_NOT_A_HOUSE = (
    r"(?!\s*(?:keer|times|x|uur|hours?|minut\w*|min|km|m|meters?|dag\w*|days?|we[ek]\w*|jaar|years?"
    r"|euro|%|procent|percent)\b)"
)
# A word and a house number; the word's ending (_STREET_SUFFIXES) is checked after, which keeps the
# expression from trying every ending at every letter.
_STREET_AND_NUMBER = re.compile(
    rf"(?<![\w'’-])(?P<street>[\w'’-]+)\s+{_HOUSE_NUMBER}(?!\w){_NOT_A_HOUSE}", re.IGNORECASE
)
_WORD = re.compile(r"[\w'’-]+")
# Up to this many words before the street's own belong to its name: "Grote Markt", "Johannes
# Vermeerstraat", "Van der Hoopstraat" (from the first capitalised one that is not a sentence's word).
_STREET_NAME_WORDS = 3
_ENGLISH_ADDRESS = re.compile(
    r"(?<![\w-])\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'’-]*\s+){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Square|Sq|Place|Pl|Court|Close"
    r"|Crescent|Terrace|Gardens)\b\.?"
)
# Capitalised because they start a sentence, not because they name a street.
_SENTENCE_WORDS = frozenset(
    "is are where waar what wat how hoe can kan could the de het een a an in on op at aan to naar near bij"
    " i ik my mijn we wij our ons onze live woon wonen address adres".split()
)
_POSTCODE = re.compile(r"(?<![\w,.-])[1-9]\d{3}\s?(?P<letters>[A-Za-z]{2})(?!\w)")
# Two letters after a year or a number that are a word, not a postcode: "2020 en 2025", "in 2024 we".
_TWO_LETTER_WORDS = frozenset(
    "in on at to we is of or an as by be do go he it me my no so up us am pm if en de op te ik je ze na om al"
    " nu er ga zo ja ad bc km kg cm mm mb gb".split()
)


def _spelled_out_email(match: re.Match[str]) -> str:
    return EMAIL_MARKER if is_spelled_out_email(match) else match.group(0)


def _date(match: re.Match[str]) -> str:
    day, month = match.group("d1") or match.group("d2"), match.group("m1") or match.group("m2")
    if day is not None and month is not None:
        first, second = int(day), int(month)
        # Day and month in either order (12/03 or 03/12), but a real date.
        if not (1 <= first <= 31 and 1 <= second <= 31 and min(first, second) <= 12):
            return match.group(0)
    return DATE_MARKER


def _phone_or_figure(match: re.Match[str]) -> str:
    return PHONE_MARKER if is_prefixed_phone(match.group(0)) else match.group(0)


def _street_name_start(text: str, start: int, floor: int) -> int:
    """Where the street name ending at ``start`` begins: the words right before it that are part of
    it ("Grote Markt"), not those of the sentence ("ik woon op de ...")."""
    words = list(_WORD.finditer(text, max(floor, start - 100), start))
    chosen: list[re.Match[str]] = []
    end = start
    for word in reversed(words):
        if len(chosen) == _STREET_NAME_WORDS or text[word.end() : end].strip() or word.end() == end:
            break
        chosen.insert(0, word)
        end = word.start()
    while chosen and (chosen[0].group().lower() in _SENTENCE_WORDS or not chosen[0].group()[0].isupper()):
        chosen.pop(0)
    return chosen[0].start() if chosen else start


def _mask_dutch_addresses(text: str) -> str:
    out: list[str] = []
    position = 0
    for match in _STREET_AND_NUMBER.finditer(text):
        if not match.group("street").lower().endswith(_STREET_SUFFIXES):
            continue
        begin = _street_name_start(text, match.start(), position)
        out += [text[position:begin], ADDRESS_MARKER]
        position = match.end()
    return "".join(out) + text[position:]


def _postcode(match: re.Match[str]) -> str:
    return match.group(0) if match.group("letters").lower() in _TWO_LETTER_WORDS else POSTCODE_MARKER


def _mask_names(text: str) -> str:
    """The names given after "my name is" (and the like) replaced by the marker."""
    out: list[str] = []
    position = 0
    for start, end in given_name_spans(text):
        out += [text[position:start], NAME_MARKER]
        position = end
    return "".join(out) + text[position:]


def mask_personal_data(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers, dates, addresses, postcodes, names given after
    "my name is" and long digit runs replaced by markers."""
    masked = EMAIL_IN_TEXT.sub(EMAIL_MARKER, mask_identifiers(text))
    masked = SPELLED_OUT_EMAIL_IN_TEXT.sub(_spelled_out_email, masked)
    masked = _mask_names(masked)
    masked = _DATE.sub(_date, masked)
    masked = PREFIXED_PHONE_IN_TEXT.sub(_phone_or_figure, masked)
    masked = _ENGLISH_ADDRESS.sub(ADDRESS_MARKER, masked)
    masked = _mask_dutch_addresses(masked)
    masked = _POSTCODE.sub(_postcode, masked)
    return _LONG_DIGITS.sub(NUMBER_MARKER, masked)
