"""The public page and its chat widget in Chromium, against the real action, Rasa and desk servers."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from chat_widget import FOCUSED_ID, REFERENCE, ChatWidget
from playwright.sync_api import Page, expect
from support import desk_phone, fact, figure

from bot.config import REPO_ROOT

TRAIN = f"{figure('train_to_schiphol_min')} minutes"  # as the answer puts it

XSS = "<img src=x onerror=alert(1)>"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def go_through_handoff(chat: ChatWidget, question: str) -> str:
    """Ask for a person and answer the form's questions; return the ticket's reference."""
    chat.say("I want to talk to a person", "What is your name?")
    chat.say("Ana Silva", "How can a colleague reach you?")
    chat.say("ana@example.org", "What would you like to ask the desk?")
    chat.say(question, "private person")
    expect(chat.log.get_by_role("button", name="For a business")).to_be_visible()
    chat.choose("As a private person", "May I store your name")
    reply = chat.choose("Yes, I agree", REFERENCE)
    return REFERENCE.search(reply.inner_text()).group(0)


def sign_in_to_desk(page: Page, site, path: str) -> None:
    page.goto(f"{origin(site.page_url)}/desk/login?next={path}")
    page.get_by_label("Username").fill(site.staff_user)
    page.get_by_label("Password").fill(site.staff_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


# Names and numbers are not sentences: left out when comparing the page with its source.
NAMES = (desk_phone(abroad=True), desk_phone(), "International Affairs Department of the Municipality")


def words(text: str) -> list[str]:
    for name in NAMES:
        text = text.replace(name, " ")
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


def test_the_page_tells_about_almere_in_its_own_words(page, screenshot):
    page.goto("/")
    text = page.locator("main").inner_text()
    for name in (
        "inhabitants",
        "train_to_schiphol_min",
        "jobs",
        "companies",
        "international_jobs",
        "expats",
        "cultures",
    ):
        assert figure(name) in text, name
    assert fact("inhabitants").dated() in text
    source = words((REPO_ROOT / "bot" / "source" / "about-almere.txt").read_text(encoding="utf-8"))
    on_page = words(text)
    runs = {tuple(source[i : i + 7]) for i in range(len(source) - 6)}
    copied = [
        " ".join(run) for run in (tuple(on_page[i : i + 7]) for i in range(len(on_page) - 6)) if run in runs
    ]
    assert not copied, f"the page repeats the source: {copied[0]}"
    screenshot()


def test_a_question_gets_its_answer(page, console_errors, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("About Almere")
    # rendered from the knowledge file
    expect(page.locator(".figures")).to_contain_text(figure("inhabitants"))
    chat = ChatWidget(page)
    chat.open()
    reply = chat.say("How many people live in Almere?", figure("inhabitants"))
    expect(reply).to_contain_text(fact("inhabitants").dated())
    expect(chat.user_messages.last).to_have_text("You: How many people live in Almere?")
    expect(page.locator("#chat-typing")).to_be_hidden()
    assert console_errors == []
    screenshot()


def test_a_quick_reply_button_is_answered(page, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    chat.say("Hello", "virtual assistant")
    button = chat.log.get_by_role("button", name="How long is the train to Schiphol?")
    expect(button).to_be_visible()
    screenshot("buttons")
    chat.choose("How long is the train to Schiphol?", TRAIN)
    # The person's choice is shown as their message; the used buttons are gone.
    expect(chat.user_messages.last).to_contain_text("How long is the train to Schiphol?")
    expect(button).to_have_count(0)
    screenshot()


def test_the_conversation_survives_a_reload(page, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    chat.say("How many companies are there in Almere?", figure("companies"))
    session_id = chat.session_id()
    page.reload()
    expect(chat.panel).to_be_visible()  # it was open, so it opens again
    expect(chat.user_messages).to_have_text(["You: How many companies are there in Almere?"])
    # The greeting, then the answer, as before the reload.
    expect(chat.bot_messages.first).to_contain_text("virtual assistant")
    expect(chat.bot_messages.nth(1)).to_contain_text(figure("companies"))
    assert chat.session_id() == session_id
    # The same Rasa conversation continues: a follow-up is understood in context.
    chat.say("And how many international jobs?", figure("international_jobs"))
    screenshot()


def test_a_handoff_in_the_widget_reaches_the_desk(page, site, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    reference = go_through_handoff(chat, "How do I register my address in Almere?")
    screenshot("widget")

    sign_in_to_desk(page, site, "/desk/")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.locator("dd").filter(has_text="ana@example.org")).to_be_visible()
    transcript = page.locator(".transcript")
    expect(transcript).to_contain_text("I want to talk to a person")
    expect(transcript).to_contain_text("How do I register my address in Almere?")
    expect(transcript).to_contain_text("What is your name?")
    screenshot("desk")


def test_markup_in_a_message_is_shown_as_text(page, site, dialogs, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    question = f"Can I bring my cat? {XSS}"
    reference = go_through_handoff(chat, question)
    shown = chat.user_messages.filter(has_text=XSS)
    expect(shown).to_have_count(1)
    expect(shown).to_have_text(f"You: {question}")
    expect(chat.log.locator("img")).to_have_count(0)
    shown.scroll_into_view_if_needed()
    screenshot("widget")

    sign_in_to_desk(page, site, f"/desk/tickets/{reference}")
    expect(page.locator(".transcript")).to_contain_text(question)
    expect(page.locator("p.text").filter(has_text=question).first).to_be_visible()
    expect(page.locator("main img")).to_have_count(0)
    screenshot("desk")
    assert dialogs == []


def test_links_in_messages_become_anchors(page, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    chat.say("Is https://www.almere.nl/en/ the right website, or javascript:alert(2)?")
    message = chat.user_messages.last
    expect(message.get_by_role("link")).to_have_count(1)
    expect(message.get_by_role("link")).to_have_attribute("href", "https://www.almere.nl/en/")
    expect(message).to_contain_text("javascript:alert(2)?")
    screenshot()


def test_the_widget_works_with_the_keyboard_alone(page, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_ID) == "chat-launcher":
            break
    expect(chat.launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    expect(chat.input).to_be_focused()
    page.keyboard.type("How long is the train to Schiphol?")
    page.keyboard.press("Enter")
    expect(chat.bot_messages.filter(has_text=TRAIN)).to_have_count(1)
    expect(chat.input).to_be_focused()
    screenshot("open")
    page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_be_focused()
    screenshot("closed")


def test_new_messages_are_announced_to_screen_readers(page):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    expect(chat.log).to_have_attribute("aria-live", "polite")
    chat.say("Hello", "virtual assistant")
    # Messages are added inside the live region, each saying who speaks.
    expect(chat.log.locator(".chat-message-bot .visually-hidden").first).to_have_text("Assistant: ")


def test_the_page_loads_nothing_from_other_servers(page, site, console_errors, screenshot):
    requests, sockets = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    chat.say("What's the business climate like?", "start-ups")
    allowed = set(site.origins)
    assert {origin(url) for url in requests} <= allowed, requests
    assert origin(site.rasa_url) in {origin(url) for url in requests}  # the chat's polling start
    assert all(origin(url).replace("ws://", "http://") in allowed for url in sockets), sockets
    content_security_policy = page.request.get("/").headers["content-security-policy"]
    assert "default-src 'none'" in content_security_policy
    assert console_errors == []  # nothing was blocked by the policy
    screenshot()


def test_the_panel_fits_a_phone_screen(page, screenshot):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("page")
    chat = ChatWidget(page)
    chat.open()
    chat.say("Hello", "virtual assistant")
    chat.say("How can I make an appointment at the business service desk?", desk_phone())
    box = chat.panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert chat.log.evaluate("log => log.scrollWidth <= log.clientWidth")
    screenshot()


PROBE = """([url]) => new Promise((resolve) => {
  // What a page of another site could do: connect over WebSocket (no CORS) and ask for a session.
  const socket = io(url, { transports: ["websocket"], reconnection: false });
  const done = (result) => { clearTimeout(timer); socket.close(); resolve(result); };
  const timer = setTimeout(() => done("no answer"), 10000);
  socket.on("connect", () => socket.emit("session_request", { session_id: null }));
  socket.on("session_confirm", () => done("session confirmed"));
  socket.on("connect_error", (error) => done("refused: " + error.message));
})"""


def test_a_page_of_another_origin_cannot_open_the_chat(page, site, screenshot):
    page.goto("/")
    page.add_script_tag(url=f"{site.page_url}static/vendor/socket.io.min.js")  # the widget keeps its own
    assert page.evaluate(PROBE, [site.rasa_url]) == "session confirmed"  # the allowed page can

    page.goto(site.foreign_url)
    assert page.evaluate("typeof io") == "function"
    result = page.evaluate(PROBE, [site.rasa_url])
    assert result == "refused: This web page may not use the chat."
    screenshot()


def test_the_widget_reconnects_after_the_server_restarts(page, site, screenshot):
    page.goto("/")
    chat = ChatWidget(page)
    chat.open()
    chat.say("How many companies are there in Almere?", figure("companies"))
    session_id = chat.session_id()
    site.stop_rasa()
    expect(chat.status).to_contain_text(re.compile("Reconnecting|Trying again"))
    screenshot("reconnecting")
    site.start_rasa()
    expect(chat.status).to_be_empty(timeout=30_000)  # reconnected and the session confirmed
    # the same conversation goes on
    chat.say("And how many international jobs?", figure("international_jobs"))
    assert chat.session_id() == session_id
    screenshot()
