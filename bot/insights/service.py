"""The insights of a period, from both databases: what the desk's insights page and ``almere insights``
show. Every figure is also a table (:class:`Chart`), which is the chart's text alternative, its CSV
export and the command's text output alike."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.handoff.contact_answers import topic_label
from bot.insights.conversations import OUTCOME_LABELS, OUTCOMES, Conversation
from bot.insights.desk_figures import DeskFigures, DeskTickets, Ratings, TopicFeedback
from bot.insights.grouping import MAX_GROUPS, QuestionGroup, group_questions, normalised
from bot.insights.masking import mask_personal_data
from bot.insights.period import Period
from bot.insights.tracker import TrackerReader

DESK_LABELS = {"international": "International Affairs", "business": "Business service desk"}
# The scores that say what they mean; the others are their number.
SCORE_LABELS = {1: "1 (not helpful)", 5: "5 (very helpful)"}
# The longest lists a chart draws; its table and CSV have them all.
CHART_TOPICS = 15
CHART_QUESTIONS = 10
# The most different wordings of unanswered questions grouped (the most asked), and the longest
# question shown: masking and grouping take a time in proportion to both.
MAX_WORDINGS = 1000
QUESTION_CHARS = 300


def shown_question(text: str) -> str:
    """``text`` masked (:func:`mask_personal_data`), at most :data:`QUESTION_CHARS` long. A little more
    is masked than shown, so that no address or number is cut in two before it is masked."""
    masked = mask_personal_data(text[: QUESTION_CHARS + 100])
    return masked if len(masked) <= QUESTION_CHARS else masked[:QUESTION_CHARS].rstrip() + "…"


@dataclass(frozen=True)
class Insights:
    period: Period
    per_day: list[tuple[date, int]]
    outcomes: dict[str, int]
    topics: list[tuple[str, int]]  # (topic, questions), the most asked first
    unanswered: list[QuestionGroup]  # masked, grouped, the most asked first
    tickets: list[DeskTickets]
    ratings: Ratings
    feedback: list[TopicFeedback]
    # Times the assistant declined in the period: the questions in ``unanswered`` and those left out.
    declined_questions: int = 0

    @property
    def conversations(self) -> int:
        return sum(self.outcomes.values())

    @property
    def unanswered_left_out(self) -> int:
        """Questions in no group listed: once there are MAX_GROUPS groups, those unlike all of them."""
        return self.declined_questions - sum(group.count for group in self.unanswered)

    def as_json(self) -> dict[str, Any]:
        """Everything, as plain JSON values (``almere insights --json``)."""
        return {
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "time_zone": self.period.zone.key,
            "conversations": self.conversations,
            "conversations_per_day": [
                {"day": day.isoformat(), "conversations": n} for day, n in self.per_day
            ],
            "outcomes": self.outcomes,
            "topics": [{"topic": topic, "questions": n} for topic, n in self.topics],
            "unanswered_questions": [
                {"question": g.example, "count": g.count, "other_wordings": list(g.variants)}
                for g in self.unanswered
            ],
            "unanswered_questions_left_out": self.unanswered_left_out,
            "tickets": [
                {
                    "desk": t.desk,
                    "tickets": t.tickets,
                    "with_first_reply": t.replied,
                    "median_minutes_to_first_reply": t.median_minutes,
                    "p90_minutes_to_first_reply": t.p90_minutes,
                }
                for t in self.tickets
            ],
            "ratings": {
                "asked": self.ratings.asked,
                "answered": self.ratings.answered,
                "average": None if self.ratings.average is None else round(self.ratings.average, 2),
                "per_score": {str(score): n for score, n in self.ratings.per_score.items()},
            },
            "answer_feedback": [
                {"topic": f.topic, "helpful": f.helpful, "not_helpful": f.not_helpful} for f in self.feedback
            ],
        }


def summarise(
    period: Period,
    conversations: list[Conversation],
    tickets: list[DeskTickets],
    ratings: Ratings,
    feedback: list[TopicFeedback],
) -> Insights:
    """The insights of ``conversations`` (those that started in ``period``) and the desk's figures."""
    days = Counter(period.day_of(c.started_at) for c in conversations)
    outcomes = Counter(c.outcome for c in conversations)
    topics = Counter(topic for c in conversations for topic in c.topics)
    asked = Counter(text for c in conversations for text in c.unanswered if normalised(text))
    # Only the most asked wordings are masked and grouped: the work is bounded however many there are.
    kept = sorted(asked, key=lambda text: (-asked[text], text))[:MAX_WORDINGS]
    masked = {text: shown_question(text) for text in kept}
    return Insights(
        period=period,
        per_day=[(day, days[day]) for day in period.days()],
        outcomes={outcome: outcomes[outcome] for outcome in OUTCOMES},
        topics=sorted(topics.items(), key=lambda item: (-item[1], item[0])),
        unanswered=group_questions(masked[text] for text in kept for _ in range(asked[text])),
        tickets=tickets,
        ratings=ratings,
        feedback=feedback,
        declined_questions=sum(asked.values()),
    )


