"""Database tables of tickets, their transcript and notes, and staff accounts."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

STATUSES = ("open", "claimed", "resolved")
ACTIVE_STATUSES = ("open", "claimed")
DESKS = ("international", "business")
# Who wrote a transcript message: the person, the assistant, or a staff member in a live chat.
ROLES = ("user", "bot", "staff")
# A ticket that began as a live chat: asked for, taken by a colleague, handed back to the
# assistant, closed by the colleague, or nobody took it in time (then the person leaves details).
LIVE_CHAT_STATES = ("waiting", "active", "returned", "closed", "missed")
# What staff did to answer a ticket: an e-mail sent (or that failed), or a phone call made.
REPLY_KINDS = ("email", "call")
REPLY_OUTCOMES = ("sent", "failed", "answered", "no_answer")
RATING_CHANNELS = ("chat", "email")
# The languages the assistant speaks: the person's language, kept with their ticket.
LANGUAGES = ("en", "nl")
# A reusable answer that desk staff wrote: drafted, approved by a second colleague (only
# then does the assistant give it), or withdrawn. Its history keeps every change.
DESK_ANSWER_STATUSES = ("draft", "approved", "withdrawn")
DESK_ANSWER_ACTIONS = ("created", "edited", "approved", "withdrawn")

NAME_MAX = 200
EMAIL_MAX = 254
PHONE_MAX = 40
TOPIC_MAX = 100
QUICK_REPLY_MAX = 100
CHANNEL_MAX = 50
CONVERSATION_ID_MAX = 255
USERNAME_MAX = 64

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
Base: Any = declarative_base(metadata=metadata)

_ACTIVE_SQL = "status IN ('open', 'claimed')"


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def format_reference(ticket_id: int) -> str:
    """The public reference of a ticket id, e.g. ``ALM-000123``."""
    return f"ALM-{ticket_id:06d}"


def _quoted(values: tuple) -> str:
    return ", ".join(f"'{value}'" for value in values)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (also on SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use an aware (UTC) datetime")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Ticket(Base):
    """A request for a human colleague, one active ticket per conversation."""

    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(f"status IN ({_quoted(STATUSES)})", name="status"),
        CheckConstraint(f"desk IN ({_quoted(DESKS)})", name="desk"),
        # A live chat needs no contact details: the person is on the page.
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL OR live_chat IS NOT NULL", name="contact"),
        CheckConstraint(f"live_chat IN ({_quoted(LIVE_CHAT_STATES)})", name="live_chat"),
        CheckConstraint(f"language IN ({_quoted(LANGUAGES)})", name="language"),
        # The database itself guarantees one open or claimed ticket per conversation.
        Index(
            "uq_tickets_active_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
    )

    id = Column(Integer, primary_key=True)
    # Set from the id right after the first flush; the placeholder never leaves the transaction.
    reference = Column(String(40), nullable=False, unique=True, default=lambda: f"pending-{uuid.uuid4().hex}")
    status = Column(String(10), nullable=False, default="open")
    desk = Column(String(20), nullable=False)
    name = Column(String(NAME_MAX), nullable=False)
    email = Column(String(EMAIL_MAX))
    phone = Column(String(PHONE_MAX))
    question = Column(Text, nullable=False)
    topic = Column(String(TOPIC_MAX))
    consent_at = Column(UTCDateTime, nullable=False)
    conversation_id = Column(String(CONVERSATION_ID_MAX), nullable=False, index=True)
    channel = Column(String(CHANNEL_MAX), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    updated_at = Column(UTCDateTime, nullable=False, default=utc_now)
    assignee = Column(String(USERNAME_MAX))
    # Set when the ticket began as a live chat (one of LIVE_CHAT_STATES); None for the form's tickets.
    live_chat = Column(String(10))
    # When the person first got an answer from a person: an e-mail sent, a call made, a chat message.
    first_reply_at = Column(UTCDateTime)
    # The person's language, so that staff answer in it.
    language = Column(String(2), nullable=False, default="en", server_default="en")
    # When the person last typed during a live chat with a colleague (the desk shows it for a moment).
    person_typing_at = Column(UTCDateTime)

    messages = relationship(
        "TicketMessage",
        order_by="TicketMessage.position",
        cascade="all, delete-orphan",
        back_populates="ticket",
    )
    notes = relationship(
        "TicketNote",
        order_by="[TicketNote.created_at, TicketNote.id]",
        cascade="all, delete-orphan",
        back_populates="ticket",
    )
    replies = relationship(
        "TicketReply",
        order_by="[TicketReply.created_at, TicketReply.id]",
        cascade="all, delete-orphan",
        back_populates="ticket",
    )


class TicketMessage(Base):
    """One message of the chat transcript attached to a ticket."""

    __tablename__ = "ticket_messages"
    __table_args__ = (
        UniqueConstraint("ticket_id", "position"),
        CheckConstraint(f"role IN ({_quoted(ROLES)})", name="role"),
    )

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False)
    position = Column(Integer, nullable=False)
    role = Column(String(10), nullable=False)
    # A button the person clicked: ``text`` is its title ("Yes, I agree"), this what it sent ("/affirm").
    quick_reply = Column(String(QUICK_REPLY_MAX))
    # The staff member who wrote a ``staff`` message (their username).
    author = Column(String(USERNAME_MAX))
    text = Column(Text, nullable=False)
    timestamp = Column(UTCDateTime, nullable=False)

    ticket = relationship("Ticket", back_populates="messages")


class TicketNote(Base):
    """An internal note by a staff member; never shown to the person."""

    __tablename__ = "ticket_notes"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(USERNAME_MAX), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)

    ticket = relationship("Ticket", back_populates="notes")


class TicketReply(Base):
    """An answer staff gave outside the chat: an e-mail (sent or failed) or a phone call."""

    __tablename__ = "ticket_replies"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_quoted(REPLY_KINDS)})", name="kind"),
        CheckConstraint(f"outcome IN ({_quoted(REPLY_OUTCOMES)})", name="outcome"),
    )

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(10), nullable=False)
    outcome = Column(String(10), nullable=False)
    author = Column(String(USERNAME_MAX), nullable=False)
    text = Column(Text, nullable=False)
    # Why an e-mail could not be sent (shown to staff); None otherwise.
    error = Column(Text)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)

    ticket = relationship("Ticket", back_populates="replies")


class Rating(Base):
    """The person's one answer to "how helpful was this?", asked once per conversation."""

    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score"),
        CheckConstraint(f"channel IN ({_quoted(RATING_CHANNELS)})", name="channel"),
    )

    id = Column(Integer, primary_key=True)
    # Unique: the question is never asked twice for the same conversation.
    conversation_id = Column(String(CONVERSATION_ID_MAX), nullable=False, unique=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    channel = Column(String(10), nullable=False)
    asked_at = Column(UTCDateTime, nullable=False, default=utc_now)
    score = Column(Integer)
    comment = Column(Text)
    answered_at = Column(UTCDateTime)


class AnswerFeedback(Base):
    """A thumbs up or down under one of the assistant's answers: its topic only, no personal data."""

    __tablename__ = "answer_feedback"

    id = Column(Integer, primary_key=True)
    # The knowledge file's topic ("housing"), or "desk_answer" for an answer staff wrote.
    topic = Column(String(TOPIC_MAX), nullable=False, index=True)
    desk_answer_id = Column(Integer, ForeignKey("desk_answers.id", ondelete="SET NULL"))
    helpful = Column(Boolean, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now, index=True)


class DeskAnswer(Base):
    """An answer staff wrote for questions the assistant could not answer."""

    __tablename__ = "desk_answers"
    __table_args__ = (CheckConstraint(f"status IN ({_quoted(DESK_ANSWER_STATUSES)})", name="status"),)

    id = Column(Integer, primary_key=True)
    status = Column(String(10), nullable=False, default="draft")
    # Example questions, one per line.
    questions = Column(Text, nullable=False)
    answer = Column(Text, nullable=False)
    language = Column(String(2), nullable=False, default="en", server_default="en")
    author = Column(String(USERNAME_MAX), nullable=False)
    approver = Column(String(USERNAME_MAX))
    # The ticket it was written from, if any (kept if that ticket is deleted later).
    source_ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="SET NULL"))
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    updated_at = Column(UTCDateTime, nullable=False, default=utc_now)
    approved_at = Column(UTCDateTime)

    history = relationship(
        "DeskAnswerEvent",
        order_by="[DeskAnswerEvent.created_at, DeskAnswerEvent.id]",
        cascade="all, delete-orphan",
        back_populates="desk_answer",
    )


