"""The chat on another site, as a city's web team adds it: the one-line snippet on pages of another
origin (an allowed one), behind a hostile stylesheet and a strict Content-Security-Policy
(sites.HOST_PAGES, host_page_policy). The main journeys, at 200 % and 400 % zoom too, axe-core, the
page's options (position, colour, a link that opens the chat), one global, and CORS for the allowed
origins only. A live chat and its rating on such a site: test_live_chat.py."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from accessibility import assert_accessible
from chat_widget import REFERENCE, WIDGET, ChatWidget
from playwright.sync_api import Page, expect
from support import figure

TRAIN = f"{figure('train_to_schiphol_min')} minutes"  # as the answer puts it
INWONERS = figure("inhabitants", "nl")  # the population as the Dutch answer writes it

WIDGET_ELEMENT = "[data-almere-chat]"


@pytest.fixture
def host_page(context, page: Page, site) -> Page:
    """The page, on the host site (another origin than the chat server's)."""
    page.goto(site.host_url)
    return page


def test_the_snippet_on_another_site_with_a_hostile_stylesheet_and_a_strict_policy(
    host_page, site, console_errors, screenshot
):
    page = host_page
    to_rasa = []  # the socket.io requests: without the proxy's cookie, routed on their session_id
    page.on("request", lambda request: request.url.startswith(site.rasa_url) and to_rasa.append(request.url))
    page.on("websocket", lambda socket: to_rasa.append(socket.url))
    chat = ChatWidget(page)
    expect(chat.launcher).to_be_visible()
    # The page's styles stop at the shadow root: not its font size, nor its hidden buttons.
    size = chat.launcher.evaluate("launcher => parseFloat(getComputedStyle(launcher).fontSize)")
    assert size < 24, f"the page's font size reached the widget: {size} px"
    # Its options: on the left, in the city's colour (a custom property set by the page).
    box = chat.launcher.bounding_box()
    assert box["x"] < page.viewport_size["width"] / 2, box
    background = chat.launcher.evaluate("launcher => getComputedStyle(launcher).backgroundColor")
    assert background == "rgb(92, 0, 64)"
    assert_accessible(page, "host page, chat closed", WIDGET_ELEMENT)
    screenshot("closed")

    chat.open()
    # (Not a population question: the insights test counts the votes on those of this site.)
    chat.say("How long is the train to Schiphol?", TRAIN)
    answer = chat.bot_items.filter(has_text=TRAIN).last
    answer.get_by_role("button", name="Helpful", exact=True).click()  # a POST to the chat server
    expect(chat.status).to_have_text("Thank you for your feedback.")
    assert_accessible(page, "host page, an answer", WIDGET_ELEMENT)
    screenshot("answer")

    # Another page of the site: the same conversation, still open.
    page.goto(site.host_url + "other.html")
    expect(chat.panel).to_be_visible()
    expect(chat.bot_messages.filter(has_text=TRAIN)).to_have_count(1)
    chat.say("I want to talk to a person", "What is your name?")
    chat.say("Ana Silva", "How can a colleague reach you?")
    chat.say("ana@example.org", "What would you like to ask the desk?")
    chat.say("Is there a ferry to Amsterdam?", "private person")
    chat.choose("As a private person", "May I store your name")
    privacy = chat.bot_items.last.get_by_role("link", name="privacy statement")
    expect(privacy).to_have_attribute("href", f"{site.page_url}privacy")  # the chat server's statement
    expect(chat.log.get_by_role("button", name="Yes, I agree")).to_be_in_viewport(ratio=1)
    assert_accessible(page, "host page, consent", WIDGET_ELEMENT)
    chat.choose("Yes, I agree", REFERENCE)
    screenshot("reference")

    chat.options.click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Save a copy (text file)").click()
    copy = open(download.value.path(), encoding="utf-8").read()
    assert "You: How long is the train to Schiphol?" in copy and TRAIN in copy
    chat.options.click()
    page.get_by_role("button", name="Start a new conversation").click()
    confirm = page.get_by_role("group", name=re.compile("^" + re.escape("Start a new conversation?")))
    confirm.get_by_role("button", name="Start a new conversation").click()
    expect(chat.user_messages).to_have_count(0)
    chat.say("How many companies are there in Almere?", figure("companies"))
    assert console_errors == []  # the policy blocked nothing the widget needs
    routes = {parse_qs(urlsplit(url).query).get("session_id", [""])[0] for url in to_rasa}
    assert len(to_rasa) >= 2 and len(routes) == 1 and re.fullmatch("[0-9a-f]{32}", routes.pop()), to_rasa


def test_a_link_on_the_page_opens_the_chat_and_one_global_is_defined(host_page, site, console_errors):
    page = host_page
    chat = ChatWidget(page)
    expect(chat.launcher).to_be_visible()
    page.get_by_role("link", name="Chat with us").click()
    expect(chat.panel).to_be_visible()
    expect(chat.input).to_be_focused()
    expect(chat.bot_messages.first).to_contain_text("virtual assistant")
    names = set(page.evaluate("Object.getOwnPropertyNames(window)"))
    page.goto(site.host_url + "plain.html")
    without = set(page.evaluate("Object.getOwnPropertyNames(window)"))
    assert names - without == {"AlmereChat"}
    page.goto(site.host_url)
    expect(chat.panel).to_be_visible()  # it was open, so it opens again
    # The widget's own language switch (the page has no language parameter): the widget alone.
    chat.options.click()
    page.get_by_role("button", name="Nederlands").click()
    dutch = page.get_by_role("log", name="Gesprek")
    expect(dutch).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the page is the page's
    page.get_by_role("textbox", name="Je bericht").fill("Hoeveel inwoners heeft Almere?")
    page.get_by_role("textbox", name="Je bericht").press("Enter")
    expect(dutch.locator(".chat-message-bot").filter(has_text=INWONERS)).to_have_attribute("lang", "nl")
    page.evaluate("window.AlmereChat.close()")
    expect(page.locator("#chat-panel")).to_be_hidden()
    expect(page.get_by_role("button", name="Vraag het de assistent")).to_be_focused()
    assert page.evaluate(f"{WIDGET}.mode") == "open"
    assert console_errors == []


@pytest.mark.parametrize("zoom", [2, 4], ids=["200", "400"])
def test_the_chat_on_another_site_zoomed(browser, site, console_errors, screenshot, zoom):
    """A 1280 × 1024 screen at 200 % and 400 %: the panel fits, every control is in reach, and the
    log keeps at least half the panel."""
    width, height = 1280 // zoom, 1024 // zoom
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=zoom)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.goto(site.host_url)
    chat = ChatWidget(page)
    chat.open()
    box = chat.panel.bounding_box()
    assert (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width
        and box["y"] + box["height"] <= height
    )
    send = chat.panel.get_by_role("button", name="Send", exact=True)
    for control in (chat.options, chat.close_button, chat.input, send):
        expect(control).to_be_in_viewport(ratio=1)
    chat.say("How many people live in Almere?", figure("inhabitants"))
    answer = chat.bot_items.filter(has_text=figure("inhabitants")).last
    expect(answer.get_by_role("button", name="Not helpful")).to_be_in_viewport(ratio=1)
    assert chat.log.evaluate("log => log.clientHeight") >= 0.5 * box["height"]
    assert_accessible(page, f"host page at {zoom}00 %", WIDGET_ELEMENT)
    screenshot(f"zoom-{zoom}00", target=page)
    context.close()
    assert console_errors == []


def test_only_the_allowed_origins_may_read_the_settings_and_post_feedback(site):
    host = site.host_url.rstrip("/")
    config = f"{site.page_url}widget/config?language=nl"
    allowed = requests.get(config, headers={"Origin": host}, timeout=10)
    assert allowed.headers["Access-Control-Allow-Origin"] == host
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    assert allowed.json()["texts"]["you"] == "Jij"
    assert allowed.json()["feedback_url"] == f"{site.page_url}feedback"
    foreign = site.foreign_url.rstrip("/")
    refused = requests.get(config, headers={"Origin": foreign}, timeout=10)
    assert "Access-Control-Allow-Origin" not in refused.headers
    for path in ("feedback", "answer-feedback"):
        preflight = {"Origin": host, "Access-Control-Request-Method": "POST"}
        answer = requests.options(f"{site.page_url}{path}", headers=preflight, timeout=10)
        assert answer.status_code == 200
        assert answer.headers["Access-Control-Allow-Origin"] == host
        assert "Content-Type" in answer.headers["Access-Control-Allow-Headers"]
        preflight["Origin"] = foreign
        answer = requests.options(f"{site.page_url}{path}", headers=preflight, timeout=10)
        assert "Access-Control-Allow-Origin" not in answer.headers
