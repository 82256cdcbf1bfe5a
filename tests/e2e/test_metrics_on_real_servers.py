"""GET /metrics of the running Rasa server, action server and desk, before and after a conversation:
a fact question answered, a question declined, and a handoff with consent that makes a ticket."""

from __future__ import annotations

import uuid

import requests
from prometheus_client.parser import text_string_to_metric_families
from test_handoff_flow import hand_over, texts

from bot.launcher import processes

FACT_QUESTION = "How many people live in Almere?"


def scrape(origin: str) -> dict[tuple[str, tuple], float]:
    response = requests.get(f"{origin}/metrics", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def moved(before: dict, after: dict) -> dict[tuple[str, tuple], float]:
    return {key: after[key] - before.get(key, 0.0) for key in after if after[key] != before.get(key, 0.0)}


def turns(outcome: str) -> tuple[str, tuple]:
    return ("almere_turns_total", (("outcome", outcome),))


def test_each_server_s_metrics_move_as_the_conversation_goes(assistant):
    origins = {
        "rasa": processes.origin(assistant.rasa),
        "actions": processes.origin(assistant.actions),
        "desk": assistant.desk_url,
    }
    before = {name: scrape(origin) for name, origin in origins.items()}

    sender = f"e2e-metrics-{uuid.uuid4()}"
    assert texts(assistant.ask(sender, FACT_QUESTION))
    said = []

    def say(message: str) -> str:
        said.append(message)
        return texts(assistant.ask(sender, message))

    hand_over(say)  # a declined question, then the form with consent: a ticket for the international desk

    after = {name: scrape(origin) for name, origin in origins.items()}
    rasa = moved(before["rasa"], after["rasa"])
    form_turns = len(said) - 2  # all but the declined question and the consent
    assert rasa[turns("answered")] == 1 + form_turns
    assert rasa[turns("declined")] == 1
    assert rasa[turns("handed_over")] == 1
    assert turns("busy") not in rasa and turns("trouble") not in rasa
    assert rasa[("almere_turn_seconds_count", ())] == len(said) + 1
    assert rasa[("almere_turn_queue_wait_seconds_count", ())] == len(said) + 1

    actions = moved(before["actions"], after["actions"])
    assert actions[("almere_handoffs_total", (("desk", "international"), ("way", "form")))] == 1
    assert actions[("almere_emails_sent_total", ())] == 2  # to the desk, and the confirmation
    assert ("almere_emails_failed_total", ()) not in actions

    desk = moved(before["desk"], after["desk"])
    assert desk[("almere_tickets", (("desk", "international"), ("status", "open")))] == 1
    assert desk[("almere_tickets_awaiting_reply", (("desk", "international"),))] == 1
    assert after["desk"][("almere_ticket_database_up", ())] == 1
