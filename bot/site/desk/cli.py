"""The desk's commands for the `almere` group: staff accounts (`almere users`), approving and
withdrawing desk answers as a colleague (`almere answers approve|withdraw`) and the desk server
(`almere desk`)."""

from __future__ import annotations

import sys

import click

from bot.config import load_settings
from bot.desk_answers.service import DeskAnswerService
from bot.site.desk.accounts import AccountError, StaffAccounts
from bot.site.server import DeskServer
from bot.tickets.cli import plain_errors, session_factory
from bot.tickets.database import engine_for, ensure_schema_current

# --- almere users ----------------------------------------------------------------------


@click.group("users")
def users_group() -> None:
    """Staff accounts of the desk."""


@users_group.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (scripts).")
@click.option("--first-name", help='How people are told who joined a live chat ("Anna"); default: NAME.')
def add_user(name: str, password_stdin: bool, first_name: str | None) -> None:
    """Create a desk account NAME; asks for the password twice (hidden)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with plain_errors(AccountError):
        accounts = StaffAccounts(session_factory(load_settings()))
        username = accounts.add(name, password, first_name)
    click.echo(f"Created desk account {username!r}.")


# --- almere answers approve / withdraw ---------------------------------------------------
# Both are recorded in a colleague's name (the two-colleague rule rests on it), so the colleague
# proves who they are with their own desk password, checked as the desk's sign-in checks it.

BY_HELP = "Your desk account; you are asked for its password."
PASSWORD_STDIN_HELP = "Read the password from standard input (scripts)."


def signed_in_colleague(username: str, password_stdin: bool) -> tuple[str, DeskAnswerService]:
    """``username`` (normalised) once its desk password is given, and the answers' service."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            f"Desk password of {username}", hide_input=True, default="", show_default=False
        )
    sessions = session_factory(load_settings())
    confirmed = StaffAccounts(sessions).authenticate(username, password)
    if confirmed is None:
        raise click.ClickException(
            f"Unknown desk account or wrong password for {username!r}; nothing was recorded."
        )
    return confirmed, DeskAnswerService(sessions)


@click.command("approve")
@click.argument("answer_id", type=int)
@click.option("--by", "username", required=True, help=f"{BY_HELP} Not the answer's author or last editor.")
@click.option("--password-stdin", is_flag=True, help=PASSWORD_STDIN_HELP)
def approve_answer(answer_id: int, username: str, password_stdin: bool) -> None:
    """Approve a draft as yourself: the assistant gives it from now on (within 20 seconds)."""
    with plain_errors():
        approver, answers = signed_in_colleague(username, password_stdin)
        record = answers.approve(answer_id, approver)
    click.echo(f"Answer {record.id} is approved by {record.approver}; the assistant gives it from now on.")


@click.command("withdraw")
@click.argument("answer_id", type=int)
@click.option("--by", "username", required=True, help=BY_HELP)
@click.option("--password-stdin", is_flag=True, help=PASSWORD_STDIN_HELP)
def withdraw_answer(answer_id: int, username: str, password_stdin: bool) -> None:
    """Withdraw an answer as yourself: the assistant stops giving it (within 20 seconds)."""
    with plain_errors():
        colleague, answers = signed_in_colleague(username, password_stdin)
        record = answers.withdraw(answer_id, colleague)
    click.echo(f"Answer {record.id} is withdrawn; the assistant no longer gives it.")


# --- almere desk -----------------------------------------------------------------------


@click.command("desk")
@click.option("--host", help="Address to listen on (default: ALMERE_DESK_HOST).")
@click.option("--port", type=int, help="Port to listen on (default: ALMERE_DESK_PORT).")
def desk_command(host: str | None, port: int | None) -> None:
    """Serve the staff desk at /desk/ and the public page at / (gunicorn)."""
    settings = load_settings()
    with plain_errors():
        engine = engine_for(settings.database_url)
        ensure_schema_current(engine)
        engine.dispose()  # gunicorn's workers, forked next, open connections of their own
    host, port = host or settings.desk_host, port or settings.desk_port
    click.echo(f"The desk is at http://{host}:{port}/desk/ (Ctrl-C stops it).")
    DeskServer(settings, host, port).run()
