"""The desk's page for one person's data (administrators only): find everything kept about them by
e-mail address, phone number, reference or conversation id, download it as one JSON file, or erase it
(:mod:`bot.privacy.subject_data`).

Every request is a POST: what is searched for never appears in an address, so not in a log either.
Administrators are the desk accounts named in ``ALMERE_DESK_ADMINS``; other colleagues get a 403.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext

from bot.privacy.subject_data import (
    ConversationsUnavailable,
    InvalidSubject,
    Subject,
    SubjectBusy,
    parse_subject,
)
from bot.site.desk.auth import current_staff, require_staff
from bot.site.extension import services

KIND_LABELS = {
    "email": lazy_gettext("E-mail address"),
    "phone": lazy_gettext("Phone number"),
    "reference": lazy_gettext("Reference"),
    "conversation": lazy_gettext("Conversation id"),
}

bp = Blueprint("personal_data", __name__, url_prefix="/desk", template_folder="templates")


def is_admin() -> bool:
    """Whether the signed-in colleague is one of the desk's administrators."""
    staff = current_staff()
    return staff is not None and staff in services().settings.desk_admins


@bp.app_context_processor
def _desk_admin() -> dict[str, bool]:
    """Every page knows whether to show the administrators' links."""
    return {"desk_admin": is_admin()}


class _Refused(Exception):
    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


@bp.errorhandler(_Refused)
def _refused(error: _Refused):
    return render_template("desk/error.html", title=error.title, message=error.message), error.status


def administrators_only(why: str) -> ResponseReturnValue | None:
    """Before a request to an administrators' page: sign in first when anonymous; a 403 page saying
    ``why`` to a colleague who is no administrator."""
    refused = require_staff()
    if refused is not None:
        return refused
    if not is_admin():
        return render_template("desk/error.html", title=gettext("Administrators only"), message=why), 403
    return None


@bp.before_request
def require_admin():
    return administrators_only(
        gettext("Only the desk’s administrators may find, hand over or erase a person’s data.")
    )


def _subject() -> Subject:
    try:
        return parse_subject(request.form.get("kind"), request.form.get("value"))
    except InvalidSubject as error:
        raise _Refused(400, gettext("Check your input"), str(error)) from None


def _unavailable() -> _Refused:
    return _Refused(
        503,
        gettext("Desk temporarily unavailable"),
        gettext("The conversation database cannot be read right now. Please try again in a minute."),
    )


@bp.get("/personal-data/")
def page():
    return render_template("desk/personal_data.html", kinds=KIND_LABELS, found=None)


@bp.post("/personal-data/")
def find():
    subject = _subject()
    try:
        found = services().subject_data.find(subject)
    except ConversationsUnavailable:
        raise _unavailable() from None
    return render_template("desk/personal_data.html", kinds=KIND_LABELS, found=found)


@bp.post("/personal-data/export")
def export() -> Response:
    subject = _subject()
    try:
        found = services().subject_data.find(subject)
    except ConversationsUnavailable:
        raise _unavailable() from None
    now = datetime.now(timezone.utc)
    filename = f"almere-personal-data-{subject.kind}-{now.date().isoformat()}.json"
    return Response(
        found.to_json(now),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.post("/personal-data/erase")
def erase():
    subject = _subject()
    if request.form.get("confirm") != "yes":
        raise _Refused(400, gettext("Check your input"), gettext("Tick the box to confirm the erasure."))
    try:
        erased = services().subject_data.erase(subject, by=current_staff() or "")
    except ConversationsUnavailable:
        raise _unavailable() from None
    except SubjectBusy as error:
        raise _Refused(409, gettext("Not possible now"), str(error)) from None
    flash(
        gettext(
            "Erased: %(tickets)d tickets, %(ratings)d ratings and %(conversations)d conversations "
            "(%(events)d events); %(notes)d notes on other tickets no longer name them.",
            tickets=len(erased.references),
            ratings=erased.ratings,
            conversations=erased.conversations,
            events=erased.events,
            notes=erased.notes_edited,
        ),
        "info",
    )
    return redirect(url_for("personal_data.page"))
