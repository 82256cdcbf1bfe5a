"""Live chats with a colleague, kept as tickets so that the desk sees them in its queue.

A person who asks for a colleague while the desk is open and a colleague is available may chat
with them at once. The chat is a ticket with ``live_chat`` set (no contact details needed: the
person is on the page):

* ``waiting``  the person asked; nobody has taken it yet;
* ``active``   a colleague took it (``assignee``); the assistant is paused;
* ``returned`` the colleague handed the person back to the assistant (the ticket is resolved);
* ``closed``   the colleague closed the chat (resolved);
* ``missed``   nobody took it within ``live_chat_wait_seconds``: the person is asked for their
  details instead, and the handoff form fills in this same ticket (it stays open). Until they
  leave an e-mail address or phone number, nobody at the desk can answer it: the purge deletes such
  a chat once it is as old as a conversation without a ticket (:meth:`LiveChatService.purge_missed`),
  and a chat left waiting that long too (its expiry timer was lost with its server).

Every change is one transaction that checks the state it starts from, so two colleagues cannot
both take a chat, and an expiry cannot overtake a colleague who has just taken it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.tickets.database import guarded
from bot.tickets.errors import InvalidTransition, TicketNotFound
from bot.tickets.models import (
    ACTIVE_STATUSES,
    DESKS,
    StaffUser,
    Ticket,
    TicketNote,
    format_reference,
    utc_now,
)
from bot.tickets.ratings import names_open_question
from bot.tickets.records import TranscriptEntry
from bot.tickets.service import _append_new_messages, delete_tickets
from bot.tickets.validation import normalise_username, validate_conversation, validate_transcript

# The ticket's name until the person gives theirs (only if the chat is missed and they fill in the form).
VISITOR_NAME = "Website visitor (live chat)"
QUESTION_UNKNOWN = "(asked for a live chat; the question is in the conversation)"
ENDINGS = ("returned", "closed")
# Writing the time a colleague was last seen at most this often (the desk asks every second or so).
SEEN_EVERY = timedelta(seconds=10)
# How long the desk shows "The person is typing…" after the person last typed.
PERSON_TYPING_SHOWN = timedelta(seconds=5)


@dataclass(frozen=True)
class LiveChat:
    """A live chat as the channel and the desk need it."""

    reference: str
    conversation_id: str
    state: str
    assignee: str | None
    desk: str
    created_at: datetime
    person_typing_at: datetime | None = None

    @classmethod
    def from_model(cls, ticket: Ticket) -> LiveChat:
        return cls(
            reference=ticket.reference,
            conversation_id=ticket.conversation_id,
            state=ticket.live_chat,
            assignee=ticket.assignee,
            desk=ticket.desk,
            created_at=ticket.created_at,
            person_typing_at=ticket.person_typing_at,
        )

    def person_is_typing(self, now: datetime) -> bool:
        """Whether the person typed in this active chat within PERSON_TYPING_SHOWN of ``now``."""
        return (
            self.state == "active"
            and self.person_typing_at is not None
            and now - self.person_typing_at <= PERSON_TYPING_SHOWN
        )


class LiveChatService:
    """Colleagues' availability and the live chats' states, in the ticket database."""

    def __init__(self, session_factory: sessionmaker[Session], presence_seconds: int = 60) -> None:
        self._session_factory = session_factory
        self._presence = timedelta(seconds=presence_seconds)

    # --- Colleagues -------------------------------------------------------------------------------

    def set_available(self, username: str, available: bool) -> None:
        """Mark a colleague available for live chats (or not); being marked counts as being seen."""
        username = normalise_username(username)

        def write(session: Session) -> None:
            staff = _staff(session, username)
            staff.available = available
            staff.seen_at = utc_now()

        guarded(self._session_factory, write)

    def seen(self, username: str, now: datetime | None = None) -> None:
        """The colleague's desk is open (it asks for updates): they still count as available."""
        username = normalise_username(username)
        now = now or utc_now()

        def write(session: Session) -> None:
            session.execute(
                update(StaffUser)
                .where(
                    StaffUser.username == username,
                    (StaffUser.seen_at.is_(None)) | (StaffUser.seen_at < now - SEEN_EVERY),
                )
                .values(seen_at=now)
            )

        guarded(self._session_factory, write)

    def is_available(self, username: str) -> bool:
        """Whether this colleague has marked themselves available."""
        username = normalise_username(username)
        return guarded(self._session_factory, lambda session: bool(_staff(session, username).available))

    def available_staff(self, now: datetime | None = None) -> list[str]:
        """Usernames of the colleagues who are available and whose desk was open just now."""
        since = (now or utc_now()) - self._presence

        def read(session: Session) -> list[str]:
            query = select(StaffUser.username).where(
                StaffUser.available.is_(True), StaffUser.seen_at >= since
            )
            return list(session.execute(query.order_by(StaffUser.username)).scalars())

        return guarded(self._session_factory, read)

    def first_name(self, username: str) -> str:
        """How the person is told who joined: the first name set for the account, else the username."""
        username = normalise_username(username)

        def read(session: Session) -> str:
            staff = _staff(session, username)
            return (staff.first_name or staff.username).strip()

        return guarded(self._session_factory, read)

    # --- Chats ------------------------------------------------------------------------------------

    def current(self, conversation_id: str) -> LiveChat | None:
        """The conversation's open ticket if it is (or was) a live chat; None otherwise."""

        def read(session: Session) -> LiveChat | None:
            ticket = _active_ticket(session, conversation_id, for_update=False)
            return LiveChat.from_model(ticket) if ticket is not None and ticket.live_chat else None

        return guarded(self._session_factory, read)

    def get(self, reference: str) -> LiveChat:
        def read(session: Session) -> LiveChat:
            ticket = _find_chat(session, reference, for_update=False)
            return LiveChat.from_model(ticket)

        return guarded(self._session_factory, read)

    def waiting(self) -> list[LiveChat]:
        """Chats that wait for a colleague, longest waiting first, then the active ones."""

        def read(session: Session) -> list[LiveChat]:
            query = (
                select(Ticket)
                .where(Ticket.live_chat.in_(("waiting", "active")), Ticket.status.in_(ACTIVE_STATUSES))
                .order_by(Ticket.created_at, Ticket.id)
            )
            return [LiveChat.from_model(ticket) for ticket in session.execute(query).scalars()]

        return guarded(self._session_factory, read)

    def request(
        self,
        conversation_id: str,
        channel: str,
        *,
        desk: str,
        question: str | None,
        topic: str | None,
        transcript: Sequence[TranscriptEntry],
        language: str = "en",
    ) -> LiveChat:
        """The person asks to chat with a colleague now: their conversation's open ticket becomes a
        waiting live chat, or a new ticket is opened for it. Asking again while it waits or is
        active changes nothing."""
        validate_conversation(conversation_id, channel)
        validate_transcript(transcript)
        if desk not in DESKS:
            raise ValueError(f"unknown desk {desk!r}")

        def write(session: Session) -> LiveChat:
            now = utc_now()
            ticket = _active_ticket(session, conversation_id, for_update=True)
            if ticket is None:
                ticket = Ticket(
                    conversation_id=conversation_id,
                    channel=channel,
                    status="open",
                    desk=desk,
                    name=VISITOR_NAME,
                    question=question or QUESTION_UNKNOWN,
                    topic=topic,
                    consent_at=now,
                    created_at=now,
                    updated_at=now,
                    live_chat="waiting",
                    language=language,
                )
                session.add(ticket)
                session.flush()
                ticket.reference = format_reference(ticket.id)
            elif ticket.live_chat not in ("waiting", "active"):
                ticket.language = language
                ticket.live_chat = "waiting"
                ticket.consent_at = now
                ticket.updated_at = now
            _append_new_messages(ticket, transcript)
            session.flush()
            return LiveChat.from_model(ticket)

        return guarded(self._session_factory, write)

    def take(self, reference: str, username: str) -> LiveChat:
        """A colleague takes a waiting chat: one conditional UPDATE, so only one can, on every
        database (SQLite has no row locks)."""
        username = normalise_username(username)
        if not self._move(reference, "waiting", live_chat="active", status="claimed", assignee=username):
            raise InvalidTransition(_not_waiting(self._read(reference)))
        return self.get(reference)

    def release(self, reference: str, username: str) -> LiveChat:
        """Undo :meth:`take` when the person could not be told a colleague joined."""
        username = normalise_username(username)

        def change(ticket: Ticket) -> None:
            if ticket.live_chat != "active" or ticket.assignee != username:
                raise InvalidTransition(f"{ticket.reference} is not your active chat.")
            ticket.live_chat = "waiting"
            ticket.status = "open"
            ticket.assignee = None

        return self._change(reference, change)

    def check_assignee(self, reference: str, username: str) -> LiveChat:
        """The chat, if it is active and ``username`` took it; otherwise InvalidTransition."""
        chat = self.get(reference)
        if chat.state != "active" or chat.assignee != normalise_username(username):
            raise InvalidTransition(f"{chat.reference} is not your active chat.")
        return chat

    def end(self, reference: str, username: str, how: str) -> LiveChat:
        """The colleague hands the person back to the assistant (``returned``) or closes the chat
        (``closed``); the ticket is resolved, with a note saying which."""
        username = normalise_username(username)
        if how not in ENDINGS:
            raise ValueError(f"a chat ends as one of {ENDINGS}, not {how!r}")

        def change(ticket: Ticket) -> None:
            if ticket.live_chat != "active" or ticket.assignee != username:
                raise InvalidTransition(f"{ticket.reference} is not your active chat.")
            ticket.live_chat = how
            ticket.status = "resolved"
            text = (
                "Handed the person back to the assistant." if how == "returned" else "Closed the live chat."
            )
            ticket.notes.append(TicketNote(author=username, text=text, created_at=utc_now()))

        return self._change(reference, change)

    def person_typing(self, conversation_id: str, now: datetime | None = None) -> bool:
        """The person is typing: noted with the conversation's chat if a colleague has it (True)."""
        when = now or utc_now()

        def write(session: Session) -> bool:
            changed = session.execute(
                update(Ticket)
                .where(
                    Ticket.conversation_id == conversation_id,
                    Ticket.status.in_(ACTIVE_STATUSES),
                    Ticket.live_chat == "active",
                )
                .values(person_typing_at=when)
                .execution_options(synchronize_session=False)
            )
            return changed.rowcount == 1

        return guarded(self._session_factory, write)

    def expire(self, reference: str) -> bool:
        """Nobody took the chat in time: it becomes ``missed`` (True), unless it is no longer
        waiting (False: someone took it, or it ended)."""
        return self._move(reference, "waiting", live_chat="missed")

    def withdraw_missed(self, conversation_id: str) -> bool:
        """Delete the conversation's missed chat (the person stopped the form that followed it, or
        did not agree to it): True if there was one."""

        def write(session: Session) -> bool:
            ticket = _active_ticket(session, conversation_id, for_update=True)
            if ticket is None or ticket.live_chat != "missed":
                return False
            session.delete(ticket)
            return True

        return guarded(self._session_factory, write)

    def purge_missed(self, before: datetime) -> list[str]:
        """Delete the missed chats left without contact details (the person never finished the form
        that followed) and last changed before ``before``, and such chats still waiting then (their
        expiry was lost with the server that timed it); returns their conversation ids."""
        if before.tzinfo is None:
            raise ValueError("before must be timezone-aware")
        query = select(Ticket).where(
            Ticket.live_chat.in_(("missed", "waiting")),
            Ticket.email.is_(None),
            Ticket.phone.is_(None),
            Ticket.updated_at < before,
        )

        def delete(session: Session) -> list[str]:
            deleted = delete_tickets(session, list(session.execute(query).scalars()))
            return [record.conversation_id for record in deleted]

        return guarded(self._session_factory, delete)

    def asked_rating(self, reference: str, token: object) -> bool:
        """Whether ``token`` is the unanswered rating question asked for this chat."""

        def read(session: Session) -> bool:
            ticket = _find_chat(session, reference, for_update=False)
            return names_open_question(session, token, ticket.id)

        return guarded(self._session_factory, read)

    def record_transcript(self, reference: str, transcript: Sequence[TranscriptEntry]) -> None:
        """Add the conversation's messages the ticket does not have yet; the first colleague's
        message is the ticket's first reply."""
        validate_transcript(transcript)

        def write(session: Session) -> None:
            ticket = _find_chat(session, reference, for_update=True)
            _append_new_messages(ticket, transcript)
            typed = ticket.person_typing_at
            if typed is not None and any(e.role == "user" and e.timestamp >= typed for e in transcript):
                ticket.person_typing_at = None  # what they typed has arrived
            staff_times = [entry.timestamp for entry in transcript if entry.role == "staff"]
            if staff_times and ticket.first_reply_at is None:
                ticket.first_reply_at = min(staff_times)
            ticket.updated_at = utc_now()

        guarded(self._session_factory, write)

    def _move(self, reference: str, state: str, **values: str) -> bool:
        """Change the chat only if it is in ``state``; whether it was."""

        def write(session: Session) -> bool:
            changed = session.execute(
                update(Ticket)
                .where(Ticket.reference == reference.strip().upper(), Ticket.live_chat == state)
                .values(updated_at=utc_now(), **values)
                .execution_options(synchronize_session=False)
            )
            return changed.rowcount == 1

        return guarded(self._session_factory, write)

    def _read(self, reference: str) -> Ticket:
        def read(session: Session) -> Ticket:
            ticket = _find_chat(session, reference, for_update=False)
            session.expunge(ticket)
            return ticket

        return guarded(self._session_factory, read)

    def _change(self, reference: str, change: Callable[[Ticket], None]) -> LiveChat:
        def write(session: Session) -> LiveChat:
            ticket = _find_chat(session, reference, for_update=True)
            change(ticket)
            ticket.updated_at = utc_now()
            session.flush()
            return LiveChat.from_model(ticket)

        return guarded(self._session_factory, write)


def _staff(session: Session, username: str) -> StaffUser:
    staff = session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
    if staff is None:
        raise TicketNotFound(f"No desk account {username!r}.")
    return staff


def _active_ticket(session: Session, conversation_id: str, *, for_update: bool) -> Ticket | None:
    query = select(Ticket).where(
        Ticket.conversation_id == conversation_id, Ticket.status.in_(ACTIVE_STATUSES)
    )
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def _find_chat(session: Session, reference: str, *, for_update: bool) -> Ticket:
    query = select(Ticket).where(Ticket.reference == reference.strip().upper(), Ticket.live_chat.is_not(None))
    if for_update:
        query = query.with_for_update()
    ticket = session.execute(query).scalar_one_or_none()
    if ticket is None:
        raise TicketNotFound(f"No live chat {reference!r}.")
    return ticket


def _not_waiting(ticket: Ticket) -> str:
    if ticket.live_chat == "active":
        return f"{ticket.assignee} has already taken {ticket.reference}."
    if ticket.live_chat == "missed":
        return f"Nobody took {ticket.reference} in time; the person was asked for their details instead."
    return f"{ticket.reference} has ended."
