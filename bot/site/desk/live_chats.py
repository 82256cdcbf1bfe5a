"""The desk's live chats: who is available, the chats waiting for a colleague, and one
chat's live view, where a colleague takes it, writes to the person, and hands them back to the
assistant or closes it. What a colleague does reaches the person through a Rasa server
(:class:`bot.site.desk.rasa_link.RasaLink`); the desk changes a chat's state only together with
that delivery, so nothing is shown as done that the person was not told."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from bot.handoff.contact_answers import readable_transcript
from bot.office_hours.schedule import desk_availability
from bot.site.desk.answers import canned_replies
from bot.site.desk.auth import require_staff, signed_in_staff
from bot.site.desk.live_texts import alert_texts, live_texts
from bot.site.desk.rasa_link import NotDelivered
from bot.site.extension import services
from bot.site.i18n import current_language
from bot.tickets.errors import InvalidTicket
from bot.tickets.live_chat_tickets import ENDINGS, LiveChat
from bot.tickets.models import utc_now

ENDING_LABELS = {"returned": lazy_gettext("handed back to the assistant"), "closed": lazy_gettext("closed")}

bp = Blueprint("live", __name__, url_prefix="/desk", template_folder="templates")
bp.before_request(require_staff)
bp.add_app_template_global(alert_texts)


def _chat_json(chat: LiveChat, now: datetime) -> dict:
    return {
        "reference": chat.reference,
        "state": chat.state,
        "assignee": chat.assignee,
        "desk": chat.desk,
        "created_at": chat.created_at.isoformat(),
        "waited_seconds": max(int((now - chat.created_at).total_seconds()), 0),
        "url": url_for("live.chat", reference=chat.reference),
    }


@bp.get("/live/")
def index():
    site = services()
    me = signed_in_staff()
    site.live_chats.seen(me)
    now = utc_now()
    return render_template(
        "desk/live.html",
        chats=site.live_chats.waiting(),
        available=site.live_chats.is_available(me),
        office=desk_availability(site.settings, now, current_language()),
        now=now,
        texts=live_texts(),
    )


@bp.post("/live/availability")
def availability():
    choice = request.form.get("available", "")
    if choice not in ("0", "1"):
        raise InvalidTicket("available", gettext("Choose available (1) or not available (0)."))
    services().live_chats.set_available(signed_in_staff(), choice == "1")
    if choice == "1":
        flash(gettext("You are available for live chats while this desk is open in your browser."), "success")
    else:
        flash(gettext("You are no longer available for live chats."), "success")
    return redirect(url_for("live.index"))


@bp.get("/live/<reference>")
def chat(reference: str):
    site = services()
    me = signed_in_staff()
    site.live_chats.seen(me)
    chat = site.live_chats.get(reference)
    ticket = site.tickets.get(chat.reference)
    mine = chat.state == "active" and chat.assignee == me
    return render_template(
        "desk/live_chat.html",
        chat=chat,
        ticket=ticket,
        transcript=readable_transcript(ticket.transcript),
        mine=mine,
        max_chars=site.settings.max_message_chars,
        canned_answers=canned_replies(ticket.language) if mine else [],
        endings=ENDING_LABELS,
        texts=live_texts(),
    )


@bp.post("/live/<reference>/take")
def take(reference: str):
    site = services()
    me = signed_in_staff()
    chat = site.live_chats.take(reference, me)
    try:
        site.rasa_link.send(chat.reference, "joined", author=me)
    except NotDelivered as error:
        site.live_chats.release(chat.reference, me)
        flash(
            gettext(
                "The person could not be told that you joined, so the chat still waits: %(error)s",
                error=error,
            ),
            "error",
        )
        return redirect(url_for("live.chat", reference=chat.reference))
    flash(gettext("You have joined the chat; the assistant is paused for this person."), "success")
    return redirect(url_for("live.chat", reference=chat.reference))


def _send_message(reference: str) -> str:
    site = services()
    me = signed_in_staff()
    chat = site.live_chats.check_assignee(reference, me)
    text = (request.form.get("text") if not request.is_json else (request.get_json() or {}).get("text")) or ""
    text = text.strip() if isinstance(text, str) else ""
    limit = site.settings.max_message_chars
    if not text or len(text) > limit:
        raise InvalidTicket("text", gettext("Write a message of 1 to %(limit)s characters.", limit=limit))
    site.rasa_link.send(chat.reference, "message", text=text, author=me)
    return chat.reference


@bp.post("/live/<reference>/messages")
def send_message(reference: str):
    """The message form without JavaScript: back to the chat, with what happened."""
    try:
        reference = _send_message(reference)
    except NotDelivered as error:
        flash(gettext("Your message was NOT delivered: %(error)s", error=error), "error")
    return redirect(url_for("live.chat", reference=reference.strip().upper(), _anchor="message"))


@bp.post("/api/live/<reference>/messages")
def api_send_message(reference: str):
    try:
        _send_message(reference)
    except NotDelivered as error:
        return jsonify(error=gettext("Your message was NOT delivered: %(error)s", error=error)), 503
    return jsonify(ok=True)


@bp.post("/api/live/<reference>/typing")
def api_typing(reference: str):
    """The colleague is typing (live.js asks at most every 2 s): the person's widget shows it."""
    site = services()
    chat = site.live_chats.check_assignee(reference, signed_in_staff())
    try:
        site.rasa_link.send(chat.reference, "typing", author=signed_in_staff())
    except NotDelivered as error:
        return jsonify(error=str(error)), 503
    return jsonify(ok=True)


