"""The desk's own language per colleague: English unless they pick Dutch.

The choice is the ``StaffUser.desk_language`` column; the switch in the desk's navigation posts to
``/desk/language`` (staff only, with the CSRF token, like every desk form).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request
from flask_babel import gettext, refresh
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.site.desk.auth import current_staff, require_staff, safe_next, signed_in_staff
from bot.site.extension import services
from bot.site.i18n import LANGUAGES
from bot.tickets.errors import TicketStoreUnavailable
from bot.tickets.models import StaffUser

bp = Blueprint("language", __name__, url_prefix="/desk")
bp.before_request(require_staff)


class DeskLanguages:
    """Each colleague's desk language in the ticket database."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def get(self, username: str) -> str | None:
        """``username``'s desk language (None if there is no such account)."""
        try:
            with self._session_factory() as session:
                return session.execute(
                    select(StaffUser.desk_language).where(StaffUser.username == username)
                ).scalar_one_or_none()
        except SQLAlchemyError as error:
            raise TicketStoreUnavailable("The desk database is unavailable.") from error

    def set(self, username: str, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unknown desk language {language!r}")
        try:
            with self._session_factory() as session, session.begin():
                session.execute(
                    update(StaffUser).where(StaffUser.username == username).values(desk_language=language)
                )
        except SQLAlchemyError as error:
            raise TicketStoreUnavailable("The desk database is unavailable.") from error


def signed_in_desk_language() -> str | None:
    """The signed-in colleague's desk language, or None when nobody is signed in."""
    username = current_staff()
    if username is None:
        return None
    return services().desk_languages.get(username) or "en"


@bp.post("/language")
def choose():
    """Switch the signed-in colleague's desk to English or Dutch, and go back where they were."""
    language = request.form.get("language", "")
    if language not in LANGUAGES:
        abort(400, gettext("Choose English (en) or Nederlands (nl)."))
    services().desk_languages.set(signed_in_staff(), language)
    refresh()  # this request's own messages (the flash) in the new language
    # Shown in the language just chosen, so its Dutch translation says "now in Dutch".
    flash(gettext("The desk is now in English."), "info")
    return redirect(safe_next(request.form.get("next")))