class DeskAnswerEvent(Base):
    """One change of a desk answer: who did what, and the text as it was then."""

    __tablename__ = "desk_answer_events"
    __table_args__ = (CheckConstraint(f"action IN ({_quoted(DESK_ANSWER_ACTIONS)})", name="action"),)

    id = Column(Integer, primary_key=True)
    desk_answer_id = Column(
        Integer, ForeignKey("desk_answers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    action = Column(String(10), nullable=False)
    actor = Column(String(USERNAME_MAX), nullable=False)
    questions = Column(Text, nullable=False)
    answer = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)

    desk_answer = relationship("DeskAnswer", back_populates="history")


class StaffUser(Base):
    """A desk account; the password is stored only as an argon2 hash."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(USERNAME_MAX), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    # Part of every desk session; signing out bumps it, so copies of the old cookie stop working.
    session_generation = Column(Integer, nullable=False, default=0, server_default="0")
    # How the person is told who joined a live chat ("Anna has joined"); the username if unset.
    first_name = Column(String(NAME_MAX))
    # Marked in the desk: ready to take live chats. Counts only while the desk is open (seen_at).
    available = Column(Boolean, nullable=False, default=False, server_default=text("false"))
    seen_at = Column(UTCDateTime)
    # The desk's own language for this colleague: English unless they pick Dutch.
    desk_language = Column(String(2), nullable=False, default="en", server_default="en")


class AssistantSwitchState(Base):
    """Whether the assistant answers (one row; none: it does), who last switched it and why."""

    __tablename__ = "assistant_switch"

    id = Column(Integer, primary_key=True)
    answering = Column(Boolean, nullable=False)
    reason = Column(Text, nullable=False)
    switched_by = Column(String(USERNAME_MAX), nullable=False)
    switched_at = Column(UTCDateTime, nullable=False, default=utc_now)


class AssistantSwitchEvent(Base):
    """One switch of the assistant off or on, kept: who, when and why."""

    __tablename__ = "assistant_switch_events"

    id = Column(Integer, primary_key=True)
    answering = Column(Boolean, nullable=False)
    reason = Column(Text, nullable=False)
    switched_by = Column(String(USERNAME_MAX), nullable=False)
    switched_at = Column(UTCDateTime, nullable=False, default=utc_now, index=True)
