"""Answers from the desk in Chromium: colleague A writes an answer in the desk,
colleague B approves it, and a person who asks a paraphrase in the widget gets it with its date,
against real action, Rasa and desk servers (no restart, no retraining)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from accessibility import assert_accessible
from chat_widget import ChatWidget
from playwright.sync_api import Browser, Page, expect

from bot.config import REPO_ROOT
from bot.desk_answers.reply import date_line
from bot.site.desk.accounts import StaffAccounts
from bot.tickets.database import create_engine_for, create_session_factory

SCREENSHOTS = REPO_ROOT / "tests" / "screenshots"
PASSWORD = secrets.token_urlsafe(16)
QUESTIONS = "How do I get a DigiD?\nHow do I apply for DigiD?\nI lost my DigiD password, what should I do?"
ANSWER = "Apply for DigiD on digid.nl once you are registered in a Dutch municipality and have a BSN."


@pytest.fixture(scope="module")
def answers_site(site) -> str:
    """The browser tests' site, with the two colleagues of this test."""
    engine = create_engine_for(site.env["ALMERE_DATABASE_URL"])
    accounts = StaffAccounts(create_session_factory(engine))
    for name in ("anna", "ben"):
        accounts.add(name, PASSWORD)
    engine.dispose()
    return site.page_url


def new_page(browser: Browser, url: str) -> Page:
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def sign_in(page: Page, username: str, target: str = "/desk/answers/") -> None:
    page.goto(f"/desk/login?next={target}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"desk_answers-{name}.png", full_page=True)


def test_a_colleague_writes_another_approves_and_the_person_gets_it(browser, answers_site):
    author, approver, person = (new_page(browser, answers_site) for _ in range(3))
    try:
        # Colleague A writes it: a draft, which A may not approve.
        sign_in(author, "anna")
        author.get_by_role("link", name="Write a reusable answer").click()
        assert_accessible(author, "the form of a new desk answer")
        author.get_by_label("Example questions, one per line").fill(QUESTIONS)
        author.get_by_label("Answer", exact=True).fill(ANSWER)
        author.get_by_role("button", name="Save as draft").click()
        expect(author.get_by_text("Answer saved as a draft.")).to_be_visible()
        expect(author.get_by_role("button", name="Approve this answer")).to_have_count(0)
        answer_url = author.url
        shot(author, "draft")
        assert_accessible(author, "a draft desk answer")

        # Colleague B approves it.
        sign_in(approver, "ben", re.sub(r"^https?://[^/]+", "", answer_url))
        approver.get_by_role("button", name="Approve this answer").click()
        expect(
            approver.get_by_text("Approved. The assistant gives this answer within 20 seconds.")
        ).to_be_visible()
        expect(
            approver.get_by_text(re.compile(r"The assistant gives this answer, dated .* \(approved by ben\)"))
        ).to_be_visible()
        approver.goto("/desk/answers/")
        expect(approver.get_by_role("cell", name="approved by ben")).to_be_visible()
        assert_accessible(approver, "the list of desk answers")

        # A person asks it in other words and gets it, with its date.
        person.goto("/")
        widget = ChatWidget(person)
        widget.open()
        today = date_line(datetime.now(timezone.utc), ZoneInfo("Europe/Amsterdam"))
        reply = widget.say("how can I request a DigiD", "Answered by the International Affairs Department")
        expect(reply).to_contain_text(ANSWER)
        expect(reply).to_contain_text(today)
        expect(widget.bot_messages.filter(has_text="Was this not what you needed?")).to_be_visible()
        shot(person, "widget")
        assert_accessible(person, "a desk answer in the widget")
    finally:
        for page in (author, approver, person):
            page.context.close()
