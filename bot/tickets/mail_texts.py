"""What the e-mails to the person say, in their language (the ticket's): subjects, greetings,
bodies and the desk's signature, and how a colleague's own sign-off is recognised.

Every subject starts with the ticket's reference, so that the person and the desk find the thread.
"""

from __future__ import annotations

import re

from bot.tickets.mail import DESK_SIGNATURES, greeting_name, quoted

MAIL_TEXTS = {
    "en": {
        "subject": "[{reference}] Your question to the Municipality of Almere",
        "rating_subject": "[{reference}] How helpful was our answer?",
        "confirmation_subject": "[{reference}] We have received your question",
        "transcript_subject": "[{reference}] Your chat with the Municipality of Almere",
        "regards": "Kind regards,",
        "greeting": "Dear {name},",
        "neutral_greeting": "Hello,",
        "rating": (
            "{greeting}\n\n"
            "We have answered your question ({reference}) and closed it. How helpful was our "
            "answer? One click and an optional comment help us improve:\n\n{link}\n\n"
            "You do not have to answer, and we will not ask again. To add something to your question, "
            "simply reply to this e-mail.\n\n"
            "{signature}\n"
        ),
        "confirmation": (
            "{greeting}\n\n"
            "Thank you for your question. We have received it and passed it on to the {desk}.\n\n"
            "Your reference: {reference}\n\n"
            "Your question:\n{question}\n\n"
            "What happens next: a colleague reads your question and answers you {how}. "
            "You can expect our answer by {due} at the latest.\n\n"
            "To add something to your question, simply reply to this e-mail.\n\n"
            "{regards}\n\n"
            "{signature}\n"
        ),
        "by_email": "by e-mail",
        "by_email_or_phone": "by e-mail or phone",
        "transcript": (
            "{greeting}\n\n"
            "As you asked, here is a copy of your chat with the {desk} ({reference}).\n\n"
            "{lines}\n\n"
            "To add something, simply reply to this e-mail.\n\n"
            "{regards}\n\n"
            "{signature}\n"
        ),
        "you": "You",
        "assistant": "Digital assistant",
    },
    "nl": {
        "subject": "[{reference}] Uw vraag aan de gemeente Almere",
        "rating_subject": "[{reference}] Hoe nuttig was ons antwoord?",
        "confirmation_subject": "[{reference}] We hebben uw vraag ontvangen",
        "transcript_subject": "[{reference}] Uw chat met de gemeente Almere",
        "regards": "Met vriendelijke groet,",
        "greeting": "Beste {name},",
        "neutral_greeting": "Goedendag,",
        "rating": (
            "{greeting}\n\n"
            "We hebben uw vraag ({reference}) beantwoord en afgesloten. Hoe nuttig was ons antwoord? "
            "Met één klik en eventueel een opmerking helpt u ons verbeteren:\n\n{link}\n\n"
            "U hoeft niet te antwoorden, en we vragen het niet nog eens. Wilt u iets aan uw vraag "
            "toevoegen, beantwoord dan gewoon deze e-mail.\n\n"
            "{signature}\n"
        ),
        "confirmation": (
            "{greeting}\n\n"
            "Bedankt voor uw vraag. We hebben hem ontvangen en doorgegeven aan {desk}.\n\n"
            "Uw referentienummer: {reference}\n\n"
            "Uw vraag:\n{question}\n\n"
            "Hoe nu verder: een medewerker leest uw vraag en antwoordt u {how}. "
            "U krijgt ons antwoord uiterlijk {due}.\n\n"
            "Wilt u iets aan uw vraag toevoegen, beantwoord dan gewoon deze e-mail.\n\n"
            "{regards}\n\n"
            "{signature}\n"
        ),
        "by_email": "per e-mail",
        "by_email_or_phone": "per e-mail of telefoon",
        "transcript": (
            "{greeting}\n\n"
            "Zoals u vroeg, ontvangt u hierbij een kopie van uw chat met {desk} ({reference}).\n\n"
            "{lines}\n\n"
            "Wilt u iets toevoegen, beantwoord dan gewoon deze e-mail.\n\n"
            "{regards}\n\n"
            "{signature}\n"
        ),
        "you": "U",
        "assistant": "Digitale assistent",
    },
}
DUTCH_DESK_SIGNATURES = {
    "international": "Afdeling International Affairs, gemeente Almere",
    "business": "Ondernemersloket, gemeente Almere",
}
# The desk's name in a sentence ("passed it on to the ...").
DESK_NAMES = {
    "en": {
        "international": "International Affairs Department",
        "business": "business service desk",
    },
    "nl": {
        "international": "de afdeling International Affairs",
        "business": "het ondernemersloket",
    },
}
# Closing words a colleague may end an e-mail with; a line starting with one of them, near the
# end, is their own sign-off.
CLOSINGS = (
    "kind regards",
    "best regards",
    "warm regards",
    "regards",
    "best wishes",
    "yours sincerely",
    "sincerely",
    "with best wishes",
    "met vriendelijke groet",
    "met vriendelijke groeten",
    "vriendelijke groet",
    "vriendelijke groeten",
    "hartelijke groet",
    "hartelijke groeten",
    "met hartelijke groet",
    "groet",
    "groeten",
    "mvg",
)
# How many of the last non-blank lines are read for a sign-off, and how long such a line can be.
SIGN_OFF_LINES = 3
SIGN_OFF_MAX_CHARS = 60
# The closing words, then at most a name ("Kind regards, Marit de Vries").
_CLOSING = re.compile(
    rf"(?:{'|'.join(re.escape(c) for c in CLOSINGS)})[\s,.!]*(?:[^\W\d_]+[\s,.'-]*){{0,4}}", re.IGNORECASE
)


