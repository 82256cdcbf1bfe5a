"""The "/intent" payloads the assistant's quick-reply buttons send: the only ones a channel lets through.

Rasa reads a message starting with "/" as an intent with confidence 1.0 (and "{...}" after it as
entities, "@0.5" as a confidence). People may send only what a button of the assistant sends, so
the allow-list is read from where the buttons are defined, in this one place, when a server
starts:

- the buttons of the responses in ``domain.yml``;
- the payloads written in the actions (``actions/*.py``): every string literal ``"/<intent>"``
  naming an intent of the domain (the handoff prompts' "/affirm", "/choose_private", ...);
- payloads an action builds from the intent it answers (``f"/{intent}"``, the "Yes, I mean
  Almere" button): the intents that the rules in ``data/`` answer with that action.

A button added to the domain or the actions is accepted after the next restart, with no second
list to keep up to date.

The buttons' titles are read from the same places (:func:`quick_reply_buttons`), so that a click
is shown to staff as what the person clicked ("Yes, I agree") even where only its payload was kept.
"""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.config import REPO_ROOT

logger = logging.getLogger(__name__)

PAYLOAD = re.compile(r"/([A-Za-z0-9_]+)")
# The call that gives a prompt's wording in Dutch in the actions (actions/handoff_prompts.py).
TRANSLATION_CALL = "Dutch"
_PLACEHOLDER = re.compile(r"\{[A-Za-z0-9_]+\}")


@dataclass(frozen=True)
class QuickReply:
    """A button of the assistant: its title, its payload, and the message it comes with.

    ``prompt`` may hold ``{slot}`` placeholders (filled in when sent); it is None where the
    button's message is not known (a pair of buttons defined apart from its prompt).
    """

    title: str
    payload: str
    prompt: str | None
    # A button of another language than English (a conditional response variation of the domain,
    # or a prompt's ``Dutch(...)`` wording in the actions).
    translation: bool = False

    def comes_with(self, text: str) -> bool:
        """Whether ``text`` is this button's message as sent (placeholders filled in)."""
        if self.prompt is None:
            return False
        pattern = "(?s:.*)".join(re.escape(part) for part in _PLACEHOLDER.split(self.prompt))
        return re.fullmatch(pattern, text) is not None


def _domain_intents(domain: dict[str, Any]) -> set[str]:
    intents: set[str] = set()
    for item in domain.get("intents") or ():
        intents.update([item] if isinstance(item, str) else dict(item))
    return intents


def _response_buttons(domain: dict[str, Any]) -> Iterator[tuple[str | None, str, str | None, bool]]:
    """(title, payload, message text, whether a translation) of every button of the domain's
    responses; a variation with a condition (the language slot) is a translation."""
    for variations in (domain.get("responses") or {}).values():
        for variation in variations or ():
            text = (variation or {}).get("text")
            translation = bool((variation or {}).get("condition"))
            for button in (variation or {}).get("buttons") or ():
                title, payload = (button or {}).get("title"), (button or {}).get("payload")
                if isinstance(payload, str):
                    yield (
                        title if isinstance(title, str) else None,
                        payload.strip(),
                        text if isinstance(text, str) else None,
                        translation,
                    )


def _response_payloads(domain: dict[str, Any]) -> Iterator[str]:
    return (payload for _, payload, _, _ in _response_buttons(domain))


def _constant_string(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _action_buttons(source: str) -> list[QuickReply]:
    """The ``("Title", "/payload")`` pairs written in an action module, each with the message of
    the call it is passed to (its first argument, as in ``Prompt("Shall I?", (("Yes", "/affirm"),))``)."""
    tree = ast.parse(source)
    pairs: dict[int, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            title, payload = (_constant_string(element) for element in node.elts)
            if title is not None and payload is not None and PAYLOAD.fullmatch(payload):
                pairs[id(node)] = (title, payload)
    prompts: dict[int, str | None] = dict.fromkeys(pairs)
    translated: set[int] = set()
    # ast.walk goes outside in, so the innermost call a pair is passed to has the last word.
    for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
        prompt = _constant_string(call.args[0]) if call.args else None
        if prompt is not None:
            for inner in ast.walk(call):
                if id(inner) in prompts:
                    prompts[id(inner)] = prompt
                    if isinstance(call.func, ast.Name) and call.func.id == TRANSLATION_CALL:
                        translated.add(id(inner))
                    else:
                        translated.discard(id(inner))
    return [
        QuickReply(title, payload, prompts[key], key in translated) for key, (title, payload) in pairs.items()
    ]


def _action_name(cls: ast.ClassDef) -> str | None:
    """The constant a class's ``name()`` method returns (a Rasa SDK action's name)."""
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == "name":
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Constant):
                    return inner.value.value if isinstance(inner.value.value, str) else None
    return None


def _is_built_payload(node: ast.AST) -> bool:
    """``f"/{something}"``: a payload made of "/" and one value."""
    return (
        isinstance(node, ast.JoinedStr)
        and len(node.values) == 2
        and isinstance(node.values[0], ast.Constant)
        and node.values[0].value == "/"
        and isinstance(node.values[1], ast.FormattedValue)
    )


def _scan_actions(source: str) -> tuple[set[str], set[str]]:
    """(literal "/x" strings, names of actions that send a payload built from their intent)."""
    tree = ast.parse(source)
    literals = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and PAYLOAD.fullmatch(node.value)
    }
    building: set[str] = set()
    for cls in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        if any(_is_built_payload(node) for node in ast.walk(cls)):
            name = _action_name(cls)
            if name is None:
                logger.warning(
                    "Quick replies of class %s are not accepted: it has no constant name().", cls.name
                )
            else:
                building.add(name)
    return literals, building


