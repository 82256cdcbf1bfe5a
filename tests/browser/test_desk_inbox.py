"""The desk as the staff's daily inbox, in Chromium: what a colleague types goes where its label
says, and a waiting live chat is seen on every desk page."""

from __future__ import annotations

import queue
import re
import secrets
import time
import uuid
from datetime import datetime, timezone

import pytest
import socketio
from accessibility import assert_accessible, id_and_label_findings
from playwright.sync_api import Browser, Page, expect
from sites import Account, Running, running_site
from support import MailServer
from test_desk_accessibility import new_ticket, script_errors

from bot.config import REPO_ROOT
from bot.desk_answers.service import DeskAnswerService
from bot.tickets import TicketService, TranscriptEntry
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.live_chat_tickets import LiveChatService

# The desk is open whenever the test runs, so that a live chat can be offered.
ALWAYS_OPEN = {
    "ALMERE_OFFICE_DAYS": "0,1,2,3,4,5,6",
    "ALMERE_OFFICE_OPEN": "00:00",
    "ALMERE_OFFICE_CLOSE": "23:59",
}
# Where the day at the desk leaves its screenshots (copied to tests/screenshots/ by scripts/desk-screenshots).
SCREENSHOTS = REPO_ROOT / "var" / "screenshots" / "desk"

COLLEAGUES = [
    Account("anna", secrets.token_urlsafe(12), "Anna"),
    Account("bram", secrets.token_urlsafe(12), "Bram"),
]


@pytest.fixture(scope="module")
def inbox_site(tmp_path_factory) -> Running:
    """The servers with e-mail set up (a local SMTP server), so a ticket page has both boxes."""
    with MailServer() as mail:
        extra = {"ALMERE_SMTP_HOST": "127.0.0.1", "ALMERE_SMTP_PORT": str(mail.port), **ALWAYS_OPEN}
        with running_site(tmp_path_factory.mktemp("inbox"), COLLEAGUES, extra) as running:
            running.inbox = mail.inbox
            yield running


@pytest.fixture(scope="module")
def sessions(inbox_site):
    engine = create_engine_for(inbox_site.database_url)
    yield create_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def tickets(sessions) -> TicketService:
    return TicketService(sessions)


@pytest.fixture(scope="module")
def live_chats(sessions) -> LiveChatService:
    return LiveChatService(sessions)


CANNED_EN = "You may register at a friend's address with their written permission."
CANNED_NL = "Je mag je inschrijven op het adres van een vriend, met diens schriftelijke toestemming."


@pytest.fixture(scope="module")
def desk_answers(sessions) -> DeskAnswerService:
    """An approved answer in English and one in Dutch (Anna wrote them, Bram approved), and a draft."""
    service = DeskAnswerService(sessions)
    for question, answer, language in (
        ("Can I register at a friend's address?", CANNED_EN, "en"),
        ("Kan ik me inschrijven bij een vriend?", CANNED_NL, "nl"),
    ):
        written = service.create(questions=question, answer=answer, author="anna", language=language)
        service.approve(written.id, "bram")
    service.create(questions="Is parking free?", answer="DRAFT, not checked", author="anna")
    return service


# Counts the tones alerts.js starts (each tone is two oscillators), before any page script runs.
COUNT_TONES = """
window.tones = 0;
const create = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () { window.tones += 1; return create.call(this); };
"""


def desk_page(browser: Browser, site: Running, account: Account, target: str = "") -> Page:
    context = browser.new_context(base_url=site.page_url, viewport={"width": 1280, "height": 800})
    context.add_init_script(COUNT_TONES)
    page = context.new_page()
    sign_in(page, site, account, target)
    return page


def ask_for_a_chat(live_chats: LiveChatService, conversation: str | None = None, language: str = "en") -> str:
    """A person asks for a live chat (as the Rasa server records it), at this moment."""
    asked = TranscriptEntry("user", "Can I talk to someone?", datetime.now(timezone.utc))
    chat = live_chats.request(
        conversation or f"browser-{uuid.uuid4().hex}", "socketio", desk="international", question=None,
        topic=None, transcript=[asked], language=language,
    )  # fmt: skip
    return chat.reference


def sign_in(page: Page, site: Running, account: Account, target: str = "") -> None:
    page.goto(f"{site.page_url}desk/login?next=/desk/{target}")
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(f"{site.page_url}desk/{target}") + "$"))


