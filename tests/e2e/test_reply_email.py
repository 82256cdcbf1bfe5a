"""Replies from the desk, end to end: the real desk server (`almere desk`, gunicorn) sends
a staff member's answer through a local SMTP server, shows a send that failed while the mail server
was down and sends it when it is back, and e-mails the rating question on resolving, whose link the
person follows and answers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from support import MailServer, free_port, open_ticket

from bot.launcher import processes
from bot.site.desk.accounts import StaffAccounts
from bot.tickets import TicketService
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STAFF_USER, STAFF_PASSWORD = "marit", "a long desk password"
SITE_URL = "https://www.almere.example"


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[tuple[str, TicketService, MailServer]]:
    work = tmp_path_factory.mktemp("reply-email")
    database_url = f"sqlite:///{work / 'desk.db'}"
    upgrade_database(database_url)
    engine = create_engine_for(database_url)
    StaffAccounts(create_session_factory(engine)).add(STAFF_USER, STAFF_PASSWORD)
    mail = MailServer()
    mail.start()
    env = {
        "ALMERE_DATABASE_URL": database_url,
        "ALMERE_SECRET_KEY": "reply-email-test-secret",
        "ALMERE_SMTP_HOST": processes.LOOPBACK,
        "ALMERE_SMTP_PORT": str(mail.port),
        "ALMERE_SMTP_SENDER": "desk@almere.example",
        "ALMERE_SMTP_RECIPIENT_INTERNATIONAL": "international@almere.example",
        "ALMERE_SITE_URL": SITE_URL,
        "ALMERE_LIVE_CHAT_SECRET": "reply-email-live-secret",
    }
    server = processes.start(processes.desk_server(port=free_port()), env=env, log_dir=work / "logs")
    try:
        processes.wait_until_ready(server, timeout=60)
        yield (
            server.ready_url.removesuffix("/desk/login"),
            TicketService(create_session_factory(engine)),
            mail,
        )
    finally:
        processes.stop(server)
        mail.stop()
        engine.dispose()


def signed_in(base: str) -> requests.Session:
    session = requests.Session()
    token = CSRF.search(session.get(f"{base}/desk/login", timeout=10).text).group(1)
    response = session.post(
        f"{base}/desk/login",
        data={"csrf_token": token, "username": STAFF_USER, "password": STAFF_PASSWORD},
        timeout=30,
    )
    assert response.status_code == 200 and "Sign out" in response.text
    return session


def post_form(session: requests.Session, base: str, reference: str, path: str, **data) -> requests.Response:
    page = session.get(f"{base}/desk/tickets/{reference}", timeout=10)
    token = CSRF.search(page.text).group(1)
    return session.post(f"{base}{path}", data={"csrf_token": token, **data}, timeout=30)


def test_an_answer_reaches_the_person_and_the_rating_comes_back(stack):
    base, tickets, mail = stack
    reference = open_ticket(tickets, "e2e-reply").reference
    staff = signed_in(base)

    page = post_form(
        staff, base, reference, f"/desk/tickets/{reference}/replies", text="Dear Ana,\n\nBook an appointment."
    )

    assert page.status_code == 200 and "E-mail sent." in page.text
    answer = mail.inbox.mails[-1]
    assert answer["To"] == "ana@example.org" and answer["Reply-To"] == "international@almere.example"
    assert answer["Subject"] == f"[{reference}] Your question to the Municipality of Almere"
    assert "Book an appointment." in answer.get_content() and "marit" in answer.get_content()
    assert tickets.get(reference).first_reply_at is not None

    page = post_form(staff, base, reference, f"/desk/tickets/{reference}/resolve")
    assert "e-mailed one question" in page.text
    question = mail.inbox.mails[-1]
    assert question["Subject"] == f"[{reference}] How helpful was our answer?"
    link = re.search(rf"{re.escape(SITE_URL)}(/feedback/\S+)", question.get_content()).group(1)
    assert link.endswith("?lang=en")  # the page opens in the ticket's language

    person = requests.Session()
    form = person.get(base + link, timeout=10)
    assert form.status_code == 200 and "<legend>How helpful was it?" in form.text
    token = link.removeprefix("/feedback/").removesuffix("?lang=en")
    answered = person.post(
        f"{base}/feedback", json={"token": token, "score": 4, "comment": "Clear."}, timeout=10
    )
    assert (answered.status_code, answered.json()) == (200, {"ok": True})
    again = person.post(f"{base}/feedback", json={"token": token, "score": 1}, timeout=10)
    assert again.status_code == 409
    assert "4 of 5</strong>" in staff.get(f"{base}/desk/tickets/{reference}", timeout=10).text


def test_a_send_while_the_mail_server_is_down_is_shown_and_sent_later(stack):
    base, tickets, mail = stack
    reference = open_ticket(tickets, "e2e-down").reference
    staff = signed_in(base)
    received = len(mail.inbox.messages)
    mail.stop()
    try:
        page = post_form(staff, base, reference, f"/desk/tickets/{reference}/replies", text="Your answer")
    finally:
        mail.start()

    assert page.status_code == 200
    assert "The e-mail was NOT sent" in page.text and "Try again" in page.text
    [failed] = tickets.get(reference).replies
    assert failed.outcome == "failed" and tickets.get(reference).first_reply_at is None
    assert len(mail.inbox.messages) == received

    page = post_form(staff, base, reference, f"/desk/tickets/{reference}/replies/{failed.id}/retry")
    assert "E-mail sent." in page.text and "Try again" not in page.text
    assert len(mail.inbox.messages) == received + 1
    assert tickets.get(reference).first_reply_at is not None
