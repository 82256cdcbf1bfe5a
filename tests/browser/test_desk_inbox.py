"""The desk as the staff's daily inbox, in Chromium: what a colleague types goes where its label
says, and a waiting live chat is seen on every desk page."""

from __future__ import annotations

import re
import secrets

import pytest
from accessibility import assert_accessible, id_and_label_findings
from playwright.sync_api import Page, expect
from sites import Account, Running, running_site
from support import smtp_server
from test_desk_accessibility import new_ticket, script_errors

from bot.tickets import TicketService
from bot.tickets.database import create_engine_for, create_session_factory

pytestmark = pytest.mark.e2e


COLLEAGUES = [
    Account("anna", secrets.token_urlsafe(12), "Anna"),
    Account("bram", secrets.token_urlsafe(12), "Bram"),
]


@pytest.fixture(scope="module")
def inbox_site(tmp_path_factory) -> Running:
    """The servers with e-mail set up (a local SMTP server), so a ticket page has both boxes."""
    with smtp_server() as (inbox, port):
        extra = {"ALMERE_SMTP_HOST": "127.0.0.1", "ALMERE_SMTP_PORT": str(port)}
        with running_site(tmp_path_factory.mktemp("inbox"), COLLEAGUES, extra) as running:
            running.inbox = inbox
            yield running


@pytest.fixture(scope="module")
def tickets(inbox_site) -> TicketService:
    engine = create_engine_for(inbox_site.database_url)
    yield TicketService(create_session_factory(engine))
    engine.dispose()


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
