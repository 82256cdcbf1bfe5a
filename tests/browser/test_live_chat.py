"""Live chat with a colleague, in Chromium: the person's widget and a signed-in staff
member's desk in two browser contexts, against real action, Rasa and desk servers.

Its own servers: the desk is always open here (office hours every day, all day), a chat that
nobody takes falls back to the form after a few seconds, and e-mail goes to a local SMTP server.
Another site (an allowed origin) embeds the chat with the snippet (sites.serve_host_site), so a
live chat runs there too.
"""

from __future__ import annotations

import re
import secrets
import time

import pytest
from accessibility import assert_accessible
from chat_widget import WIDGET, ChatWidget
from playwright.sync_api import Browser, Page, expect
from sites import Account, Running, running_site, serve_host_site
from support import MailServer

from bot.config import REPO_ROOT
from bot.launcher import processes
from bot.tickets import TicketService
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.live_chat_tickets import LiveChatService

SCREENSHOTS = REPO_ROOT / "tests" / "screenshots"
STAFF = "anna"
STAFF_PASSWORD = secrets.token_urlsafe(16)
WAIT_SECONDS = 8
# "Messages go both ways within 2 seconds": the desk asks for news every second.
WITHIN_MS = 2_000


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    extra_env = {
        "ALMERE_LIVE_CHAT_WAIT_SECONDS": str(WAIT_SECONDS),
        "ALMERE_OFFICE_DAYS": "0,1,2,3,4,5,6",
        "ALMERE_OFFICE_OPEN": "00:00",
        "ALMERE_OFFICE_CLOSE": "23:59",
    }
    account = Account(STAFF, STAFF_PASSWORD, first_name="Anna")
    work = tmp_path_factory.mktemp("live-chat")
    host_port = processes.free_port()
    host_origin = f"http://{processes.LOOPBACK}:{host_port}"
    with MailServer() as mail:
        extra_env |= {"ALMERE_SMTP_HOST": "127.0.0.1", "ALMERE_SMTP_PORT": str(mail.port)}
        with running_site(work, [account], extra_env, extra_origins=[host_origin]) as running:
            host = serve_host_site(work / "host", host_port, running.page_url, running.rasa_url)
            running.inbox = mail.inbox
            running.host_url = host_origin + "/"
            try:
                yield running
            finally:
                host.shutdown()


@pytest.fixture(scope="module")
def database(live_site):
    engine = create_engine_for(live_site.database_url)
    factory = create_session_factory(engine)
    yield TicketService(factory), LiveChatService(factory)
    engine.dispose()


def new_page(browser: Browser, site: Running) -> Page:
    context = browser.new_context(base_url=site.page_url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda error: print("page error:", error))
    page.on("console", lambda message: message.type == "error" and print("console error:", message.text))
    return page


def sign_in_to_live_chats(page: Page, site: Running) -> None:
    desk = site.page_url + "desk/"
    page.goto(f"{desk}login?next=/desk/live/")
    page.get_by_label("Username").fill(STAFF)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(desk) + "live/$"))


def make_available(page: Page) -> None:
    button = page.get_by_role("button", name="I'm available for live chats")
    if button.count():
        button.click()
    expect(page.locator("#availability-state")).to_contain_text("You are available")


def ask_for_a_colleague(widget: ChatWidget) -> None:
    widget.open()
    widget.say("How many people live in Almere?", "inhabitants")
    widget.say("I would like to talk to a person", "available to chat")
    widget.log.get_by_role("button", name="Chat with a colleague now").click()
    expect(widget.bot_messages.filter(has_text="asked a colleague to join")).to_be_visible()
    expect(widget.status).to_have_text("Waiting for a colleague to join…")


# JavaScript: count the changes of the widget's "… is typing" line (window.typingLineChanges).
COUNT_TYPING_LINE_CHANGES = f"""() => {{
    window.typingLineChanges = 0;
    new MutationObserver((changes) => {{ window.typingLineChanges += changes.length; }}).observe(
        {WIDGET}.querySelector('.chat-staff-typing'),
        {{childList: true, subtree: true, characterData: true}});
}}"""


def take_the_chat(staff: Page, widget: ChatWidget, reference: str) -> None:
    staff.get_by_role("link", name=reference).click()
    staff.get_by_role("button", name="Take this chat").click()
    expect(widget.status).to_have_text("You are chatting with Anna of the municipality.")


def shot(page: Page, name: str, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"live_chat-{name}.png", full_page=full_page)


