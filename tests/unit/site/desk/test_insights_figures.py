"""Every number of the insights page, from a known week of conversations (stored by Rasa's own SQL
tracker store) and tickets: what each chart draws (the page's JSON), each table shows, each CSV holds,
and that the figures shown in two places agree."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from desk_helpers import csrf_token, sign_in
from insights_events import (
    answered,
    declined,
    during_live_chat,
    handoff_started,
    handoff_stored,
    live_chat_ended,
    live_chat_joined,
    office_hours,
    save_conversation,
    small_talk,
)

from bot.insights.conversations import OUTCOME_LABELS
from bot.insights.desk_figures import DeskTickets, Ratings
from bot.insights.period import Period
from bot.insights.service import CHART_NAMES, Insights, charts
from bot.site.desk.insights import CHART_TEXTS
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.models import AnswerFeedback, Rating, Ticket

# 10:00 in Amsterdam (the desk's zone) on each day of November 2026; the period is the 2nd to the 8th.
NOV = {day: datetime(2026, 11, day, 9, 0, tzinfo=timezone.utc) for day in range(1, 31)}
PERIOD = "from=2026-11-02&to=2026-11-08"
JSON_BLOCK = re.compile(r'<script type="application/json" id="insights-charts">(.*?)</script>', re.S)
TAG = re.compile(r"<[^>]+>")


@pytest.fixture
def tracker_path(tmp_path):
    return tmp_path / "var" / "tracker.db"


@pytest.fixture
def app(make_app, tracker_path):
    return make_app({"ALMERE_TRACKER_URL": f"sqlite:///{tracker_path}"})


def add_ticket(sessions, conversation_id, desk, created, replied_after=None) -> int:
    with sessions() as session, session.begin():
        ticket = Ticket(
            reference=f"ALM-{conversation_id}",
            desk=desk,
            name="A person",
            email="person@example.org",
            question="A question",
            consent_at=created,
            conversation_id=conversation_id,
            channel="socketio",
            created_at=created,
            updated_at=created,
            first_reply_at=None if replied_after is None else created + replied_after,
        )
        session.add(ticket)
        session.flush()
        return ticket.id


@pytest.fixture
def week(tracker_path, database_url):
    """The known week (and some of the days around it, which no figure may count)."""
    save_conversation(tracker_path, "before", NOV[1], declined("Too early to count?"))
    save_conversation(
        tracker_path, "answered", NOV[2], small_talk(), answered("How many people?", "population")
    )
    save_conversation(tracker_path, "hours", NOV[2], office_hours())
    save_conversation(
        tracker_path, "mixed", NOV[3], answered("jobs?", "jobs"), declined("Can I park my boat?")
    )
    save_conversation(
        tracker_path,
        "declined",
        NOV[3],
        declined("Where do I park my boat"),
        declined("Is it cold in winter?", "ask_growth"),
    )
    save_conversation(
        tracker_path,
        "greeting",
        NOV[4],
        small_talk(),
        small_talk("thanks", "thank"),
        small_talk("bye", "goodbye"),
    )
    save_conversation(
        tracker_path, "abandoned", NOV[5], declined("Can my cat come along?"), handoff_started()
    )
    save_conversation(
        tracker_path,
        "handed",
        NOV[5],
        declined("Is there a passport office?"),
        handoff_started(),
        handoff_stored("ALM-handed"),
    )
    save_conversation(
        tracker_path,
        "live",
        NOV[6],
        declined("Can I bring my dog?"),
        live_chat_joined(),
        during_live_chat("and how many jobs are there?", "ask_jobs"),
        live_chat_ended(),
    )
    save_conversation(tracker_path, "after", NOV[9], answered("housing?", "housing"))

    engine = create_engine_for(database_url)
    sessions = create_session_factory(engine)
    add_ticket(sessions, "handed", "international", NOV[5], timedelta(0))  # replied at once
    live = add_ticket(sessions, "live", "business", NOV[6], timedelta(seconds=40))
    add_ticket(sessions, "phone", "international", NOV[7], timedelta(minutes=3))
    add_ticket(sessions, "waiting", "international", NOV[7])
    old = add_ticket(sessions, "old", "business", NOV[1], timedelta(hours=1))
    with sessions() as session, session.begin():
        for conversation, ticket, asked, score, answered_at in (
            ("r1", live, NOV[6], 5, NOV[6]),
            ("r2", live, NOV[7], 2, NOV[12]),  # asked in the period, answered after it
            ("r3", live, NOV[8], None, None),
            ("r4", old, NOV[1], 1, NOV[3]),  # asked before the period
        ):
            session.add(
                Rating(
                    conversation_id=conversation,
                    ticket_id=ticket,
                    channel="email",
                    asked_at=asked,
                    score=score,
                    answered_at=answered_at,
                )
            )
        for topic, helpful, day in (
            ("population", True, 2),
            ("population", True, 3),
            ("jobs", False, 3),
            ("jobs", True, 12),
        ):
            session.add(AnswerFeedback(topic=topic, helpful=helpful, created_at=NOV[day]))
    engine.dispose()


def in_dutch(client) -> None:
    """Sign in as jan, who picks Dutch."""
    sign_in(client)
    client.post("/desk/language", data={"language": "nl", "csrf_token": csrf_token(client, "/desk/")})


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(TAG.sub("", fragment)).split())


def section(page: str, name: str) -> str:
    match = re.search(rf'<section class="insight" aria-labelledby="{name}-title">(.*?)</section>', page, re.S)
    assert match, name
    return match.group(1)


def table(page: str, name: str) -> list[list[str]]:
    """The chart's table as text, its header first; without the column of links to write an answer."""
    body = re.search(r"<table>(.*?)</table>", section(page, name), re.S).group(1)
    rows = [
        [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
    if name == "unanswered":
        rows = [row[:-1] for row in rows]
    return rows


@pytest.fixture
def page(signed_in, week) -> str:
    response = signed_in.get(f"/desk/insights/?{PERIOD}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def drawings(page) -> dict:
    return json.loads(JSON_BLOCK.search(page).group(1))


def series(drawings, name) -> list[list]:
    return [s["values"] for s in drawings[name]["series"]]


def test_conversations_per_day_and_in_all(page, drawings):
    per_day = [2, 2, 1, 2, 1, 0, 0]
    assert drawings["conversations"]["labels"] == [f"2026-11-0{day}" for day in range(2, 9)]
    assert series(drawings, "conversations") == [per_day]
    assert "<strong>8</strong> conversations started" in page
    assert table(page, "conversations")[1:] == [
        [f"2026-11-0{d}", str(n)] for d, n in zip(range(2, 9), per_day, strict=True)
    ]


def test_what_became_of_them(page, drawings):
    assert table(page, "outcomes") == [
        ["Outcome", "Conversations", "Share (%)"],
        ["Answered", "3", "37.5"],  # a topic, a topic after a greeting, and the office hours
        ["Declined", "1", "12.5"],
        ["Handed over", "2", "25.0"],  # the form's ticket and the live chat's
        ["Handoff abandoned", "1", "12.5"],
        ["Small talk only", "1", "12.5"],  # hello, thanks, bye
    ]
    assert drawings["outcomes"]["labels"][-1] == "Small talk only"
    assert series(drawings, "outcomes") == [[3, 1, 2, 1, 1]]


def test_topics_are_the_assistants_questions_only(page, drawings):
    # Not the jobs asked while a colleague had the live chat; the office hours are a topic.
    rows = [["Growth", "1"], ["Jobs", "1"], ["Office hours", "1"], ["Population", "1"]]
    assert table(page, "topics") == [["Topic", "Questions"], *rows]
    assert drawings["topics"]["labels"] == [label for label, _ in rows]
    assert series(drawings, "topics") == [[1, 1, 1, 1]]


def test_unanswered_questions_and_the_links_to_answer_them(page, drawings):
    rows = table(page, "unanswered")
    assert rows[0] == ["Question (its most asked wording)", "Times asked", "Other wordings"]
    assert rows[1] == ["Can I park my boat?", "2", "Where do I park my boat"]
    assert sorted(rows[2:]) == [
        ["Can I bring my dog?", "1", ""],
        ["Can my cat come along?", "1", ""],
        ["Is it cold in winter?", "1", ""],
        ["Is there a passport office?", "1", ""],
    ]
    assert drawings["unanswered"]["labels"] == [row[0] for row in rows[1:]]
    assert series(drawings, "unanswered") == [[int(row[1]) for row in rows[1:]]]
    # Beside the questions, not only inside the collapsed table: one link per question shown.
    visible = re.sub(r"<details.*?</details>", "", section(page, "unanswered"), flags=re.S)
    items = re.findall(r"<li>(.*?)</li>", visible, re.S)
    assert [text_of(item) for item in items] == [
        f"{row[0]} asked {row[1]} time{'s' if row[1] != '1' else ''} Write an answer to “{row[0]}”"
        for row in rows[1:]
    ]
    assert '<a href="/desk/answers/new?question=Can+I+park+my+boat?%0AWhere+do+I+park+my+boat">' in visible


def test_tickets_per_desk(page, drawings):
    assert table(page, "tickets") == [
        ["Desk", "Tickets", "With a first reply", "Awaiting a first reply"],
        ["International Affairs", "3", "2", "1"],
        ["Business service desk", "1", "1", "0"],
    ]
    assert series(drawings, "tickets") == [[3, 1], [2, 1]]


def test_fast_first_replies_are_shown_in_minutes(page, drawings):
    first_reply = section(page, "first_reply")
    assert "Nothing in this period." not in first_reply and 'data-chart="first_reply"' in first_reply
    # International: at once and after 3 minutes (median 1.5 min, 90th percentile 2.7 min, minutes
    # begun); business: after 40 s.
    assert table(page, "first_reply") == [
        ["Desk", "Median (h:mm)", "90th percentile (h:mm)", "With a first reply"],
        ["International Affairs", "0:02", "0:03", "2"],
        ["Business service desk", "0:01", "0:01", "1"],
    ]
    assert drawings["first_reply"]["unit"] == "minutes"
    assert series(drawings, "first_reply") == [[2, 1], [3, 1]]


def test_ratings_asked_in_the_period(page, drawings):
    assert table(page, "ratings")[1:] == [
        ["1 (not helpful)", "0"],
        ["2", "1"],
        ["3", "0"],
        ["4", "0"],
        ["5 (very helpful)", "1"],
    ]
    assert series(drawings, "ratings") == [[0, 1, 0, 0, 1]]
    assert "2 of 3 people asked in the period answered; average score 3.5." in text_of(
        section(page, "ratings")
    )


def test_thumbs_under_answers(page, drawings):
    assert table(page, "feedback") == [
        ["Topic", "Helpful", "Not helpful"],
        ["Population", "2", "0"],
        ["Jobs", "0", "1"],
    ]
    assert drawings["feedback"]["labels"] == ["Population", "Jobs"]
    assert series(drawings, "feedback") == [[2, 0], [0, 1]]


def test_figures_shown_twice_agree(page, drawings):
    total = int(re.search(r"<strong>(\d+)</strong> conversations", page).group(1))
    assert total == sum(series(drawings, "conversations")[0]) == sum(series(drawings, "outcomes")[0])
    tickets, first_reply = table(page, "tickets"), table(page, "first_reply")
    assert [row[2] for row in tickets[1:]] == [row[3] for row in first_reply[1:]]
    ratings = sum(series(drawings, "ratings")[0])
    assert f"{ratings} of " in text_of(section(page, "ratings"))
    declined_questions = sum(int(row[1]) for row in table(page, "unanswered")[1:])
    assert declined_questions == 6  # each unanswered question once, wherever it is counted


@pytest.mark.parametrize("name", CHART_NAMES)
def test_each_csv_is_its_table(signed_in, page, name):
    response = signed_in.get(f"/desk/insights/{name}.csv?{PERIOD}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == table(page, name)


def test_every_text_of_the_charts_is_in_the_desks_catalogue():
    shown: list[str] = []

    def recorded(text: str) -> str:
        shown.append(text)
        return text

    period = Period(date(2026, 11, 2), date(2026, 11, 8), ZoneInfo("Europe/Amsterdam"))
    tickets = [DeskTickets("international", 1, 1, 3, 3), DeskTickets("business", 0, 0, None, None)]
    # Some questions left out, so that the unanswered chart's note is there too.
    insights = Insights(period, [], {}, [], [], tickets, Ratings({1: 0, 5: 0}, 0), [], declined_questions=3)
    charts(insights, recorded)
    assert set(shown) | set(OUTCOME_LABELS.values()) == set(CHART_TEXTS)


def test_the_figures_in_dutch(client, staff, week):
    in_dutch(client)
    page = client.get(f"/desk/insights/?{PERIOD}").get_data(as_text=True)
    assert table(page, "outcomes")[0] == ["Uitkomst", "Gesprekken", "Aandeel (%)"]
    assert table(page, "outcomes")[-1] == ["Alleen een praatje", "1", "12.5"]
    assert table(page, "first_reply")[:2] == [
        ["Desk", "Mediaan (u:mm)", "90e percentiel (u:mm)", "Met een eerste antwoord"],
        ["Internationale Zaken", "0:02", "0:03", "2"],
    ]
    assert "2 van de 3 mensen die in de periode gevraagd werden, antwoordden" in page
    assert "<dt>Alleen een praatje</dt>" in page
    for english in (
        "Conversations per day",
        "Small talk only",
        "Time to the first reply",
        "Helpfulness ratings",
    ):
        assert english not in page, english
    rows = list(
        csv.reader(io.StringIO(client.get(f"/desk/insights/tickets.csv?{PERIOD}").get_data(as_text=True)))
    )
    assert rows[1] == ["Internationale Zaken", "3", "2", "1"]
