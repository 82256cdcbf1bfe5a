"""``POST /widget/history``: the log of the conversation a widget continues on a page of another
subdomain of the city's site.

With ``data-cookie-domain`` on the snippet (static/widget.js), the widget keeps its session token in
a cookie of the city's parent domain as well as in the tab's storage, so that a page of another
subdomain, which has none of the tab's storage, finds it. That widget then asks for the log here,
and continues the conversation with the same token over socket.io.

JSON in: ``{"token": "<session token>", "language": "nl"}`` (the language of the widget's own
buttons, whose payloads name what the person chose). JSON out: ``{"messages": [{"role": "user" |
"bot" | "staff", "text", "time", "buttons": [{"title", "payload"}], "name" (a colleague's)}]}``, the
last messages the widget showed (:mod:`bot.site.public.conversation_log`), not cached; or
``{"error": "..."}`` with 400 (not JSON, no token), 403 (a page of an origin not allowed to chat, or
a token this deployment did not sign), 404 (no conversation, or its session has expired), 413 (too
large), 429 (too many from one address; ``Retry-After``) or 503 (the database is down).

The session token is the only credential, as on the socket.io channel: whoever holds it may read
the conversation and write into it, so the log is given for a signed token only, of that
conversation only, only while its session lasts. CORS allows the pages of ``Settings.chat_origins``
(``embed.CORS_PATHS``), and a request from a page of any other origin is refused outright. No CSRF
token: a forged request would need the session token itself, and nothing is changed. The cookie is
the widget's, not HttpOnly, and goes to every server of the parent domain: the option is for a
domain whose sites and servers the city runs, which may then read the token as the widget does.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from bot.site.extension import services
from bot.site.i18n import LANGUAGES
from bot.site.public.conversation_log import LogUnavailable, NoConversation
from bot.site.public.widget_texts import welcome_message

PATH = "/widget/history"
# A token and a language are under a hundred bytes.
MAX_REQUEST_BYTES = 1024
# A widget asks once per tab and subdomain; this many a minute from one address is more than a
# busy office behind one address needs.
REQUESTS_PER_MINUTE = 30
NOT_JSON = 'Send JSON like {"token": "<session token>", "language": "en"}.'
TOO_LARGE = "That is too large for a request of the conversation."
TOO_MANY = "Too many requests at once: please wait a minute."
NOT_ALLOWED = "This page may not use the chat."
NOT_VALID = "That chat session is not valid. Please start a new conversation."
NO_CONVERSATION = "There is no conversation to continue. Please start a new one."
UNAVAILABLE = "The conversation cannot be read just now. Please try again later."

bp = Blueprint("widget_history", __name__)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    """Errors Flask raises before the view runs (a body too large, JSON that does not parse)."""
    if isinstance(error, RequestEntityTooLarge):
        return jsonify(error=TOO_LARGE), 413
    return jsonify(error=NOT_JSON if error.code == 400 else error.description), error.code or 400


def _error(message: str, status: int, headers: dict[str, str] | None = None):
    response = jsonify(error=message)
    response.headers["Cache-Control"] = "no-store"
    return response, status, headers or {}


@bp.post(PATH)
def history():
    site = services()
    if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
        return _error(TOO_LARGE, 413)
    origin = request.headers.get("Origin")
    if origin is not None and origin not in site.settings.chat_origins:
        return _error(NOT_ALLOWED, 403)
    address = request.remote_addr or ""
    if not site.history_limiter.try_acquire(address):
        return _error(TOO_MANY, 429, {"Retry-After": str(site.history_limiter.retry_after(address))})
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict) or not isinstance(body.get("token"), str):
        return _error(NOT_JSON, 400)
    conversation_id = site.session_tokens.session_of(body["token"])
    if conversation_id is None:
        return _error(NOT_VALID, 403)
    language = body.get("language") if body.get("language") in LANGUAGES else LANGUAGES[0]
    with force_locale(language):
        titles = {button["payload"]: button["title"] for button in welcome_message()["buttons"]}
    try:
        messages = site.conversation_log.messages(conversation_id, titles)
    except NoConversation:
        return _error(NO_CONVERSATION, 404)
    except LogUnavailable:
        return _error(UNAVAILABLE, 503)
    response = jsonify(messages=messages)
    response.headers["Cache-Control"] = "no-store"
    return response
