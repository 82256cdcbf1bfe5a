"""TicketService on SQLite and PostgreSQL: validation, idempotency, races, outages."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta, timezone

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from support import T0, open_ticket, transcript

from bot.tickets import (
    ConsentRequired,
    InvalidTicket,
    InvalidTransition,
    TicketNotFound,
    TicketService,
    TicketStoreUnavailable,
    TranscriptEntry,
)
from bot.tickets.database import create_engine_for, create_session_factory


def texts(record) -> list[str]:
    return [message.text for message in record.transcript]


def test_creates_a_ticket_with_reference_contact_and_transcript(service):
    result = open_ticket(service, phone="+31 6 1234 5678")

    assert result.created
    assert result.reference == "ALM-000001"
    ticket = service.get(result.reference)
    assert (ticket.status, ticket.desk, ticket.name) == ("open", "international", "Ana Silva")
    assert (ticket.email, ticket.phone) == ("ana@example.org", "+31 6 1234 5678")
    assert ticket.topic == "registration"
    assert ticket.conversation_id == "conv-1" and ticket.channel == "webchat"
    assert ticket.assignee is None
    assert ticket.consent_at.tzinfo is not None and ticket.created_at.utcoffset() == timedelta(0)
    assert [(m.position, m.role) for m in ticket.transcript] == [(0, "user"), (1, "bot")]
    assert ticket.transcript[0].timestamp == T0


def test_refuses_without_consent_and_stores_nothing(service):
    with pytest.raises(ConsentRequired):
        open_ticket(service, consent_given=False)
    assert service.list() == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "name"),
        ({"email": None, "phone": None}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "ana@localhost"}, "email"),
        ({"email": None, "phone": "call me"}, "phone"),
        ({"desk": "parking"}, "desk"),
        ({"question": ""}, "question"),
        ({"name": "x" * 201}, "name"),
        ({"transcript": [TranscriptEntry("agent", "hi", T0)]}, "transcript"),
        ({"transcript": [TranscriptEntry("user", "hi", T0.replace(tzinfo=None))]}, "transcript"),
        ({"channel": ""}, "channel"),
    ],
)
def test_rejects_invalid_input_and_stores_nothing(service, overrides, field):
    with pytest.raises(InvalidTicket) as raised:
        open_ticket(service, **overrides)
    assert raised.value.field == field
    assert service.list() == []


def test_phone_alone_is_enough_contact(service):
    result = open_ticket(service, email=None, phone="036 539 9999")
    assert service.get(result.reference).phone == "036 539 9999"


def test_same_conversation_updates_its_ticket(service):
    first = open_ticket(service, transcript=transcript("Hello", "Hi!"))
    second = open_ticket(
        service,
        email="ana.silva@example.org",
        phone="0612345678",
        transcript=transcript("Hello", "Hi!", "I need a human", "Connecting you"),
    )

    assert second.reference == first.reference and not second.created
    [ticket] = service.list()
    assert ticket.email == "ana.silva@example.org" and ticket.phone == "0612345678"
    assert texts(ticket) == ["Hello", "Hi!", "I need a human", "Connecting you"]
    assert [m.position for m in ticket.transcript] == [0, 1, 2, 3]


def test_sending_the_same_transcript_twice_adds_nothing(service):
    lines = transcript("Hello", "Hi!", "Hello", "Hi!")  # repeated words, different times
    open_ticket(service, transcript=lines)
    open_ticket(service, transcript=lines)
    open_ticket(service, transcript=lines[:2])

    [ticket] = service.list()
    assert texts(ticket) == ["Hello", "Hi!", "Hello", "Hi!"]


def test_timestamps_in_other_zones_match_the_stored_ones(service):
    lines = transcript("Hello", "Hi!")
    open_ticket(service, transcript=lines)
    shifted = [
        TranscriptEntry(e.role, e.text, e.timestamp.astimezone(timezone(timedelta(hours=2)))) for e in lines
    ]
    open_ticket(service, transcript=shifted)
    assert texts(service.list()[0]) == ["Hello", "Hi!"]


def test_a_claimed_ticket_stays_claimed_when_updated(service):
    reference = open_ticket(service).reference
    service.claim(reference, "jan")
    assert open_ticket(service, question="Any news?").reference == reference
    ticket = service.get(reference)
    assert (ticket.status, ticket.assignee, ticket.question) == ("claimed", "jan", "Any news?")


def test_a_resolved_ticket_makes_room_for_a_new_one(service):
    first = open_ticket(service).reference
    service.resolve(first, "jan")
    second = open_ticket(service)
    assert second.created and second.reference == "ALM-000002"
    assert service.get(first).status == "resolved"


def test_concurrent_calls_for_one_conversation_make_one_ticket(engine):
    service = TicketService(create_session_factory(engine))
    lines = transcript("Hello", "Hi!", "I need a human")
    callers = 6
    barrier = threading.Barrier(callers)

    def call():
        barrier.wait()
        return open_ticket(service, "race", transcript=lines)

    with ThreadPoolExecutor(max_workers=callers) as pool:
        futures = [pool.submit(call) for _ in range(callers)]
        results = [future.result(timeout=60) for future in futures]

    assert len({result.reference for result in results}) == 1
    assert sum(result.created for result in results) == 1
    [ticket] = service.list()
    assert texts(ticket) == ["Hello", "Hi!", "I need a human"]


def test_database_down_raises_unavailable_and_stores_nothing(unreachable_service, service):
    with pytest.raises(TicketStoreUnavailable):
        open_ticket(unreachable_service)
    for call in (
        unreachable_service.list,
        lambda: unreachable_service.get("ALM-000001"),
        lambda: unreachable_service.claim("ALM-000001", "jan"),
        lambda: unreachable_service.add_note("ALM-000001", "jan", "called"),
        lambda: unreachable_service.resolve("ALM-000001", "jan"),
    ):
        with pytest.raises(TicketStoreUnavailable):
            call()
    assert service.list() == []


def test_failure_halfway_leaves_nothing_behind(engine, service):
    def fail_on_messages(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO TICKET_MESSAGES"):
            outage = engine.dialect.dbapi.OperationalError("simulated outage")
            raise OperationalError(statement, parameters, outage)

    event.listen(engine, "before_cursor_execute", fail_on_messages)
    try:
        with pytest.raises(TicketStoreUnavailable):
            open_ticket(service)
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_messages)
    assert service.list() == []
    assert open_ticket(service).created


def test_recovers_when_the_database_returns(database_outage):
    service = database_outage.service
    assert open_ticket(service, "before").created
    database_outage.begin()
    with pytest.raises(TicketStoreUnavailable):
        open_ticket(service, "during")
    database_outage.end()

    assert open_ticket(service, "after").created
    assert sorted(t.conversation_id for t in service.list()) == ["after", "before"]


def test_claim_note_resolve(service):
    reference = open_ticket(service).reference

    claimed = service.claim(reference, "Jan")
    assert (claimed.status, claimed.assignee) == ("claimed", "jan")
    assert service.claim(reference, "jan").status == "claimed"  # again by the same person
    with pytest.raises(InvalidTransition):
        service.claim(reference, "piet")

    noted = service.add_note(reference, "piet", "  Called back, no answer.  ")
    assert [(n.author, n.text) for n in noted.notes] == [("piet", "Called back, no answer.")]
    service.add_note(reference, "jan", "Sent an e-mail.")
    assert [n.text for n in service.get(reference).notes] == [
        "Called back, no answer.",
        "Sent an e-mail.",
    ]

    resolved = service.resolve(reference, "piet")
    assert (resolved.status, resolved.assignee) == ("resolved", "jan")
    assert resolved.updated_at >= resolved.created_at
    with pytest.raises(InvalidTransition):
        service.resolve(reference, "jan")
    with pytest.raises(InvalidTransition):
        service.claim(reference, "jan")


def test_resolving_an_unclaimed_ticket_assigns_it(service):
    reference = open_ticket(service).reference
    assert service.resolve(reference, "jan").assignee == "jan"


def test_unknown_reference_and_bad_note(service):
    reference = open_ticket(service).reference
    for call in (
        lambda: service.get("ALM-999999"),
        lambda: service.claim("ALM-999999", "jan"),
        lambda: service.add_note("ALM-999999", "jan", "x"),
        lambda: service.resolve("nonsense", "jan"),
    ):
        with pytest.raises(TicketNotFound):
            call()
    with pytest.raises(InvalidTicket):
        service.add_note(reference, "jan", "   ")
    assert service.get(reference.lower()).reference == reference


def test_list_filters_and_newest_first(service):
    first = open_ticket(service, "a").reference
    second = open_ticket(service, "b", desk="business").reference
    third = open_ticket(service, "c").reference
    service.claim(second, "jan")
    service.resolve(third, "jan")

    assert [t.reference for t in service.list()] == [third, second, first]
    assert [t.reference for t in service.list(status="open")] == [first]
    assert [t.reference for t in service.list(desk="business")] == [second]
    assert [t.reference for t in service.list(status="resolved", desk="international")] == [third]
    assert service.list(status="claimed", desk="international") == []
    with pytest.raises(InvalidTicket):
        service.list(status="closed")
    with pytest.raises(InvalidTicket):
        service.list(desk="parking")


def test_records_serialise_every_field(service):
    reference = open_ticket(service).reference
    service.add_note(reference, "jan", "Note")
    data = service.get(reference).to_dict()
    assert set(data) == {
        "id", "reference", "status", "desk", "name", "email", "phone", "question", "topic",
        "consent_at", "conversation_id", "channel", "created_at", "updated_at", "assignee",
        "notes", "transcript", "live_chat", "first_reply_at", "replies", "rating", "language",
    }  # fmt: skip
    assert data["transcript"][0] == {
        "position": 0,
        "role": "user",
        "text": "How do I register my address?",
        "timestamp": "2026-03-02T09:30:00+00:00",
        "quick_reply": None,
        "author": None,
    }
    assert data["notes"][0]["author"] == "jan"
    new_fields = ("live_chat", "first_reply_at", "replies", "rating", "language")
    assert [data[key] for key in new_fields] == [None, None, [], None, "en"]


def test_a_clicked_quick_reply_keeps_its_title_and_payload(service):
    clicked = TranscriptEntry(role="user", text="Yes, I agree", timestamp=T0, quick_reply="/affirm")
    reference = open_ticket(service, transcript=[clicked]).reference
    (message,) = service.get(reference).transcript
    assert (message.text, message.quick_reply) == ("Yes, I agree", "/affirm")
    assert service.get(reference).to_dict()["transcript"][0]["quick_reply"] == "/affirm"


@pytest.mark.parametrize(
    "entry",
    [
        TranscriptEntry(role="bot", text="Yes", timestamp=T0, quick_reply="/affirm"),
        TranscriptEntry(role="user", text="Yes", timestamp=T0, quick_reply=""),
        TranscriptEntry(role="user", text="Yes", timestamp=T0, quick_reply="/" + "a" * 100),
    ],
)
def test_a_quick_reply_of_the_assistant_or_out_of_bounds_is_refused(service, entry):
    with pytest.raises(InvalidTicket, match="quick reply"):
        open_ticket(service, transcript=[entry])
    assert service.list() == []


def test_the_queue_puts_the_longest_waiting_open_ticket_first(service):
    oldest = open_ticket(service, "a").reference
    claimed = open_ticket(service, "b", desk="business").reference
    resolved_first = open_ticket(service, "c").reference
    resolved_last = open_ticket(service, "d").reference
    newest = open_ticket(service, "e").reference
    service.claim(claimed, "jan")
    service.resolve(resolved_first, "piet")
    service.resolve(resolved_last, "jan")

    assert [t.reference for t in service.queue()] == [oldest, newest, claimed, resolved_last, resolved_first]
    assert [t.reference for t in service.queue(status="open")] == [oldest, newest]
    assert [t.reference for t in service.queue(assignee="Jan")] == [claimed, resolved_last]
    assert [t.reference for t in service.queue(status="claimed", assignee="jan")] == [claimed]
    assert [t.reference for t in service.queue(desk="business")] == [claimed]
    assert service.queue(assignee="nobody") == []
    for bad in ({"status": "closed"}, {"desk": "parking"}, {"assignee": "no spaces allowed"}):
        with pytest.raises(InvalidTicket):
            service.queue(**bad)


def test_counts_per_status_and_desk(service):
    assert service.counts().count() == 0
    open_ticket(service, "a")
    open_ticket(service, "b", desk="business")
    service.claim(open_ticket(service, "c", desk="business").reference, "jan")

    counts = service.counts()
    assert counts.count() == 3
    assert (counts.count("open"), counts.count("claimed"), counts.count("resolved")) == (2, 1, 0)
    assert counts.count(desk="business") == 2
    assert counts.count("open", "international") == 1 and counts.count("claimed", "international") == 0


def test_a_resolved_ticket_can_be_reopened_with_a_note_of_who_and_when(service):
    reference = open_ticket(service).reference
    with pytest.raises(InvalidTransition, match="not resolved"):
        service.reopen(reference, "jan")
    service.resolve(reference, "piet")

    reopened = service.reopen(reference, "Jan")
    assert (reopened.status, reopened.assignee) == ("open", None)
    (note,) = reopened.notes
    assert note.author == "jan" and "resolved by piet" in note.text
    assert note.created_at >= reopened.created_at
    assert service.claim(reference, "jan").status == "claimed"  # handled like any open ticket
    with pytest.raises(TicketNotFound):
        service.reopen("ALM-999999", "jan")


def test_reopening_gives_way_to_a_newer_ticket_of_the_conversation(service):
    old = open_ticket(service).reference
    service.resolve(old, "jan")
    newer = open_ticket(service).reference  # the person asked again in the same conversation
    with pytest.raises(InvalidTransition, match=f"open ticket, {newer}"):
        service.reopen(old, "jan")
    assert service.get(old).status == "resolved"


def test_service_for_settings_uses_the_configured_database(sqlite_url):
    from bot.config import settings_from
    from bot.tickets import ticket_service_for

    service = ticket_service_for(settings_from({"ALMERE_DATABASE_URL": sqlite_url}))
    assert open_ticket(service).created
    same = TicketService(create_session_factory(create_engine_for(sqlite_url)))
    assert len(same.list()) == 1
