"""The desk's insights page (staff only): charts of how the assistant and the desks did in a
period, each with its numbers as a table and as a CSV file.

``GET /desk/insights/?from=YYYY-MM-DD&to=YYYY-MM-DD`` (both optional: the last 30 days) shows the page;
``GET /desk/insights/<chart>.csv`` with the same dates gives one chart's numbers. Bad dates are a 400
that says what to type; a conversation or ticket database that cannot be read a 503. The numbers come
from :mod:`bot.insights`; the charts are drawn by the vendored Chart.js (static/vendor/) from a JSON
block in the page, which is data, not script, so the desk's Content-Security-Policy allows it.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from bot.insights.conversations import OUTCOME_LABELS
from bot.insights.masking import MARKERS
from bot.insights.period import DEFAULT_DAYS, InvalidPeriod, Period, period_from_query
from bot.insights.service import CHART_NAMES, Chart, Insights, charts
from bot.insights.tracker import ConversationsUnavailable
from bot.site.desk.auth import require_staff
from bot.site.extension import services

UNREADABLE = lazy_gettext("The conversation database cannot be read right now. Please try again in a minute.")
# A spreadsheet runs a cell that starts with one of these as a formula; the questions are what people typed.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def N_(text: str) -> str:
    """Marks ``text`` for `pybabel extract` (one of its default keywords); translated when shown."""
    return text


# Every text the charts show (bot.insights.service, the outcomes of bot.insights.conversations), in
# the desk's catalogue: the page passes them through gettext. tests/unit/site/desk/test_insights_figures.py
# checks that this list and the charts' texts are the same.
CHART_TEXTS = (
    N_("Conversations per day"),
    N_("Day"),
    N_("Conversations"),
    N_("What became of the conversations"),
    N_("Outcome"),
    N_("Share (%)"),
    N_("Answered"),
    N_("Declined"),
    N_("Handed over"),
    N_("Handoff abandoned"),
    N_("Small talk only"),
    N_("Most asked topics"),
    N_("Topic"),
    N_("Questions"),
    N_("Most frequent unanswered questions"),
    N_("Question (its most asked wording)"),
    N_("Times asked"),
    N_("Other wordings"),
    N_("The most asked (%(groups)s groups at most); %(left_out)s other questions, asked less, are left out."),
    N_("Tickets per desk"),
    N_("Desk"),
    N_("Tickets"),
    N_("With a first reply"),
    N_("Awaiting a first reply"),
    N_("International Affairs"),
    N_("Business service desk"),
    N_("Time to the first reply"),
    N_("Median (h:mm)"),
    N_("90th percentile (h:mm)"),
    N_(
        "Of the tickets of the period that got a first reply: an e-mail sent, a call answered or a "
        "colleague's message in a live chat; in hours and minutes, a minute begun counting as a minute."
    ),
    N_("Helpfulness ratings"),
    N_("Score"),
    N_("Ratings"),
    N_("1 (not helpful)"),
    N_("5 (very helpful)"),
    N_("%(answered)s of %(asked)s people asked in the period answered; average score %(average)s."),
    N_("none yet"),
    N_("Thumbs under the assistant's answers"),
    N_("Helpful"),
    N_("Not helpful"),
)

bp = Blueprint("insights", __name__, url_prefix="/desk", template_folder="templates")
bp.before_request(require_staff)


class _Refused(Exception):
    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


@bp.errorhandler(_Refused)
def _refused(error: _Refused):
    return render_template("desk/error.html", title=error.title, message=error.message), error.status


def _period() -> Period:
    zone = services().zone
    try:
        return period_from_query(
            request.args.get("from"), request.args.get("to"), zone, datetime.now(zone).date()
        )
    except InvalidPeriod as error:
        raise _Refused(400, gettext("Check the dates"), str(error)) from None


def _insights() -> Insights:
    period = _period()
    try:
        return services().insights.report(period)
    except ConversationsUnavailable:
        raise _Refused(503, gettext("Insights temporarily unavailable"), str(UNREADABLE)) from None


def _charts(insights: Insights) -> list[Chart]:
    """The charts in the colleague's desk language."""
    return charts(insights, gettext)


@bp.get("/insights/")
def page():
    insights = _insights()
    found = _charts(insights)
    dates: dict[str, Any] = {
        "from": insights.period.first.isoformat(),
        "to": insights.period.last.isoformat(),
    }
    return render_template(
        "desk/insights.html",
        insights=insights,
        charts=found,
        drawings={chart.name: chart.drawing() for chart in found},
        csv_urls={chart.name: url_for(f"insights.csv_{chart.name}", **dates) for chart in found},
        dates=dates,
        default_days=DEFAULT_DAYS,
        outcome_labels={outcome: gettext(label) for outcome, label in OUTCOME_LABELS.items()},
        markers=MARKERS,
    )


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_text(chart: Chart) -> str:
    """The chart's table as CSV: a header row, then its rows; text that a spreadsheet would run as a
    formula starts with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(chart.columns)
    writer.writerows([_cell(value) for value in row] for row in chart.shown_rows)
    return out.getvalue()


def _export(name: str) -> Response:
    """The CSV of the chart ``name``, for the dates of the query string."""
    insights = _insights()
    chart = next(chart for chart in _charts(insights) if chart.name == name)
    period = insights.period
    filename = f"almere-insights-{name}-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
    return Response(
        csv_text(chart),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _exporter(name: str):
    def export() -> Response:
        return _export(name)

    export.__name__ = f"csv_{name}"
    return export


# One fixed URL per chart, so that the desk's route walk (tests/unit/site/desk/test_desk_access.py)
# visits each.
for _name in CHART_NAMES:
    bp.add_url_rule(f"/insights/{_name}.csv", endpoint=f"csv_{_name}", view_func=_exporter(_name))
