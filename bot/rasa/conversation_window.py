"""What Rasa sees of a conversation each turn: a window of its last turns, kept between turns.

Rasa 3.6 reads every event of a conversation back from the tracker store on each turn, replays
them into a tracker, derives the rule policy's state of every earlier turn, copies the tracker
and sends all of it to the action server, so a turn's cost grows with the conversation (over REST,
a turn at message 200 cost 3.1 times one at message 1). Yet every decision Rasa takes looks at the
last few turns only: a rule is at most a few turns long (``MAX_RULE_TURNS``, checked against
data/rules.yml by the tests), the session's expiry looks at the last user message, a form at the
active loop and the slots. So the tracker store hands Rasa a *window*: the slot values and the
active loop at the window's start (as ``SlotSet`` and ``ActiveLoop`` events), then the events of
the last ``KEEP_TURNS`` user turns, cut where the assistant last listened. It grows by a turn per
message and is cut back to ``KEEP_TURNS`` once it holds ``2 * KEEP_TURNS``, so a turn's work stays
bounded.

The window is kept in this process between the turns of a conversation, with the id of the last
stored event: before handing it out again, the store checks that no other server wrote to the
conversation since (one indexed query instead of reading the conversation). The database keeps
every event and stays the source of truth; the handoff, which copies the whole conversation
into the ticket, gets it from there (:func:`whole_conversation`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker

# User turns a window keeps after it is cut: twice the longest rule (MAX_RULE_TURNS). The rule
# policy's work per turn grows with the window (pyinstrument, turns 150 to 200 of one conversation:
# 22 % of the Rasa server's time with windows of 8 to 16 turns, 17 % with 4 to 8).
KEEP_TURNS = 4
# The longest rule the window is proven for, in user turns (tests/unit/rasa/test_conversation_window.py
# checks data/rules.yml against it; today's longest has one): a rule is matched on the last states
# of the conversation, and a window must hold more turns than any rule for the match to be the same.
MAX_RULE_TURNS = 2
# Conversations whose window is kept, and for how long after their last turn. A window is small
# (at most 2 * KEEP_TURNS turns); a conversation that is not in memory is read from the database.
CACHED_CONVERSATIONS = 1000
IDLE_SECONDS = 30 * 60
# Actions that need every event of the conversation, not the window: the handoff copies the
# transcript into the ticket.
WHOLE_CONVERSATION_ACTIONS = frozenset({"action_submit_handoff"})


@dataclass
class Stored:
    """How much of a tracker handed to Rasa is stored: its first ``events`` events, up to the row
    ``last_id``; events after those are the turn's new ones, saved next. ``cut``: the tracker is a
    window, and ``read_events(sender_id)`` reads the stored session's events from the database."""

    events: int
    last_id: int | None
    cut: bool
    read_events: Callable[[str], list[dict[str, Any]]]


def stored_part(tracker: DialogueStateTracker) -> Stored | None:
    """What the store noted about ``tracker`` when it handed it out or saved it (None: not ours)."""
    return getattr(tracker, "_almere_stored", None)


def note_stored(
    tracker: DialogueStateTracker,
    last_id: int | None,
    cut: bool,
    read_events: Callable[[str], list[dict[str, Any]]],
) -> None:
    tracker._almere_stored = Stored(len(tracker.events), last_id, cut, read_events)


def _turn_starts(events: Sequence[Event]) -> list[int]:
    """Indexes of the ``action_listen`` events that precede a user message: where turns begin."""
    starts = []
    for index, event in enumerate(events[:-1]):
        if (
            isinstance(event, ActionExecuted)
            and event.action_name == ACTION_LISTEN_NAME
            and isinstance(events[index + 1], UserUttered)
        ):
            starts.append(index)
    return starts


