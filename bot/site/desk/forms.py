"""The desk's forms; Flask-WTF adds and checks the CSRF token of each. Labels and messages are
lazy (``lazy_gettext``): they are translated when a page shows them, in that colleague's language."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from bot.site.desk.accounts import PASSWORD_MAX
from bot.tickets.models import USERNAME_MAX
from bot.tickets.validation import CALL_NOTE_MAX, NOTE_MAX, REPLY_MAX


class LoginForm(FlaskForm):
    username = StringField(
        lazy_gettext("Username"),
        validators=[DataRequired(lazy_gettext("Enter your username.")), Length(max=USERNAME_MAX)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        lazy_gettext("Password"),
        validators=[DataRequired(lazy_gettext("Enter your password.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


class NoteForm(FlaskForm):
    # Each form field of the ticket page has its own id, so a label always leads to its own box.
    text = TextAreaField(
        lazy_gettext("Internal note"),
        id="note-text",
        validators=[
            DataRequired(lazy_gettext("Write a note before saving it.")),
            Length(
                max=NOTE_MAX,
                message=lazy_gettext("A note has at most %(count)s characters.", count=NOTE_MAX),
            ),
        ],
    )


class ReplyForm(FlaskForm):
    text = TextAreaField(
        lazy_gettext("Your e-mail to the person"),
        id="reply-text",
        validators=[
            DataRequired(lazy_gettext("Write the reply before sending it.")),
            Length(
                max=REPLY_MAX,
                message=lazy_gettext("A reply has at most %(count)s characters.", count=REPLY_MAX),
            ),
        ],
    )


class CallForm(FlaskForm):
    outcome = RadioField(
        lazy_gettext("How did the call go?"),
        choices=[("answered", lazy_gettext("Answered: we spoke")), ("no_answer", lazy_gettext("No answer"))],
        validators=[InputRequired(lazy_gettext("Choose whether the person answered."))],
    )
    note = TextAreaField(
        lazy_gettext("Note about the call (optional)"),
        id="call-note",
        validators=[
            Length(
                max=CALL_NOTE_MAX,
                message=lazy_gettext("A note has at most %(count)s characters.", count=CALL_NOTE_MAX),
            )
        ],
    )
