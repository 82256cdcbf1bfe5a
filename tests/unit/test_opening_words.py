"""Opening words before a question are dropped; a greeting or an answer alone is kept."""

from __future__ import annotations

import pytest

from bot.opening_words import without_opening


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
