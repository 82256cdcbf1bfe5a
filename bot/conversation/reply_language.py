"""Which language to answer in: Dutch or English, decided per message.

The person's message decides: a message that is clearly Dutch gets a Dutch answer, one that is
clearly English an English one. A message that says too little to tell ("ok", "ja", a name, an
e-mail address) keeps the conversation's language, or the language chosen in the widget. Asking
for the other language ("in English please", "kan het in het Nederlands?") switches to it.

Deciding: a short list of each language's most frequent function words votes first (two or three
words already tell "hoe groot is almere" from "how big is almere", where a statistical detector
trained on longer text often does not); if the words do not tell, py3langid (its model ships in
the package: nothing is downloaded) decides when it is sure and the message has a few words.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache

LANGUAGES = ("en", "nl")
DEFAULT = "en"
# py3langid's probability (over English and Dutch only) it must reach to decide on its own.
DETECTOR_CERTAINTY = 0.99
DETECTOR_MIN_WORDS = 3
# A message is in another language than English or Dutch ("¿Cuántas personas viven en Almere?")
# when at least this many of its words, and this share, are words the assistant never learnt, and
# py3langid (over all its languages) names another language: a statistical detector alone takes
# short English or Dutch phrases ("business service desk", "trein almere schiphol") for French or
# German.
OTHER_LANGUAGE_MIN_UNKNOWN = 2
OTHER_LANGUAGE_UNKNOWN_SHARE = 0.5

_WORD = re.compile(r"[a-zà-ÿ']+")
# Each language's most frequent function words (public: the chat widget votes with the same lists).
DUTCH_WORDS = frozenset(
    """
    de het een en van ik je jij u uw we wij jullie ze zij hij mijn zijn haar ons onze
    hoe wat waar wanneer waarom welke welk wie hoeveel hoelang hoever
    is er zijn was waren wordt worden kan kun kunt kunnen mag mogen moet moeten wil wilt willen
    heb hebt heeft hebben ben bent zou zouden ga gaat gaan doe doet doen
    niet geen wel ook nog al maar of als dan dus omdat
    met voor naar bij uit over onder tussen tot sinds door zonder tegen
    graag alstublieft alsjeblieft bedankt dank dankje dankjewel nee ja jazeker
    veel weinig meer groot grote klein kleine lang lange ver goed goede
    ligt woon woont wonen werk werken banen inwoners bedrijven gemeente stad hier daar
    iemand medewerker spreken bellen contact opnemen loket
    """.split()
)
ENGLISH_WORDS = frozenset(
    """
    the a an and of i you your we they he she my our their it its
    how what where when why which who whom
    are was were be been being am do does did can could may might must should would will shall
    not no yes also but or if then so because
    with for to from at by about into over under between since through without against
    please thanks thank much many more big large small long far good
    live lives living work working jobs inhabitants companies city town here there
    someone somebody person speak talk call contact desk
    """.split()
)
# One-word greetings and thanks that belong to one language ("ok", "ja", "nee", "yes" do not tell).
_GREETINGS = {
    **dict.fromkeys(
        "hallo hoi goedemorgen goedemiddag goedenavond goedendag doei dag bedankt dankjewel dankuwel "
        "alsjeblieft alstublieft graag groetjes".split(),
        "nl",
    ),
    **dict.fromkeys("hello hi hey hiya bye goodbye thanks thank thx cheers please".split(), "en"),
}
# Words both languages share ("is", "in", "over", "contact"), names, numbers and "almere" tell nothing.

# Asking to be answered in a language: a request, not a mention ("how do you say hello in English"
# or "translate this into Dutch" ask for a translation, which the assistant does not do).
_ASK = (
    r"\b(?:answer|reply|respond|speak|talk|write|continue|chat)\s+(?:to\s+me\s+)?(?:in\s+)?{en}\b"
    r"|\bswitch\s+(?:back\s+)?to\s+{en}\b|\b(?:in\s+)?{en},?\s+(?:please|pls)\b|^\s*(?:in\s+)?{en}\W*$"
    r"|\b(?:kan|kun|kunt|mag|wil|kunnen)\s+(?:het|je|u|jij|we)\s+(?:ook\s+)?(?:verder\s+)?in\s+het\s+{nl}\b"
    r"|\b(?:in\s+het\s+)?{nl}\s+(?:graag|alsjeblieft|alstublieft)\b|\bgraag\s+in\s+het\s+{nl}\b"
    r"|\b(?:spreek|spreekt|praat|antwoord|antwoordt)\s+(?:je|u|jij)\s+(?:ook\s+)?(?:in\s+het\s+)?{nl}\b"
    r"|\b(?:schakel|ga)\s+(?:over\s+)?(?:naar|verder\s+in)\s+(?:het\s+)?{nl}\b"
)
_ASK_ENGLISH = re.compile(_ASK.format(en="english", nl="engels"), re.IGNORECASE)
_ASK_DUTCH = re.compile(_ASK.format(en="(?:dutch|nederlands)", nl="(?:nederlands|hollands)"), re.IGNORECASE)


# Speaking of others ("do they speak English in Australia?", "spreken ze daar Nederlands?") is a
# question about them, not a request to the assistant.
_OTHERS_SPEAK = re.compile(
    r"\b(?:they|people|everyone|everybody|locals|he|she|do\s+most|ze|zij|mensen|iedereen)\s+"
    r"(?:\w+\s+)?(?:speak|talk|spreken|praten)\b"
    # Not speaking a language, or who speaks it: "jobs for people who don't speak Dutch",
    # "do I need to speak Dutch", "voor wie geen Nederlands spreekt".
    r"|\b(?:don't|do\s+not|doesn't|does\s+not|can't|cannot|who|need\s+to|have\s+to|must|niet|geen|wie)\s+"
    r"(?:\w+\s+)?(?:speak|talk|spreek|spreekt|spreken|praat|praten)\b",
    re.IGNORECASE,
)


def requested_language(text: str) -> str | None:
    """The language the person asks to be answered in ("in English please" -> "en"), if any."""
    if _OTHERS_SPEAK.search(text):
        return None
    asks_english, asks_dutch = bool(_ASK_ENGLISH.search(text)), bool(_ASK_DUTCH.search(text))
    if asks_english == asks_dutch:
        return None
    return "en" if asks_english else "nl"


def detect(text: str) -> str | None:
    """The language of ``text``, or None when it says too little to tell."""
    words = _WORD.findall(text.lower())
    if len(words) == 1:  # "ok", "ja", "yes", a name: keep the conversation's language, but
        return _GREETINGS.get(words[0])  # a greeting or thanks of one language only tells
    if not words:
        return None
    dutch = sum(word in DUTCH_WORDS for word in words)
    english = sum(word in ENGLISH_WORDS for word in words)
    if dutch != english:
        majority = "nl" if dutch > english else "en"
        if abs(dutch - english) >= 2 or len(words) <= DETECTOR_MIN_WORDS:
            return majority
        return _detector_if_sure(text) or majority  # a narrow vote in a longer message
    return _detector_if_sure(text) if len(words) >= DETECTOR_MIN_WORDS else None


_ANY_WORD = re.compile(r"[^\W\d_][^\W\d_']*", re.UNICODE)


def words_of(text: str) -> list[str]:
    """The words of ``text`` in any script, lower case."""
    return _ANY_WORD.findall(text.lower())


def other_language(text: str, known_words: Collection[str]) -> str | None:
    """The language of ``text`` when it is clearly neither English nor Dutch (its code), else None.

    ``known_words`` are the English and Dutch words the assistant learnt (its training data's).
    """
    words = words_of(text)
    if len(words) < DETECTOR_MIN_WORDS or requested_language(text):
        return None
    unknown = sum(word not in known_words for word in words)
    if unknown < OTHER_LANGUAGE_MIN_UNKNOWN or unknown < OTHER_LANGUAGE_UNKNOWN_SHARE * len(words):
        return None
    detected, _ = _any_language_identifier().classify(text)
    return detected if detected not in LANGUAGES else None


def _detector_if_sure(text: str) -> str | None:
    detected, certainty = _identifier().classify(text)
    return detected if certainty >= DETECTOR_CERTAINTY else None


def reply_language(text: str, current: str | None, preferred: str | None = None) -> str:
    """The language to answer ``text`` in: asked for, else detected, else the conversation's
    (``current``), else the one chosen in the widget (``preferred``), else English."""
    for choice in (requested_language(text), detect(text), current, preferred):
        if choice in LANGUAGES:
            return choice
    return DEFAULT


@cache
def _identifier():
    """py3langid limited to English and Dutch (loads its bundled model once, about 0.4 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


@cache
def _any_language_identifier():
    """py3langid with all the languages of its bundled model (loaded once)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
