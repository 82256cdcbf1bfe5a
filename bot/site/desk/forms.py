"""The desk's forms; Flask-WTF adds and checks the CSRF token of each."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from bot.site.desk.accounts import PASSWORD_MAX
from bot.tickets.models import USERNAME_MAX
from bot.tickets.validation import CALL_NOTE_MAX, NOTE_MAX, REPLY_MAX


class LoginForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[DataRequired("Enter your username."), Length(max=USERNAME_MAX)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


class NoteForm(FlaskForm):
    text = TextAreaField(
        "Internal note",
        validators=[
            DataRequired("Write a note before saving it."),
            Length(max=NOTE_MAX, message=f"A note has at most {NOTE_MAX} characters."),
        ],
    )


class ReplyForm(FlaskForm):
    text = TextAreaField(
        "Your e-mail to the person",
        validators=[
            DataRequired("Write the reply before sending it."),
            Length(max=REPLY_MAX, message=f"A reply has at most {REPLY_MAX} characters."),
        ],
    )


class CallForm(FlaskForm):
    outcome = RadioField(
        "How did the call go?",
        choices=[("answered", "Answered: we spoke"), ("no_answer", "No answer")],
        validators=[InputRequired("Choose whether the person answered.")],
    )
    note = TextAreaField(
        "Note about the call (optional)",
        validators=[Length(max=CALL_NOTE_MAX, message=f"A note has at most {CALL_NOTE_MAX} characters.")],
    )
