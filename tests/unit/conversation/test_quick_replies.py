"""The allow-list of "/intent" payloads is read from the buttons in the domain and the actions."""

from __future__ import annotations

import textwrap

import yaml

from bot.config import REPO_ROOT
from bot.conversation.quick_replies import (
    QuickReply,
    offered_buttons,
    offered_payloads,
    quick_reply_buttons,
    quick_reply_payloads,
    title_of,
)


def button_payloads_of_the_domain(domain) -> set:
    return {b["payload"] for r in domain["responses"].values() for v in r for b in v.get("buttons", [])}


def test_the_payloads_are_exactly_those_the_buttons_send(domain):
    from actions import handoff_prompts

    prompts = [v for v in vars(handoff_prompts).values() if isinstance(v, handoff_prompts.Prompt)]
    prompts += list(handoff_prompts.QUESTIONS.values())
    sent = button_payloads_of_the_domain(domain) | {p for prompt in prompts for _, p in prompt.buttons}
    # An action may also repeat the topic intent it answered (a "Yes, I mean Almere" button).
    rules = yaml.safe_load((REPO_ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    answered = {
        step["intent"]
        for rule in rules
        for step, following in zip(rule["steps"], rule["steps"][1:], strict=False)
        if following.get("action") == "action_answer_topic" and "intent" in step
    }
    assert answered and {"/affirm", "/deny", "/choose_private", "/choose_business"} <= sent
    assert sent <= offered_payloads() <= sent | {f"/{intent}" for intent in answered}


def test_intents_no_button_sends_are_not_offered(domain):
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    assert "request_human" in intents and "nlu_fallback" not in offered_payloads()
    for payload in ("/request_human", "/restart", "/session_start", "/out_of_scope", "/ask_unknown_fact"):
        assert payload not in offered_payloads()


def test_a_new_button_is_offered_without_a_second_list(tmp_path):
    """Another engineer adds an intent with a button in the domain and one in an action."""
    domain = tmp_path / "domain.yml"
    domain.write_text(
        textwrap.dedent("""\
        intents: [greet, ask_office_hours, {choose_later: {use_entities: []}}, ask_jobs, ask_hidden, affirm]
        responses:
          utter_greet:
            - text: Hi
              buttons:
                - {title: Office hours, payload: "/ask_office_hours"}
                - {title: Elsewhere, payload: "/not_an_intent"}
                - {title: Slots, payload: '/affirm{"x": 1}'}
        """)
    )
    actions = tmp_path / "actions"
    actions.mkdir()
    (actions / "prompts.py").write_text(
        textwrap.dedent("""\
        LATER = (("Later", "/choose_later"), ("Webhook", "/webhook"))
        class ActionAnswer:
            def name(self):
                return "action_answer"
            def run(self, intent):
                return {"title": "Yes", "payload": f"/{intent}"}
        class Nameless:
            def run(self, intent):
                return {"payload": f"/{intent}"}
        """)
    )
    data = tmp_path / "data"
    data.mkdir()
    (data / "rules.yml").write_text(
        textwrap.dedent("""\
        rules:
          - rule: jobs
            steps: [{intent: ask_jobs}, {action: action_answer}]
          - rule: either
            steps: [{or: [{intent: greet}, {intent: ask_hidden}]}, {action: utter_greet}]
        """)
    )
    assert quick_reply_payloads(domain, actions, data) == {"/ask_office_hours", "/choose_later", "/ask_jobs"}


def test_each_prompt_of_the_assistant_gives_its_own_buttons_titles():
    """Staff see an old stored click as the title of the button under the message before it."""
    from actions import handoff_prompts

    prompts = [v for v in vars(handoff_prompts).values() if isinstance(v, handoff_prompts.Prompt)]
    prompts += list(handoff_prompts.QUESTIONS.values())
    sent = [(prompt, title, payload) for prompt in prompts for title, payload in prompt.buttons]
    assert ("Yes, I agree", "/affirm") in {(title, payload) for _, title, payload in sent}
    for prompt, title, payload in sent:
        text = prompt.text.format(handoff_question="Is there a ferry?")
        assert title_of(payload, text, offered_buttons()) == title
    assert {p for p in offered_payloads() if title_of(p, None, offered_buttons()) is None} <= {
        "/affirm",
        "/deny",
        "/ask_business_climate",
    }  # these have several titles; the message before the click tells which


def test_buttons_are_read_with_their_titles_and_messages(tmp_path):
    domain = tmp_path / "domain.yml"
    domain.write_text(
        textwrap.dedent("""\
        responses:
          utter_greet:
            - text: Hi {name}, what now?
              buttons:
                - {title: Office hours, payload: "/ask_office_hours"}
                - {payload: "/untitled"}
        """)
    )
    actions = tmp_path / "actions"
    actions.mkdir()
    (actions / "prompts.py").write_text(
        textwrap.dedent("""\
        YES_NO = (("Yes", "/affirm"), ("No", "/deny"))
        CONSENT = Prompt("May I keep it?", (("Yes, I agree", "/affirm"), ("No", "/deny")))
        NESTED = Outer("Outer", Prompt("Are you sure about {thing}?", (("Sure", "/affirm"),)))
        NOT_A_BUTTON = ("Title", "no slash")
        """)
    )
    buttons = set(quick_reply_buttons(domain, actions))
    assert buttons == {
        QuickReply("Office hours", "/ask_office_hours", "Hi {name}, what now?"),
        QuickReply("Yes", "/affirm", None),
        QuickReply("No", "/deny", None),
        QuickReply("Yes, I agree", "/affirm", "May I keep it?"),
        QuickReply("No", "/deny", "May I keep it?"),
        QuickReply("Sure", "/affirm", "Are you sure about {thing}?"),
    }
    assert title_of("/affirm", "May I keep it?", buttons) == "Yes, I agree"
    assert title_of("/affirm", "Are you sure about the ferry?", buttons) == "Sure"
    assert title_of("/affirm", "Something else?", buttons) is None  # three titles: none is known
    assert title_of("/affirm", None, buttons) is None
    assert title_of("/deny", None, buttons) == "No"  # every button sending it says the same
    assert title_of("/ask_office_hours", "Hi Ana, what now?", buttons) == "Office hours"
    assert title_of("/unknown", None, buttons) is None
