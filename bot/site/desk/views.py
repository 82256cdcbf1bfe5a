"""The desk's pages and JSON: the queue, a ticket, and what staff do with it."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from bot.site.desk.auth import current_staff, require_staff
from bot.site.desk.extension import desk_services
from bot.site.desk.forms import NoteForm
from bot.tickets.models import DESKS, STATUSES

bp = Blueprint(
    "desk",
    __name__,
    url_prefix="/desk",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)
bp.before_request(require_staff)


def _filters() -> tuple[str | None, str | None]:
    """The status and desk filters of the query string (empty means all)."""
    return request.args.get("status") or None, request.args.get("desk") or None


@bp.get("/")
def queue():
    status, desk = _filters()
    tickets = desk_services().tickets.list(status=status, desk=desk)
    return render_template(
        "desk/queue.html",
        tickets=tickets,
        status=status,
        desk=desk,
        statuses=STATUSES,
        desks=DESKS,
    )


def _ticket_page(reference: str, note_form: NoteForm | None = None, status: int = 200):
    ticket = desk_services().tickets.get(reference)
    page = render_template(
        "desk/ticket.html",
        ticket=ticket,
        note_form=note_form or NoteForm(formdata=None),
    )
    return page, status


@bp.get("/tickets/<reference>")
def ticket(reference: str):
    return _ticket_page(reference)


@bp.post("/tickets/<reference>/claim")
def claim(reference: str):
    ticket = desk_services().tickets.claim(reference, current_staff())
    flash(f"You claimed {ticket.reference}.", "success")
    return redirect(url_for("desk.ticket", reference=ticket.reference))


@bp.post("/tickets/<reference>/notes")
def add_note(reference: str):
    form = NoteForm()
    if not form.validate():
        return _ticket_page(reference, form, 400)
    ticket = desk_services().tickets.add_note(reference, current_staff(), form.text.data)
    flash("Note saved.", "success")
    return redirect(url_for("desk.ticket", reference=ticket.reference, _anchor="notes"))


@bp.post("/tickets/<reference>/resolve")
def resolve(reference: str):
    ticket = desk_services().tickets.resolve(reference, current_staff())
    flash(f"{ticket.reference} is resolved.", "success")
    return redirect(url_for("desk.ticket", reference=ticket.reference))


@bp.get("/api/tickets")
def api_tickets():
    status, desk = _filters()
    tickets = desk_services().tickets.list(status=status, desk=desk)
    return jsonify([ticket.to_dict() for ticket in tickets])


@bp.get("/api/tickets/<reference>")
def api_ticket(reference: str):
    return jsonify(desk_services().tickets.get(reference).to_dict())
