"""The insights service over both databases: a small tracker database written by Rasa's own SQL
tracker store, and a migrated ticket database; no Flask."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from insights_events import answered, declined, handoff_started, handoff_stored, save_conversation, small_talk
from sqlalchemy import create_engine, text

from bot.insights import insights_service
from bot.insights.answer_votes import AnswerFeedbackService, InvalidFeedback, Vote
from bot.insights.conversations import ABANDONED, ANSWERED, DECLINED, HANDED_OVER, OTHER
from bot.insights.period import Period, period_from_query
from bot.insights.service import CHART_NAMES, charts
from bot.insights.tracker import PROBE_SENDER, ConversationsUnavailable, TrackerReader
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database
from bot.tickets.models import AnswerFeedback, DeskAnswer, Rating, Ticket

ZONE = ZoneInfo("Europe/Amsterdam")
# 10:00 in Amsterdam on each day of November 2026.
NOV = {day: datetime(2026, 11, day, 9, 0, tzinfo=timezone.utc) for day in range(1, 31)}
PERIOD = Period(date(2026, 11, 2), date(2026, 11, 8), ZONE)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("insights")


@pytest.fixture(scope="module")
def tracker_path(folder):
    return folder / "tracker.db"


@pytest.fixture(scope="module")
def database_url(folder) -> str:
    url = f"sqlite:///{folder / 'desk.db'}"
    upgrade_database(url)
    return url


@pytest.fixture(scope="module")
def sessions(database_url):
    engine = create_engine_for(database_url)
    yield create_session_factory(engine)
    engine.dispose()


def add_ticket(sessions, conversation_id: str, desk: str, created: datetime, replied_after: timedelta | None):
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
            first_reply_at=created + replied_after if replied_after else None,
        )
        session.add(ticket)
        session.flush()
        return ticket.id


@pytest.fixture(scope="module")
def stored(tracker_path, sessions):
    """A week of conversations and tickets, with some outside it."""
    save_conversation(tracker_path, "before", NOV[1], declined("Too early to count?"))
    save_conversation(
        tracker_path, "a1", NOV[2], small_talk(), answered("How many people live here?", "population")
    )
    save_conversation(
        tracker_path,
        "a2",
        NOV[2],
        answered("jobs?", "jobs"),
        declined("Can I park my boat?"),
        answered("and housing?", "housing"),
    )
    save_conversation(tracker_path, "d1", NOV[3], declined("Can I park my boat at the harbour?"))
    save_conversation(
        tracker_path, "d2", NOV[3], declined("Where do I park my boat"), declined("call me on 06-12345678")
    )
    save_conversation(tracker_path, "h1", NOV[4], declined("Can my cat come along?"), handoff_started())
    save_conversation(
        tracker_path, "h2", NOV[5], declined("dog licence?"), handoff_started(), handoff_stored("ALM-000002")
    )
    save_conversation(tracker_path, "live", NOV[6], answered("jobs please", "jobs"))  # then a live chat
    save_conversation(tracker_path, "o1", NOV[8], small_talk("good evening"))
    # 23:30 on 8 November in Amsterdam is still in the period; 00:30 on the 9th is not.
    save_conversation(tracker_path, "late", datetime(2026, 11, 8, 22, 30, tzinfo=timezone.utc), small_talk())
    save_conversation(tracker_path, "after", datetime(2026, 11, 8, 23, 30, tzinfo=timezone.utc), small_talk())
    save_conversation(tracker_path, PROBE_SENDER, NOV[3], small_talk())

    add_ticket(sessions, "h2", "international", NOV[5] + timedelta(minutes=5), timedelta(hours=2))
    live = add_ticket(sessions, "live", "business", NOV[6] + timedelta(minutes=3), timedelta(minutes=6))
    add_ticket(sessions, "other", "international", NOV[7], None)  # its conversation was purged
    add_ticket(sessions, "old", "business", NOV[1], timedelta(hours=1))  # before the period
    with sessions() as session, session.begin():
        session.add(
            Rating(
                conversation_id="live",
                ticket_id=live,
                channel="chat",
                asked_at=NOV[6],
                score=4,
                answered_at=NOV[6],
            )
        )
        session.add(Rating(conversation_id="h2", ticket_id=live, channel="email", asked_at=NOV[7]))
        for topic, helpful, day in (
            ("jobs", True, 2),
            ("jobs", True, 6),
            ("jobs", False, 6),
            ("housing", False, 2),
            ("housing", True, 20),
        ):
            session.add(AnswerFeedback(topic=topic, helpful=helpful, created_at=NOV[day]))


def test_conversations_of_the_period_with_their_outcomes(tracker_path, database_url, stored):
    insights = insights_service(f"sqlite:///{tracker_path}", database_url).report(PERIOD)

    assert insights.conversations == 9
    assert insights.outcomes == {ANSWERED: 2, DECLINED: 2, HANDED_OVER: 2, ABANDONED: 1, OTHER: 2}
    assert dict(insights.per_day) == {
        date(2026, 11, 2): 2,
        date(2026, 11, 3): 2,
        date(2026, 11, 4): 1,
        date(2026, 11, 5): 1,
        date(2026, 11, 6): 1,
        date(2026, 11, 7): 0,
        date(2026, 11, 8): 2,
    }
    assert insights.topics == [("jobs", 2), ("housing", 1), ("population", 1)]


def test_unanswered_questions_are_masked_and_grouped(tracker_path, database_url, stored):
    insights = insights_service(f"sqlite:///{tracker_path}", database_url).report(PERIOD)

    groups = [(g.example, g.count, g.variants) for g in insights.unanswered]
    assert groups[0] == (
        "Can I park my boat?",
        3,
        ("Can I park my boat at the harbour?", "Where do I park my boat"),
    )
    assert ("call me on [phone]", 1, ()) in groups
    assert "Too early to count?" not in json.dumps(insights.as_json())
    assert sum(g.count for g in insights.unanswered) == 6


def test_desk_figures_of_the_period(tracker_path, database_url, stored):
    insights = insights_service(f"sqlite:///{tracker_path}", database_url).report(PERIOD)

    international, business = insights.tickets
    assert (international.desk, international.tickets, international.replied) == ("international", 2, 1)
    assert international.median_minutes == international.p90_minutes == 120
    assert (business.tickets, business.replied, business.median_minutes) == (1, 1, 6)
    assert insights.ratings.per_score == {1: 0, 2: 0, 3: 0, 4: 1, 5: 0}
    assert (insights.ratings.asked, insights.ratings.answered, insights.ratings.average) == (2, 1, 4.0)
    assert [(f.topic, f.helpful, f.not_helpful) for f in insights.feedback] == [
        ("jobs", 2, 1),
        ("housing", 0, 1),
    ]


def test_every_chart_is_a_table_too(tracker_path, database_url, stored):
    insights = insights_service(f"sqlite:///{tracker_path}", database_url).report(PERIOD)
    found = {chart.name: chart for chart in charts(insights)}

    assert tuple(found) == CHART_NAMES
    assert found["outcomes"].rows[0] == ("Answered", 2, 22.2)
    assert found["topics"].rows[0] == ("Jobs", 2)
    assert found["tickets"].rows == (("International Affairs", 2, 1, 1), ("Business service desk", 1, 1, 0))
    assert found["first_reply"].drawing()["series"][0] == {"label": "Median (h:mm)", "values": [120, 6]}
    assert found["first_reply"].shown_rows == (
        ("International Affairs", "2:00", "2:00", 1),
        ("Business service desk", "0:06", "0:06", 1),
    )
    assert found["ratings"].note.startswith("1 of 2 people asked in the period answered; average score 4.0")
    drawing = found["feedback"].drawing()
    assert drawing == {
        "kind": "stacked",
        "labels": ["Jobs", "Housing"],
        "series": [{"label": "Helpful", "values": [2, 0]}, {"label": "Not helpful", "values": [1, 1]}],
    }
    assert found["conversations"].drawing()["labels"][0] == "2026-11-02"


def test_json_has_every_figure(tracker_path, database_url, stored):
    data = insights_service(f"sqlite:///{tracker_path}", database_url).report(PERIOD).as_json()
    assert (data["from"], data["to"], data["time_zone"], data["conversations"]) == (
        "2026-11-02",
        "2026-11-08",
        "Europe/Amsterdam",
        9,
    )
    assert data["ratings"] == {
        "asked": 2,
        "answered": 1,
        "average": 4.0,
        "per_score": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0},
    }
    assert data["unanswered_questions"][0]["count"] == 3
    json.dumps(data)  # plain JSON


def test_the_tracker_database_is_only_read(tracker_path, database_url, stored):
    before = tracker_path.read_bytes()
    reader = TrackerReader(f"sqlite:///{tracker_path}")
    assert len(reader.conversations(PERIOD, frozenset())) == 9
    with pytest.raises(Exception, match="readonly|read-only"):
        with reader._engine.begin() as connection:
            connection.execute(text("DELETE FROM events"))
    reader.dispose()
    assert tracker_path.read_bytes() == before


def test_no_conversations_yet(tmp_path, database_url, stored):
    missing = tmp_path / "none" / "tracker.db"
    assert TrackerReader(f"sqlite:///{missing}").conversations(PERIOD, frozenset()) == []
    assert not missing.exists() and not missing.parent.exists()
    empty = tmp_path / "empty.db"
    create_engine(f"sqlite:///{empty}").connect().close()
    assert TrackerReader(f"sqlite:///{empty}").conversations(PERIOD, frozenset()) == []
    insights = insights_service(f"sqlite:///{missing}", database_url).report(
        period_from_query(None, None, ZONE, date(2026, 11, 30))
    )
    assert insights.conversations == 0 and insights.unanswered == [] and len(insights.per_day) == 30


def test_an_unreadable_tracker_database_is_said_so(tmp_path):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConversationsUnavailable, match="cannot be read"):
        TrackerReader(f"sqlite:///{broken}").conversations(PERIOD, frozenset())


def test_votes_are_stored_with_their_topic_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'votes.db'}"
    upgrade_database(url)
    sessions = create_session_factory(create_engine_for(url))
    service = AnswerFeedbackService(sessions)
    service.record(Vote("housing", True))
    with sessions() as session, session.begin():
        session.add(DeskAnswer(id=7, status="approved", questions="q", answer="a", author="jan"))
        session.add(DeskAnswer(id=8, status="draft", questions="q", answer="a", author="jan"))
    service.record(Vote("desk_answer", False, 7))
    for missing in (8, 9):
        with pytest.raises(InvalidFeedback, match="no such desk answer"):
            service.record(Vote("desk_answer", True, missing))
    with sessions() as session:
        rows = session.query(
            AnswerFeedback.topic, AnswerFeedback.helpful, AnswerFeedback.desk_answer_id
        ).all()
    assert sorted(rows) == [("desk_answer", False, 7), ("housing", True, None)]
