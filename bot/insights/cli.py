"""``almere insights``: the desk's insights page on the command line, as text tables or as JSON.

almere insights                 # the last 30 days, as tables
almere insights --since 4w --json
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from bot.config import load_settings
from bot.insights.desk_figures import DeskFigures
from bot.insights.period import DEFAULT_DAYS, InvalidPeriod, last_days, parse_since
from bot.insights.service import Chart, InsightsService, charts
from bot.insights.tracker import ConversationsUnavailable, TrackerReader
from bot.tickets.cli import plain_errors, session_factory


def _days(_context: click.Context, _parameter: click.Parameter, value: str) -> int:
    try:
        return parse_since(value)
    except InvalidPeriod as error:
        raise click.BadParameter(str(error)) from None


def _table(chart: Chart) -> str:
    """The chart's numbers as an aligned text table, under its title."""
    rows = [chart.columns, *(tuple("–" if v is None else str(v) for v in row) for row in chart.shown_rows)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(chart.columns))]
    lines = [chart.title, "=" * len(chart.title)]
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    if len(rows) == 1:
        lines.append("(nothing in this period)")
    if chart.note:
        lines.append(chart.note)
    return "\n".join(lines)


@click.command("insights")
@click.option(
    "--since",
    default=f"{DEFAULT_DAYS}d",
    show_default=True,
    callback=_days,
    help="How far back, up to today: days (30d) or weeks (4w).",
)
@click.option("--json", "as_json", is_flag=True, help="Everything as one JSON object.")
def insights_command(since: int, as_json: bool) -> None:
    """How the assistant and the desks did: conversations and their outcomes, topics, the questions
    it could not answer (masked and grouped), tickets and first replies, ratings and answer votes."""
    settings = load_settings()
    zone = ZoneInfo(settings.office_timezone)
    period = last_days(since, zone, datetime.now(zone).date())
    with plain_errors(ConversationsUnavailable):
        service = InsightsService(TrackerReader(settings.tracker_url), DeskFigures(session_factory(settings)))
        insights = service.report(period)
    if as_json:
        click.echo(json.dumps(insights.as_json(), indent=2, ensure_ascii=False))
        return
    click.echo(
        f"{insights.conversations} conversations from {period.first.isoformat()} to "
        f"{period.last.isoformat()} ({zone.key}). Unanswered questions have e-mail addresses, "
        "phone numbers and long numbers masked; names are not."
    )
    for chart in charts(insights):
        click.echo("")
        click.echo(_table(chart))
