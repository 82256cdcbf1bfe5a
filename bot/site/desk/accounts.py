"""Desk staff accounts: adding them and checking their passwords (argon2)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.tickets.errors import InvalidTicket, TicketStoreUnavailable
from bot.tickets.models import StaffUser
from bot.tickets.validation import normalise_username

PASSWORD_MIN = 12
PASSWORD_MAX = 1024
FIRST_NAME_MAX = 100


class AccountError(ValueError):
    """A username or password that cannot be used."""


class StaffAccounts:
    """Staff users in the ticket database; ``hasher`` defaults to argon2's recommended cost."""

    def __init__(self, session_factory: sessionmaker[Session], hasher: PasswordHasher | None = None) -> None:
        self._session_factory = session_factory
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None

    def add(self, username: str, password: str, first_name: str | None = None) -> str:
        """Create an account and return its (lower-case) username. ``first_name`` is how people are
        told who joined a live chat ("Anna has joined"); the username if not given."""
        try:
            username = normalise_username(username)
        except InvalidTicket as error:
            raise AccountError(error.message) from error
        first_name = " ".join((first_name or "").split()) or None
        if first_name is not None and len(first_name) > FIRST_NAME_MAX:
            raise AccountError(f"A first name has at most {FIRST_NAME_MAX} characters.")
        if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
            raise AccountError(f"A password has {PASSWORD_MIN} to {PASSWORD_MAX} characters.")
        password_hash = self._hasher.hash(password)
        try:
            with self._session_factory() as session, session.begin():
                session.add(StaffUser(username=username, password_hash=password_hash, first_name=first_name))
        except IntegrityError as error:
            raise AccountError(f"A user named {username!r} already exists.") from error
        except SQLAlchemyError as error:
            raise TicketStoreUnavailable("The desk database is unavailable.") from error
        return username

    def authenticate(self, username: str, password: str) -> str | None:
        """The username if the password is right, else None (same effort either way)."""
        name = (username or "").strip().lower()
        try:
            with self._session_factory() as session, session.begin():
                user = session.execute(
                    select(StaffUser).where(StaffUser.username == name)
                ).scalar_one_or_none()
                if user is None:
                    self._verify(self._hash_for_unknown_users(), password)
                    return None
                if not self._verify(user.password_hash, password):
                    return None
                if self._hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = self._hasher.hash(password)
                return user.username
        except SQLAlchemyError as error:
            raise TicketStoreUnavailable("The desk database is unavailable.") from error

    def session_generation(self, username: str) -> int | None:
        """The current session generation of ``username`` (None if there is no such account)."""
        try:
            with self._session_factory() as session:
                return session.execute(
                    select(StaffUser.session_generation).where(StaffUser.username == username)
                ).scalar_one_or_none()
        except SQLAlchemyError as error:
            raise TicketStoreUnavailable("The desk database is unavailable.") from error

    def end_sessions(self, username: str) -> None:
        """Make every session of ``username`` so far invalid (on sign-out)."""
        try:
            with self._session_factory() as session, session.begin():
                session.execute(
                    update(StaffUser)
                    .where(StaffUser.username == username)
                    .values(session_generation=StaffUser.session_generation + 1)
                )
        except SQLAlchemyError as error:
            raise TicketStoreUnavailable("The desk database is unavailable.") from error

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _hash_for_unknown_users(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash("not a real password")
        return self._dummy_hash
