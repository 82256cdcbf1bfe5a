"""The desk's reusable answers under /desk/answers/: the list with each answer's status,
writing one (from a ticket or a question the assistant could not answer), editing, approving by a
second colleague, withdrawing, and each answer's page with its history.

The rules (who may approve, what an edit does) are the service's
(:class:`bot.desk_answers.service.DeskAnswerService`); these views only show its answers and
its refusals.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from bot.desk_answers.records import ApprovedAnswer, DeskAnswerRecord
from bot.desk_answers.reply import CACHE_SECONDS
from bot.desk_answers.service import (
    ANSWER_CHARS,
    MAX_QUESTIONS,
    QUESTION_CHARS,
    DeskAnswerNotFound,
)
from bot.site.desk.auth import require_staff, signed_in_staff
from bot.site.extension import services
from bot.tickets.errors import InvalidTicket
from bot.tickets.models import DESK_ANSWER_STATUSES

bp = Blueprint("answers", __name__, url_prefix="/desk/answers", template_folder="templates")
bp.before_request(require_staff)


class AnswerForm(FlaskForm):
    questions = TextAreaField(
        lazy_gettext("Example questions, one per line"),
        validators=[DataRequired(lazy_gettext("Write at least one example question."))],
    )
    answer = TextAreaField(
        lazy_gettext("Answer"),
        validators=[
            DataRequired(lazy_gettext("Write the answer.")),
            Length(
                max=ANSWER_CHARS,
                message=lazy_gettext("An answer has at most %(count)s characters.", count=ANSWER_CHARS),
            ),
        ],
    )
    ticket = HiddenField()


def canned_replies(language: str) -> list[ApprovedAnswer]:
    """The approved answers in the person's ``language``, to insert into a reply (drafts and
    withdrawn answers are never offered)."""
    return services().desk_answers.approved(language)


@bp.errorhandler(DeskAnswerNotFound)
def _not_found(error: DeskAnswerNotFound):
    return render_template("desk/error.html", title=gettext("Answer not found"), message=str(error)), 404


@bp.get("/")
def index():
    status = request.args.get("status") or None
    return render_template(
        "desk/answers.html",
        answers=services().desk_answers.list(status=status),
        status=status,
        statuses=DESK_ANSWER_STATUSES,
    )


def _form_page(form: AnswerForm, record: DeskAnswerRecord | None = None, status: int = 200):
    return (
        render_template(
            "desk/answers_form.html",
            form=form,
            record=record,
            max_questions=MAX_QUESTIONS,
            question_chars=QUESTION_CHARS,
        ),
        status,
    )


def _refused(form: AnswerForm, error: InvalidTicket, record: DeskAnswerRecord | None = None):
    """The service refused the input: show why beside the field it concerns (400)."""
    field = getattr(form, error.field, None) if error.field in ("questions", "answer") else None
    if field is None:
        raise error
    field.errors = [*field.errors, error.message]
    return _form_page(form, record, 400)


@bp.get("/new")
def new():
    """The form, filled in from ``?ticket=ALM-000123`` (its question) or ``?question=...``."""
    form = AnswerForm(formdata=None)
    reference = (request.args.get("ticket") or "").strip()
    if reference:
        ticket = services().tickets.get(reference)
        form.ticket.data, form.questions.data = ticket.reference, ticket.question
    else:
        form.questions.data = request.args.get("question") or ""
    return _form_page(form)


@bp.post("/new")
def create():
    form = AnswerForm()
    if not form.validate():
        return _form_page(form, status=400)
    try:
        record = services().desk_answers.create(
            questions=form.questions.data,
            answer=form.answer.data,
            author=signed_in_staff(),
            source_ticket=form.ticket.data or None,
        )
    except InvalidTicket as error:
        return _refused(form, error)
    flash(
        gettext("Answer saved as a draft. A colleague must approve it before the assistant gives it."),
        "success",
    )
    return redirect(url_for("answers.show", answer_id=record.id))


@bp.get("/<int:answer_id>")
def show(answer_id: int):
    return render_template(
        "desk/answers_detail.html", record=services().desk_answers.get(answer_id), me=signed_in_staff()
    )


@bp.get("/<int:answer_id>/edit")
def edit(answer_id: int):
    record = services().desk_answers.get(answer_id)
    form = AnswerForm(formdata=None)
    form.questions.data, form.answer.data = "\n".join(record.questions), record.answer
    return _form_page(form, record)


@bp.post("/<int:answer_id>/edit")
def update(answer_id: int):
    service = services().desk_answers
    before = service.get(answer_id)
    form = AnswerForm()
    if not form.validate():
        return _form_page(form, before, 400)
    try:
        record = service.edit(
            answer_id, questions=form.questions.data, answer=form.answer.data, editor=signed_in_staff()
        )
    except InvalidTicket as error:
        return _refused(form, error, before)
    if record.version == before.version:
        flash(gettext("Nothing changed."), "info")
    elif before.status == "approved":
        flash(
            gettext("Saved. The assistant no longer gives this answer until a colleague approves it again."),
            "success",
        )
    else:
        flash(
            gettext("Saved as a draft. A colleague must approve it before the assistant gives it."), "success"
        )
    return redirect(url_for("answers.show", answer_id=record.id))


def _version() -> int:
    """The version of the answer the colleague read (the approve form sends it)."""
    value = request.form.get("version", "")
    if not value.isdigit():
        raise InvalidTicket(
            "version", gettext("The form did not say which version of the answer you read; reload it.")
        )
    return int(value)


@bp.post("/<int:answer_id>/approve")
def approve(answer_id: int):
    record = services().desk_answers.approve(answer_id, signed_in_staff(), version=_version())
    flash(
        gettext(
            "Approved. The assistant gives this answer within %(seconds)s seconds.",
            seconds=f"{CACHE_SECONDS:.0f}",
        ),
        "success",
    )
    return redirect(url_for("answers.show", answer_id=record.id))


@bp.post("/<int:answer_id>/withdraw")
def withdraw(answer_id: int):
    record = services().desk_answers.withdraw(answer_id, signed_in_staff())
    flash(
        gettext(
            "Withdrawn. The assistant stops giving this answer within %(seconds)s seconds.",
            seconds=f"{CACHE_SECONDS:.0f}",
        ),
        "success",
    )
    return redirect(url_for("answers.show", answer_id=record.id))
