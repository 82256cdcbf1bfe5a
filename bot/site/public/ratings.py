"""The person's say: "how helpful was this?", answered once, from the chat widget or from
the link e-mailed after a resolved ticket.

* ``POST /feedback`` takes JSON ``{"token": "...", "score": 1-5, "comment": "..."}`` (the comment is
  optional) from the chat widget and answers ``{"ok": true}``, or ``{"error": "..."}`` with 400 (not
  JSON, a bad token, score or comment), 404 (the question is gone), 409 (answered already), 413 (too
  large) or 503 (the database is down).
* ``GET /feedback/<token>`` shows the question as a small page, ``POST /feedback/<token>`` answers it.

Both are public: whoever holds the signed token may answer, once, and nothing else. So neither needs
a CSRF token (a forged request would need the token itself) and no cookie is set for the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, jsonify, render_template, request
from flask_babel import lazy_gettext
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from bot.access import limits
from bot.site.extension import services
from bot.site.public import content_security_policy, page_common
from bot.tickets.errors import InvalidTicket, TicketStoreUnavailable
from bot.tickets.ratings import AlreadyAnswered, InvalidRatingLink, RatingNotFound
from bot.tickets.validation import RATING_COMMENT_MAX, SCORES

SCORE_LABELS = {
    1: lazy_gettext("Not helpful"),
    2: lazy_gettext("A little helpful"),
    3: lazy_gettext("Helpful"),
    4: lazy_gettext("Very helpful"),
    5: lazy_gettext("Extremely helpful"),
}
TOO_LARGE = lazy_gettext("That is too much text for an answer.")
NOT_JSON = 'Send JSON like {"token": "...", "score": 4, "comment": "..."}.'  # for developers: English
UNAVAILABLE = lazy_gettext("Your answer could not be saved just now. Please try again in a few minutes.")

bp = Blueprint("feedback", __name__)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    """Errors Flask raises before the view runs (a body too large, or JSON that does not parse):
    the widget gets JSON, the page a page."""
    status = error.code or 400
    if isinstance(error, RequestEntityTooLarge):
        message = TOO_LARGE
    elif request.endpoint == "feedback.submit_json" and status == 400:
        message = NOT_JSON
    else:
        message = error.description or error.name
    if request.endpoint == "feedback.submit_json":
        return jsonify(error=message), status
    return _page("invalid", status, message=message)


@bp.post("/feedback")
def submit_json():
    """The chat widget's answer: JSON in, JSON out."""
    if request.content_length is not None and request.content_length > limits.RATING_REQUEST_BYTES:
        return jsonify(error=TOO_LARGE), 413
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error=NOT_JSON), 400
    outcome = _answer(body.get("token"), body.get("score"), body.get("comment"))
    if outcome.status != 200:
        return jsonify(error=outcome.message), outcome.status
    return jsonify(ok=True)


@bp.get("/feedback/<token>")
def question(token: str):
    """The question, from the link in the e-mail."""
    try:
        rating = services().ratings.question(token)
    except InvalidRatingLink as error:
        return _page("invalid", 400, message=str(error))
    except RatingNotFound as error:
        return _page("invalid", 404, message=str(error))
    except TicketStoreUnavailable:
        return _page("invalid", 503, message=UNAVAILABLE)
    if rating.score is not None:
        return _page("answered", 200)
    return _page("form", 200, token=token)


@bp.post("/feedback/<token>")
def answer_page(token: str):
    """The page's form: a thank-you, or the form again with what to correct."""
    if request.content_length is not None and request.content_length > limits.RATING_REQUEST_BYTES:
        return _page("invalid", 413, message=TOO_LARGE)
    score, comment = request.form.get("score"), request.form.get("comment")
    outcome = _answer(token, score, comment)
    if outcome.status == 200:
        return _page("thanks", 200)
    if outcome.status == 409:
        return _page("answered", 409)
    if outcome.field is not None:
        return _page("form", 400, token=token, error=outcome, score=score, comment=comment)
    return _page("invalid", outcome.status, message=outcome.message)


@dataclass(frozen=True)
class Outcome:
    """What became of an answer: its HTTP status, and what to tell the person (about which field)."""

    status: int
    message: str | None = None
    field: str | None = None


def _answer(token: object, score: object, comment: object) -> Outcome:
    try:
        services().ratings.answer(token, score, comment)
    except InvalidTicket as error:
        return Outcome(400, error.message, error.field)
    except InvalidRatingLink as error:
        return Outcome(400, str(error))
    except RatingNotFound as error:
        return Outcome(404, str(error))
    except AlreadyAnswered as error:
        return Outcome(409, str(error))
    except TicketStoreUnavailable:
        return Outcome(503, UNAVAILABLE)
    return Outcome(200)


def _page(state: str, status: int, **context: Any) -> tuple[Response, int]:
    """The feedback page in one of its states: form, thanks, answered, invalid."""
    site = services()
    page = render_template(
        "web/feedback.html",
        state=state,
        scores=[(n, SCORE_LABELS[n]) for n in SCORES],
        comment_max=RATING_COMMENT_MAX,
        **page_common(site.knowledge),
        **context,
    )
    # The public page's policy, except that this page's form posts back to this server.
    csp = content_security_policy(site.settings.rasa_public_url).replace(
        "form-action 'none'", "form-action 'self'"
    )
    return Response(page, mimetype="text/html", headers={"Content-Security-Policy": csp}), status
