"""``almere personal-data``: find, export and erase everything kept about one person
(:mod:`bot.privacy.subject_data`), for whoever runs the servers (the desk's administrators use the desk's
page, /desk/personal-data/). Erasures are logged without the address or number searched for."""

from __future__ import annotations

import getpass
import logging
from datetime import datetime, timezone

import click

from bot.config import load_settings
from bot.privacy.subject_data import (
    KINDS,
    ConversationsUnavailable,
    InvalidSubject,
    Subject,
    SubjectBusy,
    SubjectData,
    SubjectDataService,
    parse_subject,
)
from bot.tickets.cli import plain_errors, session_factory

_KIND = click.argument("kind", type=click.Choice(list(KINDS)), metavar="KIND")
_VALUE = click.argument("value", metavar="VALUE")


def _service() -> SubjectDataService:
    settings = load_settings()
    return SubjectDataService(session_factory(settings), settings.tracker_url)


def _subject(kind: str, value: str) -> Subject:
    try:
        return parse_subject(kind, value)
    except InvalidSubject as error:
        raise click.BadParameter(str(error), param_hint="VALUE") from None


def summary(found: SubjectData) -> str:
    """What was found, counted, with the requests' references."""
    if found.empty:
        return f"Nothing is kept for this {found.subject.label}."
    references = ", ".join(ticket.reference for ticket in found.tickets) or "none"
    return "\n".join(
        [
            f"Requests:      {len(found.tickets)} ({references}), of which {found.live_chats} live chat(s)",
            f"Ratings:       {found.ratings}",
            f"Notes on other requests naming them: {len(found.notes)}",
            f"Conversations: {len(found.conversations)} ({found.events} stored events)",
            f"Desk answers written from their requests (kept; check that they name no one): "
            f"{', '.join(str(answer.answer_id) for answer in found.desk_answers) or 'none'}",
            "Answer votes:  none can be linked to a person",
        ]
    )


@click.group("personal-data")
def personal_data_group() -> None:
    """Everything kept about one person: find it, export it, erase it. KIND is email, phone,
    reference or conversation."""


@personal_data_group.command("find")
@_KIND
@_VALUE
def find(kind: str, value: str) -> None:
    """Count what is kept about the person."""
    subject = _subject(kind, value)
    with plain_errors(ConversationsUnavailable):
        click.echo(summary(_service().find(subject)))


@personal_data_group.command("export")
@_KIND
@_VALUE
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
def export(kind: str, value: str, output: str | None) -> None:
    """Everything kept about the person as one JSON file (standard output unless --output)."""
    subject = _subject(kind, value)
    with plain_errors(ConversationsUnavailable):
        found = _service().find(subject)
    text = found.to_json(datetime.now(timezone.utc))
    if output is None:
        click.echo(text)
        return
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    click.echo(f"Exported to {output}.", err=True)


@personal_data_group.command("erase")
@_KIND
@_VALUE
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (scripts).")
def erase(kind: str, value: str, yes: bool) -> None:
    """Delete everything kept about the person (their requests, live chats, ratings, conversations)
    and remove them from other requests' notes."""
    subject = _subject(kind, value)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    service = _service()
    with plain_errors(ConversationsUnavailable, SubjectBusy):
        found = service.find(subject)
        if found.empty:
            click.echo(f"Nothing is kept for this {subject.label}.")
            return
        click.echo(summary(found))
        if not yes:
            click.confirm("Erase all of this? It cannot be undone", abort=True)
        erased = service.erase(subject, by=f"{getpass.getuser()} (command line)")
    click.echo(
        f"Erased {len(erased.references)} request(s), {erased.ratings} rating(s), "
        f"{erased.conversations} conversation(s) with {erased.events} event(s); "
        f"{erased.notes_edited} note(s) on other requests no longer name them."
    )
