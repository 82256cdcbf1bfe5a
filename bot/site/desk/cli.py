"""The desk's commands for the `almere` group: staff accounts (`almere users`) and the desk server
(`almere desk`)."""

from __future__ import annotations

import sys

import click

from bot.config import load_settings
from bot.site.desk.accounts import AccountError, StaffAccounts
from bot.site.server import DeskServer
from bot.tickets.cli import plain_errors, session_factory
from bot.tickets.database import create_engine_for, ensure_schema_current

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


# --- almere desk -----------------------------------------------------------------------


@click.command("desk")
@click.option("--host", help="Address to listen on (default: ALMERE_DESK_HOST).")
@click.option("--port", type=int, help="Port to listen on (default: ALMERE_DESK_PORT).")
def desk_command(host: str | None, port: int | None) -> None:
    """Serve the staff desk at /desk/ and the public page at / (gunicorn)."""
    settings = load_settings()
    with plain_errors():
        engine = create_engine_for(settings.database_url)
        ensure_schema_current(engine)
        engine.dispose()
    host, port = host or settings.desk_host, port or settings.desk_port
    click.echo(f"The desk is at http://{host}:{port}/desk/ (Ctrl-C stops it).")
    DeskServer(settings, host, port).run()
