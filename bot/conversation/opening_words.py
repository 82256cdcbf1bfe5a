"""A greeting or a "thanks, ok" before a question: the question is what the person wants answered.

"Hello! how big is almere" is a population question, not a greeting; "great, can someone from
the business desk contact us?" asks for a person. :func:`without_opening` drops such opening
words when what follows is a question or a request, so that the classifier sees the question.
A greeting alone ("hello there") or an answer ("ok sure") is left as it is. Dutch works the
same way ("Goedendag, hoeveel bedrijven zijn er?", "top, dank je").
"""

from __future__ import annotations

import re

# Opening words, longest first so that "good morning" wins over "good".
_OPENINGS = sorted(
    [
        "hi",
        "hello",
        "hey",
        "hiya",
        "howdy",
        "greetings",
        "good morning",
        "good afternoon",
        "good evening",
        "good day",
        "morning",
        "afternoon",
        "evening",
        "dear",
        "hallo",
        "hoi",
        "goedemorgen",
        "goedemiddag",
        "goedenavond",
        "dag",
        "thanks",
        "thank you",
        "thanks a lot",
        "many thanks",
        "cheers",
        "ok",
        "okay",
        "ok then",
        "alright",
        "all right",
        "great",
        "cool",
        "perfect",
        "nice",
        "super",
        "fine",
        "lovely",
        "wonderful",
        "excellent",
        "brilliant",
        "awesome",
        "good",
        "right",
        "bedankt",
        "dank je",
        "dank u",
        "oké",
        "prima",
        # Dutch counterparts of the words above.
        "hai",
        "hé",
        "hee",
        "goedendag",
        "goeiedag",
        "goeiemorgen",
        "goeiemiddag",
        "beste",
        "dankjewel",
        "dankuwel",
        "dank je wel",
        "dank u wel",
        "hartelijk dank",
        "heel erg bedankt",
        "oke",
        "okee",
        "top",
        "toppie",
        "mooi",
        "fijn",
        "helder",
        "duidelijk",
        "goed",
        "geweldig",
        "uitstekend",
        "keurig",
    ],
    key=len,
    reverse=True,
)
# What may follow an opening word before the question: "there", "all", "team", a name of the bot.
_FILLERS = (
    r"(?:\s+(?:there|all|everyone|team|again|so much|very much|a lot|for that|so|"
    r"daar|allemaal|iedereen|medewerker|nogmaals|hoor|wel|"
    r"voor de info|voor de informatie|voor het antwoord))*"
)
_OPENING = re.compile(
    r"^\s*(?:" + "|".join(re.escape(word) for word in _OPENINGS) + r")\b" + _FILLERS + r"\s*[!.,:;)\-–—]*\s+",
    re.IGNORECASE,
)
# A question or a request: how the rest of the message must begin, unless it ends with "?".
_QUESTION_START = re.compile(
    r"^(?:how|what|what's|whats|where|when|which|who|whom|whose|why|is|are|was|were|do|does|did|can|"
    r"could|will|would|should|shall|may|might|have|has|tell|please|give|show|explain|i'd|i\s+would|"
    r"i\s+want|i\s+need|i'm\s+looking|we\s+are|we're|we\s+want|we\s+need|any|and|also|"
    r"hoe|hoeveel|hoelang|wat|waar|waarom|wanneer|welk|welke|wie|is|zijn|kan|kun|kunt|kunnen|mag|mogen|"
    r"heeft|hebben|heb|hebt|zou|zouden|wil|wilt|willen|weet|weten|ligt|zit|zitten|doet|doen|geef|vertel|"
    r"graag|en|ook|nog|ik\s+wil|ik\s+zoek|ik\s+zou|ik\s+ben\s+op\s+zoek|wij\s+willen|we\s+willen|"
    r"wij\s+zoeken|we\s+zoeken)\b",
    re.IGNORECASE,
)
_MIN_WORDS = 2


def without_opening(text: str) -> str:
    """``text`` without its leading greeting or thanks when a question or request follows."""
    rest = text
    while True:
        match = _OPENING.match(rest)
        if not match:
            break
        candidate = rest[match.end() :]
        if len(candidate.split()) < _MIN_WORDS:
            break
        rest = candidate
    if rest is text:
        return text
    if rest.rstrip().endswith("?") or _QUESTION_START.match(rest):
        return rest
    return text
