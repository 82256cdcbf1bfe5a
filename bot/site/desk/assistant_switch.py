"""The desk's page that switches the assistant off and on (administrators only), with a reason.

While the assistant is off, every Rasa server answers people with the desk's phone numbers and the
handoff form (:mod:`bot.access.assistant_switch`); the page shows the current state and the latest switches.
Administrators are the desk accounts named in ``ALMERE_DESK_ADMINS``; other colleagues get a 403.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from bot.access.assistant_switch import REASON_MAX_CHARS, InvalidReason
from bot.site.desk.auth import current_staff
from bot.site.desk.personal_data import administrators_only
from bot.site.extension import services
from bot.tickets.errors import TicketStoreUnavailable

bp = Blueprint("assistant_switch", __name__, url_prefix="/desk", template_folder="templates")


def _refused(status: int, title: str, message: str):
    return render_template("desk/error.html", title=title, message=message), status


@bp.before_request
def require_admin():
    return administrators_only(gettext("Only the desk’s administrators may switch the assistant off or on."))


@bp.get("/assistant/")
def page():
    switch = services().assistant_switch
    return render_template(
        "desk/assistant_switch.html",
        state=switch.read(),
        history=switch.history(),
        reason_max=REASON_MAX_CHARS,
    )


@bp.post("/assistant/")
def change():
    answering = request.form.get("answering")
    if answering not in ("on", "off"):
        return _refused(
            400, gettext("Check your input"), gettext("Choose whether to switch the assistant off or on.")
        )
    try:
        services().assistant_switch.switch(
            answering == "on", request.form.get("reason"), by=current_staff() or ""
        )
    except InvalidReason:
        return _refused(
            400,
            gettext("Check your input"),
            gettext(
                "Give the reason for the switch, in at most %(count)d characters.", count=REASON_MAX_CHARS
            ),
        )
    except TicketStoreUnavailable:
        return _refused(
            503,
            gettext("Desk temporarily unavailable"),
            gettext("The switch could not be saved. Please try again in a minute."),
        )
    if answering == "on":
        flash(
            gettext("The assistant is switched on: it answers again on every server within seconds."), "info"
        )
    else:
        flash(
            gettext(
                "The assistant is switched off: within seconds every server gives the desk’s phone "
                "numbers and the handoff form instead."
            ),
            "info",
        )
    return redirect(url_for("assistant_switch.page"))
