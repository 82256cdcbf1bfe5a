"""The staff desk in Chromium: WCAG 2.1 A/AA by axe on every page, keyboard-only triage, and no
sideways scrolling at 320 CSS px or at 200 % / 400 % zoom.

Tickets are written straight into the site's database with the ticket service, as the assistant
would write them, so each test has the tickets it needs without chatting first.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from accessibility import assert_accessible
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.tickets import TicketService, TranscriptEntry
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.models import Ticket

LONG_EMAIL = "maria.van.der.berg-de.vries.international.relocation@expat-services.example.org"


@pytest.fixture(scope="module")
def sessions(site) -> sessionmaker:
    engine = create_engine_for(site.env["ALMERE_DATABASE_URL"])
    yield create_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def tickets(sessions) -> TicketService:
    return TicketService(sessions)


@pytest.fixture
def desk_url(site) -> str:
    parts = urlsplit(site.page_url)
    return f"{parts.scheme}://{parts.netloc}/desk/"


def backdate(sessions: sessionmaker, reference: str, waited: timedelta) -> None:
    """Make the ticket have waited ``waited`` (the service stamps a new ticket with the time now)."""
    with sessions() as session, session.begin():
        ticket = session.execute(select(Ticket).where(Ticket.reference == reference)).scalar_one()
        ticket.created_at = datetime.now(timezone.utc) - waited


def new_ticket(tickets: TicketService, **overrides) -> str:
    """A ticket with a transcript of a declined question, a desk choice and consent by button."""
    start = datetime.now(timezone.utc) - timedelta(hours=2, minutes=10)
    at = [start + timedelta(seconds=10 * i) for i in range(7)]
    values = {
        "name": "Maria van der Berg",
        "email": LONG_EMAIL,
        "phone": None,
        "question": "Can I register at a friend's address while I look for a flat?",
        "desk": "international",
        "topic": "out_of_scope",
        "consent_given": True,
        "transcript": [
            TranscriptEntry("user", "Can I register at a friend's address?", at[0]),
            TranscriptEntry("bot", "I'm sorry, I can't answer that from what I know.", at[1]),
            TranscriptEntry("user", "Yes, please", at[2], quick_reply="/affirm"),
            TranscriptEntry("bot", "Are you asking as a private person, or for a business?", at[3]),
            TranscriptEntry("user", "As a private person", at[4], quick_reply="/choose_private"),
            TranscriptEntry("bot", "May I store your name, contact details, question and ...?", at[5]),
            TranscriptEntry("user", "Yes, I agree", at[6], quick_reply="/affirm"),
        ],
        **overrides,
    }
    conversation = f"browser-{uuid.uuid4().hex}"  # long, like a real one, and unbroken
    return tickets.open_or_update(conversation, "socketio", **values).reference


def sign_in(page: Page, site, desk_url: str, target: str = "") -> None:
    page.goto(f"{desk_url}login?next=/desk/{target}")
    page.get_by_label("Username").fill(site.staff_user)
    page.get_by_label("Password").fill(site.staff_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(desk_url + target) + "$"))


def script_errors(console_errors: list[str]) -> list[str]:
    """Errors other than the browser's note of an HTTP error status (a refused sign-in is a 401, the
    missing favicon a 404): a blocked script or a CSP violation would show up here."""
    return [error for error in console_errors if not error.startswith("Failed to load resource")]


def assert_no_sideways_scroll(page: Page, state: str) -> None:
    page.wait_for_load_state("load")  # measured before the stylesheet applies, any table is wide
    widths = page.evaluate(
        """() => ({
            scroll: document.documentElement.scrollWidth,
            inner: window.innerWidth,
            // What sticks out, for the failure message.
            wide: [...document.querySelectorAll('body *')]
                .map((e) => [e, Math.round(e.getBoundingClientRect().right)])
                .filter(([e, right]) => right > window.innerWidth + 1)
                .sort((a, b) => b[1] - a[1])
                .slice(0, 8)
                .map(([e, right]) => `${e.tagName.toLowerCase()}.${e.className} "${
                    e.textContent.trim().slice(0, 30)}" (${right} px)`),
        })"""
    )
    assert widths["scroll"] <= widths["inner"], f"{state}: the page scrolls sideways ({widths})"


def tab_to(page: Page, target: Locator, limit: int = 400) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would; it must get there."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            outline = target.evaluate("element => getComputedStyle(element).outlineStyle")
            assert outline != "none", "the focused element shows no focus outline"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def test_sign_in_page_and_its_error_are_accessible(page, site, desk_url, console_errors, screenshot):
    page.goto(f"{desk_url}login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page, "desk sign-in")
    screenshot()
    page.get_by_label("Username").fill(site.staff_user)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Unknown username or wrong password.")
    assert_accessible(page, "desk sign-in refused")
    screenshot("refused")
    assert script_errors(console_errors) == []


def test_queue_is_accessible(page, site, desk_url, tickets, sessions, console_errors, screenshot):
    waiting = new_ticket(tickets)
    backdate(sessions, waiting, timedelta(hours=2, minutes=10, seconds=20))
    claimed = new_ticket(tickets, desk="business", topic="business_climate")
    resolved = new_ticket(tickets, topic="housing")
    tickets.claim(claimed, site.staff_user)
    tickets.resolve(resolved, site.staff_user)

    sign_in(page, site, desk_url)
    expect(page.get_by_role("table", name=re.compile("Tickets per status and desk"))).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=waiting, exact=True))
    expect(row).to_contain_text("2 h 10 min")
    expect(page.get_by_role("link", name="Refresh the queue")).to_be_visible()
    assert_accessible(page, "queue")
    screenshot()

    page.get_by_label("Only tickets claimed by me").check()
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"mine=1"))
    expect(page.get_by_role("link", name=claimed, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=waiting, exact=True)).to_have_count(0)
    assert_accessible(page, "queue, claimed by me")
    assert script_errors(console_errors) == []


def test_ticket_page_is_accessible(page, site, desk_url, tickets, console_errors, screenshot):
    reference = new_ticket(tickets)
    tickets.add_note(reference, site.staff_user, "Called back: no answer. Will e-mail.")

    sign_in(page, site, desk_url, f"tickets/{reference}")
    conversation = page.get_by_role("region", name="Conversation")
    expect(conversation).to_contain_text("Yes, I agree")
    expect(conversation).not_to_contain_text("quick reply")
    expect(page.get_by_role("region", name="Contact")).to_contain_text(
        "Not in the assistant's knowledge (declined)"
    )
    expect(page.get_by_role("region", name="Internal notes")).to_contain_text("Called back")
    assert_accessible(page, "ticket page")
    screenshot()
    page.get_by_role("textbox", name="Internal note").fill("   ")  # blank: the desk refuses it with a message
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Write a note before saving it.")).to_be_visible()
    assert_accessible(page, "ticket page, note refused")
    assert script_errors(console_errors) == []


def test_reopen_flow_is_accessible(page, site, desk_url, tickets, console_errors, screenshot):
    reference = new_ticket(tickets)
    tickets.resolve(reference, site.staff_user)

    sign_in(page, site, desk_url, f"tickets/{reference}")
    expect(page.get_by_role("button", name="Mark as resolved")).to_have_count(0)
    assert_accessible(page, "resolved ticket")
    page.get_by_role("button", name="Reopen this ticket").click()
    expect(page.get_by_role("status")).to_contain_text(f"{reference} is open again")
    expect(page.get_by_role("heading", level=1)).to_contain_text("open")
    expect(page.get_by_role("region", name="Internal notes")).to_contain_text("Reopened this ticket")
    assert_accessible(page, "ticket reopened")
    screenshot()
    assert script_errors(console_errors) == []


def test_error_pages_are_accessible(page, site, desk_url, console_errors, screenshot):
    sign_in(page, site, desk_url)
    response = page.goto(f"{desk_url}tickets/ALM-999999")
    assert response.status == 404
    expect(page.get_by_role("alert")).to_have_text("There is no ticket with that reference.")
    assert_accessible(page, "ticket not found")
    screenshot("not-found")
    response = page.goto(f"{desk_url}?mine=perhaps")
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("mine=1")
    assert_accessible(page, "bad filter")
    screenshot("bad-filter")
    assert script_errors(console_errors) == []


def test_keyboard_only_sign_in_claim_resolve_and_reopen(page, site, desk_url, tickets, screenshot):
    reference = new_ticket(tickets)
    page.goto(f"{desk_url}login")
    expect(page.get_by_label("Username")).to_be_focused()  # autofocus: no Tab needed
    page.keyboard.type(site.staff_user)
    page.keyboard.press("Tab")
    page.keyboard.type(site.staff_password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(desk_url)

    tab_to(page, page.get_by_role("link", name=reference, exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)

    for button, status in (
        ("Claim this ticket", f"You claimed {reference}."),
        ("Mark as resolved", f"{reference} is resolved."),
        ("Reopen this ticket", f"{reference} is open again"),
    ):
        tab_to(page, page.get_by_role("button", name=button))
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text(status)
    screenshot()
    assert tickets.get(reference).status == "open"


@pytest.fixture
def narrow(browser: Browser, site):
    """A page of ``width`` CSS px; a device scale factor of 2 or 4 is how 200 % / 400 % zoom of a
    1280 px window looks (the same CSS width, the same pixels)."""
    contexts = []

    def make(width: int, height: int, scale: float = 1) -> Page:
        context = browser.new_context(
            base_url=site.page_url, viewport={"width": width, "height": height}, device_scale_factor=scale
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize(
    "width, height, scale, name",
    [(320, 640, 1, "320px"), (640, 400, 2, "zoom-200"), (320, 200, 4, "zoom-400")],
)
def test_no_sideways_scrolling_when_narrow_or_zoomed(
    narrow, site, desk_url, tickets, screenshot, width, height, scale, name
):
    reference = new_ticket(tickets)
    note = f"Wrote to {LONG_EMAIL}; see https://www.almere.nl/{'x' * 60}"
    tickets.add_note(reference, site.staff_user, note)
    page = narrow(width, height, scale)
    page.goto(f"{desk_url}login")
    assert_no_sideways_scroll(page, f"sign-in at {name}")
    sign_in(page, site, desk_url)
    assert_no_sideways_scroll(page, f"queue at {name}")
    link = page.get_by_role("link", name=reference, exact=True)
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box["height"] < 2 * 16 * 1.5, "the reference wraps onto a second line"
    screenshot(f"{name}-queue", target=page)
    link.click()
    expect(page.get_by_role("link", name=LONG_EMAIL)).to_be_visible()
    assert_no_sideways_scroll(page, f"ticket at {name}")
    expect(page.get_by_role("button", name="Claim this ticket")).to_be_visible()
    assert_accessible(page, f"ticket at {name}")
    screenshot(f"{name}-ticket", target=page)