def test_a_note_typed_after_clicking_its_label_is_saved_as_a_note(page, inbox_site, tickets, console_errors):
    reference = new_ticket(tickets)
    sign_in(page, inbox_site, COLLEAGUES[0], f"tickets/{reference}")
    expect(page.get_by_role("textbox", name="Your e-mail to the person")).to_be_visible()
    assert id_and_label_findings(page) == []
    assert_accessible(page, "ticket page")

    page.locator("label", has_text="Internal note").click()
    page.keyboard.type("INTERNAL: caller seemed confused, check KvK")
    expect(page.get_by_role("textbox", name="Internal note")).to_have_value(
        "INTERNAL: caller seemed confused, check KvK"
    )
    expect(page.get_by_role("textbox", name="Internal note")).to_be_focused()
    page.get_by_role("button", name="Save note").click()

    expect(page.get_by_role("region", name="Internal notes")).to_contain_text("check KvK")
    ticket = tickets.get(reference)
    assert [note.text for note in ticket.notes] == ["INTERNAL: caller seemed confused, check KvK"]
    assert ticket.replies == ()
    assert inbox_site.inbox.messages == []
    assert script_errors(console_errors) == []


def test_a_waiting_chat_is_seen_and_heard_on_every_desk_page(browser, inbox_site, tickets, live_chats):
    reference = new_ticket(tickets)
    on_live = desk_page(browser, inbox_site, COLLEAGUES[0], "live/")
    on_ticket = desk_page(browser, inbox_site, COLLEAGUES[1], f"tickets/{reference}")
    expect(on_live.get_by_text("Nobody is waiting for a chat.")).to_be_visible()
    for page in (on_live, on_ticket):
        page.locator("h1").click()  # the colleague has used the page: the browser lets it sound
        expect(page.get_by_label("Sound for waiting chats")).to_be_checked()
        assert page.evaluate("window.tones") == 0

    asked = ask_for_a_chat(live_chats)
    started = time.monotonic()
    for page in (on_ticket, on_live):
        expect(page.get_by_role("link", name=re.compile(r"^Live chats 1 waiting$"))).to_be_visible(
            timeout=2_000
        )
    assert time.monotonic() - started < 2.0
    expect(on_ticket).to_have_title(f"(1) Waiting chat – {reference} · Almere International Desk")
    expect(on_live).to_have_title("(1) Waiting chat – Live chats · Almere International Desk")
    expect(on_ticket.locator("#alerts-said")).to_have_text("1 person is waiting for a live chat.")
    assert on_ticket.evaluate("window.tones") == 2 and on_live.evaluate("window.tones") == 2

    # The live list, refreshed by itself, has its headers above their cells.
    table = on_live.get_by_role("table")
    expect(table.get_by_role("link", name=asked)).to_be_visible()
    headers = table.locator("th").all_inner_texts()
    assert headers == ["Reference", "State", "Desk", "Waiting", "Colleague"]
    assert table.locator("tbody tr").first.locator("td").all_inner_texts()[:3] == [
        asked,
        "waiting",
        "international",
    ]
    assert_accessible(on_live, "live list refreshed")

    # Bram turns the sound off; it stays off on his next page, and he still sees the count.
    on_ticket.get_by_label("Sound for waiting chats").uncheck()
    on_ticket.goto(f"{inbox_site.page_url}desk/")
    expect(on_ticket.get_by_label("Sound for waiting chats")).not_to_be_checked()
    on_ticket.locator("h1").click()
    ask_for_a_chat(live_chats)
    for page in (on_ticket, on_live):
        expect(page.get_by_role("link", name=re.compile(r"^Live chats 2 waiting$"))).to_be_visible(
            timeout=2_000
        )
    expect(on_ticket).to_have_title("(2) Waiting chats – Queue · Almere International Desk")
    assert on_ticket.evaluate("window.tones") == 0
    assert on_live.evaluate("window.tones") == 4
    assert id_and_label_findings(on_ticket) == []
    assert_accessible(on_ticket, "queue with waiting chats")

    # Once taken, the count goes down and the title is the page's own again.
    for waiting in live_chats.waiting():
        live_chats.take(waiting.reference, COLLEAGUES[0].username)
    expect(on_ticket).to_have_title("Queue · Almere International Desk")
    expect(on_ticket.locator("#waiting-count")).to_be_hidden()
    for page in (on_live, on_ticket):
        page.context.close()


