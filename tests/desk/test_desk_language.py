"""The desk's language (issue 14): English unless the colleague picks Dutch, the switch in the
navigation (POST /desk/language: staff only, CSRF, a bad value is a 400), and the sign-in page
following the browser."""

from __future__ import annotations

import re

from desk_helpers import csrf_token, sign_in


def html_lang(response) -> str:
    return re.search(r'<html lang="(\w+)">', response.get_data(as_text=True)).group(1)


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
