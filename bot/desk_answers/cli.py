"""The `almere answers` commands that read the desk's answers: list and show (writing and editing
them is done in the desk, at /desk/answers/; approving and withdrawing them, which is done in a
colleague's name, needs that colleague's desk password: ``bot.site.desk.cli``)."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import click

from bot.config import load_settings
from bot.desk_answers.records import DeskAnswerRecord
from bot.desk_answers.service import DeskAnswerService
from bot.office_hours.wording import local_time, zone_label
from bot.tickets.cli import plain_errors, session_factory
from bot.tickets.models import DESK_ANSWER_STATUSES


def _service() -> DeskAnswerService:
    return DeskAnswerService(session_factory(load_settings()))


def _zone() -> ZoneInfo:
    return ZoneInfo(load_settings().office_timezone)


@click.group("answers")
def answers_group() -> None:
    """The desk's reusable answers: list, show, approve, withdraw."""


@answers_group.command("list")
@click.option("--status", type=click.Choice(DESK_ANSWER_STATUSES), help="Only answers with this status.")
@click.option("--json", "as_json", is_flag=True, help="All fields and the history as JSON.")
def list_answers(status: str | None, as_json: bool) -> None:
    """Answers, drafts first."""
    with plain_errors():
        records = _service().list(status=status)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in records], indent=2, ensure_ascii=False))
        return
    if not records:
        click.echo("No answers." if status is None else f"No {status} answers.")
        return
    zone = _zone()
    for record in records:
        click.echo(
            f"{record.id:>5}  {record.status:9}  {record.language}  {local_time(record.updated_at, zone)}  "
            f"{record.author:12}  {record.questions[0][:60]}"
        )


@answers_group.command("show")
@click.argument("answer_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="All fields and the history as JSON.")
def show_answer(answer_id: int, as_json: bool) -> None:
    """One answer with its example questions and history."""
    with plain_errors():
        record = _service().get(answer_id)
    if as_json:
        click.echo(json.dumps(record.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(describe(record, _zone(), zone_label(load_settings().office_timezone)))


def describe(record: DeskAnswerRecord, zone: ZoneInfo, label: str) -> str:
    """An answer as readable text, times in ``zone``."""
    approved = f"by {record.approver}, {local_time(record.approved_at, zone)}" if record.approved_at else "-"
    lines = [
        f"Answer {record.id} ({record.status}, {record.language})",
        f"Author:    {record.author}",
        f"Approved:  {approved}",
        f"Ticket:    {record.source_ticket or '-'}",
        "",
        "Example questions:",
        *(f"  - {question}" for question in record.questions),
        "",
        "Answer:",
        *(f"  {line}" for line in record.answer.splitlines()),
        "",
        f"History (times in {label}):",
    ]
    lines += [f"  {local_time(e.created_at, zone)}  {e.action:9}  {e.actor}" for e in record.history]
    return "\n".join(lines)
