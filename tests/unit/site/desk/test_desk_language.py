"""The desk's language: English unless the colleague picks Dutch, the switch in the
navigation (POST /desk/language: staff only, CSRF, a bad value is a 400), the sign-in page
following the browser, and a colleague who picked Dutch getting the ticket, live chat, answers and
insights pages, the flash messages, form errors and error pages in Dutch."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from desk_helpers import csrf_token, make_ticket, sign_in

from bot.site.desk import views


def html_lang_of(page: str) -> str:
    return re.search(r'<html lang="(\w+)">', page).group(1)


def html_lang(response) -> str:
    return html_lang_of(response.get_data(as_text=True))


def test_the_sign_in_page_follows_the_browser(client):
    assert html_lang(client.get("/desk/login")) == "en"
    dutch = client.get("/desk/login", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    assert html_lang(dutch) == "nl" and "<h1>Inloggen</h1>" in dutch.get_data(as_text=True)


def test_the_desk_is_english_for_a_dutch_browser_until_the_colleague_picks_dutch(client, staff):
    sign_in(client)
    dutch_browser = {"Accept-Language": "nl"}
    queue = client.get("/desk/", headers=dutch_browser)
    assert html_lang(queue) == "en" and "<h1>Queue</h1>" in queue.get_data(as_text=True)
    assert 'name="language" value="nl"' in queue.get_data(as_text=True)

    token = csrf_token(client, "/desk/")
    response = client.post(
        "/desk/language", data={"language": "nl", "csrf_token": token, "next": "/desk/?desk="}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/desk/?desk="
    page = client.get("/desk/").get_data(as_text=True)
    assert '<html lang="nl">' in page and "<h1>Wachtrij</h1>" in page
    assert "De desk is nu in het Nederlands." in page
    assert 'name="language" value="en"' in page

    client.post("/desk/language", data={"language": "en", "csrf_token": token})
    page = client.get("/desk/", headers=dutch_browser).get_data(as_text=True)
    assert "<h1>Queue</h1>" in page and "The desk is now in English." in page


def test_the_choice_is_the_colleagues_own(app, client, staff, services):
    services.accounts.add("piet", "another long password")
    sign_in(client)
    client.post("/desk/language", data={"language": "nl", "csrf_token": csrf_token(client, "/desk/")})
    other = app.test_client()
    sign_in(other, "piet", "another long password")
    assert html_lang(other.get("/desk/")) == "en"


def test_a_bad_language_is_a_400_and_changes_nothing(client, staff):
    sign_in(client)
    token = csrf_token(client, "/desk/")
    for data in ({"language": "de"}, {"language": ""}, {}):
        response = client.post("/desk/language", data={**data, "csrf_token": token})
        assert response.status_code == 400
        assert "Choose English (en) or Nederlands (nl)." in response.get_data(as_text=True)
    assert html_lang(client.get("/desk/")) == "en"


def test_the_switch_needs_the_csrf_token(client, staff):
    sign_in(client)
    response = client.post("/desk/language", data={"language": "nl"})
    assert response.status_code == 400
    assert html_lang(client.get("/desk/")) == "en"


def test_anonymous_people_cannot_switch(client, staff):
    response = client.post("/desk/language", data={"language": "nl", "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/desk/login")


# --- A colleague who picked Dutch: every page, form and message of the desk in Dutch


def in_dutch(client) -> str:
    """Sign in as jan and pick Dutch; the CSRF token for the next forms."""
    sign_in(client)
    token = csrf_token(client, "/desk/")
    client.post("/desk/language", data={"language": "nl", "csrf_token": token})
    return token


@pytest.fixture
def app(make_app, tmp_path):
    """The desk with an (empty, never made) conversation database, so the insights page opens."""
    return make_app({"ALMERE_TRACKER_URL": f"sqlite:///{tmp_path / 'var' / 'tracker.db'}"})


def test_the_ticket_page_in_dutch(client, staff, services):
    reference = make_ticket(services.tickets, "conv-nl", "Where do I register?", "At the city hall.")
    in_dutch(client)
    page = client.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert html_lang_of(page) == "nl"
    for phrase in (
        "← Terug naar de wachtrij",
        '<span class="status status-open">open</span>',
        '<h2 id="contact-heading">Contact</h2>',
        "<dt>Behandelaar</dt>",
        '<dt>Taal</dt><dd lang="nl">Engels</dd>',  # the person's language, named in Dutch
        "<dt>Beoordeling</dt><dd>Niet gevraagd</dd>",
        "Tijden zijn in",
        "Een baliantwoord schrijven",
        '<button type="submit">Dit ticket oppakken</button>',
        '<button type="submit">Afhandelen</button>',
        "Antwoorden en telefoongesprekken",
        "Niemand heeft de persoon nog geantwoord.",
        '<label for="note-text">Interne notitie</label>',
        "Alleen collega's zien notities.",
        '<button type="submit">Notitie opslaan</button>',
        "<strong>Persoon</strong>",
        "<strong>Assistent</strong>",
    ):
        assert phrase in page, phrase
    for english in ("Back to the queue", "Claim this ticket", "Internal notes", "Mark as resolved"):
        assert english not in page, english


def test_a_wait_in_dutch_hours(client, staff, services, monkeypatch):
    reference = make_ticket(services.tickets)
    created = services.tickets.get(reference).created_at
    monkeypatch.setattr(views, "utc_now", lambda: created + timedelta(hours=2, minutes=10, seconds=30))
    in_dutch(client)
    assert '<time datetime="PT2H10M" class="waited">2 u 10 min</time>' in client.get("/desk/").get_data(
        as_text=True
    )
    assert "Wacht <time" in client.get(f"/desk/tickets/{reference}").get_data(as_text=True)


def test_flash_messages_and_form_errors_in_dutch(client, staff, services):
    reference = make_ticket(services.tickets)
    token = in_dutch(client)
    claimed = client.post(
        f"/desk/tickets/{reference}/claim", data={"csrf_token": token}, follow_redirects=True
    )
    assert f"Je hebt {reference} opgepakt." in claimed.get_data(as_text=True)
    empty_note = client.post(f"/desk/tickets/{reference}/notes", data={"text": "", "csrf_token": token})
    assert empty_note.status_code == 400
    assert "Schrijf een notitie voordat je die opslaat." in empty_note.get_data(as_text=True)
    noted = client.post(
        f"/desk/tickets/{reference}/notes",
        data={"text": "Gebeld", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Notitie opgeslagen." in noted.get_data(as_text=True)
    resolved = client.post(
        f"/desk/tickets/{reference}/resolve", data={"csrf_token": token}, follow_redirects=True
    )
    page = resolved.get_data(as_text=True)
    assert f"{reference} is afgehandeld." in page and "Dit ticket heropenen" in page
    reopened = client.post(
        f"/desk/tickets/{reference}/reopen", data={"csrf_token": token}, follow_redirects=True
    )
    assert f"{reference} is weer open" in reopened.get_data(as_text=True)
    signed_out = client.post("/desk/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "Je bent uitgelogd." in signed_out.get_data(as_text=True)


def test_error_pages_in_dutch(client, staff):
    in_dutch(client)
    missing = client.get("/desk/tickets/ALM-999999")
    assert missing.status_code == 404
    assert "<h1>Ticket niet gevonden</h1>" in missing.get_data(as_text=True)
    expired = client.post("/desk/tickets/ALM-999999/claim", data={"csrf_token": "stale"})
    assert expired.status_code == 400 and "Formulier verlopen" in expired.get_data(as_text=True)


def test_the_live_chats_page_in_dutch(client, staff, services):
    live_chats = services.live_chats
    chat = live_chats.request(
        "conv-live", "socketio", desk="international", question=None, topic=None, transcript=[], language="nl"
    )
    token = in_dutch(client)
    available = client.post(
        "/desk/live/availability", data={"available": "1", "csrf_token": token}, follow_redirects=True
    )
    page = available.get_data(as_text=True)
    for phrase in (
        "<h1>Livechats</h1>",
        "Je bent beschikbaar voor livechats zolang deze desk open is in je browser.",
        "Je bent <strong>beschikbaar</strong>",
        "Stoppen met livechats",
        "Wachtende en actieve chats",
        "<caption>Langst wachtende eerst.</caption>",
        '<th scope="col">Stand</th>',
        "<td>wacht</td>",
        "<td>internationaal</td>",
    ):
        assert phrase in page, phrase
    texts = json.loads(html.unescape(re.search(r"id=\"chats\"[^>]*data-texts='([^']*)'", page).group(1)))
    assert texts["nobody_waiting"] == "Niemand wacht op een chat."
    assert (
        texts["hours_minutes"] == "{hours} u {minutes} min" and texts["updated_at"] == "Bijgewerkt om {time}."
    )

    chat_page = client.get(f"/desk/live/{chat.reference}").get_data(as_text=True)
    for phrase in (
        f"Livechat {chat.reference}",
        'data-state="waiting">wacht</span>',
        "Desk Internationaal",
        "de persoon schrijft in het Nederlands: antwoord in het Nederlands",
        "Deze chat aannemen",
    ):
        assert phrase in chat_page, phrase
    chat_texts = json.loads(
        html.unescape(re.search(r"id=\"live-chat\"[^>]*data-texts='([^']*)'", chat_page).group(1))
    )
    assert (chat_texts["sending"], chat_texts["sent"], chat_texts["staff"]) == (
        "Versturen…",
        "Verstuurd.",
        "{name} (medewerker)",
    )


def test_the_answers_pages_in_dutch(client, staff, app):
    token = in_dutch(client)
    form = client.get("/desk/answers/new").get_data(as_text=True)
    assert "Voorbeeldvragen, één per regel" in form and "Opslaan als concept" in form
    refused = client.post("/desk/answers/new", data={"questions": "", "answer": "", "csrf_token": token})
    assert refused.status_code == 400 and "Schrijf minstens één voorbeeldvraag." in refused.get_data(
        as_text=True
    )
    created = client.post(
        "/desk/answers/new",
        data={"questions": "Waar kan ik parkeren?", "answer": "Bij het stadhuis.", "csrf_token": token},
        follow_redirects=True,
    )
    page = created.get_data(as_text=True)
    assert "Antwoord opgeslagen als concept." in page and "<strong>Aangemaakt</strong> door jan" in page
    listed = client.get("/desk/answers/").get_data(as_text=True)
    for phrase in (
        "<h1>Baliantwoorden</h1>",
        "Een baliantwoord schrijven",
        "1 antwoord; concepten eerst",
        "Voorbeeldvraag",
        "Geschreven door",
        '<span class="status status-draft">concept</span>',
    ):
        assert phrase in listed, phrase


def test_the_insights_page_in_dutch(client, staff):
    in_dutch(client)
    page = client.get("/desk/insights/?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    for phrase in (
        "<h1>Inzichten</h1>",
        "<strong>0</strong> gesprekken begonnen van",
        ">1 maart 2026</time>",
        ">31 maart 2026</time>",
        "Hoe gesprekken worden geteld",
        "Beide dagen tellen mee.",
        "Niets in deze periode.",
        '<label for="from">Van</label>',
    ):
        assert phrase in page, phrase
    bad = client.get("/desk/insights/?from=yesterday")
    assert bad.status_code == 400 and "<h1>Controleer de datums</h1>" in bad.get_data(as_text=True)
