"""The widget and the public pages against WCAG 2.1 AA: axe-core in every state, the
keyboard alone, 200 % and 400 % zoom and a 320 px wide screen, and what a visitor expects of a
chat (greeting, hints for the answers, reference, "not sent", unread replies, times, a new
conversation, a copy to keep).

Zoom is tested as a smaller viewport in CSS pixels (640 × 400 for 200 %, 320 × 256 for 400 % of a
1280 × 800 / 1280 × 1024 window), with ``device_scale_factor`` 2 and 4 so that screenshots are
drawn at the zoomed resolution. That is what browser zoom does to a layout: the CSS viewport
shrinks, so media queries, ``vh`` and ``vw`` respond. CSS ``zoom`` through ``page.evaluate``
would not: the viewport, and with it every media query, would stay 1280 px wide. Playwright
cannot set Chromium's own page zoom.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest
from accessibility import assert_accessible
from chat_widget import FOCUSED_ID, REFERENCE, WIDGET, ChatWidget
from playwright.sync_api import Browser, Page, expect
from support import desk_phone, figure

TRAIN = f"{figure('train_to_schiphol_min')} minutes"  # as the answer puts it

ZOOMS = {"200": (640, 400, 2), "400": (320, 256, 4)}
QUESTIONS = (
    ("How many people live in Almere?", figure("inhabitants")),
    ("How long is the train to Schiphol?", TRAIN),
    ("What's the business climate like?", "start-ups"),
    ("How many companies are there in Almere?", figure("companies")),
    ("How many international jobs are there?", figure("international_jobs")),
)


@pytest.fixture
def new_page(browser: Browser, site, console_errors):
    """``new_page(width, height, scale)``: a page in a context of its own (viewport, scale)."""
    contexts = []

    def make(width: int, height: int, scale: float = 1) -> Page:
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


def log_share(page: Page) -> float:
    """The conversation's share of the open panel's height."""
    return page.evaluate(
        f"(() => {{ const widget = {WIDGET};"
        " return widget.getElementById('chat-log').clientHeight"
        " / widget.getElementById('chat-panel').clientHeight; })()"
    )


def no_sideways_scrolling(page: Page) -> None:
    expect(page.locator("#chat-log")).to_be_attached()  # the widget is there (widget.js runs async)
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(
        f"(() => {{ const log = {WIDGET}.getElementById('chat-log');"
        " return log.scrollWidth <= log.clientWidth; })()"
    )


def wait_until(page: Page, condition: str, timeout: float = 20) -> None:
    """Poll the JavaScript ``condition`` until it holds. (``page.wait_for_function`` evaluates
    its predicate with ``eval`` in the page, which the page's CSP rightly refuses.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(condition):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {condition}"
        time.sleep(0.05)


def input_hint(chat: ChatWidget) -> dict[str, str | None]:
    return {
        name: chat.input.get_attribute(name) for name in ("type", "inputmode", "autocomplete", "placeholder")
    }


def test_the_page_and_the_widget_open_with_a_greeting_and_suggestions(page, console_errors, screenshot):
    page.goto("/")
    assert_accessible(page, "page")
    status_display = f"getComputedStyle({WIDGET}.getElementById('chat-status')).display"
    chat = ChatWidget(page)
    chat.open()
    expect(chat.bot_messages.first).to_contain_text("Hello! I'm the virtual assistant")
    buttons = chat.replies.get_by_role("button")
    expect(buttons).to_have_text(
        [
            "Where is Almere?",
            "Jobs in Almere",
            "International community",
            "Doing business",
            "Talk to a person",
        ]
    )
    # Each suggestion is read on its own (an item of a list), not run together with the next.
    expect(chat.replies.get_by_role("listitem")).to_have_count(5)
    assert "Where is Almere?\nJobs in Almere" in chat.replies.inner_text()
    # An empty status region is still there, so that its first message is announced.
    expect(chat.status).to_be_empty()
    assert page.evaluate(status_display) != "none"
    # Messages carry their time.
    stamp = chat.bot_items.first.locator("time")
    datetime.fromisoformat(stamp.get_attribute("datetime").replace("Z", "+00:00"))
    expect(stamp).to_have_text(re.compile(r"\d{1,2}:\d{2}"))
    assert_accessible(page, "widget open with quick replies")
    screenshot()
    chat.choose("Where is Almere?", "Flevoland")
    expect(chat.replies.get_by_role("button", name="Where is Almere?")).to_have_count(0)
    assert console_errors == []


def test_a_long_conversation_scrolls_back_with_the_keyboard(page, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    for question, answer in QUESTIONS:
        chat.say(question, answer)
    overflow = (
        f"(() => {{ const log = {WIDGET}.getElementById('chat-log');"
        " return log.scrollHeight - log.clientHeight; })()"
    )
    assert page.evaluate(overflow) > 200, "the conversation does not overflow"
    assert_accessible(page, "long conversation")
    scroll_top = f"{WIDGET}.getElementById('chat-log').scrollTop"
    chat.close_button.focus()
    page.keyboard.press("Tab")  # the log is the next stop
    expect(chat.log).to_be_focused()
    at_end = page.evaluate(scroll_top)
    # Scrolling may be smooth: wait for the position rather than reading it once.
    page.keyboard.press("PageUp")
    wait_until(page, f"{scroll_top} < {at_end}")
    page.keyboard.press("Home")
    wait_until(page, f"{scroll_top} === 0")
    expect(chat.log.locator(".chat-intro")).to_be_in_viewport()
    screenshot("scrolled-back")
    page.keyboard.press("End")
    wait_until(page, f"{scroll_top} >= {at_end} - 1")
    screenshot()


def test_each_handoff_step_is_accessible_and_the_input_follows_the_question(page, site, screenshot):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    default = {
        "type": "text",
        "inputmode": "text",
        "autocomplete": "off",
        "placeholder": "Type your question",
    }
    chat.say("What's the average rent?", "don't know")
    chat.choose("Yes, please", "What is your name?")
    expect(chat.input).to_have_attribute("autocomplete", "name")
    assert input_hint(chat) == default | {"autocomplete": "name", "placeholder": "Your name"}
    assert_accessible(page, "handoff: name")
    screenshot("name")

    chat.say("Ana Silva", "email address or phone number")
    kind = page.get_by_role("group", name="Answer with:")
    expect(kind).to_be_visible()
    expect(kind.get_by_role("button", name="E-mail address")).to_have_attribute("aria-pressed", "true")
    expect(chat.input).to_have_attribute("type", "email")
    assert input_hint(chat) == {
        "type": "email",
        "inputmode": "email",
        "autocomplete": "email",
        "placeholder": "Your e-mail address",
    }
    assert_accessible(page, "handoff: e-mail")
    screenshot("email")
    kind.get_by_role("button", name="Phone number").click()
    expect(chat.input).to_be_focused()
    expect(chat.input).to_have_attribute("type", "tel")
    assert input_hint(chat) == {
        "type": "tel",
        "inputmode": "tel",
        "autocomplete": "tel",
        "placeholder": "Your phone number",
    }
    expect(kind.get_by_role("button", name="E-mail address")).to_have_attribute("aria-pressed", "false")
    assert_accessible(page, "handoff: phone")
    screenshot("phone")
    kind.get_by_role("button", name="E-mail address").click()
    expect(chat.input).to_have_attribute("type", "email")

    chat.say("ana@example.org", "Shall I pass it on like this?")
    expect(kind).to_be_hidden()
    expect(chat.input).to_have_attribute("placeholder", "Choose a reply above, or type one")
    expect(chat.input).to_have_attribute("autocomplete", "off")
    assert_accessible(page, "handoff: confirmation of the question")
    screenshot("confirmation")
    chat.choose("Yes, that's my question", "private person")
    chat.choose("As a private person", "May I store your name")
    consent = chat.bot_items.last
    privacy = consent.get_by_role("link", name="privacy statement")
    expect(privacy).to_have_attribute("href", f"{site.page_url}privacy")  # the chat server's, absolute
    assert_accessible(page, "handoff: consent")
    screenshot("consent")

    chat.choose("Yes, I agree", REFERENCE)
    final = chat.bot_items.filter(has_text=REFERENCE).last
    reference = final.locator("strong.reference")
    expect(reference).to_have_text(REFERENCE)
    number = reference.inner_text()
    assert input_hint(chat) == default  # the question was answered: back to an ordinary one
    assert_accessible(page, "handoff: reference")
    final.get_by_role("button", name=f"Copy reference {number}").click()
    expect(chat.status).to_have_text(f"Reference {number} copied.")
    assert page.evaluate("navigator.clipboard.readText()") == number
    screenshot()

    # The hint survives a reload, as the conversation does: here, the ordinary question.
    page.reload()
    expect(chat.bot_messages.filter(has_text=REFERENCE)).to_have_count(1)
    assert input_hint(chat) == default


def test_the_privacy_link_of_the_consent_question_keeps_the_conversation(page, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    chat.say("I want to talk to a person", "What is your name?")
    chat.say("Ana Silva", "How can a colleague reach you?")
    page.get_by_role("group", name="Answer with:").get_by_role("button", name="Phone number").click()
    chat.say("+31 6 12345678", "What would you like to ask the desk?")
    expect(chat.input).to_have_attribute("placeholder", "Your question for the desk")
    chat.say("Is there a ferry to Amsterdam?", "private person")
    chat.choose("As a private person", "May I store your name")
    chat.bot_items.last.get_by_role("link", name="privacy statement").click()
    expect(page).to_have_url(re.compile(r"/privacy$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy statement")
    # The chat is open on the statement page too, with the question and its buttons.
    expect(chat.panel).to_be_visible()
    expect(chat.log.get_by_role("button", name="Yes, I agree")).to_be_visible()
    assert_accessible(page, "privacy statement with the chat open")
    screenshot()
    chat.choose("No", "not stored or shared anything")


@pytest.mark.parametrize("path", ["/privacy", "/accessibility"])
def test_the_statement_pages_are_accessible(page, path, screenshot):
    page.goto("/")
    name = "Privacy statement" if path == "/privacy" else "Accessibility statement"
    page.locator("footer").get_by_role("link", name=name).click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    assert_accessible(page, f"{name.lower()}")
    screenshot()


def test_a_message_sent_during_a_disconnect_is_marked_and_can_be_retried(page, site, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    chat.say("How many companies are there in Almere?", figure("companies"))
    site.stop_rasa()
    try:
        expect(chat.status).to_contain_text(re.compile("Reconnecting|Trying again"))
        chat.input.fill("And how many international jobs?")
        chat.input.press("Enter")
        unsent = chat.user_items.last
        expect(unsent.locator(".chat-failed")).to_contain_text("Not sent.")
        expect(chat.status).to_have_text(
            "Your message was not sent: there is no connection. Use Retry when it is back."
        )
        expect(page.locator("#chat-typing")).to_be_hidden()
        assert_accessible(page, "offline, a message not sent")
        screenshot("not-sent")
    finally:
        site.start_rasa()
    expect(chat.status).to_have_text(
        "Connected again. Use Retry to send the message that was not sent.", timeout=30_000
    )
    unsent.get_by_role("button", name="Retry").click()
    expect(unsent.locator(".chat-failed")).to_have_count(0)
    expect(chat.bot_messages.filter(has_text=figure("international_jobs"))).to_have_count(1)
    screenshot()


def test_a_reply_while_the_panel_is_closed_shows_on_the_launcher(page, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    chat.say("Hello", "virtual assistant")
    chat.input.fill("How long is the train to Schiphol?")
    # Send and close at once, so that the reply surely arrives while the panel is closed.
    page.evaluate(
        f"(() => {{ const widget = {WIDGET}; widget.getElementById('chat-form').requestSubmit();"
        " widget.getElementById('chat-close').click(); })()"
    )
    expect(chat.panel).to_be_hidden()
    badge = page.locator("#chat-unread")
    expect(badge).to_have_text("1 new reply")
    expect(chat.launcher).to_have_accessible_name(re.compile(r"Ask the assistant\s*1 new reply"))
    expect(page.locator("#chat-announce")).to_have_text(
        "The assistant replied. Open the chat to read the reply."
    )
    assert_accessible(page, "closed, with an unread reply")
    screenshot("unread")
    chat.launcher.click()
    expect(chat.bot_messages.filter(has_text=TRAIN)).to_have_count(1)
    expect(badge).to_be_hidden()
    chat.close_button.click()
    expect(badge).to_be_hidden()
    screenshot()


def test_a_new_conversation_after_confirming_and_a_copy_to_keep(page, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    chat.say("How many people live in Almere?", figure("inhabitants"))
    first_session = chat.session_id()

    chat.options.click()
    expect(chat.options).to_have_attribute("aria-expanded", "true")
    with page.expect_download() as download:
        page.get_by_role("button", name="Save a copy (text file)").click()
    assert download.value.suggested_filename.startswith("almere-conversation-")
    copy = open(download.value.path(), encoding="utf-8").read()
    assert "You: How many people live in Almere?" in copy
    assert "Assistant: " in copy and figure("inhabitants") in copy
    expect(chat.status).to_have_text("A copy of the conversation was saved as a text file.")

    chat.options.click()
    page.get_by_role("button", name="Start a new conversation").click()
    confirm = page.get_by_role("group", name=re.compile("^" + re.escape("Start a new conversation?")))
    expect(confirm).to_be_visible()
    expect(confirm.get_by_role("button", name="Start a new conversation")).to_be_focused()
    assert_accessible(page, "confirming a new conversation")
    screenshot("confirm")
    confirm.get_by_role("button", name="Keep this conversation").click()
    expect(chat.user_messages).to_have_count(1)  # nothing was cleared

    chat.options.click()
    page.get_by_role("button", name="Start a new conversation").click()
    confirm.get_by_role("button", name="Start a new conversation").click()
    expect(chat.user_messages).to_have_count(0)
    expect(chat.bot_messages).to_have_count(1)
    expect(chat.bot_messages.first).to_contain_text("Hello! I'm the virtual assistant")
    expect(chat.status).to_have_text("A new conversation has started.")
    expect(chat.input).to_be_focused()
    new_session = "(() => { const id = JSON.parse(sessionStorage.getItem('almere-chat')).sessionId;"
    wait_until(page, new_session + f" return id && id !== {first_session!r}; }})()")
    chat.say("How long is the train to Schiphol?", TRAIN)
    screenshot()


def test_the_options_and_the_conversation_work_with_the_keyboard_alone(page, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    chat.launcher.focus()
    page.keyboard.press("Enter")
    expect(chat.input).to_be_focused()
    # Back from the input to a suggestion, and choose it with the keyboard.
    page.keyboard.press("Shift+Tab")
    expect(chat.replies.get_by_role("button", name="Talk to a person")).to_be_focused()
    page.keyboard.press("Enter")
    expect(chat.bot_messages.filter(has_text="What is your name?")).to_have_count(1)
    expect(chat.input).to_be_focused()
    expect(chat.input).to_have_attribute("autocomplete", "name")
    page.keyboard.type("never mind")
    page.keyboard.press("Enter")
    expect(chat.bot_messages.filter(has_text="nothing has been passed on")).to_have_count(1)
    # The options open and close with the keyboard; Escape closes them before the panel.
    chat.options.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Save a copy (text file)")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Save a copy (text file)")).to_be_hidden()
    expect(chat.options).to_be_focused()
    expect(chat.panel).to_be_visible()
    screenshot()
    page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_be_focused()


@pytest.mark.parametrize("zoom", sorted(ZOOMS))
def test_the_conversation_stays_usable_when_zoomed(zoom, new_page, console_errors, screenshot):
    width, height, scale = ZOOMS[zoom]
    page = new_page(width, height, scale)
    page.goto("/")
    no_sideways_scrolling(page)
    assert_accessible(page, f"page at {zoom} %")
    screenshot("page", target=page)
    chat = ChatWidget(page)
    # Keyboard only, as at 100 %.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_ID) == "chat-launcher":
            break
    page.keyboard.press("Enter")
    expect(chat.input).to_be_focused()
    box = chat.panel.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height
    # At 400 % the header and intro must not take the panel: the conversation keeps half of it.
    share = log_share(page)
    assert share >= 0.5, f"the conversation has {share:.0%} of the panel at {zoom} %"
    page.keyboard.type("How many people live in Almere?")
    page.keyboard.press("Enter")
    expect(chat.bot_messages.filter(has_text=figure("inhabitants"))).to_have_count(1)
    no_sideways_scrolling(page)
    assert_accessible(page, f"widget at {zoom} %")
    screenshot("answer", target=page)
    # The contact question's extra row still leaves the conversation half of the panel.
    chat.say("I want to talk to a person", "What is your name?")
    chat.say("Ana Silva", "How can a colleague reach you?")
    expect(page.get_by_role("group", name="Answer with:")).to_be_visible()
    share = log_share(page)
    assert share >= 0.5, f"the conversation has {share:.0%} of the panel at {zoom} % (contact)"
    no_sideways_scrolling(page)
    assert_accessible(page, f"handoff: e-mail at {zoom} %")
    screenshot("contact", target=page)
    assert console_errors == []


def test_a_320_pixel_wide_screen(new_page, screenshot):
    page = new_page(320, 640)
    page.goto("/")
    no_sideways_scrolling(page)
    chat = ChatWidget(page)
    chat.open()
    chat.say("How can I make an appointment at the business service desk?", desk_phone())
    chat.options.click()
    no_sideways_scrolling(page)
    assert_accessible(page, "widget 320 px wide, options open")
    screenshot(target=page)
    page.goto("/accessibility")
    no_sideways_scrolling(page)
    assert_accessible(page, "accessibility statement 320 px wide")
    screenshot("statement", target=page)
