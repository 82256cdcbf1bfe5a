"""A whole handoff over the REST channel, then the ticket through the CLI, the desk and e-mail."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest
import requests
from support import desk_phone

from bot.config import REPO_ROOT

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def texts(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def almere(assistant, *arguments: str, stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=REPO_ROOT,
        env={**os.environ, **assistant.env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def form_post(session: requests.Session, page_url: str, action_url: str, **fields) -> requests.Response:
    token = CSRF.search(session.get(page_url).text).group(1)
    return session.post(action_url, data={"csrf_token": token, **fields})


# A whole handoff after a declined question: what the person sends, and what each reply must say.
HANDOFF = (
    ("What's the average rent?", "don't know"),
    ("yes", "What is your name?"),
    ("Maria <b>Jansen</b>", "email address or phone number"),
    ("maria@example.nl", 'Your question: "What\'s the average rent?". Shall I pass it on'),
    ("yes", "private person"),
    ("/choose_private", "May I store your name"),
)


def hand_over(say: Callable[[str], str]) -> str:
    """Go through HANDOFF and consent with ``say`` (message -> reply); the ticket's reference."""
    for message, expected in HANDOFF:
        reply = say(message)
        assert expected in reply, (message, reply)
    confirmation = say("/affirm")
    match = re.search(r"ALM-\d{6}", confirmation)
    assert match, confirmation
    return match.group(0)


@pytest.fixture(scope="module")
def handed_over(assistant):
    """Conversation id, reference and the whole exchange of a completed handoff."""
    sender = f"e2e-handoff-{uuid.uuid4()}"
    exchange = []

    def say(message: str) -> str:
        reply = texts(assistant.ask(sender, message))
        exchange.append((message, reply))
        return reply

    return sender, hand_over(say), exchange


# The reply's date and time, and the confirmation the mail server took.
PROMISE = re.compile(r"reply by \w+day \d{1,2} \w+ \d{4} at \d\d:\d\d \(Amsterdam time\) at the latest\.")
DUTCH_PROMISE = re.compile(
    r"antwoordt uiterlijk \w+dag \d{1,2} \w+ \d{4} om \d\d:\d\d \(tijd in Amsterdam\)\."
)
EMAILED = "I have e-mailed you a confirmation"


def test_the_person_gets_a_reference_and_when_to_expect_a_reply(handed_over):
    _, _, exchange = handed_over
    assert PROMISE.search(exchange[-1][1]) and EMAILED in exchange[-1][1]


def test_the_cli_lists_exactly_that_ticket_with_the_whole_transcript(assistant, handed_over):
    sender, reference, exchange = handed_over
    tickets = [
        t
        for t in json.loads(almere(assistant, "tickets", "list", "--json"))
        if t["conversation_id"] == sender
    ]
    assert [t["reference"] for t in tickets] == [reference]
    [ticket] = tickets
    assert ticket["name"] == "Maria <b>Jansen</b>" and ticket["email"] == "maria@example.nl"
    assert ticket["question"] == "What's the average rent?" and ticket["desk"] == "international"
    user_lines = [m["text"] for m in ticket["transcript"] if m["role"] == "user"]
    clicked = {"/choose_private": "As a private person", "/affirm": "Yes, I agree"}
    assert user_lines == [clicked.get(message, message) for message, _ in exchange]
    roles = [m["role"] for m in ticket["transcript"]]
    assert roles[0] == "user" and "bot" in roles
    positions = [m["position"] for m in ticket["transcript"]]
    assert positions == sorted(positions)


def test_staff_sign_in_see_claim_and_resolve_the_ticket(assistant, handed_over):
    _, reference, _ = handed_over
    almere(assistant, "users", "add", "anna", "--password-stdin", stdin="a long desk password\n")
    staff = requests.Session()
    desk = assistant.desk_url
    assert requests.get(f"{desk}/desk/tickets/{reference}", allow_redirects=False).status_code == 302
    signed_in = form_post(
        staff, f"{desk}/desk/login", f"{desk}/desk/login", username="anna", password="a long desk password"
    )
    assert signed_in.ok and reference in staff.get(f"{desk}/desk/").text
    page_url = f"{desk}/desk/tickets/{reference}"
    page = staff.get(page_url).text
    assert "What&#39;s the average rent?" in page or "What's the average rent?" in page
    assert "Maria &lt;b&gt;Jansen&lt;/b&gt;" in page and "<b>Jansen</b>" not in page
    assert form_post(staff, page_url, f"{page_url}/claim").ok
    assert form_post(staff, page_url, f"{page_url}/resolve").ok
    [ticket] = [
        t for t in json.loads(almere(assistant, "tickets", "list", "--json")) if t["reference"] == reference
    ]
    assert ticket["status"] == "resolved" and ticket["assignee"] == "anna"


