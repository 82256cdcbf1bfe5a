"""What the desk's views use, created once per app in :func:`bot.site.desk.create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from bot.site.desk.accounts import StaffAccounts
from bot.site.desk.rate_limit import Limiter
from bot.tickets import TicketService
from bot.tickets.ratings import RatingService
from bot.tickets.replies import ReplyService

EXTENSION_KEY = "almere_desk"


@dataclass(frozen=True)
class DeskServices:
    tickets: TicketService
    accounts: StaffAccounts
    login_limiter: Limiter  # per (username, address)
    address_limiter: Limiter  # per address, whatever the username
    replies: ReplyService  # e-mails and calls to the person
    ratings: RatingService  # "how helpful was this?", asked once per conversation


def desk_services() -> DeskServices:
    """The services of the current app."""
    return current_app.extensions[EXTENSION_KEY]
