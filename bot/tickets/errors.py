"""Errors raised by the ticket service; all derive from :class:`TicketError`."""

from __future__ import annotations


class TicketError(Exception):
    """Base class of every ticket error."""


class ConsentRequired(TicketError):
    """The person did not consent to storing their details; nothing was stored."""


class InvalidTicket(TicketError, ValueError):
    """Input that cannot be stored, with the offending ``field``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class TicketNotFound(TicketError, LookupError):
    """No ticket has the given reference."""


class InvalidTransition(TicketError):
    """The ticket's status does not allow the requested change."""


class LiveChatInProgress(InvalidTransition):
    """The ticket is a live chat that waits for a colleague or that one has: only the live chat's
    own actions (take, end) change it, so that the person is told."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"{reference} is a live chat in progress: take it or end it on its live chat page.")
        self.reference = reference


class TicketStoreUnavailable(TicketError):
    """The database could not be used; nothing was written."""
