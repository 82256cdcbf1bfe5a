"""Insights for the desk: how often the assistant helped, which questions come back that it
cannot answer, how the desks keep up, and what people thought of the answers.

Plain Python over both databases, read-only (the conversations in Rasa's tracker store, the tickets);
the desk's page (``bot.site.desk.insights``) and ``almere insights`` (``bot.insights.cli``) show it.
"""

from __future__ import annotations

from bot.insights.desk_figures import DeskFigures
from bot.insights.service import InsightsService
from bot.insights.tracker import TrackerReader
from bot.tickets.database import sessions_for


def insights_service(tracker_url: str, database_url: str) -> InsightsService:
    """The service reading the conversations at ``tracker_url`` and the tickets at ``database_url``."""
    return InsightsService(TrackerReader(tracker_url), DeskFigures(sessions_for(database_url)))