class InsightsService:
    """Reads both databases, read-only: the conversations (``TrackerReader``) and the tickets."""

    def __init__(self, tracker: TrackerReader, desk: DeskFigures) -> None:
        self._tracker = tracker
        self._desk = desk

    def report(self, period: Period) -> Insights:
        """The insights of ``period``. Raises ``ConversationsUnavailable`` or
        ``TicketStoreUnavailable`` when a database cannot be read."""
        conversations = self._tracker.conversations(period, self._desk.ticket_conversations(period))
        return summarise(
            period,
            conversations,
            self._desk.tickets_per_desk(period),
            self._desk.ratings(period),
            self._desk.answer_feedback(period),
        )


def clock_time(minutes: int | None) -> str:
    """A time in minutes as hours and minutes ("0:04", "26:15"); "–" for none."""
    return "–" if minutes is None else f"{minutes // 60}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Chart:
    """One figure: its numbers as a table (``columns``, ``rows``), of which the chart draws the
    columns ``plotted`` of the first ``drawn_rows`` rows (all when None). The columns ``durations``
    hold minutes: drawn as minutes, shown (table, CSV, text) as hours and minutes, and 0 in them is
    a value (a reply at once), not nothing."""

    name: str  # also its CSV's name: /desk/insights/<name>.csv
    title: str
    kind: str  # how insights.js draws it: line, bar, doughnut, hbar or stacked
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    plotted: tuple[int, ...] = (1,)
    drawn_rows: int | None = None
    note: str = ""
    durations: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing to draw: no rows, or only blanks (and zero counts) in the columns drawn."""
        return not any(
            row[i] is not None and (row[i] != 0 or i in self.durations)
            for row in self.rows
            for i in self.plotted
        )

    @property
    def shown_rows(self) -> tuple[tuple[Any, ...], ...]:
        """The rows as the table, the CSV and ``almere insights`` show them (durations as h:mm)."""
        return tuple(
            tuple(clock_time(value) if i in self.durations else value for i, value in enumerate(row))
            for row in self.rows
        )

    def drawing(self) -> dict[str, Any]:
        """What insights.js needs to draw it: a blank (no value) stays blank, not a bar of 0."""
        rows = self.rows[: self.drawn_rows] if self.drawn_rows else self.rows
        drawing: dict[str, Any] = {
            "kind": self.kind,
            "labels": [str(row[0]) for row in rows],
            "series": [{"label": self.columns[i], "values": [row[i] for row in rows]} for i in self.plotted],
        }
        if self.durations:
            drawing["unit"] = "minutes"
        return drawing


CHART_NAMES = (
    "conversations",
    "outcomes",
    "topics",
    "unanswered",
    "tickets",
    "first_reply",
    "ratings",
    "feedback",
)


def _share(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0


def as_written(text: str) -> str:
    """The English text itself: what ``almere insights`` shows."""
    return text


def charts(insights: Insights, translate: Callable[[str], str] = as_written) -> list[Chart]:
    """The figures of ``insights``, in the order of :data:`CHART_NAMES`. Every text they show passes
    through ``translate`` (the desk's gettext; its catalogue lists them in ``bot.site.desk.insights``);
    texts with ``%(name)s`` are translated before the values are put in."""
    t = translate
    total = insights.conversations
    ratings = insights.ratings
    average = f"{ratings.average:.1f}" if ratings.average is not None else t("none yet")
    desks = {desk: t(label) for desk, label in DESK_LABELS.items()}
    found = [
        Chart(
            "conversations",
            t("Conversations per day"),
            "line",
            (t("Day"), t("Conversations")),
            tuple((day.isoformat(), n) for day, n in insights.per_day),
        ),
        Chart(
            "outcomes",
            t("What became of the conversations"),
            "doughnut",
            (t("Outcome"), t("Conversations"), t("Share (%)")),
            tuple((t(OUTCOME_LABELS[o]), n, _share(n, total)) for o, n in insights.outcomes.items()),
        ),
        Chart(
            "topics",
            t("Most asked topics"),
            "hbar",
            (t("Topic"), t("Questions")),
            tuple((topic_label(topic), n) for topic, n in insights.topics),
            drawn_rows=CHART_TOPICS,
        ),
        Chart(
            "unanswered",
            t("Most frequent unanswered questions"),
            "hbar",
            (t("Question (its most asked wording)"), t("Times asked"), t("Other wordings")),
            tuple((g.example, g.count, " | ".join(g.variants)) for g in insights.unanswered),
            drawn_rows=CHART_QUESTIONS,
            note=t(
                "The most asked (%(groups)s groups at most); %(left_out)s other questions, asked less, "
                "are left out."
            )
            % {"groups": MAX_GROUPS, "left_out": insights.unanswered_left_out}
            if insights.unanswered_left_out
            else "",
        ),
        Chart(
            "tickets",
            t("Tickets per desk"),
            "bar",
            (t("Desk"), t("Tickets"), t("With a first reply"), t("Awaiting a first reply")),
            tuple((desks[d.desk], d.tickets, d.replied, d.tickets - d.replied) for d in insights.tickets),
            plotted=(1, 2),
        ),
        Chart(
            "first_reply",
            t("Time to the first reply"),
            "bar",
            (t("Desk"), t("Median (h:mm)"), t("90th percentile (h:mm)"), t("With a first reply")),
            tuple((desks[d.desk], d.median_minutes, d.p90_minutes, d.replied) for d in insights.tickets),
            plotted=(1, 2),
            durations=(1, 2),
            note=t(
                "Of the tickets of the period that got a first reply: an e-mail sent, a call answered or "
                "a colleague's message in a live chat; in hours and minutes, a minute begun counting as "
                "a minute."
            ),
        ),
        Chart(
            "ratings",
            t("Helpfulness ratings"),
            "bar",
            (t("Score"), t("Ratings")),
            tuple(
                (t(SCORE_LABELS[score]) if score in SCORE_LABELS else str(score), n)
                for score, n in ratings.per_score.items()
            ),
            note=t(
                "%(answered)s of %(asked)s people asked in the period answered; average score %(average)s."
            )
            % {"answered": ratings.answered, "asked": ratings.asked, "average": average},
        ),
        Chart(
            "feedback",
            t("Thumbs under the assistant's answers"),
            "stacked",
            (t("Topic"), t("Helpful"), t("Not helpful")),
            tuple((topic_label(f.topic), f.helpful, f.not_helpful) for f in insights.feedback),
            plotted=(1, 2),
        ),
    ]
    assert tuple(chart.name for chart in found) == CHART_NAMES
    return found
