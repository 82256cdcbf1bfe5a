"""The desk's pages and JSON: the queue, a ticket, and what staff do with it."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext

from bot.handoff.contact_answers import readable_transcript, topic_label
from bot.site.desk.answers import canned_replies
from bot.site.desk.auth import current_staff, require_staff, signed_in_staff
from bot.site.desk.formatting import waited_iso, waited_text
from bot.site.desk.forms import CallForm, NoteForm, ReplyForm
from bot.site.extension import services
from bot.tickets.errors import InvalidTicket, InvalidTransition, LiveChatInProgress
from bot.tickets.models import DESKS, STATUSES, utc_now
from bot.tickets.records import ReplyRecord
from bot.tickets.replies import RatingAsk, RatingAskResult, ReplyNotRecorded
from bot.tickets.service import SEARCH_MAX, SEARCH_WORDS_MAX

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


def _switch(name: str, label: str) -> bool:
    """An on/off filter of the query string: ``name=1``, or empty/absent for off."""
    value = request.args.get(name, "")
    if value not in ("", "1"):
        raise InvalidTicket(
            name,
            gettext("The '%(label)s' filter is either on (%(name)s=1) or left out.", label=label, name=name),
        )
    return value == "1"


def _mine() -> bool:
    """The "claimed by me" filter of the query string: ``mine=1``, or empty/absent for everyone's."""
    return _switch("mine", "mine")


def _search() -> str:
    """The queue's search box (``q``), refused politely if longer than the desk searches."""
    search = request.args.get("q", "")
    if len(search) > SEARCH_MAX or len(search.split()) > SEARCH_WORDS_MAX:
        raise InvalidTicket(
            "q",
            gettext(
                "Search for at most %(words)s words and %(count)s characters.",
                words=SEARCH_WORDS_MAX,
                count=SEARCH_MAX,
            ),
        )
    return search


@bp.get("/")
def queue():
    status, desk = _filters()
    mine = _mine()
    awaiting = _switch("awaiting", "awaiting first reply")
    search = _search()
    part = request.args.get("part", "")
    if part not in ("", "list"):
        raise InvalidTicket("part", gettext("Ask for the whole queue page or its list (part=list)."))
    site = services()
    tickets = site.tickets.queue(
        status=status,
        desk=desk,
        assignee=current_staff() if mine else None,
        awaiting_reply=awaiting,
        search=search,
    )
    # The page itself, as the "Refresh the queue" link and static/queue.js ask for it.
    queue_url = url_for(
        "desk.queue",
        status=status,
        desk=desk,
        mine=1 if mine else None,
        awaiting=1 if awaiting else None,
        q=search.strip() or None,
    )
    if part == "list":
        return render_template("desk/_queue_list.html", tickets=tickets, now=utc_now(), queue_url=queue_url)
    return render_template(
        "desk/queue.html",
        tickets=tickets,
        search=search,
        search_max=SEARCH_MAX,
        queue_url=queue_url,
        counts=site.tickets.counts(),
        ratings=site.ratings.summary(),
        status=status,
        desk=desk,
        mine=mine,
        awaiting=awaiting,
        statuses=STATUSES,
        desks=DESKS,
        now=utc_now(),
    )


def _ticket_page(
    reference: str,
    note_form: NoteForm | None = None,
    status: int = 200,
    reply_form: ReplyForm | None = None,
    call_form: CallForm | None = None,
):
    site = services()
    ticket = site.tickets.get(reference)
    page = render_template(
        "desk/ticket.html",
        ticket=ticket,
        transcript=readable_transcript(ticket.transcript),
        note_form=note_form or NoteForm(formdata=None),
        reply_form=reply_form or ReplyForm(formdata=None),
        call_form=call_form or CallForm(formdata=None),
        email_configured=site.replies.email_configured,
        canned_answers=canned_replies(ticket.language),
        now=utc_now(),
    )
    return page, status


@bp.get("/tickets/<reference>")
def ticket(reference: str):
    return _ticket_page(reference)


def _refuse_live_chat(error: LiveChatInProgress) -> InvalidTransition:
    """The 409 for claiming or resolving a live chat in progress, in the colleague's language."""
    return InvalidTransition(
        gettext(
            "%(reference)s is a live chat in progress: take it or end it on its live chat page.",
            reference=error.reference,
        )
    )


