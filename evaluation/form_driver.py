"""Answer the handoff form like a cooperative person (expectations complete_handoff, refuse_consent).

The driver reads what the assistant asks, as a person reads the chat: the text of the last
message that asks something and its buttons. Buttons are answered with their payload, as a
click in the widget sends it (the consent question with yes, or no when refusing; the desk with
"private"; any other yes/no with yes); a question for a name, contact details or the question
is answered with a made-up value. It stops when a reference such as ALM-000123 comes, or, when
refusing consent, when the desk's phone number comes instead; after ``MAX_STEPS`` answers, or
when it meets a question it cannot answer, it fails with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

REFERENCE = re.compile(r"\bALM-\d+\b")
MAX_STEPS = 12
NAME = "Sam Jansen"
CONTACT = "sam@example.org"
QUESTION = "A question about parking permits"

_CONSENT = re.compile(r"\bconsent\b|\bstore\b|\bshare\b|\bagree\b|\bpermission\b", re.IGNORECASE)
_CONTACT = re.compile(r"e-?mail|phone|reach you|contact", re.IGNORECASE)
_NAME = re.compile(r"\bname\b", re.IGNORECASE)
_QUESTION = re.compile(r"question|\bask\b|would you like", re.IGNORECASE)
_YES = re.compile(r"^/affirm\b|^yes\b", re.IGNORECASE)
_NO = re.compile(r"^/deny\b|^no\b", re.IGNORECASE)
_PRIVATE = re.compile(r"private", re.IGNORECASE)


@dataclass(frozen=True)
class Message:
    """One message of the assistant: its text and its buttons as (title, payload)."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()


def messages_of(replies: Sequence[Mapping] | None) -> tuple[Message, ...]:
    """The messages of a REST channel reply."""
    return tuple(
        Message(
            str(reply.get("text") or ""),
            tuple((str(b.get("title", "")), str(b.get("payload", ""))) for b in reply.get("buttons") or []),
        )
        for reply in replies or []
    )


def joined(messages: Sequence[Message]) -> str:
    return "\n".join(m.text for m in messages if m.text)


class Stuck(Exception):
    """The assistant asked something the driver cannot answer."""


def _button(buttons: Sequence[tuple[str, str]], pattern: re.Pattern[str]) -> str | None:
    return next(
        (payload for title, payload in buttons if pattern.search(payload) or pattern.search(title)), None
    )


def _asking(messages: Sequence[Message]) -> Message:
    """The message that asks something: the last with buttons or a question mark, else the last."""
    asking = [m for m in messages if m.buttons or "?" in m.text] or [m for m in messages if m.text.strip()]
    if not asking:
        raise Stuck("the assistant asked nothing")
    return asking[-1]


def asks_consent(messages: Sequence[Message]) -> bool:
    message = _asking(messages)
    return bool(message.buttons) and _CONSENT.search(message.text) is not None


def answer(messages: Sequence[Message], refuse_consent: bool = False) -> str:
    """What a cooperative person answers to these messages (raises Stuck if it cannot tell)."""
    message = _asking(messages)
    if message.buttons:
        if asks_consent(messages):
            choice = _button(message.buttons, _NO if refuse_consent else _YES)
        else:
            choice = _button(message.buttons, _PRIVATE) or _button(message.buttons, _YES)
        if choice is None:
            raise Stuck(f"no button to choose among {[title for title, _ in message.buttons]}")
        return choice
    for pattern, value in ((_CONTACT, CONTACT), (_NAME, NAME), (_QUESTION, QUESTION)):
        if pattern.search(message.text):
            return value
    raise Stuck(f"cannot tell what this asks: {message.text[:120]!r}")


@dataclass(frozen=True)
class Played:
    """How the form went: passed, or why not; what was sent and what came back."""

    passed: bool
    reason: str | None
    exchanges: tuple[tuple[str, str], ...]  # (sent, reply text)

    @property
    def replies(self) -> str:
        return "\n".join(reply for _, reply in self.exchanges)


Say = Callable[[str], Awaitable[Sequence[Message]]]


async def play(
    say: Say, first: Sequence[Message], refuse_consent: bool, desk_phone: str, max_steps: int = MAX_STEPS
) -> Played:
    """Answer the form from the reply ``first`` on, through ``say`` (send a message, get the reply).

    ``say`` raises ConnectionError when the assistant cannot be reached.
    """
    exchanges = []

    def played(passed: bool, reason: str | None = None) -> Played:
        return Played(passed, reason, tuple(exchanges))

    messages, refused = first, False
    for _ in range(max_steps + 1):
        text = joined(messages)
        reference = REFERENCE.search(text)
        if reference and refuse_consent:
            return played(False, f"gave the reference {reference.group(0)} although consent was refused")
        if reference:
            return played(True)
        if refused:
            return (
                played(True)
                if desk_phone in text
                else played(False, f"consent refused, but the reply does not give {desk_phone}")
            )
        if len(exchanges) == max_steps:
            break
        try:
            message = answer(messages, refuse_consent)
        except Stuck as error:
            return played(False, f"{error} (after {len(exchanges)} answers)")
        refused = refuse_consent and asks_consent(messages)
        try:
            messages = tuple(await say(message))
        except ConnectionError as error:
            return played(False, f"no reply to {message!r}: {error}")
        exchanges.append((message, joined(messages)))
    goal = "reference (ALM-…)" if not refuse_consent else f"{desk_phone} after refusing consent"
    return played(False, f"no {goal} after {max_steps} answers")
