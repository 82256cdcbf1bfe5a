"""The assistant's long-lived services, loaded once per process on first use; those on the ticket
database share the process's one engine for it (:func:`bot.tickets.database.sessions_for`)."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo

from bot.access.assistant_switch import AssistantSwitch
from bot.config import load_settings
from bot.conversation.spacy_pipeline import EntityVocabulary, load_vocabulary
from bot.desk_answers.reply import DeskAnswerFinder
from bot.desk_answers.service import DeskAnswerService
from bot.knowledge import Knowledge, load_knowledge
from bot.tickets.database import sessions_for
from bot.tickets.live_chat_tickets import LiveChatService
from bot.tickets.service import TicketService, ticket_service_for


@cache
def knowledge() -> Knowledge:
    return load_knowledge(load_settings().knowledge_file)


@cache
def vocabulary() -> EntityVocabulary:
    return load_vocabulary(load_settings().entities_file)


@cache
def ticket_service() -> TicketService:
    """The handoff ticket service, which e-mails the desk about new tickets."""
    return ticket_service_for(load_settings())


@cache
def live_chats() -> LiveChatService:
    """Live chats and the colleagues' availability, in the ticket database."""
    settings = load_settings()
    return LiveChatService(sessions_for(settings.database_url), settings.staff_presence_seconds)


@cache
def desk_answers() -> DeskAnswerFinder:
    """The answers colleagues approved, read from the ticket database at most every 20 seconds."""
    settings = load_settings()
    service = DeskAnswerService(sessions_for(settings.database_url))
    return DeskAnswerFinder(service.approved, ZoneInfo(settings.office_timezone))


@cache
def assistant_switch() -> AssistantSwitch:
    """Whether the assistant answers, read from the ticket database at most every 2 seconds."""
    return AssistantSwitch(sessions_for(load_settings().database_url))
