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

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from bot.insights.answer_votes import InvalidFeedback, parse_vote
from bot.site.extension import services
from bot.tickets.errors import TicketStoreUnavailable

# A vote is a few dozen bytes.
MAX_REQUEST_BYTES = 1024
# A person votes once per answer; this many answers a minute is more than anyone reads.
VOTES_PER_MINUTE = 60
NOT_JSON = 'Send JSON like {"topic": "housing", "helpful": true}.'
TOO_LARGE = "That is too large for a vote."
TOO_MANY = "Thank you! That is a lot of votes at once: please wait a minute."
UNAVAILABLE = "Your vote could not be saved just now. Please try again later."

bp = Blueprint("answer_feedback", __name__)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    """Errors Flask raises before the view runs (a body too large, JSON that does not parse)."""
    if isinstance(error, RequestEntityTooLarge):
        return jsonify(error=TOO_LARGE), 413
    return jsonify(error=NOT_JSON if error.code == 400 else error.description), error.code or 400


@bp.post("/answer-feedback")
def vote():
    site = services()
    if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
        return jsonify(error=TOO_LARGE), 413
    address = request.remote_addr or ""
    if not site.vote_limiter.try_acquire(address):
        wait = site.vote_limiter.retry_after(address)
        return jsonify(error=TOO_MANY), 429, {"Retry-After": str(wait)}
    if not request.is_json:
        return jsonify(error=NOT_JSON), 400
    try:
        site.answer_votes.record(parse_vote(request.get_json(silent=True), site.knowledge.topics.keys()))
    except InvalidFeedback as error:
        return jsonify(error=str(error)), 400
    except TicketStoreUnavailable:
        return jsonify(error=UNAVAILABLE), 503
    return jsonify(ok=True), 201