# Whether any word of the element's text is split over two lines (a hyphen may end a line).
WORD_SPLIT = """(cell) => {
    const text = cell.firstChild;
    const range = document.createRange();
    for (const match of text.textContent.matchAll(/[^\\s-]+/g)) {
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        if (tops.size > 1) return match[0];
    }
    return null;
}"""


def test_the_queue_searches_and_refreshes_without_losing_the_colleagues_place(
    browser, inbox_site, tickets, console_errors
):
    name = "Maria-Fernanda van der Berg-Oosterhuis"
    question = "Where do I register as a self-employed translator when my address is a friend's flat? " * 2
    sought = new_ticket(tickets, name=name, question=question, phone="+31 6 9876 5432")
    other = new_ticket(tickets, name="Other Person")
    page = desk_page(browser, inbox_site, COLLEAGUES[0], "")
    page.set_viewport_size({"width": 1024, "height": 800})
    page.evaluate("window.samePage = true")

    search = page.get_by_role("searchbox", name="Search")
    search.click()
    search.press_sequentially("06 9876", delay=50)
    expect(page.get_by_role("link", name=other, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name=sought, exact=True)).to_be_visible()
    expect(search).to_be_focused()
    expect(search).to_have_value("06 9876")
    expect(page).to_have_url(re.compile(r"\?q=06\+9876$"))
    assert page.evaluate("window.samePage") is True  # no reload
    name_cell = page.get_by_role("row").filter(has_text=sought).get_by_role("cell").nth(5)
    expect(name_cell).to_have_text(name)
    assert name_cell.evaluate(WORD_SPLIT) is None

    # A new ticket appears by itself; the colleague's place and focus stay.
    search.fill("")
    expect(page.get_by_role("link", name=other, exact=True)).to_be_visible()
    page.get_by_role("link", name=other, exact=True).focus()
    newest = new_ticket(tickets, name="Newly Arrived")
    expect(page.get_by_role("link", name=newest, exact=True)).to_be_visible(timeout=15_000)
    expect(page.get_by_role("link", name=other, exact=True)).to_be_focused()
    assert page.evaluate("window.samePage") is True
    assert_accessible(page, "queue after a search and a refresh")
    assert id_and_label_findings(page) == []
    assert script_errors(console_errors) == []
    page.context.close()


def test_the_colleague_sends_on_enter_and_sees_the_person_typing(
    browser, inbox_site, tickets, live_chats, desk_answers
):
    conversation = f"browser-{uuid.uuid4().hex}"
    reference = ask_for_a_chat(live_chats, conversation, language="nl")
    page = desk_page(browser, inbox_site, COLLEAGUES[0], f"live/{reference}")
    page.get_by_role("button", name="Take this chat").click()
    box = page.get_by_role("textbox", name="Your message to the person")
    expect(box).to_be_visible()
    expect(page.get_by_text("Enter sends; Shift+Enter starts a new line.")).to_be_visible()

    # Typing tells the person (through the Rasa server), at most every 2 s.
    with page.expect_response(re.compile(r"/typing$")) as told:
        box.press_sequentially("Hello Maria,", delay=20)
    assert told.value.status == 200 and told.value.json() == {"ok": True}
    box.press("Shift+Enter")
    box.press_sequentially("your permit is ready.", delay=20)
    expect(box).to_have_value("Hello Maria,\nyour permit is ready.")
    box.press("Enter")
    expect(box).to_have_value("")
    expect(page.locator("#send-status")).to_have_text("Sent.")
    expect(page.locator("#transcript")).to_contain_text("your permit is ready.")
    staff_said = [m.text for m in tickets.get(reference).transcript if m.role == "staff"]
    assert staff_said[-1] == "Hello Maria,\nyour permit is ready."
    expect(box).to_be_focused()
    box.press("Enter")  # an empty box sends nothing
    expect(page.locator("#send-status")).to_have_text("Sent.")
    assert [m.role for m in tickets.get(reference).transcript].count("staff") == 1

    # The Dutch person's approved answer goes in, is edited, and is sent with Enter.
    picker = page.get_by_label("Approved desk answer")
    assert picker.locator("option").all_inner_texts() == [
        "Choose an answer",
        "Kan ik me inschrijven bij een vriend?",
    ]
    box.fill("Hoi! ")
    picker.select_option(label="Kan ik me inschrijven bij een vriend?")
    page.get_by_role("button", name="Insert").click()
    expect(box).to_be_focused()
    expect(box).to_have_value("Hoi! " + CANNED_NL)
    box.press("End")
    box.press_sequentially(" Groet, Anna", delay=10)
    box.press("Enter")
    expect(page.locator("#transcript")).to_contain_text("Groet, Anna")
    staff_said = [m.text for m in tickets.get(reference).transcript if m.role == "staff"]
    assert staff_said[-1] == f"Hoi! {CANNED_NL} Groet, Anna"

    # The person types (as the Rasa server notes it): the desk shows it, then no longer.
    typing = page.locator("#person-typing")
    assert live_chats.person_typing(conversation)
    expect(typing).to_have_text("The person is typing…", timeout=2_000)
    expect(typing).to_have_text("", timeout=8_000)
    assert_accessible(page, "live chat taken")
    page.context.close()


