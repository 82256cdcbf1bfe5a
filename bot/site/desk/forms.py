"""The desk's forms; Flask-WTF adds and checks the CSRF token of each."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from bot.site.desk.accounts import PASSWORD_MAX
from bot.tickets.models import USERNAME_MAX
from bot.tickets.validation import NOTE_MAX


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
