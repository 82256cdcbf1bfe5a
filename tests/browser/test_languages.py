"""The page, the widget and the desk in Dutch and English, in Chromium with a Dutch
browser: the page opens in Dutch, a Dutch question gets the Dutch answer marked lang="nl", the
widget's switch reloads in English and the next answer is English; axe on the Dutch page and
widget; a colleague picks Dutch in the desk and opens a ticket and the live chats in Dutch (axe on
each, live.js's texts from the page)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

import pytest
from accessibility import assert_accessible
from playwright.sync_api import Browser, Page, expect
from support import figure

from bot.tickets import TicketService, TranscriptEntry
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.live_chat_tickets import LiveChatService

INWONERS = figure("inhabitants", "nl")  # the population as the Dutch answer writes it


@pytest.fixture
def dutch_page(browser: Browser, site, console_errors) -> Page:
    context = browser.new_context(
        base_url=site.page_url, viewport={"width": 1280, "height": 800}, locale="nl-NL"
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def desk_database(site):
    """The site's ticket database, to put a ticket and a waiting live chat in as the assistant would."""
    engine = create_engine_for(site.env["ALMERE_DATABASE_URL"])
    factory = create_session_factory(engine)
    yield TicketService(factory), LiveChatService(factory)
    engine.dispose()


def test_the_page_and_the_widget_in_dutch_then_english(dutch_page, console_errors, screenshot):
    page = dutch_page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Over Almere")
    expect(page.get_by_role("heading", name="Almere in cijfers")).to_be_visible()
    expect(page.locator(".figure dt").first).to_have_text(INWONERS)
    expect(page.locator(".figure dd").first).to_contain_text("inwoners")
    assert_accessible(page, "Dutch page")

    page.get_by_role("button", name="Vraag het de assistent").click()
    log = page.get_by_role("log", name="Gesprek")
    bot = log.locator(".chat-message-bot")
    expect(bot.first).to_contain_text("Hallo!")
    expect(bot.first).to_have_attribute("lang", "nl")
    expect(log.get_by_role("group", name="Voorgestelde antwoorden").get_by_role("button")).to_have_count(5)
    expect(page.get_by_role("textbox", name="Je bericht")).to_have_attribute("placeholder", "Typ je vraag")
    assert_accessible(page, "Dutch widget open")
    screenshot("nl", target=page)

    page.get_by_role("textbox", name="Je bericht").fill("Hoeveel inwoners heeft Almere?")
    page.get_by_role("textbox", name="Je bericht").press("Enter")
    answer = bot.filter(has_text=INWONERS).last
    expect(answer).to_be_visible()
    expect(answer).to_have_attribute("lang", "nl")
    expect(log.locator(".chat-message-user").last).to_have_attribute("lang", "nl")
    expect(answer.locator(".visually-hidden").first).to_have_text("Assistent: ")
    screenshot("nl-answer", target=page)

    page.get_by_role("button", name="Opties").click()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("About Almere")
    log = page.get_by_role("log", name="Conversation")
    expect(log.locator(".chat-message-bot").filter(has_text=INWONERS)).to_have_count(1)  # kept
    count = log.locator(".chat-message-bot").count()
    page.get_by_role("textbox", name="Your message").fill("How many jobs are there in Almere?")
    page.get_by_role("textbox", name="Your message").press("Enter")
    reply = log.locator(".chat-message-bot").nth(count)
    expect(reply).to_be_visible()
    expect(log.locator(".chat-message-bot").filter(has_text=figure("jobs")).last).to_have_attribute(
        "lang", "en"
    )
    assert_accessible(page, "English widget after the switch")
    screenshot("en", target=page)
    assert console_errors == []


def test_a_colleague_picks_dutch_in_the_desk(dutch_page, site, desk_database, console_errors, screenshot):
    page = dutch_page
    tickets, live_chats = desk_database
    now = datetime.now(timezone.utc)
    reference = tickets.open_or_update(
        f"browser-{uuid.uuid4().hex}",
        "socketio",
        name="Maria van der Berg",
        email="maria@example.org",
        phone=None,
        question="Kan ik me inschrijven op het adres van een vriend?",
        desk="international",
        topic="out_of_scope",
        consent_given=True,
        transcript=[TranscriptEntry("user", "Kan ik me inschrijven op het adres van een vriend?", now)],
        language="nl",
    ).reference
    chat = live_chats.request(
        f"browser-{uuid.uuid4().hex}",
        "socketio",
        desk="business",
        question=None,
        topic=None,
        transcript=[TranscriptEntry("user", "Ik wil iemand spreken", now)],
        language="nl",
    )
    desk = site.page_url.rstrip("/") + "/desk/"
    page.goto(desk + "login")
    expect(page.locator("html")).to_have_attribute("lang", "nl")  # the sign-in follows the browser
    page.get_by_label("Gebruikersnaam").fill(site.staff_user)
    page.get_by_label("Wachtwoord").fill(site.staff_password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")  # English until chosen
    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtrij")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("status")).to_contain_text("De desk is nu in het Nederlands.")
    assert_accessible(page, "desk queue in Dutch")
    screenshot(target=page)

    page.goto(desk + f"tickets/{reference}")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="Contact")).to_be_visible()
    expect(page.get_by_role("button", name="Dit ticket oppakken")).to_be_visible()
    expect(page.get_by_role("heading", name="Interne notities")).to_be_visible()
    expect(page.get_by_role("textbox", name="Interne notitie", exact=True)).to_be_visible()
    expect(page.locator(".message-user .meta strong")).to_have_text("Persoon")
    assert_accessible(page, "ticket page in Dutch")
    screenshot("ticket", target=page)
    page.get_by_role("button", name="Dit ticket oppakken").click()
    expect(page.get_by_role("status")).to_contain_text(f"Je hebt {reference} opgepakt.")

    page.goto(desk + "live/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Livechats")
    expect(page.get_by_role("heading", name="Wachtende en actieve chats")).to_be_visible()
    expect(page.locator("#chats-updated")).to_contain_text("Bijgewerkt om")  # live.js, from data-texts
    row = page.locator("#chats tr", has=page.get_by_role("link", name=chat.reference))
    expect(row).to_contain_text("wacht")
    expect(row).to_contain_text("ondernemers")
    expect(page.locator("#chats th").first).to_have_text("Referentie")
    assert_accessible(page, "live chats in Dutch")
    screenshot("live", target=page)

    page.get_by_role("link", name=chat.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Livechat")
    expect(page.locator("#chat-state")).to_have_text("wacht")
    expect(page.get_by_role("button", name="Deze chat aannemen")).to_be_visible()
    # live.js compares the chat's state (data-state), not its Dutch name: its refreshes do not reload.
    page.evaluate("window.notReloaded = true")
    page.wait_for_timeout(2500)
    assert page.evaluate("window.notReloaded === true")
    assert_accessible(page, "a live chat in Dutch")
    screenshot("live-chat", target=page)
    assert console_errors == []

    page.goto(desk)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
    assert re.search(r"/desk/", page.url)