@bp.post("/live/<reference>/end")
def end(reference: str):
    site = services()
    me = signed_in_staff()
    how = request.form.get("how", "")
    if how not in ENDINGS:
        raise InvalidTicket(
            "how", gettext("Choose to hand the person back to the assistant or to close the chat.")
        )
    chat = site.live_chats.check_assignee(reference, me)
    try:
        site.rasa_link.send(
            chat.reference,
            "ended",
            how=how,
            author=me,
            rating_token=ask_for_rating(chat.reference),
        )
    except NotDelivered as error:
        flash(
            gettext("The chat is still open: the person could not be told (%(error)s).", error=error), "error"
        )
        return redirect(url_for("live.chat", reference=chat.reference))
    site.live_chats.end(chat.reference, me, how)
    flash(gettext("The chat is %(ending)s; the ticket is resolved.", ending=ENDING_LABELS[how]), "success")
    return redirect(url_for("live.index"))


def ask_for_rating(reference: str) -> str | None:
    """The rating question's token for this chat's conversation, unless it was asked before."""
    return services().ratings.ask(reference, "chat")


@bp.get("/api/live")
def api_chats():
    site = services()
    me = signed_in_staff()
    site.live_chats.seen(me)
    now = utc_now()
    return jsonify(
        available=site.live_chats.is_available(me),
        office_open=desk_availability(site.settings, now).is_open,
        chats=[_chat_json(chat, now) for chat in site.live_chats.waiting()],
    )


@bp.get("/api/alerts")
def api_alerts():
    """What every desk page polls (static/alerts.js): the chats waiting for a colleague. A desk page
    open in the browser counts as the colleague being at the desk, as the live pages do."""
    site = services()
    site.live_chats.seen(signed_in_staff())
    waiting = [chat.reference for chat in site.live_chats.waiting() if chat.state == "waiting"]
    return jsonify(waiting=len(waiting), references=waiting)


@bp.get("/api/live/<reference>")
def api_chat(reference: str):
    site = services()
    me = signed_in_staff()
    site.live_chats.seen(me)
    chat = site.live_chats.get(reference)
    ticket = site.tickets.get(chat.reference)
    now = utc_now()
    return jsonify(
        chat=_chat_json(chat, now),
        mine=chat.state == "active" and chat.assignee == me,
        person_typing=chat.person_is_typing(now),
        transcript=[
            {
                "role": message.role,
                "author": message.author,
                "text": message.text,
                "clicked": message.clicked,
                "timestamp": message.timestamp.isoformat(),
                # As the page shows it: in the desk's time zone.
                "time": current_app.jinja_env.filters["local_time"](message.timestamp, seconds=True),
            }
            for message in readable_transcript(ticket.transcript)
        ],
    )
