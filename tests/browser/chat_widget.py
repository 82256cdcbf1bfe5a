"""The chat widget as a person sees it: a small page object for the browser tests."""

from __future__ import annotations

import re
from re import Pattern

from playwright.sync_api import Locator, Page, expect

REFERENCE = re.compile(r"ALM-\d{6}")
# JavaScript: the shadow root widget.js renders the widget in (open, so tests and checkers see it).
WIDGET = "document.querySelector('[data-almere-chat]').shadowRoot"
# JavaScript: the id of the focused element, inside the widget's shadow root too.
FOCUSED_ID = (
    "(() => { let focused = document.activeElement;"
    " while (focused && focused.shadowRoot && focused.shadowRoot.activeElement)"
    " focused = focused.shadowRoot.activeElement; return focused && focused.id; })()"
)


class ChatWidget:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.get_by_role("button", name="Ask the assistant")
        self.panel = page.get_by_role("dialog", name="International Desk assistant")
        self.log = page.get_by_role("log", name="Conversation")
        self.input = page.get_by_role("textbox", name="Your message")
        # The text of each message (its bubble also holds the time; its item, marks and notes).
        self.bot_messages = self.log.locator(".chat-message-bot .chat-text")
        self.user_messages = self.log.locator(".chat-message-user .chat-text")
        self.bot_items = self.log.locator(".chat-message-bot")
        self.user_items = self.log.locator(".chat-message-user")
        self.status = page.locator("#chat-status")
        self.replies = self.log.get_by_role("group", name="Suggested replies")
        self.options = page.get_by_role("button", name="Options")
        self.close_button = page.get_by_role("button", name="Close the chat")

    def open(self) -> None:
        self.launcher.click()
        expect(self.panel).to_be_visible()
        expect(self.input).to_be_focused()

    def say(self, text: str, expected: str | Pattern[str] | None = None) -> Locator:
        """Send ``text``; wait for a new reply (containing ``expected``) and return it."""
        count = self.bot_messages.count()
        self.input.fill(text)
        self.input.press("Enter")
        return self.wait_for_reply(count, expected)

    def choose(self, title: str, expected: str | Pattern[str] | None = None) -> Locator:
        """Click the quick reply ``title``; wait for a new reply (containing ``expected``)."""
        count = self.bot_messages.count()
        self.log.get_by_role("button", name=title, exact=True).click()
        return self.wait_for_reply(count, expected)

    def wait_for_reply(self, count_before: int, expected: str | Pattern[str] | None) -> Locator:
        reply = self.bot_messages.nth(count_before)
        expect(reply).to_be_visible()
        if expected is not None:
            # An answer may come as several messages: wait for the one that says it.
            expect(self.bot_messages.filter(has_text=expected).last).to_be_visible()
            return self.bot_messages.filter(has_text=expected).last
        return reply

    def session_id(self) -> str:
        return self.page.evaluate("JSON.parse(sessionStorage.getItem('almere-chat')).sessionId")