def window(tracker: DialogueStateTracker, slots: Sequence[Slot]) -> DialogueStateTracker:
    """``tracker`` itself while it holds fewer than ``2 * KEEP_TURNS`` turns; otherwise a tracker of
    its last ``KEEP_TURNS`` turns that starts with the slot values and active loop of that point."""
    events = list(tracker.events)
    starts = _turn_starts(events)
    if len(starts) < 2 * KEEP_TURNS:
        return tracker
    cut = starts[-KEEP_TURNS]
    before = DialogueStateTracker.from_events(tracker.sender_id, events[:cut], slots)
    prefix: list[Event] = [
        SlotSet(name, slot.value) for name, slot in before.slots.items() if slot.value != slot.initial_value
    ]
    if before.active_loop_name:
        prefix.append(ActiveLoop(before.active_loop_name))
    windowed = DialogueStateTracker.from_events(tracker.sender_id, prefix + events[cut:], slots)
    windowed.sender_source = tracker.sender_source
    return windowed


def starts_afresh(events: Sequence[Event]) -> bool:
    """Whether ``events`` begin a new session or restart the conversation: what comes before them
    no longer counts, and the next turn had better read the new session from the database."""
    return any(isinstance(event, (SessionStarted, Restarted)) for event in events)


@dataclass
class _Kept:
    tracker: DialogueStateTracker
    last_id: int | None
    at: float


class WindowCache:
    """The windows of the conversations this process served last, least recently used out first.

    A window is *taken* when handed to Rasa and *put* back when its turn is saved: a turn that fails
    before saving leaves nothing behind, and the next turn reads the database.
    """

    def __init__(
        self,
        size: int = CACHED_CONVERSATIONS,
        idle_seconds: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._size = size
        self._idle = idle_seconds
        self._clock = clock
        self._lock = threading.Lock()

    def take(self, sender_id: str) -> tuple[DialogueStateTracker, int | None] | None:
        with self._lock:
            kept = self._kept.pop(sender_id, None)
        if kept is None or self._clock() - kept.at > self._idle:
            return None
        return kept.tracker, kept.last_id

    def put(self, tracker: DialogueStateTracker, last_id: int | None) -> None:
        with self._lock:
            self._kept[tracker.sender_id] = _Kept(tracker, last_id, self._clock())
            self._kept.move_to_end(tracker.sender_id)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        with self._lock:
            self._kept.pop(sender_id, None)

    def __len__(self) -> int:
        return len(self._kept)


def whole_conversation(tracker: DialogueStateTracker) -> list[dict[str, Any]]:
    """Every event of ``tracker``'s conversation session as dicts: for a window, the stored ones
    (read from the database) and then the turn's new ones; any other tracker holds them all."""
    stored = stored_part(tracker)
    events = list(tracker.events)
    if stored is None or not stored.cut:
        return [event.as_dict() for event in events]
    return stored.read_events(tracker.sender_id) + [event.as_dict() for event in events[stored.events :]]


def send_whole_conversations_to_the_handoff() -> None:
    """Make Rasa send ``WHOLE_CONVERSATION_ACTIONS`` every event of the conversation rather than
    the window (other actions read the slots and the latest message only). Idempotent.

    Rasa runs an action on a copy of the tracker, so a copy keeps what the store noted about the
    original (it starts with the same events)."""
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction, "_almere_sends_whole_conversations", False):
        return
    original_format = RemoteAction._action_call_format
    original_copy = DialogueStateTracker.copy

    def copy(self: DialogueStateTracker) -> DialogueStateTracker:
        duplicate = original_copy(self)
        stored = stored_part(self)
        if stored is not None:
            duplicate._almere_stored = stored
        return duplicate

    def action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Any) -> dict[str, Any]:
        payload = original_format(self, tracker, domain)
        if self.name() in WHOLE_CONVERSATION_ACTIONS:
            payload["tracker"]["events"] = whole_conversation(tracker)
        return payload

    DialogueStateTracker.copy = copy
    RemoteAction._action_call_format = action_call_format
    RemoteAction._almere_sends_whole_conversations = True
