"""Opening words before a question are dropped; a greeting or an answer alone is kept."""

from __future__ import annotations

import pytest

from bot.conversation.opening_words import without_opening


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hello! how big is almere", "how big is almere"),
        ("hi there, what's the population?", "what's the population?"),
        (
            "Good morning. Can I make an appointment with the business desk?",
            "Can I make an appointment with the business desk?",
        ),
        ("thanks! and how many jobs?", "and how many jobs?"),
        ("ok, can you forward that to a colleague", "can you forward that to a colleague"),
        ("hey hey, number of companies?", "number of companies?"),
        ("hallo, hoeveel inwoners heeft Almere?", "hoeveel inwoners heeft Almere?"),
    ],
)
def test_a_question_after_opening_words_is_kept_alone(text, expected):
    assert without_opening(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "hello there",
        "good afternoon!",
        "hey, greetings from Spain",
        "ok sure",
        "okay, I agree to that",
        "thanks a lot",
        "nice weather today",
        "Hello, I am Sam",
        "hi all",
        "/affirm",
        "how many jobs?",
        "Highlands population?",
    ],
)
def test_other_messages_are_left_as_they_are(text):
    assert without_opening(text) == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Goedendag, hoeveel bedrijven zijn er in Almere", "hoeveel bedrijven zijn er in Almere"),
        ("dank je wel! en hoeveel banen zijn er", "en hoeveel banen zijn er"),
        (
            "top, kan iemand van het ondernemersloket ons bellen",
            "kan iemand van het ondernemersloket ons bellen",
        ),
        ("Beste medewerker, ik wil graag een afspraak maken", "ik wil graag een afspraak maken"),
        ("hé, waar ligt almere", "waar ligt almere"),
        ("oké, bedankt. hoeveel expats wonen er", "hoeveel expats wonen er"),
        ("hoi hoi, aantal inwoners?", "aantal inwoners?"),
        (
            "Hartelijk dank voor de informatie. Zijn er ook internationale scholen?",
            "Zijn er ook internationale scholen?",
        ),
        ("goeiemorgen, ik zoek een huis in almere", "ik zoek een huis in almere"),
        ("prima, wanneer zijn jullie open", "wanneer zijn jullie open"),
    ],
)
def test_a_dutch_question_after_opening_words_is_kept_alone(text, expected):
    assert without_opening(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hallo",
        "goedemorgen allemaal",
        "dank je wel",
        "dank u wel voor uw hulp",
        "oké, prima",
        "super, dank je",
        "hoi, ik ben Sam",
        "hallo, ik heb een vraag",
        "mooi weer vandaag",
        "fijn weekend allemaal",
        "hoeveel inwoners heeft Almere?",
    ],
)
def test_other_dutch_messages_are_left_as_they_are(text):
    assert without_opening(text) == text
