"""What the desk's views use, created once per app in :func:`bot.site.desk.create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from bot.site.desk.accounts import StaffAccounts
from bot.site.desk.rate_limit import SlidingWindowLimiter
from bot.tickets import TicketService

EXTENSION_KEY = "almere_desk"


@dataclass(frozen=True)
class DeskServices:
    tickets: TicketService
    accounts: StaffAccounts
    login_limiter: SlidingWindowLimiter  # per (username, address)
    address_limiter: SlidingWindowLimiter  # per address, whatever the username


def desk_services() -> DeskServices:
    """The services of the current app."""
    return current_app.extensions[EXTENSION_KEY]
