"""deploy/monitoring/'s example alert rules and dashboard: well-formed, and every metric they use is
one the servers' /metrics serves (bot/observability/metrics.py)."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from bot.config import REPO_ROOT
from bot.observability.metrics import TicketCollector, exposition
from bot.tickets.records import QueueCounts

MONITORING = REPO_ROOT / "deploy" / "monitoring"
METRIC_NAME = re.compile(r"\balmere_[a-z_]+\b")


def served_names() -> set[str]:
    """Every sample name of a /metrics body: the process's and the ticket database's."""
    body, _ = exposition(TicketCollector(lambda: QueueCounts({}), list))
    return {
        sample.name for family in text_string_to_metric_families(body.decode()) for sample in family.samples
    }


def alert_rules() -> list[dict]:
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in rules["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((MONITORING / "dashboard.json").read_text(encoding="utf-8"))
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_the_alerts_cover_busy_turns_failing_emails_and_a_waiting_live_chat():
    rules = alert_rules()
    assert {"AssistantTooBusy", "EmailsFailing", "LiveChatWaitingTooLong"} <= {
        rule["alert"] for rule in rules
    }
    for rule in rules:
        assert rule["expr"].strip() and rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]


@pytest.mark.parametrize("source", ["alerts", "dashboard"])
def test_every_metric_used_is_served(source):
    expressions = [rule["expr"] for rule in alert_rules()] if source == "alerts" else dashboard_expressions()
    used = {name for expression in expressions for name in METRIC_NAME.findall(expression)}
    assert used and used <= served_names(), used - served_names()


def test_the_dashboard_panels_do_not_overlap():
    dashboard = json.loads((MONITORING / "dashboard.json").read_text(encoding="utf-8"))
    cells = [
        (x, y)
        for panel in dashboard["panels"]
        for x in range(panel["gridPos"]["x"], panel["gridPos"]["x"] + panel["gridPos"]["w"])
        for y in range(panel["gridPos"]["y"], panel["gridPos"]["y"] + panel["gridPos"]["h"])
    ]
    assert len(cells) == len(set(cells)) and max(x for x, _ in cells) < 24
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
