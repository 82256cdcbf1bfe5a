"""Replies from the desk: e-mail from the ticket page through a real SMTP server in the
test, failed sends shown and tried again, calls, the queue's first reply, the rating e-mail."""

from __future__ import annotations

import pytest
from desk_helpers import PASSWORD, csrf_token, make_ticket, services_of, sign_in


def desk_with_mail(make_app, port: int | None):
    environ = {"ALMERE_SITE_URL": "https://www.almere.example"}
    if port is not None:
        environ |= {"ALMERE_SMTP_HOST": "127.0.0.1", "ALMERE_SMTP_PORT": str(port)}
    app = make_app(environ)
    services = services_of(app)
    services.accounts.add("jan", PASSWORD)
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client, services


@pytest.fixture
def desk(make_app, mail_server):
    return desk_with_mail(make_app, mail_server.port)


def post(client, path: str, **data):
    reference = path.split("/")[3]
    return client.post(path, data={"csrf_token": csrf_token(client, f"/desk/tickets/{reference}"), **data})


def test_an_email_from_the_ticket_page_reaches_the_person(desk, mail_server):
    client, services = desk
    reference = make_ticket(services.tickets)
    page = client.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert "Answer by e-mail" in page and 'for="reply-text"' in page and "Send e-mail" in page

    response = post(
        client, f"/desk/tickets/{reference}/replies", text="Dear Ana,\n\nYes: <script>alert(1)</script>"
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/desk/tickets/{reference}#replies")
    [message] = mail_server.inbox.mails
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == f"[{reference}] Your question to the Municipality of Almere"
    assert "Yes: <script>alert(1)</script>\n\nKind regards,\n\njan\n" in mail_server.inbox.bodies()[0]
    page = client.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert "E-mail sent." in page
    assert "<script>alert(1)</script>" not in page
    assert "Yes: &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Nobody has answered the person yet" not in page
    ticket = services.tickets.get(reference)
    assert ticket.first_reply_at is not None and [r.outcome for r in ticket.replies] == ["sent"]


def test_a_failed_send_is_shown_not_counted_and_can_be_tried_again(desk, mail_server):
    client, services = desk
    reference = make_ticket(services.tickets)
    mail_server.stop()

    post(client, f"/desk/tickets/{reference}/replies", text="Your answer")

    page = client.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert "The e-mail was NOT sent" in page and "could not be reached" in page
    assert "not sent" in page and "Try again" in page
    ticket = services.tickets.get(reference)
    assert ticket.first_reply_at is None and ticket.awaiting_reply
    queue = client.get("/desk/?awaiting=1").get_data(as_text=True)
    assert reference in queue

    mail_server.start()
    [failed] = ticket.replies
    response = post(client, f"/desk/tickets/{reference}/replies/{failed.id}/retry")
    assert response.status_code == 302
    assert len(mail_server.inbox.messages) == 1
    page = client.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert "E-mail sent." in page and "Try again" not in page
    assert services.tickets.get(reference).first_reply_at is not None
    again = post(client, f"/desk/tickets/{reference}/replies/{failed.id}/retry")
    assert again.status_code == 409 and "not sent twice" in again.get_data(as_text=True)
    assert reference not in client.get("/desk/?awaiting=1").get_data(as_text=True)


def test_without_smtp_the_box_says_so_and_sending_is_refused(make_app):
    client, services = desk_with_mail(make_app, None)
    reference = make_ticket(services.tickets)
    page = client.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert "E-mail is not set up on this desk" in page and "Send e-mail" not in page

    response = post(client, f"/desk/tickets/{reference}/replies", text="Hello")
    assert response.status_code == 409
    assert "E-mail is not set up" in response.get_data(as_text=True)
    assert services.tickets.get(reference).replies == ()


def test_an_empty_reply_is_a_400_with_a_message(desk, mail_server):
    client, services = desk
    reference = make_ticket(services.tickets)
    response = post(client, f"/desk/tickets/{reference}/replies", text="   ")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Write the reply before sending it." in page and 'aria-invalid="true"' in page
    assert mail_server.inbox.messages == []


def test_reply_to_an_unknown_ticket_is_a_404(desk):
    client, _ = desk
    response = client.post(
        "/desk/tickets/ALM-999999/replies", data={"csrf_token": csrf_token(client, "/desk/"), "text": "Hi"}
    )
    assert response.status_code == 404


def test_calls_are_recorded_for_people_who_left_a_phone_number(desk, mail_server):
    client, services = desk
    reference = make_ticket(services.tickets, email=None, phone="+31 6 1234 5678")
    page = client.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert "left no e-mail address" in page
    assert "<legend>How did the call go?</legend>" in page

    post(client, f"/desk/tickets/{reference}/calls", outcome="no_answer", note="")
    assert services.tickets.get(reference).first_reply_at is None
    post(client, f"/desk/tickets/{reference}/calls", outcome="answered", note="Explained <b>it</b>.")

    page = client.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert "Call recorded: the person answered." in page
    assert "no answer" in page and "the person answered" in page
    assert "Explained &lt;b&gt;it&lt;/b&gt;." in page
    assert services.tickets.get(reference).first_reply_at is not None
    bad = post(client, f"/desk/tickets/{reference}/calls", outcome="maybe")
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)
    assert mail_server.inbox.messages == []


