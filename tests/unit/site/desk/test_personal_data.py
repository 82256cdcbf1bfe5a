"""One person's data (AVG articles 15 and 17): found by e-mail address, phone number, reference or
conversation id, handed over as one file and erased, from the desk's page (administrators only) and
from `almere personal-data`; the erasure is logged without the address."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from desk_helpers import PASSWORD, csrf_token, make_ticket, sign_in
from insights_events import declined, save_conversation, small_talk
from sqlalchemy import create_engine, func, select, text

from bot.launcher.cli import main
from bot.privacy.subject_data import InvalidSubject, SubjectDataService, parse_subject, phone_key
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.models import AnswerFeedback, DeskAnswer, Rating, Ticket, TicketMessage, TicketNote

EMAIL = "jan.jansen@example.nl"
PHONE = "+31 6 1234 5678"
NOW = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)


@pytest.fixture
def tracker_path(tmp_path):
    return tmp_path / "var" / "tracker.db"


@pytest.fixture
def app(make_app, tracker_path):
    return make_app({"ALMERE_TRACKER_URL": f"sqlite:///{tracker_path}", "ALMERE_DESK_ADMINS": "Jan"})


@pytest.fixture
def sessions(database_url):
    engine = create_engine_for(database_url)
    yield create_session_factory(engine)
    engine.dispose()


@pytest.fixture
def stored(services, sessions, tracker_path, staff):
    """Jan's request (with a rating and a reply), his live chat, Piet's request with a note naming
    Jan and one that does not, a vote; and their conversations, one of which only mentions Jan."""
    jan = make_ticket(services.tickets, "c-jan", name="Jan Jansen", email=EMAIL, phone=PHONE)
    live = make_ticket(services.tickets, "c-live", name="Jan Jansen", email=EMAIL.upper())
    piet = make_ticket(services.tickets, "c-piet", name="Piet", email="piet@example.org")
    services.tickets.add_note(piet, "jan", f"Same family as {EMAIL.upper()} ({jan}); call 06-12345678")
    services.tickets.add_note(piet, "jan", "Called back, no answer.")
    with sessions() as session, session.begin():
        tickets = {t.reference: t for t in session.execute(select(Ticket)).scalars()}
        tickets[live].live_chat = "closed"
        tickets[live].messages.append(
            TicketMessage(position=99, role="staff", author="jan", text="Hello Jan!", timestamp=NOW)
        )
        session.add(Rating(conversation_id="c-jan", ticket_id=tickets[jan].id, channel="email", score=2,
                           comment="Slow, but kind", answered_at=NOW))  # fmt: skip
        session.add(Rating(conversation_id="c-piet", ticket_id=tickets[piet].id, channel="chat"))
        session.add(AnswerFeedback(topic="housing", helpful=True))
        session.add(
            DeskAnswer(
                questions="Register?",
                answer="At the town hall.",
                author="jan",
                source_ticket_id=tickets[jan].id,
            )
        )
    save_conversation(tracker_path, "c-jan", NOW, small_talk("hello"))
    save_conversation(tracker_path, "c-live", NOW, small_talk("hi"))
    save_conversation(tracker_path, "c-typed", NOW, declined(f"is my mail {EMAIL} right?"))
    save_conversation(tracker_path, "c-piet", NOW, small_talk("hallo"))
    save_conversation(tracker_path, "c-other", NOW, declined("where is the zoo?"))
    return {"jan": jan, "live": live, "piet": piet}


def post(client, path: str, **form: str):
    return client.post(path, data={"csrf_token": csrf_token(client, "/desk/personal-data/"), **form})


def conversation_ids(tracker_path) -> set[str]:
    engine = create_engine(f"sqlite:///{tracker_path}")
    with engine.connect() as connection:
        found = set(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())
    engine.dispose()
    return found


def test_an_administrator_finds_exports_and_erases_one_person(
    signed_in, stored, sessions, tracker_path, caplog
):
    page = signed_in.get("/desk/personal-data/").get_data(as_text=True)
    assert '<a href="/desk/personal-data/">Personal data</a>' in page

    found = post(signed_in, "/desk/personal-data/", kind="email", value=f"  {EMAIL.title()} ")
    assert found.status_code == 200
    page = found.get_data(as_text=True)
    assert stored["jan"] in page and stored["live"] in page and stored["piet"] not in page

    export = post(signed_in, "/desk/personal-data/export", kind="email", value=EMAIL)
    assert export.status_code == 200 and export.mimetype == "application/json"
    assert (
        "attachment" in export.headers["Content-Disposition"]
        and EMAIL not in export.headers["Content-Disposition"]
    )
    data = json.loads(export.get_data(as_text=True))
    requests = {r["reference"]: r for r in data["requests"]}
    assert set(requests) == {stored["jan"], stored["live"]}
    assert requests[stored["jan"]]["rating"]["comment"] == "Slow, but kind"
    assert requests[stored["live"]]["live_chat"] == "closed"
    assert any(m["text"] == "Hello Jan!" for m in requests[stored["live"]]["transcript"])
    assert [n["on_request"] for n in data["notes_on_other_requests"]] == [stored["piet"]]
    conversations = {c["conversation_id"]: c for c in data["conversations"]}
    assert set(conversations) == {"c-jan", "c-live", "c-typed"}  # c-typed only mentions the address
    assert all(c["events"] for c in conversations.values())
    assert "without anything that links them" in data["answer_votes"]
    assert [
        (a["desk_answer"], a["written_from_request"]) for a in data["desk_answers_written_from_requests"]
    ] == [(1, stored["jan"])]
    assert '<a href="/desk/answers/1">Answer 1</a>' in page

    refused = post(signed_in, "/desk/personal-data/erase", kind="email", value=EMAIL)
    assert refused.status_code == 400 and "Tick the box" in refused.get_data(as_text=True)
    assert conversation_ids(tracker_path) >= {"c-jan", "c-live", "c-typed"}

    with caplog.at_level(logging.INFO, logger="bot.privacy.subject_data"):
        erased = post(signed_in, "/desk/personal-data/erase", kind="email", value=EMAIL, confirm="yes")
    assert erased.status_code == 302
    flashed = signed_in.get(erased.headers["Location"]).get_data(as_text=True)
    assert "Erased: 2 tickets, 1 ratings and 3 conversations" in flashed

    with sessions() as session:
        assert [t.reference for t in session.execute(select(Ticket)).scalars()] == [stored["piet"]]
        assert [r.conversation_id for r in session.execute(select(Rating)).scalars()] == ["c-piet"]
        notes = [n.text for n in session.execute(select(TicketNote).order_by(TicketNote.id)).scalars()]
        assert notes == ["Same family as [removed] ([removed]); call [removed]", "Called back, no answer."]
        assert session.execute(select(func.count()).select_from(TicketMessage)).scalar() == 2  # Piet's
        assert session.execute(select(func.count()).select_from(AnswerFeedback)).scalar() == 1
        kept = session.execute(select(DeskAnswer)).scalar_one()  # a reusable answer stays, unlinked
        assert (kept.answer, kept.source_ticket_id) == ("At the town hall.", None)
    assert conversation_ids(tracker_path) == {"c-piet", "c-other"}

    logged = " ".join(record.getMessage() for record in caplog.records)
    assert stored["jan"] in logged and "by jan" in logged and "e-mail address" in logged
    assert EMAIL not in logged.lower() and "jansen" not in logged.lower() and "1234" not in logged

    again = post(signed_in, "/desk/personal-data/", kind="email", value=EMAIL).get_data(as_text=True)
    assert "Nothing is kept for it." in again


@pytest.mark.parametrize(
    ("kind", "value", "references"),
    [
        ("phone", "0612345678", ("jan",)),  # written otherwise than in the request
        ("phone", "+31 (0)6-12 34 56 78", ("jan",)),
        ("reference", "alm-000002", ("live",)),
        ("conversation", "c-live", ("live",)),
        ("email", "someone.else@example.nl", ()),
    ],
)
def test_found_by_phone_reference_or_conversation(
    app, stored, sessions, tracker_path, kind, value, references
):
    service = SubjectDataService(sessions, f"sqlite:///{tracker_path}")
    found = service.find(parse_subject(kind, value))
    assert stored["live"] == "ALM-000002"
    assert [t.reference for t in found.tickets] == [stored[name] for name in references]


def test_the_page_is_for_administrators_only(make_app, tracker_path, services, stored):
    services.accounts.add("piet", PASSWORD)
    client = make_app(
        {"ALMERE_TRACKER_URL": f"sqlite:///{tracker_path}", "ALMERE_DESK_ADMINS": "jan"}
    ).test_client()
    sign_in(client, username="piet")
    assert "Personal data" not in client.get("/desk/").get_data(as_text=True)
    assert client.get("/desk/personal-data/").status_code == 403
    token = csrf_token(client, "/desk/")
    for path in ("/desk/personal-data/", "/desk/personal-data/export", "/desk/personal-data/erase"):
        response = client.post(
            path, data={"csrf_token": token, "kind": "email", "value": EMAIL, "confirm": "yes"}
        )
        assert response.status_code == 403, path
        assert "Only the desk’s administrators" in response.get_data(as_text=True)
    assert len(services.tickets.list()) == 3


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind": "name", "value": "Jan"}, "Choose what to search by"),
        ({"kind": "email", "value": "  "}, "Type the e-mail address"),
        ({"kind": "email", "value": "jan at example"}, "does not look valid"),
        ({"kind": "phone", "value": "12"}, "does not look valid"),
        ({"kind": "reference", "value": "12"}, "looks like ALM-000123"),
        ({"kind": "conversation", "value": "a b"}, "no spaces"),
        ({}, "Choose what to search by"),
    ],
)
def test_bad_input_is_a_400_that_says_what_to_type(signed_in, stored, form, message):
    for path in ("/desk/personal-data/", "/desk/personal-data/export", "/desk/personal-data/erase"):
        response = post(signed_in, path, confirm="yes", **form)
        assert response.status_code == 400, path
        assert message in response.get_data(as_text=True)


def test_nothing_is_erased_while_a_live_chat_goes_on(signed_in, stored, sessions, tracker_path):
    with sessions() as session, session.begin():
        session.execute(
            select(Ticket).where(Ticket.reference == stored["live"])
        ).scalar_one().live_chat = "active"
    response = post(signed_in, "/desk/personal-data/erase", kind="email", value=EMAIL, confirm="yes")
    assert response.status_code == 409 and stored["live"] in response.get_data(as_text=True)
    assert len(conversation_ids(tracker_path)) == 5
    with sessions() as session:
        assert session.execute(select(func.count()).select_from(Ticket)).scalar() == 3


def test_phone_keys():
    assert phone_key("+31 6 1234 5678") == phone_key("06-12345678") == phone_key("0031 (0)6 12345678")
    assert phone_key("036 539 9911") != phone_key("06 539 9911")
    with pytest.raises(InvalidSubject):
        parse_subject("phone", "call me")


def test_the_command_exports_and_erases(stored, database_url, tracker_path, tmp_path, caplog):
    env = {"ALMERE_DATABASE_URL": database_url, "ALMERE_TRACKER_URL": f"sqlite:///{tracker_path}"}
    runner = CliRunner()
    found = runner.invoke(main, ["personal-data", "find", "conversation", "c-jan"], env=env)
    assert found.exit_code == 0, found.output
    assert f"Requests:      1 ({stored['jan']})" in found.output

    output = tmp_path / "export.json"
    export = runner.invoke(
        main, ["personal-data", "export", "phone", "06 12 34 56 78", "--output", str(output)], env=env
    )
    assert export.exit_code == 0, export.output
    assert [r["reference"] for r in json.loads(output.read_text())["requests"]] == [stored["jan"]]

    bad = runner.invoke(main, ["personal-data", "erase", "email", "not an address"], env=env)
    assert bad.exit_code == 2 and "does not look valid" in bad.output

    declined_ = runner.invoke(
        main, ["personal-data", "erase", "reference", stored["jan"]], env=env, input="n\n"
    )
    assert declined_.exit_code == 1 and "Aborted" in declined_.output
    assert "c-jan" in conversation_ids(tracker_path)

    erased = runner.invoke(main, ["personal-data", "erase", "reference", stored["jan"], "--yes"], env=env)
    assert erased.exit_code == 0, erased.output
    assert "Erased 1 request(s), 1 rating(s), 2 conversation(s)" in erased.output
    assert "c-jan" not in conversation_ids(tracker_path) and "c-typed" not in conversation_ids(tracker_path)
