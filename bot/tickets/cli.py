"""The `almere tickets` and `almere db` commands: list, show, export and purge handoff tickets, and
migrate the ticket database. Commands that use the database first check that it is migrated and
otherwise ask to run ``almere db upgrade``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, load_settings
from bot.office_hours.wording import local_time, zone_label
from bot.privacy.retention import delete_conversations, delete_idle_conversations, parse_age
from bot.tickets import TicketError, TicketRecord, TicketService
from bot.tickets.database import (
    SchemaNotCurrent,
    engine_for,
    ensure_schema_current,
    head_revision,
    sessions_for,
    upgrade_database,
)
from bot.tickets.live_chat_tickets import LiveChatService
from bot.tickets.models import DESKS, STATUSES

CSV_COLUMNS = (
    "reference", "status", "desk", "name", "email", "phone", "topic", "question", "channel",
    "conversation_id", "consent_at", "created_at", "updated_at", "assignee", "notes", "transcript",
)  # fmt: skip
# Spreadsheets run cells starting with these as formulas; such cells get a leading quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@contextmanager
def plain_errors(*expected: type[Exception]) -> Iterator[None]:
    """Show ticket and database problems, and ``expected`` ones, as one-line errors (exit code 1)."""
    shown: tuple[type[Exception], ...] = (TicketError, SchemaNotCurrent, *expected)
    try:
        yield
    except shown as error:
        raise click.ClickException(str(error)) from error
    except SQLAlchemyError as error:
        raise click.ClickException(f"The ticket database cannot be used: {error}") from error


def session_factory(settings: Settings) -> sessionmaker[Session]:
    """Sessions on the configured database, once it is at the current migration."""
    ensure_schema_current(engine_for(settings.database_url))
    return sessions_for(settings.database_url)


def _ticket_service() -> TicketService:
    return TicketService(session_factory(load_settings()))


def _dump_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


# --- almere tickets --------------------------------------------------------------------


@click.group("tickets")
def tickets_group() -> None:
    """List, show and export handoff tickets."""


@tickets_group.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only tickets with this status.")
@click.option("--desk", type=click.Choice(DESKS), help="Only tickets for this desk.")
@click.option("--json", "as_json", is_flag=True, help="All fields, notes and transcript as JSON.")
def list_tickets(status: str | None, desk: str | None, as_json: bool) -> None:
    """Tickets, newest first."""
    with plain_errors():
        records = _ticket_service().list(status=status, desk=desk)
    if as_json:
        _dump_json([record.to_dict() for record in records])
        return
    if not records:
        click.echo("No tickets.")
        return
    zone = ZoneInfo(load_settings().office_timezone)
    for record in records:
        question = " ".join(record.question.split())
        click.echo(
            f"{record.reference}  {record.status:8}  {record.desk:13}  "
            f"{local_time(record.created_at, zone)}  {record.assignee or '-':12}  "
            f"{record.name}: {question[:60]}"
        )


@tickets_group.command("show")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="All fields as JSON.")
def show_ticket(reference: str, as_json: bool) -> None:
    """One ticket with its transcript and notes."""
    with plain_errors():
        record = _ticket_service().get(reference)
    if as_json:
        _dump_json(record.to_dict())
        return
    settings = load_settings()
    click.echo(describe(record, ZoneInfo(settings.office_timezone), zone_label(settings.office_timezone)))


def describe(record: TicketRecord, zone: ZoneInfo, label: str) -> str:
    """A ticket as readable text, times in ``zone``."""
    lines = [
        f"{record.reference} ({record.status}, {record.desk} desk)",
        f"Name:      {record.name}",
        f"E-mail:    {record.email or '-'}",
        f"Phone:     {record.phone or '-'}",
        f"Topic:     {record.topic or '-'}",
        f"Assignee:  {record.assignee or '-'}",
        f"Channel:   {record.channel} (conversation {record.conversation_id})",
        f"Consent:   {local_time(record.consent_at, zone)}",
        f"Created:   {local_time(record.created_at, zone)}",
        f"Updated:   {local_time(record.updated_at, zone)}   (times in {label})",
        "",
        "Question:",
        f"  {record.question}",
        "",
        "Conversation:",
    ]
    lines += [
        f"  [{local_time(m.timestamp, zone, seconds=True)}] {m.role}: {m.text}" for m in record.transcript
    ] or ["  (none)"]
    lines += ["", "Notes:"]
    lines += [f"  [{local_time(n.created_at, zone)}] {n.author}: {n.text}" for n in record.notes] or [
        "  (none)"
    ]
    return "\n".join(lines)


def _spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _csv_row(record: TicketRecord) -> list[str]:
    data = record.to_dict()
    data["notes"] = "\n".join(f"[{n.created_at.isoformat()}] {n.author}: {n.text}" for n in record.notes)
    data["transcript"] = "\n".join(
        f"[{m.timestamp.isoformat()}] {m.role}: {m.text}" for m in record.transcript
    )
    return [_spreadsheet_safe("" if data[c] is None else str(data[c])) for c in CSV_COLUMNS]


@tickets_group.command("export")
@click.option("--csv", "as_csv", is_flag=True, help="Export as CSV (the only format so far).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of standard output.",
)
@click.option("--status", type=click.Choice(STATUSES), help="Only tickets with this status.")
@click.option("--desk", type=click.Choice(DESKS), help="Only tickets for this desk.")
def export_tickets(as_csv: bool, output: str | None, status: str | None, desk: str | None) -> None:
    """Export all tickets, newest first, with notes and transcript."""
    if not as_csv:
        raise click.UsageError("Choose the export format: --csv.")
    with plain_errors():
        records = _ticket_service().list(status=status, desk=desk)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(record) for record in records)
    if output is None:
        click.echo(buffer.getvalue(), nl=False)
        return
    with open(output, "w", encoding="utf-8", newline="") as handle:
        handle.write(buffer.getvalue())
    click.echo(f"Exported {len(records)} ticket(s) to {output}.", err=True)


# --- almere users ----------------------------------------------------------------------


@tickets_group.command("purge")
@click.option(
    "--older-than",
    "older_than",
    required=True,
    metavar="AGE",
    help="Delete resolved tickets last changed longer ago than AGE (e.g. 90d, 12w).",
)
def purge_tickets(older_than: str) -> None:
    """Delete old resolved tickets, their transcripts and their conversations; conversations without
    a ticket idle for more than ALMERE_CONVERSATION_RETENTION_DAYS; and live chats nobody answered
    (missed, or left waiting) without contact details, older than AGE or that many days, whichever
    is shorter."""
    try:
        age = parse_age(older_than)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--older-than") from error
    settings = load_settings()
    now = datetime.now(timezone.utc)
    with plain_errors():
        factory = session_factory(settings)
        service = TicketService(factory)
        purged = service.purge_resolved(now - age)
        events = delete_conversations(settings.tracker_url, [t.conversation_id for t in purged])
        idle_before = now - timedelta(days=settings.conversation_retention_days)
        missed = LiveChatService(factory).purge_missed(max(now - age, idle_before))
        events += delete_conversations(settings.tracker_url, missed)
        with_ticket = {ticket.conversation_id for ticket in service.list()}
        idle = delete_idle_conversations(settings.tracker_url, idle_before, keep=with_ticket)
    click.echo(f"Deleted {len(purged)} resolved ticket(s) and {events} conversation event(s).")
    click.echo(f"Deleted {len(missed)} unanswered live chat(s) without contact details.")
    click.echo(
        f"Deleted {idle} event(s) of conversations without a ticket, idle for more than "
        f"{settings.conversation_retention_days} days."
    )


# --- almere db -------------------------------------------------------------------------


@click.group("db")
def db_group() -> None:
    """The ticket database schema."""


@db_group.command("upgrade")
def upgrade() -> None:
    """Apply all migrations to the database of ALMERE_DATABASE_URL."""
    with plain_errors():
        upgrade_database(load_settings().database_url)
    click.echo(f"The ticket database is at revision {head_revision()}.")
