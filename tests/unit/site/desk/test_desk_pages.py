"""What signed-in staff see and do: queue, ticket page, claim, notes, resolve, JSON."""

from __future__ import annotations

import re
from datetime import timedelta

from desk_helpers import csrf_token, make_ticket
from support import T0

from actions import handoff_prompts as prompts
from bot.tickets import TranscriptEntry


def queue_order(page: str) -> list[str]:
    """The references of the queue's rows, top to bottom."""
    return re.findall(r'<th scope="row"[^>]*><a href="[^"]+">(ALM-\d+)</a>', page)


def test_queue_lists_the_longest_waiting_open_ticket_first_and_filters(signed_in, services):
    first = make_ticket(services.tickets, "a")
    second = make_ticket(services.tickets, "b", desk="business")
    third = make_ticket(services.tickets, "c")
    services.tickets.claim(second, "jan")

    page = signed_in.get("/desk/").get_data(as_text=True)
    assert queue_order(page) == [first, third, second]
    assert "longest waiting at the top" in page
    only_open = signed_in.get("/desk/?status=open").get_data(as_text=True)
    assert queue_order(only_open) == [first, third]
    business = signed_in.get("/desk/?desk=business&status=").get_data(as_text=True)
    assert queue_order(business) == [second]


def test_the_mine_filter_shows_only_tickets_claimed_by_me(signed_in, services):
    mine = make_ticket(services.tickets, "a")
    colleagues = make_ticket(services.tickets, "b")
    unclaimed = make_ticket(services.tickets, "c")
    services.tickets.claim(mine, "jan")
    services.tickets.claim(colleagues, "piet")

    page = signed_in.get("/desk/?mine=1").get_data(as_text=True)
    assert queue_order(page) == [mine]
    assert 'id="mine" name="mine" value="1" checked' in page
    assert queue_order(signed_in.get("/desk/?mine=").get_data(as_text=True)) == [unclaimed, mine, colleagues]
    bad = signed_in.get("/desk/?mine=yes-please")
    assert bad.status_code == 400 and "mine=1" in bad.get_data(as_text=True)


def test_the_queue_counts_tickets_per_status_and_desk(signed_in, services):
    make_ticket(services.tickets, "a")
    make_ticket(services.tickets, "b", desk="business")
    services.tickets.resolve(make_ticket(services.tickets, "c", desk="business"), "jan")

    page = signed_in.get("/desk/?status=resolved").get_data(as_text=True)
    counts = page[page.index('<table class="counts') : page.index("</table>")]
    rows = {
        status: re.findall(r'<td role="cell" data-label="[\w ]+">(\d+)</td>', row)
        for status, row in re.findall(r'status=(\w+)">\w+</a></th>(.*?)</tr>', counts, re.S)
    }
    # Columns: international, business, all desks; the filter shown does not change the counts.
    assert rows == {"open": ["1", "1", "2"], "claimed": ["0", "0", "0"], "resolved": ["0", "1", "1"]}


def test_the_queue_says_how_long_each_open_ticket_has_waited(signed_in, services, monkeypatch):
    from bot.site.desk import views

    reference = make_ticket(services.tickets, "a")
    created = services.tickets.get(reference).created_at
    monkeypatch.setattr(views, "utc_now", lambda: created + timedelta(hours=2, minutes=10, seconds=30))
    page = signed_in.get("/desk/").get_data(as_text=True)
    assert '<time datetime="PT2H10M" class="waited">2 h 10 min</time>' in page
    assert "Updated at" in page and 'href="/desk/">Refresh the queue</a>' in page
    ticket_page = signed_in.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert '<time datetime="PT2H10M">2 h 10 min</time>' in ticket_page

    services.tickets.resolve(reference, "jan")
    resolved = signed_in.get("/desk/?status=resolved").get_data(as_text=True)
    assert "2 h 10 min" not in resolved  # a resolved ticket waits no longer


def test_refresh_keeps_the_filters(signed_in):
    page = signed_in.get("/desk/?status=open&desk=business&mine=1").get_data(as_text=True)
    assert 'href="/desk/?status=open&amp;desk=business&amp;mine=1">Refresh the queue</a>' in page
    assert "http-equiv" not in page  # no automatic reload that would move a screen reader's place


def test_references_never_wrap(signed_in, services, app):
    reference = make_ticket(services.tickets, "a")
    assert '<th scope="row" role="rowheader" class="reference">' in signed_in.get("/desk/").get_data(
        as_text=True
    )
    assert f'<span class="reference">{reference}</span>' in signed_in.get(
        f"/desk/tickets/{reference}"
    ).get_data(as_text=True)
    css = signed_in.get("/desk/static/desk.css").get_data(as_text=True)
    assert re.search(r"\.reference \{ white-space: nowrap; \}", css)


