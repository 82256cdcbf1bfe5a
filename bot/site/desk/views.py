"""The desk's pages and JSON: the queue, a ticket, and what staff do with it."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from bot.handoff import readable_transcript, topic_label
from bot.site.desk.auth import current_staff, require_staff
from bot.site.desk.extension import desk_services
from bot.site.desk.formatting import waited_iso, waited_text
from bot.site.desk.forms import NoteForm
from bot.tickets.errors import InvalidTicket
from bot.tickets.models import DESKS, STATUSES, utc_now

bp = Blueprint(
    "desk",
    __name__,
    url_prefix="/desk",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)
bp.before_request(require_staff)
bp.add_app_template_filter(topic_label, "topic_label")
bp.add_app_template_global(waited_text)
bp.add_app_template_global(waited_iso)


def _filters() -> tuple[str | None, str | None]:
    """The status and desk filters of the query string (empty means all)."""
    return request.args.get("status") or None, request.args.get("desk") or None


def _mine() -> bool:
    """The "claimed by me" filter of the query string: ``mine=1``, or empty/absent for everyone's."""
    mine = request.args.get("mine", "")
    if mine not in ("", "1"):
        raise InvalidTicket("mine", "The 'mine' filter is either on (mine=1) or left out.")
    return mine == "1"


@bp.get("/")
def queue():
    status, desk = _filters()
    mine = _mine()
    services = desk_services()
    tickets = services.tickets.queue(status=status, desk=desk, assignee=current_staff() if mine else None)
    return render_template(
        "desk/queue.html",
        tickets=tickets,
        counts=services.tickets.counts(),
        status=status,
        desk=desk,
        mine=mine,
        statuses=STATUSES,
        desks=DESKS,
        now=utc_now(),
    )


def _ticket_page(reference: str, note_form: NoteForm | None = None, status: int = 200):
    ticket = desk_services().tickets.get(reference)
    page = render_template(
        "desk/ticket.html",
        ticket=ticket,
        transcript=readable_transcript(ticket.transcript),
        note_form=note_form or NoteForm(formdata=None),
        now=utc_now(),
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


@bp.post("/tickets/<reference>/reopen")
def reopen(reference: str):
    ticket = desk_services().tickets.reopen(reference, current_staff())
    flash(f"{ticket.reference} is open again; the notes say who reopened it and when.", "success")
    return redirect(url_for("desk.ticket", reference=ticket.reference))


@bp.get("/api/tickets")
def api_tickets():
    status, desk = _filters()
    tickets = desk_services().tickets.list(status=status, desk=desk)
    return jsonify([ticket.to_dict() for ticket in tickets])


@bp.get("/api/tickets/<reference>")
def api_ticket(reference: str):
    return jsonify(desk_services().tickets.get(reference).to_dict())