def test_an_approved_answer_goes_into_the_email_where_the_cursor_is(
    page, inbox_site, tickets, desk_answers, console_errors
):
    reference = new_ticket(tickets)
    sign_in(page, inbox_site, COLLEAGUES[1], f"tickets/{reference}")
    box = page.get_by_role("textbox", name="Your e-mail to the person")
    box.fill("Dear Maria,\n\n\n\nKind regards")
    box.evaluate("box => box.setSelectionRange(13, 13)")  # the empty line after the greeting
    picker = page.get_by_label("Approved desk answer")
    assert picker.locator("option").all_inner_texts() == [
        "Choose an answer",
        "Can I register at a friend's address?",
    ]
    picker.select_option(label="Can I register at a friend's address?")
    page.get_by_role("button", name="Insert").click()
    expect(box).to_be_focused()
    expect(box).to_have_value(f"Dear Maria,\n\n{CANNED_EN}\n\nKind regards")
    box.press_sequentially(" Bring your passport.", delay=10)  # edited before sending
    assert id_and_label_findings(page) == []
    assert_accessible(page, "ticket page with an answer inserted")
    page.get_by_role("button", name="Send e-mail").click()
    expect(page.locator(".flashes")).to_contain_text("E-mail sent.")
    [(_, mail)] = [m for m in inbox_site.inbox.messages if reference in m[1]["Subject"]]
    assert f"{CANNED_EN} Bring your passport." in mail.get_body(("plain",)).get_content()
    assert "DRAFT" not in page.content()
    assert script_errors(console_errors) == []


class Person:
    """A person in the chat widget, as its socket.io events go (python-socketio's client)."""

    def __init__(self, rasa_url: str) -> None:
        self.replies: queue.Queue = queue.Queue()
        confirmed: queue.Queue = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("bot_uttered", self.replies.put)
        self.sio.on("session_confirm", confirmed.put)
        self.sio.connect(rasa_url, transports=["polling"], wait_timeout=10)
        self.sio.emit("session_request", {"session_id": None})
        self.session_id = confirmed.get(timeout=10).partition(".")[0]

    def next(self, wanted, within: float = 30) -> dict:
        """The next message the widget gets that ``wanted(message)``."""
        deadline = time.monotonic() + within
        while True:
            message = self.replies.get(timeout=max(deadline - time.monotonic(), 0.1))
            if wanted(message):
                return message


