"""The rating page behind the e-mailed link opens in the ticket's language, which the link names,
whatever the browser's language; and it stays in it for the answer."""

from __future__ import annotations

from desk_helpers import make_ticket

from bot.tickets.replies import LANGUAGE_PARAMETER


def test_the_link_of_a_dutch_ticket_opens_the_page_in_dutch_in_an_english_browser(client, services):
    token = services.ratings.ask(make_ticket(services.tickets, language="nl"), "email")
    english = {"Accept-Language": "en-GB,en;q=0.9"}

    page = client.get(f"/feedback/{token}?{LANGUAGE_PARAMETER}=nl", headers=english)

    assert page.status_code == 200
    assert "Hoe behulpzaam was ons antwoord?" in page.get_data(as_text=True)
    thanks = client.post(f"/feedback/{token}", data={"score": "4"}, headers=english)
    assert thanks.status_code == 200
    assert '<html lang="nl"' in thanks.get_data(as_text=True)
