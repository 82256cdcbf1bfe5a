"""The desk's insights page and its CSV files (staff only, dates checked), and the widget's votes under
answers (POST /answer-feedback)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from desk_helpers import sign_in
from insights_events import answered, declined, save_conversation, small_talk

from bot.insights.service import CHART_NAMES
from bot.site.public.answer_votes import VOTES_PER_MINUTE

ZONE = ZoneInfo("Europe/Amsterdam")
JSON_BLOCK = re.compile(r'<script type="application/json" id="insights-charts">(.*?)</script>', re.S)


@pytest.fixture
def tracker_path(tmp_path):
    return tmp_path / "var" / "tracker.db"


@pytest.fixture
def app(make_app, tracker_path):
    return make_app({"ALMERE_TRACKER_URL": f"sqlite:///{tracker_path}"})


@pytest.fixture
def conversations(tracker_path):
    """Three conversations this morning (so in the default period), one 40 days ago."""
    today = datetime.now(ZONE).replace(hour=0, minute=5).astimezone(timezone.utc)
    save_conversation(tracker_path, "c1", today, answered("How many people live in Almere?", "population"))
    save_conversation(tracker_path, "c2", today, declined('=HYPERLINK("http://evil.example")'))
    save_conversation(tracker_path, "c3", today, declined("Can I bring my dog? Mail me at an@example.org"))
    save_conversation(tracker_path, "old", today - timedelta(days=40), small_talk())
    return today


def local_today() -> str:
    return datetime.now(ZONE).date().isoformat()


def test_the_page_and_its_files_are_for_staff_only(client):
    for path in ["/desk/insights/", *(f"/desk/insights/{name}.csv" for name in CHART_NAMES)]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/desk/login"), path


def test_the_page_shows_the_last_30_days_by_default(signed_in, conversations):
    response = signed_in.get("/desk/insights/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    start = (datetime.now(ZONE).date() - timedelta(days=29)).isoformat()
    assert f'name="from" value="{start}"' in page and f'name="to" value="{local_today()}"' in page
    assert "<strong>3</strong> conversations" in page
    assert '<a href="/desk/insights/">Insights</a>' in page  # in the desk's navigation
    for name in CHART_NAMES:
        assert f'href="/desk/insights/{name}.csv?from={start}&amp;to={local_today()}"' in page
    drawings = json.loads(JSON_BLOCK.search(page).group(1))
    assert set(drawings) == set(CHART_NAMES)
    assert drawings["outcomes"]["series"][0]["values"] == [1, 2, 0, 0, 0]
    # The numbers also as tables; the questions masked; names said not to be.
    assert "<caption>Most frequent unanswered questions</caption>" in page
    assert "Mail me at [e-mail]" in page and "an@example.org" not in page
    assert "Other names cannot be recognised reliably" in page
    assert "[e-mail], [phone], [address], [postcode], [date], [number]" in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe" not in response.headers["Content-Security-Policy"]


def test_a_chosen_period(signed_in, conversations):
    day = (datetime.now(ZONE).date() - timedelta(days=40)).isoformat()
    page = signed_in.get(f"/desk/insights/?from={day}&to={day}").get_data(as_text=True)
    assert "<strong>1</strong> conversation started" in page
    assert page.count("Nothing in this period.") >= 5


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=yesterday", "The start date &#39;yesterday&#39; is not a date: write it as YYYY-MM-DD"),
        ("to=2026-02-30", "The end date &#39;2026-02-30&#39; is not a date"),
        ("from=2026-11-30&to=2026-11-01", "The start date (2026-11-30) is after the end date (2026-11-01)."),
        ("from=2020-01-01&to=2026-11-01", "Choose at most 366 days at a time."),
    ],
)
def test_bad_dates_are_a_400_that_says_what_to_write(signed_in, query, message):
    for path in ("/desk/insights/", "/desk/insights/topics.csv"):
        response = signed_in.get(f"{path}?{query}")
        assert response.status_code == 400, path
        page = response.get_data(as_text=True)
        assert "Check the dates" in page and message in page


def test_each_chart_has_its_numbers_as_csv(signed_in, conversations):
    response = signed_in.get(f"/desk/insights/outcomes.csv?to={local_today()}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert re.fullmatch(
        r'attachment; filename="almere-insights-outcomes-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d.csv"',
        response.headers["Content-Disposition"],
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["Outcome", "Conversations", "Share (%)"],
        ["Answered", "1", "33.3"],
        ["Declined", "2", "66.7"],
        ["Handed over", "0", "0.0"],
        ["Handoff abandoned", "0", "0.0"],
        ["Small talk only", "0", "0.0"],
    ]
    days = list(
        csv.reader(io.StringIO(signed_in.get("/desk/insights/conversations.csv").get_data(as_text=True)))
    )
    assert days[0] == ["Day", "Conversations"] and len(days) == 31 and days[-1] == [local_today(), "3"]


def test_a_question_that_looks_like_a_formula_stays_text_in_the_csv(signed_in, conversations):
    text = signed_in.get("/desk/insights/unanswered.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert ['\'=HYPERLINK("http://evil.example")', "1", ""] in rows


def test_an_unreadable_conversation_database_is_a_503(make_app, tmp_path, staff):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database" * 100)
    client = make_app({"ALMERE_TRACKER_URL": f"sqlite:///{broken}"}).test_client()
    sign_in(client)
    response = client.get("/desk/insights/")
    assert response.status_code == 503
    assert "cannot be read right now" in response.get_data(as_text=True)


def test_no_conversations_yet_is_an_empty_page_not_an_error(signed_in, tracker_path):
    page = signed_in.get("/desk/insights/").get_data(as_text=True)
    assert "<strong>0</strong> conversations" in page
    assert not tracker_path.exists()  # only read, never made


# --- POST /answer-feedback


def vote(client, body, **kwargs):
    return client.post("/answer-feedback", json=body, **kwargs)


def test_a_vote_is_stored_and_counted_in_the_insights(client, signed_in):
    assert vote(client, {"topic": "housing", "helpful": True}).status_code == 201
    response = vote(client, {"topic": "housing", "helpful": False})
    assert (response.status_code, response.get_json()) == (201, {"ok": True})
    rows = list(csv.reader(io.StringIO(signed_in.get("/desk/insights/feedback.csv").get_data(as_text=True))))
    assert rows == [["Topic", "Helpful", "Not helpful"], ["Housing", "1", "1"]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"topic": "weather", "helpful": True}, "That is not a topic the assistant answers."),
        ({"topic": "housing", "helpful": "yes"}, '"helpful" must be true or false.'),
        ({"topic": "desk_answer", "helpful": True}, "needs the number of that answer"),
        ({"topic": "desk_answer", "helpful": True, "desk_answer_id": 99}, "There is no such desk answer."),
        ([1, 2], "Send JSON like"),
    ],
)
def test_a_vote_on_nothing_the_assistant_says_is_a_400(client, body, message):
    response = vote(client, body)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_not_json_too_large_or_too_many(client):
    form = client.post("/answer-feedback", data={"topic": "housing", "helpful": "true"})
    assert form.status_code == 400 and "Send JSON" in form.get_json()["error"]
    broken = client.post("/answer-feedback", data="{not json", content_type="application/json")
    assert broken.status_code == 400 and "Send JSON" in broken.get_json()["error"]
    large = vote(client, {"topic": "housing", "helpful": True, "padding": "x" * 2000})
    assert large.status_code == 413 and large.get_json() == {"error": "That is too large for a vote."}

    other = {"REMOTE_ADDR": "10.9.8.7"}
    for _ in range(VOTES_PER_MINUTE):
        assert vote(client, {"topic": "jobs", "helpful": True}, environ_base=other).status_code == 201
    refused = vote(client, {"topic": "jobs", "helpful": True}, environ_base=other)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert vote(client, {"topic": "jobs", "helpful": True}).status_code == 201  # other addresses still vote


def test_an_unanswered_question_links_to_writing_a_desk_answer(signed_in, conversations):
    page = signed_in.get("/desk/insights/").get_data(as_text=True)
    link = '<a href="/desk/answers/new?question=Can+I+bring+my+dog?+Mail+me+at+%5Be-mail%5D">Write an answer'
    assert link in page
