"""What signed-in staff see and do: queue, ticket page, claim, notes, resolve, JSON."""

from __future__ import annotations

from desk_helpers import csrf_token, make_ticket


def test_queue_lists_newest_first_and_filters(signed_in, services):
    first = make_ticket(services.tickets, "a")
    second = make_ticket(services.tickets, "b", desk="business")
    services.tickets.claim(second, "jan")

    page = signed_in.get("/desk/").get_data(as_text=True)
    assert page.index(second) < page.index(first)
    only_open = signed_in.get("/desk/?status=open").get_data(as_text=True)
    assert first in only_open and second not in only_open
    business = signed_in.get("/desk/?desk=business&status=").get_data(as_text=True)
    assert second in business and first not in business


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
