"""Working the queue: the search box, the list part static/queue.js refreshes, and each ticket's
waiting time shown once."""

from __future__ import annotations

import re

from desk_helpers import make_ticket

from bot.tickets.service import SEARCH_MAX


def rows(page: str) -> list[str]:
    return re.findall(r'<th scope="row"[^>]*><a href="[^"]+">(ALM-\d+)</a>', page)


def test_the_queue_searches_by_name_phone_and_words(signed_in, services):
    ana = make_ticket(services.tickets, "conv-ana")
    piet = make_ticket(
        services.tickets,
        "conv-piet",
        name="Piet de Vries",
        email=None,
        phone="+31 6 1234 5678",
        question="Parking?",
    )
    page = signed_in.get("/desk/?q=vries").get_data(as_text=True)
    assert rows(page) == [piet]
    assert 'id="q" name="q" value="vries"' in page and '<label for="q">Search</label>' in page
    assert rows(signed_in.get("/desk/?q=06-12345678").get_data(as_text=True)) == [piet]
    assert rows(signed_in.get(f"/desk/?q={ana.lower()}").get_data(as_text=True)) == [ana]
    assert rows(signed_in.get("/desk/?q=%25").get_data(as_text=True)) == []  # % is a plain character
    assert rows(signed_in.get("/desk/?q=vries&status=resolved").get_data(as_text=True)) == []
    assert set(rows(signed_in.get("/desk/?q=").get_data(as_text=True))) == {ana, piet}


def test_too_long_a_search_is_a_polite_400(signed_in):
    response = signed_in.get("/desk/", query_string={"q": "x" * (SEARCH_MAX + 1)})
    assert response.status_code == 400
    assert "Search for at most 8 words and 200 characters." in response.get_data(as_text=True)
    many = signed_in.get("/desk/", query_string={"q": " ".join(["word"] * 9)})
    assert many.status_code == 400


def test_the_list_part_is_the_list_alone_with_a_link_to_its_page(signed_in, services):
    reference = make_ticket(services.tickets, "conv-ana")
    part = signed_in.get("/desk/?q=ana&mine=&part=list").get_data(as_text=True)
    assert "<html" not in part and "<nav" not in part
    assert '<div id="queue-list">' in part and rows(part) == [reference]
    assert '<a href="/desk/?q=ana">Refresh the queue</a>' in part
    assert signed_in.get("/desk/?part=everything").status_code == 400
    page = signed_in.get("/desk/").get_data(as_text=True)
    assert '<script src="/desk/static/queue.js" defer></script>' in page


def test_an_unanswered_tickets_wait_is_shown_once(signed_in, services):
    make_ticket(services.tickets, "conv-ana")
    page = signed_in.get("/desk/").get_data(as_text=True)
    row = page[page.index('<tr role="row">', page.index("<tbody", page.index('class="queue'))) :]
    row = row[: row.index("</tr>")]
    assert row.count('class="waited"') == 1
    assert "<strong>None yet</strong>" in row


def test_names_in_the_queue_break_between_words(signed_in, services):
    make_ticket(services.tickets, "conv-ana")
    page = signed_in.get("/desk/").get_data(as_text=True)
    assert 'data-label="Name" class="name">Ana Silva</td>' in page
    css = signed_in.get("/desk/static/desk.css").get_data(as_text=True)
    assert ".queue .name, .queue .question { overflow-wrap: break-word; hyphens: auto; }" in css