def test_a_colleague_takes_over_chats_and_hands_back(browser, live_site, database):
    tickets, live_chats = database
    staff = new_page(browser, live_site)
    person = new_page(browser, live_site)
    widget = ChatWidget(person)
    try:
        sign_in_to_live_chats(staff, live_site)
        make_available(staff)
        assert_accessible(staff, "the desk's live chats")
        person.goto("/")
        ask_for_a_colleague(widget)
        conversation = widget.session_id().split(".")[0]
        reference = live_chats.current(conversation).reference

        # The waiting chat appears in the desk's list without reloading.
        staff.get_by_role("link", name=reference).click()
        expect(staff.get_by_text("How many people live in Almere?")).to_be_visible()
        staff.get_by_role("button", name="Take this chat").click()
        expect(
            widget.bot_messages.filter(has_text="Anna of the International Affairs Department has joined")
        ).to_be_visible()
        expect(widget.status).to_have_text("You are chatting with Anna of the municipality.")

        # Staff to person, within 2 seconds.
        staff.get_by_label("Your message to the person").fill("Hello, I'm Anna. How can I help?")
        staff.get_by_role("button", name="Send").click()
        staff_message = widget.log.locator(".chat-message-staff").filter(has_text="How can I help?")
        expect(staff_message).to_be_visible(timeout=WITHIN_MS)
        expect(staff_message.locator(".chat-staff-name")).to_have_text("Anna (municipality)")

        # Person to staff, within 2 seconds; the assistant stays silent while paused.
        bot_before = widget.bot_messages.count()
        widget.input.fill("Which documents do I need to register? <b>thanks</b>")
        widget.input.press("Enter")
        from_person = staff.locator("#transcript .message-user").filter(has_text="Which documents do I need")
        expect(from_person).to_be_visible(timeout=WITHIN_MS)
        expect(from_person.locator(".text")).to_have_text(
            "Which documents do I need to register? <b>thanks</b>"
        )
        time.sleep(2)
        assert widget.bot_messages.count() == bot_before, "the assistant answered during the live chat"
        shot(staff, "desk-live-view")
        shot(person, "widget-with-colleague", full_page=False)  # the panel floats over the page
        assert_accessible(staff, "the desk's live view")
        assert_accessible(person, "the widget in a live chat")

        # Hand back: resumed, the person is told, and asked once how helpful it was.
        staff.get_by_role("button", name="Hand back to the assistant").click()
        expect(staff.get_by_text("handed back to the assistant; the ticket is resolved")).to_be_visible()
        expect(widget.bot_messages.filter(has_text="handed the conversation back to me")).to_be_visible()
        rating = widget.log.get_by_role("group", name="How helpful was this chat? (optional)")
        expect(rating).to_be_visible()
        rating.get_by_label("4").check()
        rating.get_by_label("Comment (optional)").fill("Quick and kind.")
        shot(person, "widget-rating-question", full_page=False)
        assert_accessible(person, "the rating question")
        rating.get_by_role("button", name="Send rating").click()
        expect(widget.log.get_by_text("Thank you for your rating!")).to_be_visible()

        widget.say("How long is the train to Schiphol?", "Schiphol")

        ticket = tickets.get(reference)
        assert (ticket.status, ticket.live_chat, ticket.assignee) == ("resolved", "returned", STAFF)
        roles = [(m.role, m.author) for m in ticket.transcript]
        assert ("staff", STAFF) in roles and ticket.first_reply_at is not None
        texts = [m.text for m in ticket.transcript]
        assert "Which documents do I need to register? <b>thanks</b>" in texts
        assert ticket.rating is not None and ticket.rating.score == 4
    finally:
        live_chats.set_available(STAFF, False)
        staff.context.close()
        person.context.close()


def test_a_live_chat_and_its_rating_on_another_site(browser, live_site, database):
    """The snippet on another origin, behind a hostile stylesheet and a strict policy: a colleague
    takes the chat, both write, the colleague closes it, and the rating goes to the chat server."""
    tickets, live_chats = database
    staff = new_page(browser, live_site)
    person = new_page(browser, live_site)
    errors = []
    person.on("console", lambda message: message.type == "error" and errors.append(message.text))
    widget = ChatWidget(person)
    try:
        sign_in_to_live_chats(staff, live_site)
        make_available(staff)
        person.goto(live_site.host_url)
        ask_for_a_colleague(widget)
        reference = live_chats.current(widget.session_id().split(".")[0]).reference
        take_the_chat(staff, widget, reference)

        staff.get_by_label("Your message to the person").fill("Hello, I'm Anna. How can I help?")
        staff.get_by_role("button", name="Send").click()
        expect(widget.log.locator(".chat-message-staff").filter(has_text="How can I help?")).to_be_visible()
        widget.input.fill("Where do I collect my residence permit?")
        widget.input.press("Enter")
        expect(staff.locator("#transcript .message-user").filter(has_text="residence permit")).to_be_visible()

        staff.get_by_role("button", name="Close the chat").click()
        rating = widget.log.get_by_role("group", name="How helpful was this chat? (optional)")
        expect(rating).to_be_visible()
        assert_accessible(person, "the rating question on another site", "[data-almere-chat]")
        rating.get_by_label("5 (very helpful)").check()
        rating.get_by_label("Comment (optional)").fill("Clear answers.")
        rating.get_by_role("button", name="Send rating").click()  # a CORS POST to the chat server
        expect(widget.log.get_by_text("Thank you for your rating!")).to_be_visible()

        ticket = tickets.get(reference)
        assert (ticket.live_chat, ticket.assignee) == ("closed", STAFF)
        assert "Where do I collect my residence permit?" in [m.text for m in ticket.transcript]
        assert (ticket.rating.score, ticket.rating.comment) == (5, "Clear answers.")
        assert errors == []  # the host's policy blocked nothing
    finally:
        live_chats.set_available(STAFF, False)
        staff.context.close()
        person.context.close()


