"""Which language a public page gets (bot/site/i18n.py): ?lang=, then the cookie, then the
browser's Accept-Language, then English; and the page's content in that language."""

from __future__ import annotations

import re

import pytest
from site_apps import site_app
from support import fact

from bot.config import REPO_ROOT
from bot.knowledge import load_knowledge


def make_client(**environ: str):
    return site_app(**environ).test_client()


def page_language(response) -> str:
    return re.search(r'<html lang="(\w+)">', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "en"),
        ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
        ("de-DE,en;q=0.5,nl;q=0.4", "en"),
        ("fr", "en"),
        ("nl", "nl"),
    ],
)
def test_the_browser_language_decides_when_nothing_was_chosen(accept, expected):
    headers = {"Accept-Language": accept} if accept else {}
    assert page_language(make_client().get("/", headers=headers)) == expected


def test_the_query_decides_and_is_remembered_in_a_cookie():
    client = make_client()
    response = client.get("/?lang=nl", headers={"Accept-Language": "en"})
    assert page_language(response) == "nl"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("almere_lang=nl;") and "SameSite=Lax" in cookie and "Secure" not in cookie
    # The next page, without ?lang=, keeps it; the browser's language no longer decides.
    assert page_language(client.get("/privacy", headers={"Accept-Language": "en"})) == "nl"
    assert page_language(client.get("/?lang=en", headers={"Accept-Language": "nl"})) == "en"
    assert page_language(client.get("/", headers={"Accept-Language": "nl"})) == "en"


def test_the_cookie_is_secure_behind_tls_and_set_only_when_it_changes():
    client = make_client(ALMERE_COOKIE_SECURE="true")
    assert "Secure" in client.get("/?lang=nl").headers["Set-Cookie"]
    assert "Set-Cookie" not in client.get("/?lang=nl").headers


def test_an_unknown_language_is_ignored():
    response = make_client().get("/?lang=de", headers={"Accept-Language": "nl"})
    assert response.status_code == 200 and page_language(response) == "nl"
    assert "Set-Cookie" not in response.headers


def test_the_dutch_page_shows_the_dutch_wording_figures_and_widget():
    html = make_client().get("/?lang=nl").get_data(as_text=True)
    assert "<h1>Over Almere</h1>" in html and "Almere in cijfers" in html and "Ruimte om te groeien" in html
    inhabitants = fact("inhabitants")
    assert f"<dt>{inhabitants.formatted('nl')}</dt>" in html and "inwoners <span" in html
    assert inhabitants.dated("nl") in html
    knowledge = load_knowledge(REPO_ROOT / "bot" / "knowledge.yml")
    sentence = knowledge.render(knowledge.topics["history"].wording("nl").answer, "nl")
    assert sentence.split(".")[0].replace("'", "&#39;") in html
    assert '/widget.js" data-language="nl"' in html
    widget = make_client().get("/widget/config?language=nl").get_json()
    texts = widget["texts"]
    assert texts["retry"] == "Opnieuw proberen" and texts["you"] == "Jij"
    welcome = widget["welcome"]
    assert welcome["text"].startswith("Hallo!")
    talk = welcome["buttons"][-1]
    assert talk == {"title": "Ik wil een medewerker spreken", "payload": "Ik wil een medewerker spreken"}
    assert [b["payload"] for b in welcome["buttons"][:-1]] == [
        "/ask_about_almere",
        "/ask_jobs",
        "/ask_international_community",
        "/ask_business_climate",
    ]
    words = widget["language_words"]
    assert "hoeveel" in words["nl"] and "how" in words["en"]
    assert 'id="chat-language" data-language="en" lang="en">English' in widget["markup"]


def test_the_statements_are_in_the_page_language():
    client = make_client()
    privacy = client.get("/privacy?lang=nl").get_data(as_text=True)
    assert "<h1>Privacyverklaring</h1>" in privacy and "afdeling International Affairs" in privacy
    accessibility = client.get("/accessibility?lang=nl").get_data(as_text=True)
    assert "<h1>Toegankelijkheidsverklaring</h1>" in accessibility and "Wat wordt getest" in accessibility
    assert "<h1>Privacy statement</h1>" in client.get("/privacy?lang=en").get_data(as_text=True)