def test_the_desk_was_emailed(assistant, handed_over):
    _, reference, _ = handed_over
    mails = [m for m in assistant.mailbox.mails if reference in m["Subject"]]
    assert [m["To"] for m in mails].count("maria@example.nl") == 1  # the confirmation
    assert len([m for m in mails if m["To"] != "maria@example.nl"]) == 1


def test_asking_again_adds_to_the_open_ticket(assistant):
    sender = f"e2e-again-{uuid.uuid4()}"
    answers = (
        "I want to talk to a person",
        "Maria",
        "+31 6 12345678",
        "Where can I learn Dutch?",
        "/choose_private",
        "/affirm",
    )
    first = [texts(assistant.ask(sender, m)) for m in answers][-1]
    again = [texts(assistant.ask(sender, m)) for m in answers][-1]
    reference = re.search(r"ALM-\d{6}", first).group(0)
    assert reference in again and "added this to your request" in again
    tickets = [
        t
        for t in json.loads(almere(assistant, "tickets", "list", "--json"))
        if t["conversation_id"] == sender
    ]
    assert len(tickets) == 1


def test_no_consent_means_no_ticket(assistant):
    sender = f"e2e-no-consent-{uuid.uuid4()}"
    for message in (
        "can I speak to someone at the desk",
        "Pieter",
        "06-12345678",
        "Can my company get a subsidy?",
        "/choose_business",
    ):
        assistant.ask(sender, message)
    reply = texts(assistant.ask(sender, "/deny"))
    assert "not stored" in reply and desk_phone() in reply and "ALM-" not in reply
    listed = json.loads(almere(assistant, "tickets", "list", "--json"))
    assert not [t for t in listed if t["conversation_id"] == sender]


# The person's e-mails of a ticket: (subject of the confirmation, of the reply, of the rating
# question), the From display name, and what the chat promised, per language.
MAILS = {
    "en": (
        (
            "We have received your question",
            "Your question to the Municipality of Almere",
            "How helpful was our answer?",
        ),
        "City of Almere \u2013 International Desk",
        PROMISE,
    ),
    "nl": (
        ("We hebben uw vraag ontvangen", "Uw vraag aan de gemeente Almere", "Hoe nuttig was ons antwoord?"),
        "Gemeente Almere \u2013 International Desk",
        DUTCH_PROMISE,
    ),
}
DUTCH_HANDOFF = (
    "Ik wil graag een medewerker spreken",
    "Sanne de Vries",
    "sanne@example.nl",
    "Hoe schrijf ik me in bij de gemeente?",
    "/choose_private",
)


def mails_to(assistant, address: str, reference: str) -> list[EmailMessage]:
    return [m for m in assistant.mailbox.mails if m["To"] == address and reference in m["Subject"]]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_persons_mails_are_in_their_language_dated_identified_and_threaded(assistant, language):
    """Confirmation, a colleague's reply and the rating question, through the mail server."""
    sender = f"e2e-mails-{language}-{uuid.uuid4()}"
    if language == "en":
        address = "maria@example.nl"
        confirmation = texts(assistant.ask(sender, "I want to talk to a person"))
        for message in ("Maria", address, "Where can I learn Dutch?", "/choose_private", "/affirm"):
            confirmation = texts(assistant.ask(sender, message))
    else:
        address = "sanne@example.nl"
        for message in (*DUTCH_HANDOFF, "/affirm"):
            confirmation = texts(assistant.ask(sender, message))
    subjects, display_name, promise = MAILS[language]
    reference = re.search(r"ALM-\d{6}", confirmation).group(0)
    assert promise.search(confirmation), confirmation
    almere(assistant, "users", "add", f"mail{language}", "--password-stdin", stdin="a long desk password\n")
    staff = requests.Session()
    desk = assistant.desk_url
    form_post(
        staff,
        f"{desk}/desk/login",
        f"{desk}/desk/login",
        username=f"mail{language}",
        password="a long desk password",
    )
    page_url = f"{desk}/desk/tickets/{reference}"
    assert form_post(staff, page_url, f"{page_url}/replies", text="Hello!\n\nSee the website.").ok
    assert form_post(staff, page_url, f"{page_url}/resolve").ok

    mails = mails_to(assistant, address, reference)
    assert [m["Subject"] for m in mails] == [f"[{reference}] {subject}" for subject in subjects]
    thread = mails[0]["Message-ID"]
    for mail in mails:
        assert mail["From"].addresses[0].display_name == display_name
        assert parsedate_to_datetime(mail["Date"]).tzinfo is not None
        assert re.fullmatch(r"<[^<>\s@]+@[^<>\s@]+>", mail["Message-ID"])
    assert len({mail["Message-ID"] for mail in mails}) == 3
    assert mails[0]["In-Reply-To"] is None
    assert [(m["In-Reply-To"], m["References"]) for m in mails[1:]] == [(thread, thread)] * 2
    link = re.search(r"http\S+/feedback/\S+", mails[2].get_content()).group(0)
    assert link.endswith(f"?lang={language}")
    confirmation_body = mails[0].get_content()
    assert reference in confirmation_body and "  > " in confirmation_body