def test_the_transcript_shows_what_the_person_clicked(signed_in, services):
    reference = make_ticket(
        services.tickets,
        "a",
        transcript=[
            TranscriptEntry("bot", "Shall I pass it on?", T0),
            TranscriptEntry("user", "Yes, please", T0, quick_reply="/affirm"),
            TranscriptEntry("bot", prompts.QUESTIONS["handoff_consent"].text, T0),
            # As stored before the buttons' titles were kept:
            TranscriptEntry("user", "[quick reply: affirm]", T0 + timedelta(seconds=1)),
            TranscriptEntry("user", "yes", T0 + timedelta(seconds=2)),
        ],
    )
    page = signed_in.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert "[quick reply" not in page
    clicked = re.findall(r'<p class="text clicked">([^<]+)</p>', page)
    assert clicked == ["Yes, please", "Yes, I agree"]
    assert page.count("(clicked a button)") == 2  # the typed "yes" is not marked
    assert '<p class="text">yes</p>' in page


def test_the_topic_is_shown_readably(signed_in, services):
    housing = make_ticket(services.tickets, "a", topic="international_community")
    declined = make_ticket(services.tickets, "b", topic="out_of_scope")
    unknown = make_ticket(services.tickets, "c", topic=None)
    assert "International community" in signed_in.get(f"/desk/tickets/{housing}").get_data(as_text=True)
    assert "Not in the assistant&#39;s knowledge (declined)" in signed_in.get(
        f"/desk/tickets/{declined}"
    ).get_data(as_text=True)
    assert "Not known (no question before the handoff)" in signed_in.get(f"/desk/tickets/{unknown}").get_data(
        as_text=True
    )
    queue = signed_in.get("/desk/").get_data(as_text=True)
    assert '<td role="cell" data-label="Topic">International community</td>' in queue


def test_a_resolved_ticket_can_be_reopened(signed_in, services):
    reference = make_ticket(services.tickets)
    page = f"/desk/tickets/{reference}"
    assert "Reopen this ticket" not in signed_in.get(page).get_data(as_text=True)
    early = signed_in.post(f"{page}/reopen", data={"csrf_token": csrf_token(signed_in, page)})
    assert early.status_code == 409 and "not resolved" in early.get_data(as_text=True)

    services.tickets.resolve(reference, "piet")
    resolved = signed_in.get(page).get_data(as_text=True)
    assert "Reopen this ticket" in resolved and "Mark as resolved" not in resolved
    no_token = signed_in.post(f"{page}/reopen")
    assert no_token.status_code == 400 and services.tickets.get(reference).status == "resolved"

    response = signed_in.post(f"{page}/reopen", data={"csrf_token": csrf_token(signed_in, page)})
    assert response.status_code == 302 and response.headers["Location"] == page
    reopened = signed_in.get(page).get_data(as_text=True)
    assert f"{reference} is open again" in reopened and "Claim this ticket" in reopened
    ticket = services.tickets.get(reference)
    assert (ticket.status, ticket.assignee) == ("open", None)
    [note] = ticket.notes
    assert note.author == "jan" and "resolved by piet" in note.text
    assert "resolved by piet" in reopened and note.created_at.isoformat() in reopened


def test_reopening_when_the_conversation_has_a_newer_ticket_is_a_409(signed_in, services):
    old = make_ticket(services.tickets, "same")
    services.tickets.resolve(old, "jan")
    newer = make_ticket(services.tickets, "same")
    page = f"/desk/tickets/{old}"
    response = signed_in.post(f"{page}/reopen", data={"csrf_token": csrf_token(signed_in, page)})
    assert response.status_code == 409 and newer in response.get_data(as_text=True)
    token = csrf_token(signed_in, page)
    assert signed_in.post("/desk/tickets/ALM-999999/reopen", data={"csrf_token": token}).status_code == 404


def test_long_addresses_and_ids_may_break(signed_in, services):
    reference = make_ticket(services.tickets, "x" * 200, email="a-very-long-name." * 8 + "@example.org")
    page = signed_in.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert '<code class="wrap">' in page
    css = signed_in.get("/desk/static/desk.css").get_data(as_text=True)
    assert ".details dd, .wrap, .text" in css and "overflow-wrap: anywhere" in css


def test_unknown_filter_is_a_400_not_a_500(signed_in):
    response = signed_in.get("/desk/?status=closed")
    assert response.status_code == 400
    assert "Unknown status" in response.get_data(as_text=True)
    assert signed_in.get("/desk/api/tickets?desk=parking").status_code == 400


def test_ticket_page_shows_contact_question_transcript_and_notes(signed_in, services):
    reference = make_ticket(services.tickets, "c", "Hello", "Hi!", phone="+31 6 1234 5678")
    services.tickets.add_note(reference, "jan", "Will call tomorrow.")

    page = signed_in.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    for expected in (
        "Ana Silva",
        'href="mailto:ana@example.org"',
        'href="tel:+31612345678"',
        "How do I register my address?",
        "Will call tomorrow.",
        "Hello",
        "2026-03-02 10:30:00",  # 09:30 UTC shown in Amsterdam time
        "Amsterdam time",
    ):
        assert expected in page