def test_the_queue_shows_the_first_reply_and_filters_those_awaiting_one(desk):
    client, services = desk
    waiting = make_ticket(services.tickets, "conv-w")
    answered = make_ticket(services.tickets, "conv-a")
    post(client, f"/desk/tickets/{answered}/replies", text="Answer")

    queue = client.get("/desk/").get_data(as_text=True)
    # The waiting time is in its own column; the first reply's column does not repeat it.
    assert (
        ">First reply</th>" in queue and "<strong>None yet</strong>" in queue and "waiting <time" not in queue
    )
    assert "Awaiting a first reply</a>: 1" in queue
    filtered = client.get("/desk/?awaiting=1").get_data(as_text=True)
    assert waiting in filtered and answered not in filtered
    assert 'id="awaiting" name="awaiting" value="1" checked' in filtered

    bad = client.get("/desk/?awaiting=yes")
    assert bad.status_code == 400
    assert "either on (awaiting=1) or left out" in bad.get_data(as_text=True)


def test_resolving_an_emailed_ticket_asks_the_person_once(desk, mail_server):
    client, services = desk
    reference = make_ticket(services.tickets)
    post(client, f"/desk/tickets/{reference}/replies", text="Answer")

    post(client, f"/desk/tickets/{reference}/resolve")

    page = client.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert "e-mailed one question" in page and "Asked by e-mail" in page
    assert len(mail_server.inbox.messages) == 2
    assert mail_server.inbox.mails[1]["Subject"] == f"[{reference}] How helpful was our answer?"
    assert "https://www.almere.example/feedback/" in mail_server.inbox.bodies()[1]
    post(client, f"/desk/tickets/{reference}/reopen")
    post(client, f"/desk/tickets/{reference}/resolve")
    assert len(mail_server.inbox.messages) == 2  # never twice for one conversation


def test_a_rating_question_that_could_not_be_sent_is_shown_and_not_asked(desk, mail_server):
    client, services = desk
    reference = make_ticket(services.tickets)
    post(client, f"/desk/tickets/{reference}/replies", text="Answer")
    mail_server.stop()

    response = post(client, f"/desk/tickets/{reference}/resolve")

    assert response.status_code == 302
    page = client.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert "is resolved" in page and "The rating question was not sent" in page
    assert services.tickets.get(reference).status == "resolved"
    assert services.ratings.for_ticket(reference) is None


def test_no_rating_question_for_a_ticket_nobody_emailed(desk, mail_server):
    client, services = desk
    reference = make_ticket(services.tickets)
    post(client, f"/desk/tickets/{reference}/resolve")
    page = client.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert "rating question" not in page and "e-mailed one question" not in page
    assert mail_server.inbox.messages == []
