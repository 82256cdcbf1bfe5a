"""Error pages (and JSON errors under /desk/api/) with a plain explanation."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from bot.tickets.errors import (
    InvalidTicket,
    InvalidTransition,
    TicketNotFound,
    TicketStoreUnavailable,
)


def _error(status: int, title: str, message: str):
    if request.path.startswith("/desk/api/"):
        return jsonify(error=message), status
    return render_template("desk/error.html", title=title, message=message), status


def _http_error(error: HTTPException):
    if not request.path.startswith("/desk"):
        return error  # other parts of the site keep their own error pages
    return _error(error.code or 500, error.name, error.description or error.name)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(
        TicketNotFound,
        lambda error: _error(
            404, gettext("Ticket not found"), gettext("There is no ticket with that reference.")
        ),
    )
    app.register_error_handler(
        InvalidTicket, lambda error: _error(400, gettext("Check your input"), error.message)
    )
    app.register_error_handler(
        InvalidTransition, lambda error: _error(409, gettext("Not possible now"), str(error))
    )
    app.register_error_handler(
        TicketStoreUnavailable,
        lambda error: _error(
            503,
            gettext("Desk temporarily unavailable"),
            gettext("The ticket database cannot be reached right now. Please try again in a minute."),
        ),
    )
    app.register_error_handler(
        CSRFError,
        lambda error: _error(
            400,
            gettext("Form expired"),
            gettext(
                "This form has expired or did not come from the desk. Go back, reload the page and try again."
            ),
        ),
    )
    app.register_error_handler(HTTPException, _http_error)
