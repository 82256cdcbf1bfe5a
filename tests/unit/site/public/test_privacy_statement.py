"""The privacy statement says what is kept, in both languages: live chats, ratings and their
comments, votes under answers, the insights page, and how to get a copy or have it all erased."""

from __future__ import annotations

import re

import pytest
from site_apps import site_app


def statement(language: str) -> str:
    app = site_app(ALMERE_CONVERSATION_RETENTION_DAYS="45")
    html = app.test_client().get(f"/privacy?lang={language}").get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(
    ("language", "sentences"),
    [
        (
            "en",
            [
                "you can chat with them live instead. The live chat is stored as a request",
                "deleted within 45 days",
                "how helpful it was (1 to 5) and for an optional comment",
                "The thumbs under the assistant’s answers store only which answer it was",
                "dates, addresses, postcodes, a name given after “my name is”",
                "by your e-mail address, your phone number or a reference",
                "you get all of it as one file, or it is all deleted",
            ],
        ),
        (
            "nl",
            [
                "kun je ook live met die medewerker chatten. De livechat wordt op dezelfde manier bewaard",
                "binnen 45 dagen verwijderd",
                "hoe nuttig het was (1 tot 5) en om een toelichting",
                "De duimpjes onder de antwoorden van de assistent bewaren alleen welk antwoord het was",
                "datums, adressen, postcodes, een naam na “mijn naam is”",
                "met je e-mailadres, je telefoonnummer of een referentie",
                "krijg je dat allemaal als één bestand, of wordt het allemaal verwijderd",
            ],
        ),
    ],
)
def test_the_statement_names_everything_that_is_kept(language, sentences):
    page = statement(language)
    for sentence in sentences:
        assert sentence in page, sentence