def _steps(data: Any) -> Iterator[list[dict[str, Any]]]:
    for key in ("rules", "stories"):
        for entry in (data or {}).get(key) or ():
            steps = (entry or {}).get("steps")
            if isinstance(steps, list):
                yield [step for step in steps if isinstance(step, dict)]


def _intents_of(step: dict[str, Any]) -> Iterable[str]:
    if isinstance(step.get("intent"), str):
        return [step["intent"]]
    alternatives = step.get("or")
    if isinstance(alternatives, list):
        return [s["intent"] for s in alternatives if isinstance(s, dict) and isinstance(s.get("intent"), str)]
    return []


def _intents_answered_by(actions: set[str], data_dir: Path) -> set[str]:
    """The intents that a rule or story of ``data_dir`` answers with one of ``actions``."""
    intents: set[str] = set()
    for path in sorted(data_dir.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            continue
        for steps in _steps(data):
            for step, following in zip(steps, steps[1:], strict=False):
                if following.get("action") in actions:
                    intents.update(_intents_of(step))
    return intents


def quick_reply_payloads(
    domain_file: Path = REPO_ROOT / "domain.yml",
    actions_dir: Path = REPO_ROOT / "actions",
    data_dir: Path = REPO_ROOT / "data",
) -> frozenset[str]:
    """Every "/intent" payload a button of the assistant can send (only intents of the domain)."""
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    intents = _domain_intents(domain)
    payloads = set(_response_payloads(domain))
    building: set[str] = set()
    for path in sorted(actions_dir.glob("*.py")):
        literals, builders = _scan_actions(path.read_text(encoding="utf-8"))
        payloads |= literals
        building |= builders
    payloads |= {f"/{intent}" for intent in _intents_answered_by(building, data_dir)}
    return frozenset(p for p in payloads if (m := PAYLOAD.fullmatch(p)) and m.group(1) in intents)


@cache
def offered_payloads() -> frozenset[str]:
    """:func:`quick_reply_payloads` of this repository, read once per process."""
    return quick_reply_payloads()


def quick_reply_buttons(
    domain_file: Path = REPO_ROOT / "domain.yml",
    actions_dir: Path = REPO_ROOT / "actions",
) -> tuple[QuickReply, ...]:
    """Every button with a title and a fixed payload, of the domain's responses and the actions."""
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    buttons = [
        QuickReply(title, payload, text, translation)
        for title, payload, text, translation in _response_buttons(domain)
        if title is not None
    ]
    for path in sorted(actions_dir.glob("*.py")):
        buttons += _action_buttons(path.read_text(encoding="utf-8"))
    return tuple(buttons)


@cache
def offered_buttons() -> tuple[QuickReply, ...]:
    """:func:`quick_reply_buttons` of this repository, read once per process."""
    return quick_reply_buttons()


def title_of(payload: str, after: str | None, buttons: Iterable[QuickReply]) -> str | None:
    """The title of the button that sent ``payload`` in reply to the message ``after``.

    "/affirm" is "Yes, I agree" after the consent question and "Yes, please" after the desk
    offer; without a matching message, the title is known only if every such button has the same.
    """
    candidates = [button for button in buttons if button.payload == payload]
    if after is not None:
        for button in candidates:
            if button.comes_with(after):
                return button.title
    # Without the message, the English title (translations say the same in another language).
    titles = {button.title for button in candidates if not button.translation}
    return titles.pop() if len(titles) == 1 else None
