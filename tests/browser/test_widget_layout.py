"""Every control of the widget in view where it is needed, at 100 %, 200 % and 400 % zoom (a
smaller viewport in CSS pixels, as in test_widget_accessibility.py): the vote row under an answer
and the consent step's buttons are scrolled into the log, not left below it, and the log keeps
enough of the panel to read; the rating page's button is a real button, clear of the launcher.
Also: an English question that names Dutch is answered in English, in the widget and over REST."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
import requests
from chat_widget import ChatWidget
from playwright.sync_api import Browser, Locator, Page, expect
from support import figure

from bot.tickets import TicketService, TranscriptEntry
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.ratings import RatingService

# width, height and device scale of 100 %, 200 % and 400 % zoom of a 1280 x 1024 window.
SIZES = {"100": (1280, 1024, 1), "200": (640, 512, 2), "400": (320, 256, 4)}
# The least share of the panel's height (at most the window's) the conversation keeps, at any step.
LOG_SHARE = 0.5
DUTCH_NAMED = (
    "Are there jobs for people who don't speak Dutch?",
    "Do I need to speak Dutch to work in Almere?",
)


@pytest.fixture
def sized_page(browser: Browser, site, console_errors):
    contexts = []

    def make(size: str) -> Page:
        width, height, scale = SIZES[size]
        context = browser.new_context(
            base_url=site.page_url, viewport={"width": width, "height": height}, device_scale_factor=scale
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


def fully_in_view(control: Locator) -> None:
    """``control`` is wholly inside the log's visible part (and the window), without scrolling."""
    expect(control).to_be_in_viewport(ratio=1)


def log_height(chat: ChatWidget) -> float:
    return chat.log.evaluate("log => log.clientHeight")


def least_log_height(chat: ChatWidget, viewport_height: int) -> float:
    return LOG_SHARE * min(viewport_height, chat.panel.bounding_box()["height"])


@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_control_is_in_view_and_the_log_keeps_its_room(size, sized_page, console_errors, screenshot):
    page = sized_page(size)
    viewport_height = SIZES[size][1]
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    chat.say("How many people live in Almere?", figure("inhabitants"))
    votes = chat.bot_items.filter(has_text=figure("inhabitants")).last.get_by_role(
        "group", name="Was this answer helpful?"
    )
    fully_in_view(votes.get_by_role("button", name="Not helpful"))
    assert log_height(chat) >= least_log_height(chat, viewport_height), (
        f"log {log_height(chat)} px at {size} %"
    )
    screenshot(f"{size}-votes", target=page)

    chat.say("I want to talk to a person", "What is your name?")
    chat.say("Ana Silva", "How can a colleague reach you?")
    expect(page.get_by_role("group", name="Answer with:")).to_be_visible()
    assert log_height(chat) >= least_log_height(chat, viewport_height), (
        f"log {log_height(chat)} px at {size} % (contact)"
    )
    chat.say("ana@example.org", "What would you like to ask the desk?")
    chat.say("Is there a ferry to Amsterdam?", "private person")
    chat.choose("As a private person", "May I store your name")
    consent = chat.bot_items.last
    expect(consent.get_by_role("link", name="privacy statement")).to_be_visible()
    fully_in_view(chat.log.get_by_role("button", name="Yes, I agree"))
    fully_in_view(chat.log.get_by_role("button", name="No", exact=True))
    assert log_height(chat) >= least_log_height(chat, viewport_height), (
        f"log {log_height(chat)} px at {size} % (consent)"
    )
    screenshot(f"{size}-consent", target=page)
    for control in (chat.options, chat.close_button, chat.input, page.get_by_role("button", name="Send")):
        fully_in_view(control)
    assert console_errors == []


def test_a_reply_to_an_english_question_that_names_dutch_is_english(page, site):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    for question in DUTCH_NAMED:
        count = chat.bot_items.count()
        chat.say(question)
        reply = chat.bot_items.nth(count)
        expect(reply).to_have_attribute("lang", "en")
        expect(reply).not_to_contain_text("Almere heeft")
    for question in DUTCH_NAMED:
        body = {"sender": f"browser-{uuid.uuid4().hex}", "message": question}
        replies = requests.post(f"{site.rasa_url}/webhooks/rest/webhook", json=body, timeout=30).json()
        texts = " ".join(reply.get("text", "") for reply in replies)
        assert texts and "Almere heeft" not in texts and " the " in f" {texts} ", texts


@pytest.fixture
def rating_token(site) -> str:
    """The token of a rating question about a ticket, as the e-mail after a reply links it."""
    engine = create_engine_for(site.env["ALMERE_DATABASE_URL"])
    factory = create_session_factory(engine)
    reference = (
        TicketService(factory)
        .open_or_update(
            f"browser-{uuid.uuid4().hex}",
            "socketio",
            name="Ana Silva",
            email="ana@example.org",
            phone=None,
            question="Is there a ferry to Amsterdam?",
            desk="international",
            consent_given=True,
            transcript=[
                TranscriptEntry("user", "Is there a ferry to Amsterdam?", datetime.now(timezone.utc))
            ],
        )
        .reference
    )
    token = RatingService(factory, site.env["ALMERE_SECRET_KEY"]).ask(reference, "email")
    engine.dispose()
    return token


@pytest.mark.parametrize("size", ["100", "400"])
def test_the_rating_page_button_is_a_real_button_clear_of_the_launcher(
    size, sized_page, rating_token, screenshot
):
    page = sized_page(size)
    page.goto(f"/feedback/{rating_token}")
    chat = ChatWidget(page)
    expect(chat.launcher).to_be_visible()
    button = page.get_by_role("button", name="Send my answer")
    button.focus()
    box, launcher = button.bounding_box(), chat.launcher.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box  # a target as large as the widget's
    background = button.evaluate("button => getComputedStyle(button).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "rgb(239, 239, 239)", "rgb(240, 240, 240)")  # not the UA's
    overlap = not (
        box["x"] + box["width"] <= launcher["x"]
        or launcher["x"] + launcher["width"] <= box["x"]
        or box["y"] + box["height"] <= launcher["y"]
        or launcher["y"] + launcher["height"] <= box["y"]
    )
    assert not overlap, f"the launcher {launcher} covers the focused button {box}"
    screenshot(size, target=page)
