"""The public site's statement pages and the widget's greeting, without a browser."""

from __future__ import annotations

import re

import pytest
from site_apps import site_app

from bot.config import settings_from
from bot.conversation.quick_replies import offered_payloads
from bot.knowledge import load_knowledge
from bot.site.public.widget_texts import SUGGESTIONS


def client(**environ: str):
    return site_app(**{"ALMERE_RASA_PUBLIC_URL": "https://chat.example.org", **environ}).test_client()


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("path", ["/privacy", "/accessibility"])
def test_the_statements_are_pages_with_the_chat_and_the_strict_policy(path):
    response = client().get(path)
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self' https://chat.example.org" in policy
    html = response.get_data(as_text=True)
    assert '/widget.js" data-language="en"' in html and "<h1>" in html
    assert "<script>" not in html and "style=" not in html


def test_the_privacy_statement_quotes_this_deployment_and_the_desk_contact():
    contact = load_knowledge(settings_from({}).knowledge_file).contact
    page = text_of(client(ALMERE_CONVERSATION_RETENTION_DAYS="45").get("/privacy").get_data(as_text=True))
    assert "more than 45 days" in page
    assert f"call {contact.phone} (from abroad {contact.phone_abroad})" in page
    assert contact.department in page
    assert "Only with your consent" in page
    # The notification e-mail is mentioned only where one is sent.
    assert "e-mail with the same details" not in page
    with_mail = client(ALMERE_SMTP_HOST="smtp.example.org").get("/privacy").get_data(as_text=True)
    assert "e-mail with the same details" in text_of(with_mail)


def test_every_page_links_both_statements_in_its_footer():
    for path in ("/", "/privacy", "/accessibility"):
        footer = client().get(path).get_data(as_text=True).split('<footer class="site-footer">')[1]
        footer = footer.split("</footer>")[0]
        assert 'href="/privacy">Privacy statement</a>' in footer
        assert 'href="/accessibility">Accessibility statement</a>' in footer


def test_the_widget_intro_links_the_privacy_statement():
    widget = client().get("/widget/config").get_json()
    intro = widget["markup"].split('<p class="chat-intro">')[1].split("</p>")[0]
    # Absolute: the widget may be on another site's page.
    assert '<a href="http://localhost/privacy">privacy statement</a>' in intro
    assert widget["privacy_url"] == "http://localhost/privacy"


def test_the_greeting_suggests_only_replies_the_chat_accepts():
    welcome = client().get("/widget/config").get_json()["welcome"]
    assert welcome["text"].startswith("Hello!")
    assert [b["title"] for b in welcome["buttons"]] == [title for title, _ in SUGGESTIONS]
    allowed = offered_payloads()
    for button in welcome["buttons"]:
        # An intent payload must be one of the quick replies; anything else is sent as text.
        assert button["payload"] in allowed or not button["payload"].startswith("/"), button
        assert button["payload"] == button["title"] or button["payload"].startswith("/")
