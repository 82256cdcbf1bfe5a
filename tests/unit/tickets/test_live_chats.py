"""Live chats and the colleagues' availability, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from bot.site.desk.accounts import StaffAccounts
from bot.tickets import InvalidTransition, TicketNotFound, TicketStoreUnavailable, TranscriptEntry
from bot.tickets.database import create_session_factory
from bot.tickets.errors import LiveChatInProgress
from bot.tickets.live_chat_tickets import VISITOR_NAME, LiveChatService
from bot.tickets.models import Ticket

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
ASKED = TranscriptEntry(role="user", text="Can I talk to someone?", timestamp=T0)


@pytest.fixture
def factory(engine):
    return create_session_factory(engine)


@pytest.fixture
def live(factory) -> LiveChatService:
    accounts = StaffAccounts(factory)
    for name in ("anna", "bram"):
        accounts.add(name, "a long enough password 1")
    return LiveChatService(factory, presence_seconds=60)


def request(live: LiveChatService, conversation: str = "c1", transcript=(ASKED,)):
    return live.request(
        conversation,
        "socketio",
        desk="international",
        question=None,
        topic="housing",
        transcript=list(transcript),
    )


def test_a_request_opens_a_waiting_chat_without_contact_details(live, service):
    chat = request(live)
    assert (chat.state, chat.assignee, chat.desk) == ("waiting", None, "international")
    ticket = service.get(chat.reference)
    assert (ticket.name, ticket.email, ticket.phone, ticket.live_chat) == (
        VISITOR_NAME,
        None,
        None,
        "waiting",
    )
    assert [m.text for m in ticket.transcript] == ["Can I talk to someone?"]
    assert live.current("c1") == chat and live.waiting() == [chat]


def test_asking_again_keeps_the_same_chat(live):
    first = request(live)
    assert request(live) == first


def test_only_one_colleague_can_take_a_chat(live, service):
    chat = request(live)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda name: _try(live.take, chat.reference, name), ["anna", "bram"]))
    assert sorted(type(r).__name__ for r in results) == ["InvalidTransition", "LiveChat"]
    ticket = service.get(chat.reference)
    assert ticket.status == "claimed" and ticket.live_chat == "active" and ticket.assignee in ("anna", "bram")


def _try(method, *args):
    try:
        return method(*args)
    except InvalidTransition as error:
        return error


def test_a_taken_chat_no_longer_expires_and_an_expired_one_cannot_be_taken(live):
    taken, missed = request(live, "c1"), request(live, "c2")
    live.take(taken.reference, "anna")
    assert live.expire(taken.reference) is False
    assert live.expire(missed.reference) is True
    with pytest.raises(InvalidTransition, match="in time"):
        live.take(missed.reference, "anna")
    assert live.current("c2").state == "missed"


def test_release_puts_the_chat_back_in_the_queue(live):
    chat = request(live)
    live.take(chat.reference, "anna")
    with pytest.raises(InvalidTransition):
        live.release(chat.reference, "bram")
    assert live.release(chat.reference, "anna").state == "waiting"


@pytest.mark.parametrize("how", ["returned", "closed"])
def test_ending_a_chat_resolves_its_ticket_with_a_note(live, service, how):
    chat = request(live)
    live.take(chat.reference, "anna")
    with pytest.raises(InvalidTransition):
        live.end(chat.reference, "bram", how)
    assert live.end(chat.reference, "anna", how).state == how
    ticket = service.get(chat.reference)
    assert ticket.status == "resolved" and ticket.notes[-1].author == "anna"
    assert live.current("c1") is None  # a new request starts a new ticket
    assert request(live).reference != chat.reference


def test_the_transcript_grows_and_the_first_staff_message_is_the_first_reply(live, service):
    chat = request(live)
    live.take(chat.reference, "anna")
    said = TranscriptEntry(
        role="staff", text="Hello, I'm Anna.", timestamp=T0 + timedelta(seconds=30), author="anna"
    )
    live.record_transcript(chat.reference, [ASKED, said])
    live.record_transcript(chat.reference, [ASKED, said])  # again: nothing twice
    ticket = service.get(chat.reference)
    assert [(m.role, m.author) for m in ticket.transcript] == [("user", None), ("staff", "anna")]
    assert ticket.first_reply_at == said.timestamp


def test_a_form_ticket_of_the_conversation_becomes_the_chat(live, service):
    form = service.open_or_update(
        "c1", "socketio", name="Maria", email="maria@example.nl", phone=None, question="Rent?",
        desk="international", consent_given=True, transcript=[ASKED],
    )  # fmt: skip
    chat = request(live)
    assert chat.reference == form.reference and chat.state == "waiting"
    assert service.get(form.reference).email == "maria@example.nl"


def test_availability_counts_only_while_the_desk_is_open(live):
    now = datetime.now(timezone.utc)
    assert live.available_staff(now) == []
    live.set_available("anna", True)
    assert live.available_staff(now + timedelta(seconds=5)) == ["anna"]
    assert live.available_staff(now + timedelta(seconds=120)) == []  # desk closed in the browser
    live.seen("anna", now + timedelta(seconds=110))
    assert live.available_staff(now + timedelta(seconds=120)) == ["anna"]
    live.set_available("anna", False)
    assert live.available_staff(now) == [] and not live.is_available("anna")


def test_first_name_defaults_to_the_username(live, factory):
    StaffAccounts(factory).add("cees", "a long enough password 1", first_name="  Cees  ")
    assert (live.first_name("anna"), live.first_name("cees")) == ("anna", "Cees")
    with pytest.raises(TicketNotFound):
        live.first_name("nobody")


def test_withdrawing_deletes_only_a_missed_chat(live, service):
    chat = request(live)
    assert live.withdraw_missed("c1") is False  # still waiting
    live.expire(chat.reference)
    assert live.withdraw_missed("c1") is True
    with pytest.raises(TicketNotFound):
        service.get(chat.reference)


@pytest.mark.parametrize("state", ["waiting", "active"])
def test_a_live_chat_in_progress_cannot_be_claimed_or_resolved_as_a_ticket(live, service, state):
    chat = request(live)
    if state == "active":
        live.take(chat.reference, "anna")
    for change in (service.claim, service.resolve):
        with pytest.raises(LiveChatInProgress, match="live chat in progress"):
            change(chat.reference, "bram")
    assert (live.get(chat.reference).state, live.get(chat.reference).assignee) == (
        state,
        "anna" if state == "active" else None,
    )
    assert service.get(chat.reference).status == ("claimed" if state == "active" else "open")


def test_a_missed_or_ended_chat_is_a_ticket_like_any_other(live, service):
    missed = request(live)
    live.expire(missed.reference)
    assert service.claim(missed.reference, "bram").assignee == "bram"
    assert service.resolve(missed.reference, "bram").status == "resolved"


def test_the_purge_deletes_only_old_unanswered_chats_without_contact_details(live, service, factory):
    abandoned, finished, waiting = (request(live, conversation) for conversation in ("c1", "c2", "c3"))
    live.expire(abandoned.reference)
    live.expire(finished.reference)
    service.open_or_update(
        "c2", "socketio", name="Maria", email="maria@example.nl", phone=None, question="Rent?",
        desk="international", consent_given=True, transcript=[ASKED],
    )  # fmt: skip
    recent = request(live, "c4")
    live.expire(recent.reference)
    with factory() as session, session.begin():
        session.execute(
            update(Ticket)
            .where(Ticket.reference != recent.reference)
            .values(updated_at=datetime.now(timezone.utc) - timedelta(days=40))
        )
    with pytest.raises(ValueError):
        live.purge_missed(datetime.now())
    # The chat still waiting after 40 days lost its expiry (its server stopped): it goes too.
    assert sorted(live.purge_missed(datetime.now(timezone.utc) - timedelta(days=30))) == ["c1", "c3"]
    for gone in (abandoned, waiting):
        with pytest.raises(TicketNotFound):
            service.get(gone.reference)
    assert {t.reference for t in service.list()} == {finished.reference, recent.reference}


def test_the_database_allows_no_contactless_ticket_outside_a_live_chat(factory):
    with pytest.raises(IntegrityError), factory() as session, session.begin():
        session.add(
            Ticket(
                reference="X-1", status="open", desk="international", name="n", question="q",
                consent_at=T0, conversation_id="c9", channel="rest",
            )
        )  # fmt: skip


def test_an_unreachable_database_is_reported(unreachable_service):
    live = LiveChatService(unreachable_service._session_factory)
    with pytest.raises(TicketStoreUnavailable):
        live.current("c1")


def test_the_person_typing_is_noted_only_while_a_colleague_has_the_chat(live):
    chat = request(live)
    assert live.person_typing("c1") is False  # waiting: nobody reads it yet
    assert live.person_typing("no-such-conversation") is False
    live.take(chat.reference, "anna")
    typed = datetime.now(timezone.utc)
    assert live.person_typing("c1", typed) is True
    active = live.get(chat.reference)
    assert active.person_typing_at == typed
    assert active.person_is_typing(typed + timedelta(seconds=5))
    assert not active.person_is_typing(typed + timedelta(seconds=6))

    # Their message arrives: they are no longer typing it.
    sent = TranscriptEntry("user", "Here is my question", typed + timedelta(seconds=1))
    live.record_transcript(chat.reference, [ASKED, sent])
    assert live.get(chat.reference).person_typing_at is None

    live.end(chat.reference, "anna", "closed")
    assert live.person_typing("c1") is False