@bp.post("/tickets/<reference>/claim")
def claim(reference: str):
    try:
        ticket = services().tickets.claim(reference, signed_in_staff())
    except LiveChatInProgress as error:
        raise _refuse_live_chat(error) from error
    flash(gettext("You claimed %(reference)s.", reference=ticket.reference), "success")
    return redirect(url_for("desk.ticket", reference=ticket.reference))


@bp.post("/tickets/<reference>/notes")
def add_note(reference: str):
    form = NoteForm()
    if not form.validate():
        return _ticket_page(reference, form, 400)
    ticket = services().tickets.add_note(reference, signed_in_staff(), form.text.data or "")
    flash(gettext("Note saved."), "success")
    return redirect(url_for("desk.ticket", reference=ticket.reference, _anchor="notes"))


@bp.post("/tickets/<reference>/resolve")
def resolve(reference: str):
    site = services()
    try:
        ticket = site.tickets.resolve(reference, signed_in_staff())
    except LiveChatInProgress as error:
        raise _refuse_live_chat(error) from error
    flash(gettext("%(reference)s is resolved.", reference=ticket.reference), "success")
    _flash_rating_question(site.replies.ask_rating(ticket))
    return redirect(url_for("desk.ticket", reference=ticket.reference))


def _flash_rating_question(result: RatingAskResult) -> None:
    """Tell staff whether the person was asked how helpful the answer was (only if it applies)."""
    if result.outcome is RatingAsk.SENT:
        flash(gettext("The person was e-mailed one question: how helpful was the answer."), "success")
    elif result.outcome is RatingAsk.NOT_CONFIGURED:
        flash(gettext("The rating question was not sent: e-mail is not set up on this desk."), "info")
    elif result.outcome is RatingAsk.FAILED:
        flash(gettext("The rating question was not sent: %(error)s", error=result.error), "error")


@bp.post("/tickets/<reference>/replies")
def send_reply(reference: str):
    form = ReplyForm()
    if not form.validate():
        return _ticket_page(reference, status=400, reply_form=form)
    site = services()
    try:
        reply = site.replies.send_email(reference, signed_in_staff(), form.text.data or "")
    except ReplyNotRecorded as error:
        flash(str(error), "error")
        return redirect(url_for("desk.ticket", reference=reference.strip().upper(), _anchor="replies"))
    return _after_email(reference, reply)


@bp.post("/tickets/<reference>/replies/<int:reply_id>/retry")
def retry_reply(reference: str, reply_id: int):
    try:
        reply = services().replies.retry_email(reference, reply_id, signed_in_staff())
    except ReplyNotRecorded as error:
        flash(str(error), "error")
        return redirect(url_for("desk.ticket", reference=reference.strip().upper(), _anchor="replies"))
    return _after_email(reference, reply)


def _after_email(reference: str, reply: ReplyRecord):
    """Back to the ticket's history, saying plainly whether the e-mail went out."""
    if reply.outcome == "sent":
        flash(gettext("E-mail sent."), "success")
    else:
        flash(
            gettext(
                "The e-mail was NOT sent: %(error)s It is kept in the history; try again from there.",
                error=reply.error,
            ),
            "error",
        )
    return redirect(url_for("desk.ticket", reference=reference.strip().upper(), _anchor="replies"))


@bp.post("/tickets/<reference>/calls")
def record_call(reference: str):
    form = CallForm()
    if not form.validate():
        return _ticket_page(reference, status=400, call_form=form)
    reply = services().replies.record_call(reference, signed_in_staff(), form.outcome.data, form.note.data)
    if reply.answered:
        flash(gettext("Call recorded: the person answered."), "success")
    else:
        flash(gettext("Call recorded: no answer."), "success")
    return redirect(url_for("desk.ticket", reference=reference.strip().upper(), _anchor="replies"))


@bp.post("/tickets/<reference>/reopen")
def reopen(reference: str):
    ticket = services().tickets.reopen(reference, signed_in_staff())
    flash(
        gettext(
            "%(reference)s is open again; the notes say who reopened it and when.", reference=ticket.reference
        ),
        "success",
    )
    return redirect(url_for("desk.ticket", reference=ticket.reference))


@bp.get("/api/tickets")
def api_tickets():
    status, desk = _filters()
    tickets = services().tickets.list(status=status, desk=desk)
    return jsonify([ticket.to_dict() for ticket in tickets])


@bp.get("/api/tickets/<reference>")
def api_ticket(reference: str):
    return jsonify(services().tickets.get(reference).to_dict())