def test_chat_text_is_escaped(signed_in, services):
    reference = make_ticket(
        services.tickets,
        "x",
        "<script>alert(1)</script>",
        name="<b>Eve</b>",
        question='"><img src=x onerror=alert(2)>',
    )
    ticket_page = signed_in.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    queue_page = signed_in.get("/desk/").get_data(as_text=True)
    for page in (ticket_page, queue_page):
        assert "<script>alert(1)" not in page and "<b>Eve</b>" not in page
        assert "<img src=x" not in page
        assert "&lt;b&gt;Eve&lt;/b&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ticket_page


def test_claim_note_resolve_flow(signed_in, services):
    reference = make_ticket(services.tickets)
    page = f"/desk/tickets/{reference}"

    response = signed_in.post(f"{page}/claim", data={"csrf_token": csrf_token(signed_in, page)})
    assert response.status_code == 302 and response.headers["Location"] == page
    claimed = signed_in.get(page).get_data(as_text=True)
    assert f"You claimed {reference}." in claimed and "Claim this ticket" not in claimed

    response = signed_in.post(
        f"{page}/notes", data={"text": "Called, <no> answer", "csrf_token": csrf_token(signed_in, page)}
    )
    assert response.headers["Location"] == f"{page}#notes"
    assert "Called, &lt;no&gt; answer" in signed_in.get(page).get_data(as_text=True)

    signed_in.post(f"{page}/resolve", data={"csrf_token": csrf_token(signed_in, page)})
    ticket = services.tickets.get(reference)
    assert (ticket.status, ticket.assignee) == ("resolved", "jan")
    assert [note.author for note in ticket.notes] == ["jan"]
    assert "Mark as resolved" not in signed_in.get(page).get_data(as_text=True)

    again = signed_in.post(f"{page}/resolve", data={"csrf_token": csrf_token(signed_in, page)})
    assert again.status_code == 409
    assert "already resolved" in again.get_data(as_text=True)


def test_claiming_a_colleagues_ticket_is_a_409(signed_in, services):
    reference = make_ticket(services.tickets)
    services.tickets.claim(reference, "piet")
    page = f"/desk/tickets/{reference}"
    response = signed_in.post(f"{page}/claim", data={"csrf_token": csrf_token(signed_in, page)})
    assert response.status_code == 409
    assert "already claimed by piet" in response.get_data(as_text=True)


def test_empty_or_long_note_is_a_400_with_a_message(signed_in, services):
    reference = make_ticket(services.tickets)
    page = f"/desk/tickets/{reference}"
    empty = signed_in.post(f"{page}/notes", data={"text": "  ", "csrf_token": csrf_token(signed_in, page)})
    assert empty.status_code == 400
    assert "Write a note before saving it." in empty.get_data(as_text=True)
    long = signed_in.post(
        f"{page}/notes", data={"text": "x" * 5001, "csrf_token": csrf_token(signed_in, page)}
    )
    assert long.status_code == 400
    assert services.tickets.get(reference).notes == ()


def test_unknown_reference_is_a_404(signed_in):
    page = signed_in.get("/desk/tickets/ALM-999999")
    assert page.status_code == 404 and "Ticket not found" in page.get_data(as_text=True)
    api = signed_in.get("/desk/api/tickets/ALM-999999")
    assert api.status_code == 404 and api.is_json
    token = csrf_token(signed_in, "/desk/")
    assert signed_in.post("/desk/tickets/ALM-999999/claim", data={"csrf_token": token}).status_code == 404
    assert signed_in.get("/desk/no-such-page").status_code == 404


def test_json_api(signed_in, services):
    first = make_ticket(services.tickets, "a")
    second = make_ticket(services.tickets, "b", desk="business")

    data = signed_in.get("/desk/api/tickets").get_json()
    assert [ticket["reference"] for ticket in data] == [second, first]
    assert data[1]["transcript"][0]["text"] == "How do I register my address?"
    business = signed_in.get("/desk/api/tickets?desk=business").get_json()
    assert [ticket["reference"] for ticket in business] == [second]
    one = signed_in.get(f"/desk/api/tickets/{first}").get_json()
    assert one["reference"] == first and one["status"] == "open"


def test_database_down_is_a_503_page(make_app, tmp_path):
    directory = tmp_path / "gone"
    directory.mkdir()
    app = make_app({"ALMERE_DATABASE_URL": f"sqlite:///{directory}"})
    client = app.test_client()
    with client.session_transaction() as session:
        session["staff"] = "jan"
    response = client.get("/desk/")
    assert response.status_code == 503
    assert "cannot be reached" in response.get_data(as_text=True)
    assert client.get("/desk/api/tickets").status_code == 503
