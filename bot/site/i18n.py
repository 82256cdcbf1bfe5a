"""The site's language: the public page and the widget in Dutch or English, the desk in
English unless a colleague picks Dutch.

One message catalogue for the whole site (``bot/site/translations/``, Flask-Babel): the English
text in the code and templates is the message id, ``nl`` its Dutch translation.

Which language a request gets:

- public pages: ``?lang=nl|en`` (remembered in a cookie, so the next page keeps it), else that
  cookie, else the browser's ``Accept-Language`` best match of the two, else English;
- desk pages (``/desk/...``): the signed-in colleague's ``StaffUser.desk_language`` ("en" unless
  they picked Dutch with the switch in the desk's navigation); before signing in (the sign-in
  page), the browser's language.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, g, request
from flask_babel import get_locale

LANGUAGES = ("en", "nl")
DEFAULT = "en"
QUERY_PARAMETER = "lang"
COOKIE_NAME = "almere_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
DESK_PREFIX = "/desk/"

# The language of every response: the cookie of ``?lang=``, and ``locale`` in every template.
bp = Blueprint("i18n", __name__)


def browser_language() -> str:
    """The browser's best match of English and Dutch (``Accept-Language``), else English."""
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


def requested_language() -> str | None:
    """``?lang=`` when it names a language the site has (anything else is ignored)."""
    asked = request.args.get(QUERY_PARAMETER)
    return asked if asked in LANGUAGES else None


def public_language() -> str:
    """A public page's language: asked for, remembered, the browser's, or English."""
    remembered = request.cookies.get(COOKIE_NAME)
    for choice in (requested_language(), remembered):
        if choice in LANGUAGES:
            return choice
    return browser_language()


def desk_language(signed_in_language: Callable[[], str | None]) -> str:
    """A desk page's language: the signed-in colleague's choice (``signed_in_language``, None when
    nobody is signed in), else the browser's."""
    chosen = signed_in_language()
    if chosen is None:
        return browser_language()
    return chosen if chosen in LANGUAGES else DEFAULT


def select_locale(signed_in_desk_language: Callable[[], str | None]) -> str:
    """Flask-Babel's locale selector (asked once per request), given the desk's choice of the
    signed-in colleague (bot/site/desk/language.py)."""
    if request.path.startswith(DESK_PREFIX) or request.path == DESK_PREFIX.rstrip("/"):
        return desk_language(signed_in_desk_language)
    return public_language()


@bp.after_app_request
def remember_requested_language(response: Response) -> Response:
    """After a public page asked for with ``?lang=``: keep the choice in a cookie."""
    chosen = requested_language()
    if chosen and not request.path.startswith(DESK_PREFIX) and request.cookies.get(COOKIE_NAME) != chosen:
        response.set_cookie(
            COOKIE_NAME,
            chosen,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
        )
    return response


def current_language() -> str:
    """The language of this request's pages ("en" or "nl")."""
    if "almere_language" not in g:
        g.almere_language = str(get_locale() or DEFAULT)
    return g.almere_language


@bp.app_context_processor
def _locale() -> dict[str, str]:
    return {"locale": current_language()}
