"""Which language the assistant answers in."""

from __future__ import annotations

import re

import pytest
from rasa.shared.nlu.training_data.message import Message
from support import desk_phone

from bot import services
from bot.conversation.reply_language import detect, reply_language, requested_language
from bot.rasa.components import LanguageDetector


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hoeveel banen zijn er in Almere?", "nl"),
        ("hoe groot is almere", "nl"),  # a statistical detector alone takes this for English
        ("waar ligt almere", "nl"),
        ("Is er een internationale school?", "nl"),
        ("Kunt u mij terugbellen?", "nl"),
        ("ja graag", "nl"),
        ("How many jobs are there?", "en"),
        ("how big is almere", "en"),
        ("Is there an international school?", "en"),
        ("yes please", "en"),
        ("What is the capital of France", "en"),
    ],
)
def test_a_clear_message_decides(text, language):
    assert detect(text) == language


@pytest.mark.parametrize(
    "text",
    ["ok", "ja", "nee", "yes", "Oké", "Maria Jansen", "maria@example.nl", desk_phone()],
)
def test_a_message_too_short_to_tell_keeps_the_conversations_language(text):
    assert detect(text) is None
    assert reply_language(text, current="nl") == "nl"
    assert reply_language(text, current="en") == "en"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("in English please", "en"),
        ("Spreekt u Engels?", "en"),
        ("kan het in het Nederlands?", "nl"),
        ("Can you answer in Dutch?", "nl"),  # English words, but Dutch asked for
        ("Do you speak Dutch", "nl"),
        ("How many people live in Almere?", None),
        ("do people speak English in Amsterdam?", None),  # about others, not a request
        ("spreken ze daar Nederlands?", None),
    ],
)
def test_asking_for_a_language_switches_to_it(text, language):
    assert requested_language(text) == language
    if language:
        assert reply_language(text, current="en" if language == "nl" else "nl") == language


@pytest.mark.parametrize(
    ("text", "language"),
    [("Hallo", "nl"), ("Bedankt!", "nl"), ("hoi", "nl"), ("thanks", "en"), ("Hello", "en")],
)
def test_a_greeting_or_thanks_of_one_language_tells(text, language):
    assert detect(text) == language


def test_without_anything_to_go_on_the_widgets_language_then_english():
    assert reply_language("ok", current=None, preferred="nl") == "nl"
    assert reply_language("ok", current=None) == "en"


def test_the_pipeline_gives_the_language_as_an_entity_only_when_it_tells():
    detector = LanguageDetector()
    clear, asked, short = (
        Message(data={"text": t}) for t in ("Hoeveel inwoners heeft Almere?", "in English please", "ja")
    )
    detector.process([clear, asked, short])
    assert [e["value"] for e in clear.get("entities") if e["entity"] == "language"] == ["nl"]
    assert [e["value"] for e in asked.get("entities") if e["entity"] == "language"] == ["en"]
    assert not short.get("entities")


def _numbers(text: str) -> list[str]:
    """The figures of an answer, whatever its thousands separator: 12,345 / 12.345 -> 12345."""
    return sorted(
        re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", match) for match in re.findall(r"\d[\d.,]*\d|\d", text)
    )


def test_every_answer_states_the_same_facts_in_both_languages():
    knowledge = services.knowledge()
    for name, topic in knowledge.topics.items():
        for figures in ([], *([figure] for figure in topic.figures)):
            english = knowledge.answer(name, figures, "en")
            dutch = knowledge.answer(name, figures, "nl")
            assert _numbers(english) == _numbers(dutch), (name, figures)
            assert dutch != english
    for phrase in ("decline", "desk_contact"):
        assert _numbers(knowledge.phrase(phrase, "en")) == _numbers(knowledge.phrase(phrase, "nl"))


def test_the_live_chat_says_who_joined_in_the_conversations_language():
    from bot.handoff.live_chat import ended_text, joined_text

    assert (
        joined_text("Anna", "business", "nl")
        == "Anna van het ondernemersloket neemt nu deel aan het gesprek."
    )
    assert joined_text("Anna", "international", "nl").startswith(
        "Anna van de afdeling International Affairs "
    )
    assert (
        joined_text("Anna", "international")
        == "Anna of the International Affairs Department has joined the chat."
    )
    assert ended_text("Anna", "closed", "nl").startswith("Anna heeft de chat afgesloten.")
    assert ended_text("Anna", "returned").startswith("Anna has handed the conversation back to me")


@pytest.mark.parametrize(
    "text",
    [
        "are there jobs for people who don't speak Dutch?",
        "Do I need to speak Dutch to work here?",
        "zijn er banen voor wie geen Nederlands spreekt?",
    ],
)
def test_speaking_a_language_in_a_question_is_no_request_to_switch(text):
    assert requested_language(text) is None
    assert reply_language(text, current=None) == detect(text)
