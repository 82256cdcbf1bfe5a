"""Per-answer feedback in the widget and the desk's insights page, in Chromium against the real servers.

Conversations go through the widget and the REST channel, so the charts have data; the thumbs under
an answer are clicked, remembered across a reload, and counted on the insights page, which is checked
with axe and saved as screenshots (tests/screenshots/).
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import requests
from accessibility import assert_accessible
from chat_widget import ChatWidget
from playwright.sync_api import Page, expect
from support import figure


def desk_url(site) -> str:
    parts = urlsplit(site.page_url)
    return f"{parts.scheme}://{parts.netloc}/desk/"


def sign_in(page: Page, site, target: str) -> None:
    page.goto(f"{desk_url(site)}login?next=/desk/{target}")
    page.get_by_label("Username").fill(site.staff_user)
    page.get_by_label("Password").fill(site.staff_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(desk_url(site) + target)))


def script_errors(console_errors: list[str]) -> list[str]:
    return [error for error in console_errors if not error.startswith("Failed to load resource")]


def rest_conversation(site, *messages: str) -> None:
    sender = f"insights-{uuid.uuid4()}"
    for message in messages:
        response = requests.post(
            f"{site.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        assert response.status_code == 200, response.text


def test_thumbs_under_an_answer_are_counted_on_the_insights_page(page, site, console_errors, screenshot):
    rest_conversation(site, "Can my parrot visit the town hall?")
    rest_conversation(site, "Could I bring my parrot to the town hall?", "How many jobs are there in Almere?")
    rest_conversation(site, "hello")

    page.goto("/")
    widget = ChatWidget(page)
    widget.open()
    widget.say("How many people live in Almere?", figure("inhabitants"))
    item = widget.bot_items.filter(has_text=figure("inhabitants"))
    votes = item.get_by_role("group", name="Was this answer helpful?")
    helpful = votes.get_by_role("button", name="Helpful", exact=True)
    not_helpful = votes.get_by_role("button", name="Not helpful")
    expect(helpful).to_have_attribute("aria-pressed", "false")
    assert_accessible(page, "an answer with its thumbs")

    helpful.click()
    expect(helpful).to_have_attribute("aria-pressed", "true")
    expect(widget.status).to_have_text("Thank you for your feedback.")
    expect(not_helpful).to_have_attribute("aria-disabled", "true")
    not_helpful.click(force=True)  # one vote per answer: a second click changes nothing
    expect(not_helpful).to_have_attribute("aria-pressed", "false")
    screenshot("widget")

    widget.say("Can I bring my dog to the town hall?", "don't know")
    declined = widget.bot_items.last
    expect(widget.log.get_by_role("group", name="Was this answer helpful?")).to_have_count(
        1
    )  # not under a decline
    expect(declined.get_by_role("button", name="Helpful", exact=True)).to_have_count(0)

    page.reload()  # the vote is remembered with the message
    expect(widget.log.get_by_role("button", name="Helpful", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )

    desk = page.context.new_page()
    sign_in(desk, site, "insights/")
    expect(desk.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    charts = desk.locator("canvas[data-chart]")
    empty = desk.get_by_text("Nothing in this period.")
    # Each of the 8 charts is drawn, or says it has nothing (the tickets and ratings ones, unless
    # other tests of this site made some): the conversations and the votes are drawn.
    expect(charts.first).to_be_visible()
    assert charts.count() + empty.count() == 8 and charts.count() >= 5
    # Chart.js drew every chart (the script ran under the page's CSP).
    desk.wait_for_function(
        "[...document.querySelectorAll('canvas[data-chart]')].every((c) => window.Chart.getChart(c))"
    )
    feedback = desk.get_by_role("region", name="Thumbs under the assistant's answers")
    feedback.get_by_text("Thumbs under the assistant's answers: the numbers").click()
    row = feedback.get_by_role("row", name=re.compile("^Population"))
    expect(row.get_by_role("cell")).to_have_text(["1", "0"])
    unanswered = desk.get_by_role("region", name="Most frequent unanswered questions")
    # The way to answer them is beside them, not inside the collapsed table.
    to_answer = unanswered.get_by_role("list", name="Write a desk answer for the most asked")
    write = to_answer.get_by_role("link", name=re.compile(r"^Write an answer to “(Can|Could) .*parrot"))
    expect(write).to_be_visible()
    expect(write).to_have_attribute("href", re.compile(r"^/desk/answers/new\?question="))
    unanswered.get_by_text("the numbers").click()
    table = unanswered.get_by_role("table")
    for question in ("Can my parrot visit the town hall?", "Could I bring my parrot to the town hall?"):
        expect(table).to_contain_text(question)  # as the group's wording or as another wording of it
    outcomes = desk.get_by_role("region", name="What became of the conversations")
    expect(outcomes.get_by_role("img")).to_be_visible()
    assert_accessible(desk, "the insights page")
    desk.set_viewport_size({"width": 1280, "height": 2400})
    desk.evaluate("window.scrollTo(0, 0)")
    screenshot("desk", target=desk)

    desk.get_by_label("From").fill("2020-01-01")
    desk.get_by_role("button", name="Show").click()
    expect(desk.get_by_role("alert")).to_contain_text("Choose at most 366 days at a time.")
    assert script_errors(console_errors) == []
    desk.close()
