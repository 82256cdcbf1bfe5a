"""Canned replies: the approved desk answers in the person's language, offered beside the e-mail
reply box and a live chat's message box; drafts, withdrawn answers and other languages never."""

from __future__ import annotations

import html
import re

import pytest
from desk_helpers import PASSWORD, csrf_token, make_ticket, replace_services, sign_in

APPROVED_EN = "You can register at a friend's address with their written permission."
APPROVED_NL = "Je kunt je inschrijven op het adres van een vriend met diens schriftelijke toestemming."


@pytest.fixture
def desk_answers(app, services, staff):
    """Approved answers in English and Dutch, a draft and a withdrawn one (jan wrote, piet approved)."""
    services.accounts.add("piet", PASSWORD)
    service = services.desk_answers

    def approved(question: str, answer: str, language: str = "en") -> int:
        created = service.create(questions=question, answer=answer, author="jan", language=language)
        return service.approve(created.id, "piet").id

    approved("Can I register at a friend's address?", APPROVED_EN)
    approved("Kan ik me inschrijven bij een vriend?", APPROVED_NL, "nl")
    service.create(questions="Is parking free?", answer="DRAFT: parking is free", author="jan")
    service.withdraw(approved("Old rule?", "WITHDRAWN: the old rule"), "piet")
    return service


def offered(page: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r'<option value="\d+" data-text="([^"]*)"', page)]


def test_an_english_ticket_offers_the_approved_english_answers_beside_the_email_box(
    signed_in, services, desk_answers, monkeypatch
):
    monkeypatch.setattr(type(services.replies), "email_configured", property(lambda self: True))

    english = make_ticket(services.tickets, "conv-en")
    dutch = make_ticket(services.tickets, "conv-nl", language="nl")
    page = signed_in.get(f"/desk/tickets/{english}").get_data(as_text=True)
    assert offered(page) == [APPROVED_EN]
    assert '<div class="canned" data-target="reply-text" hidden>' in page
    assert '<label for="reply-text-canned">Approved desk answer</label>' in page
    assert "In the person's language (English)" in page
    assert '<script src="/desk/static/canned.js" defer></script>' in page
    assert offered(signed_in.get(f"/desk/tickets/{dutch}").get_data(as_text=True)) == [APPROVED_NL]


def test_a_live_chat_offers_them_to_the_colleague_who_has_it(client, services, desk_answers, app):
    class Link:
        def send(self, *args, **kwargs) -> None:
            pass

    replace_services(app, rasa_link=Link())
    chat = services.live_chats.request(
        "conv-live", "socketio", desk="international", question=None, topic=None, transcript=[], language="nl"
    )
    assert sign_in(client).status_code == 302
    assert offered(client.get(f"/desk/live/{chat.reference}").get_data(as_text=True)) == []  # not taken yet
    client.post(f"/desk/live/{chat.reference}/take", data={"csrf_token": csrf_token(client, "/desk/live/")})
    page = client.get(f"/desk/live/{chat.reference}").get_data(as_text=True)
    assert offered(page) == [APPROVED_NL] and 'data-target="message-text"' in page


def test_without_approved_answers_the_desk_says_so(signed_in, services, monkeypatch):
    monkeypatch.setattr(type(services.replies), "email_configured", property(lambda self: True))

    page = signed_in.get(f"/desk/tickets/{make_ticket(services.tickets)}").get_data(as_text=True)
    assert "No approved desk answers in the person's language yet." in page and offered(page) == []
