"""Handoff tickets: what the assistant hands over to a human colleague.

The Rasa action uses :func:`ticket_service_for` once and then
:meth:`TicketService.open_or_update`; the staff desk uses the other methods.
"""

from bot.tickets.errors import (
    ConsentRequired,
    InvalidTicket,
    InvalidTransition,
    TicketError,
    TicketNotFound,
    TicketStoreUnavailable,
)
from bot.tickets.records import (
    MessageRecord,
    NoteRecord,
    QueueCounts,
    TicketRecord,
    TicketResult,
    TranscriptEntry,
)
from bot.tickets.service import TicketService, ticket_service_for

__all__ = [
    "ConsentRequired",
    "InvalidTicket",
    "InvalidTransition",
    "MessageRecord",
    "NoteRecord",
    "QueueCounts",
    "TicketError",
    "TicketNotFound",
    "TicketRecord",
    "TicketResult",
    "TicketService",
    "TicketStoreUnavailable",
    "TranscriptEntry",
    "ticket_service_for",
]