def texts(language: str) -> dict[str, str]:
    return MAIL_TEXTS.get(language, MAIL_TEXTS["en"])


def desk_signature(desk: str, language: str = "en") -> str:
    signatures = DUTCH_DESK_SIGNATURES if language == "nl" else DESK_SIGNATURES
    return signatures.get(desk, signatures["international"])


def desk_name(desk: str, language: str = "en") -> str:
    names = DESK_NAMES.get(language, DESK_NAMES["en"])
    return names.get(desk, names["international"])


def greeting(name: str | None, language: str = "en") -> str:
    """``Dear Ana,`` if ``name`` is plainly a name (:func:`greeting_name`), else a neutral greeting."""
    words = texts(language)
    plain = greeting_name(name)
    return words["greeting"].format(name=plain) if plain else words["neutral_greeting"]


def signed_off(text: str, first_name: str) -> bool:
    """Whether the colleague ended ``text`` with a sign-off of their own: closing words ("Kind
    regards," / "Met vriendelijke groet,") or their first name on a short line of its own, among
    the last few lines."""
    last = [line.strip() for line in text.splitlines() if line.strip()][-SIGN_OFF_LINES:]
    name = first_name.strip().lower()
    for line in last:
        if len(line) > SIGN_OFF_MAX_CHARS:
            continue
        if _CLOSING.fullmatch(line):
            return True
        words = re.findall(r"[^\W\d_]+", line.lower())
        if name and words and words[0] == name and len(words) <= 4:
            return True
    return False


def reply_body(text: str, first_name: str, desk: str, language: str = "en") -> str:
    """The colleague's text, signed with their first name and the desk; a colleague who signed it
    themselves gets only the desk's line added below their own sign-off (none if it is there)."""
    text = text.rstrip()
    signature = desk_signature(desk, language)
    if signed_off(text, first_name):
        return f"{text}\n" if signature in text else f"{text}\n{signature}\n"
    return f"{text}\n\n{texts(language)['regards']}\n\n{first_name}\n{signature}\n"


def quoted_question(question: str) -> str:
    return "\n".join(quoted(question, "  > "))
