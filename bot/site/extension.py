"""What the site's views use: one :class:`SiteServices` per app, made by :func:`bot.site.create_app`
and kept at ``app.extensions["almere"]``. Views reach it through :func:`services`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:  # the services' modules import this one for services()
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from bot.access.assistant_switch import AssistantSwitch
    from bot.access.chat_sessions import SessionTokens
    from bot.config import Settings
    from bot.desk_answers.service import DeskAnswerService
    from bot.insights.answer_votes import AnswerFeedbackService
    from bot.insights.service import InsightsService
    from bot.knowledge import Knowledge
    from bot.observability.metrics import TicketCollector
    from bot.privacy.subject_data import SubjectDataService
    from bot.site.desk.accounts import StaffAccounts
    from bot.site.desk.language import DeskLanguages
    from bot.site.desk.rasa_link import RasaLink
    from bot.site.desk.rate_limit import Limiter
    from bot.site.public.conversation_log import ConversationLog
    from bot.tickets.live_chat_tickets import LiveChatService
    from bot.tickets.ratings import RatingService
    from bot.tickets.replies import ReplyService
    from bot.tickets.service import TicketService

EXTENSION_KEY = "almere"


@dataclass(frozen=True)
class SiteServices:
    settings: Settings
    knowledge: Knowledge  # the public page's text, the topics the thumbs may name
    zone: ZoneInfo  # the desks' time zone
    tickets: TicketService
    accounts: StaffAccounts
    login_limiter: Limiter  # per (username, address)
    address_limiter: Limiter  # per address, whatever the username
    replies: ReplyService  # e-mails and calls to the person
    ratings: RatingService  # "how helpful was this?", asked once per conversation
    live_chats: LiveChatService
    rasa_link: RasaLink  # what a colleague does in a live chat, to the person through a Rasa server
    desk_answers: DeskAnswerService
    desk_languages: DeskLanguages
    insights: InsightsService
    subject_data: SubjectDataService  # one person's data, for the administrators
    assistant_switch: AssistantSwitch
    metrics: TicketCollector  # the ticket database's gauges for GET /metrics
    answer_votes: AnswerFeedbackService  # the thumbs under the assistant's answers
    vote_limiter: Limiter  # thumbs per address
    session_lifetime: timedelta  # of a chat session after its last event (domain.yml)
    session_tokens: SessionTokens  # the widget's signed session tokens
    conversation_log: ConversationLog  # a conversation as the widget showed it
    history_limiter: Limiter  # requests for a conversation's log per address


def services() -> SiteServices:
    """The services of the current app."""
    return current_app.extensions[EXTENSION_KEY]