def test_a_chat_nobody_takes_falls_back_to_the_form(browser, live_site, database):
    tickets, live_chats = database
    person = new_page(browser, live_site)
    staff = new_page(browser, live_site)
    widget = ChatWidget(person)
    try:
        sign_in_to_live_chats(staff, live_site)
        make_available(staff)  # available, but does not take it
        person.goto("/")
        ask_for_a_colleague(widget)
        expect(widget.bot_messages.filter(has_text="no colleague could join just now")).to_be_visible(
            timeout=(WAIT_SECONDS + 10) * 1000
        )
        # The form asks again from the start (it had asked for the name before the chat was chosen).
        expect(widget.bot_messages.filter(has_text="What is your name?")).to_have_count(2)
        expect(widget.bot_messages.last).to_have_text("Assistant: What is your name?")
        widget.say("Maria Jansen", "reach you")
        widget.say("maria@example.nl", re.compile("pass it on|What would you like to ask"))
        conversation = widget.session_id().split(".")[0]
        chat = live_chats.current(conversation)
        assert chat is not None and chat.state == "missed"
        assert tickets.get(chat.reference).name != "Maria Jansen"  # nothing stored before consent
    finally:
        live_chats.set_available(STAFF, False)
        staff.context.close()
        person.context.close()


def test_typing_shows_both_ways_and_the_person_gets_a_copy_by_email(browser, live_site, database):
    _tickets, live_chats = database
    staff = new_page(browser, live_site)
    person = new_page(browser, live_site)
    widget = ChatWidget(person)
    try:
        sign_in_to_live_chats(staff, live_site)
        make_available(staff)
        person.goto("/")
        ask_for_a_colleague(widget)
        take_the_chat(staff, widget, live_chats.current(widget.session_id().split(".")[0]).reference)

        # The colleague types: the person sees it, politely announced once however long they type.
        staff_box = staff.get_by_label("Your message to the person")
        staff_typing = person.get_by_role("status").filter(has_text="is typing")
        typing_line = person.locator(".chat-staff-typing")
        person.evaluate(COUNT_TYPING_LINE_CHANGES)
        staff_box.press_sequentially("Hello, I'm Anna. Let me look that up for you.", delay=100)  # ~4.5 s
        expect(staff_typing).to_have_text("Anna is typing…")
        assert person.evaluate("window.typingLineChanges") == 1, "the typing line was announced again"

        # The person types: the colleague sees it.
        widget.input.press_sequentially("Thank you", delay=20)
        expect(staff.locator("#person-typing")).to_have_text("The person is typing…", timeout=WITHIN_MS)

        # Gone a few seconds after the colleague's last typing, and at once when their message arrives.
        expect(typing_line).to_be_empty(timeout=8_000)
        staff_box.press_sequentially(" Here it is.", delay=20)
        expect(staff_typing).to_have_text("Anna is typing…", timeout=WITHIN_MS)
        staff_box.press("Enter")
        expect(widget.log.locator(".chat-message-staff").filter(has_text="Here it is.")).to_be_visible()
        expect(typing_line).to_be_empty(timeout=1_000)

        # The colleague closes the chat: the person may have a copy by e-mail.
        staff.get_by_role("button", name="Close the chat").click()
        copy = widget.log.get_by_role("group", name="E-mail me a copy of this chat")
        expect(copy).to_be_visible()
        address = copy.get_by_label("Your e-mail address")
        expect(address).to_have_attribute("type", "email")
        expect(address).to_have_attribute("autocomplete", "email")
        assert_accessible(person, "the offer of a copy of the chat")

        address.fill("maria at example")
        copy.get_by_role("button", name="Send the copy").click()
        expect(widget.bot_messages.filter(has_text="doesn't look like an e-mail address")).to_be_visible()
        expect(address).to_have_attribute("aria-invalid", "true")
        expect(copy).to_be_visible()

        address.fill("maria@example.org")
        copy.get_by_role("button", name="Send the copy").click()
        expect(widget.bot_messages.last).to_have_text("Assistant: I have e-mailed you a copy of the chat.")
        expect(copy).to_have_count(0)
        mails = [mail for recipients, mail in live_site.inbox.messages if recipients == ["maria@example.org"]]
        assert len(mails) == 1 and "I'm Anna" in mails[0].get_body(("plain",)).get_content()
    finally:
        live_chats.set_available(STAFF, False)
        staff.context.close()
        person.context.close()
