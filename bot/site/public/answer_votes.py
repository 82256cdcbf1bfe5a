"""The thumbs under the assistant's answers: ``POST /answer-feedback`` from the chat widget.

JSON in: ``{"topic": "housing", "helpful": true}`` (a vote on an answer the desk wrote names it:
``{"topic": "desk_answer", "desk_answer_id": 12, "helpful": false}``). JSON out: ``{"ok": true}``
(201), or ``{"error": "..."}`` with 400 (not JSON, or no answer the assistant gives), 413 (too large),
429 (too many votes from one address; ``Retry-After``) or 503 (the database is down).

Public and CSRF-exempt like ``POST /feedback``: a vote carries nothing about the person or the
conversation (:mod:`bot.insights.answer_votes`), so there is nothing a forged one could reach; asking for
JSON keeps plain cross-site forms out, and a limit per address keeps one caller from flooding the counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, jsonify, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from bot.config import Settings
from bot.insights.answer_votes import AnswerFeedbackService, InvalidFeedback, parse_vote
from bot.knowledge import load_knowledge
from bot.site.desk.rate_limit import Limiter, create_limiter
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.errors import TicketStoreUnavailable

EXTENSION_KEY = "almere_answer_feedback"
# A vote is a few dozen bytes.
MAX_REQUEST_BYTES = 1024
# A person votes once per answer; this many answers a minute is more than anyone reads.
VOTES_PER_MINUTE = 60
NOT_JSON = 'Send JSON like {"topic": "housing", "helpful": true}.'
TOO_LARGE = "That is too large for a vote."
TOO_MANY = "Thank you! That is a lot of votes at once: please wait a minute."
UNAVAILABLE = "Your vote could not be saved just now. Please try again later."

bp = Blueprint("answer_feedback", __name__)


@dataclass(frozen=True)
class AnswerFeedback:
    votes: AnswerFeedbackService
    topics: frozenset[str]
    limiter: Limiter


def init_app(app: Flask, settings: Settings, csrf: CSRFProtect) -> None:
    """Register ``POST /answer-feedback`` on ``app``, exempt from CSRF (see the module)."""
    app.extensions[EXTENSION_KEY] = AnswerFeedback(
        votes=AnswerFeedbackService(create_session_factory(create_engine_for(settings.database_url))),
        topics=frozenset(load_knowledge(settings.knowledge_file).topics),
        limiter=create_limiter(settings.rate_limit_redis_url, "answer-votes", VOTES_PER_MINUTE, 60),
    )
    csrf.exempt(bp)
    app.register_blueprint(bp)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    """Errors Flask raises before the view runs (a body too large, JSON that does not parse)."""
    if isinstance(error, RequestEntityTooLarge):
        return jsonify(error=TOO_LARGE), 413
    return jsonify(error=NOT_JSON if error.code == 400 else error.description), error.code or 400


@bp.post("/answer-feedback")
def vote():
    feedback: AnswerFeedback = current_app.extensions[EXTENSION_KEY]
    if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
        return jsonify(error=TOO_LARGE), 413
    address = request.remote_addr or ""
    if not feedback.limiter.try_acquire(address):
        wait = feedback.limiter.retry_after(address)
        return jsonify(error=TOO_MANY), 429, {"Retry-After": str(wait)}
    if not request.is_json:
        return jsonify(error=NOT_JSON), 400
    try:
        feedback.votes.record(parse_vote(request.get_json(silent=True), feedback.topics))
    except InvalidFeedback as error:
        return jsonify(error=str(error)), 400
    except TicketStoreUnavailable:
        return jsonify(error=UNAVAILABLE), 503
    return jsonify(ok=True), 201