def live(message: dict) -> dict:
    return message.get("live_chat") if isinstance(message.get("live_chat"), dict) else {}


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def test_a_day_at_the_desk(browser, inbox_site, tickets, live_chats, desk_answers):
    """Two colleagues and two people: Piet (Dutch) left his question by the form, Maria (English)
    asks for a live chat. Every desk page passes axe, with no review item about ids or labels."""

    def checked(page: Page, state: str) -> None:
        assert_accessible(page, state)
        assert id_and_label_findings(page) == [], state

    said = TranscriptEntry("user", "Kan ik me inschrijven bij een vriend?", datetime.now(timezone.utc))
    piet = tickets.open_or_update(
        f"browser-{uuid.uuid4().hex}", "socketio", name="Piet de Vries", email="piet@example.nl",
        phone="06 1234 5678", question="Kan ik me inschrijven op het adres van een vriend?",
        desk="international", topic="out_of_scope", consent_given=True, language="nl", transcript=[said],
    ).reference  # fmt: skip
    anna = desk_page(browser, inbox_site, COLLEAGUES[0], "")
    bram = desk_page(browser, inbox_site, COLLEAGUES[1], "")
    for page in (anna, bram):
        page.locator("h1").click()

    # Anna finds Piet's ticket, notes something for colleagues and answers him in Dutch.
    checked(anna, "queue")
    shot(anna, "queue")
    anna.get_by_role("searchbox", name="Search").fill("piet de vries")
    anna.get_by_role("link", name=piet, exact=True).click()
    expect(anna.get_by_role("heading", level=1)).to_contain_text(piet)
    anna.get_by_role("button", name="Claim this ticket").click()
    anna.locator("label", has_text="Internal note").click()
    anna.keyboard.type("INTERNAL: asked about a friend's address; answered with the approved text.")
    anna.get_by_role("button", name="Save note").click()
    expect(anna.get_by_role("region", name="Internal notes")).to_contain_text("INTERNAL: asked")
    box = anna.get_by_role("textbox", name="Your e-mail to the person")
    box.fill("Beste Piet,\n\n")
    anna.get_by_label("Approved desk answer").select_option(label="Kan ik me inschrijven bij een vriend?")
    anna.get_by_role("button", name="Insert").click()
    expect(box).to_have_value(f"Beste Piet,\n\n{CANNED_NL}")
    checked(anna, "ticket with a reply written")
    shot(anna, "ticket")
    anna.get_by_role("button", name="Send e-mail").click()
    expect(anna.locator(".flashes")).to_contain_text("E-mail sent.")
    [(to, mail)] = [(to, m) for to, m in inbox_site.inbox.messages if piet in m["Subject"]]
    assert to == ["piet@example.nl"] and CANNED_NL in mail.get_body(("plain",)).get_content()
    assert "INTERNAL" not in mail.as_string()

    # Anna takes live chats; Maria asks for one and Bram, on the queue, sees and hears it.
    anna.goto(f"{inbox_site.page_url}desk/live/")
    anna.get_by_role("button", name="I'm available for live chats").click()
    maria = Person(inbox_site.rasa_url)
    try:
        maria.sio.emit("user_uttered", {"message": "I would like to talk to a person"})
        maria.next(lambda m: "offer" in live(m))
        maria.sio.emit("live_chat_request", {})
        assert live(maria.next(lambda m: "state" in live(m)))["state"] == "waiting"
        asked = time.monotonic()
        expect(bram.get_by_role("link", name=re.compile(r"^Live chats 1 waiting$"))).to_be_visible(
            timeout=2_000
        )
        assert time.monotonic() - asked < 2.0 and bram.evaluate("window.tones") == 2
        expect(bram).to_have_title("(1) Waiting chat – Queue · Almere International Desk")
        chat = live_chats.current(maria.session_id)
        expect(anna.get_by_role("table").get_by_role("link", name=chat.reference)).to_be_visible()
        checked(anna, "live chats with one waiting")
        shot(anna, "live")

        anna.get_by_role("table").get_by_role("link", name=chat.reference).click()
        anna.get_by_role("button", name="Take this chat").click()
        assert (
            "Anna of the International Affairs Department"
            in maria.next(lambda m: "joined" in m.get("text", ""))["text"]
        )
        message = anna.get_by_role("textbox", name="Your message to the person")
        message.press_sequentially("Hello Maria, how can I help?", delay=10)
        assert maria.next(lambda m: live(m).get("typing")) == {
            "live_chat": {"state": "connected", "typing": True}
        }
        message.press("Enter")
        assert maria.next(lambda m: "from_staff" in m)["text"] == "Hello Maria, how can I help?"
        maria.sio.emit("person_typing", {"session_id": maria.session_id})
        expect(anna.locator("#person-typing")).to_have_text("The person is typing…", timeout=3_000)
        maria.sio.emit("user_uttered", {"message": "Where do I register my address?"})
        expect(anna.locator("#transcript")).to_contain_text("Where do I register my address?")
        checked(anna, "a live chat taken")
        shot(anna, "live-chat")
        anna.get_by_role("button", name="Close the chat").click()
        assert live(maria.next(lambda m: live(m).get("state") == "closed"))["state"] == "closed"
    finally:
        maria.sio.disconnect()
    assert tickets.get(chat.reference).status == "resolved"

    # Bram looks at the day: the queue and the insights.
    bram.goto(f"{inbox_site.page_url}desk/")
    expect(bram.get_by_role("link", name=piet, exact=True)).to_be_visible()
    checked(bram, "queue at the end of the day")
    bram.goto(f"{inbox_site.page_url}desk/insights/")
    expect(bram.get_by_role("heading", level=1)).to_be_visible()
    checked(bram, "insights")
    shot(bram, "insights")
    for page in (anna, bram):
        page.context.close()
