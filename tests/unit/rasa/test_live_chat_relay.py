"""The live chat's relay on the Rasa side (bot/rasa/live_chat_relay.py), with an in-memory conversation
store, a recording socket.io server and a real ticket database: a chat opens only after the
assistant offered one, and the desk's calls are checked against the chat (state, the colleague who
has it, the rating question) and delivered once per request id."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from bot.config import REPO_ROOT, Settings
from bot.handoff.contact_answers import STAFF_AUTHOR_KEY
from bot.handoff.live_chat import REQUESTED_KEY, offer_standing
from bot.rasa import live_chat_relay as relay_module
from bot.rasa.live_chat_relay import REQUEST_ID_KEY, BadStaffEvent, LiveChatRelay
from bot.site.desk.accounts import StaffAccounts
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database
from bot.tickets.live_chat_tickets import LiveChatService
from bot.tickets.ratings import RatingService

CONVERSATION = "conversation-1"


class RecordingServer:
    """Stands in for socket.io's server: what would reach the person's room."""

    def __init__(self) -> None:
        self.emitted: list[dict[str, Any]] = []

    async def emit(self, event: str, data: dict[str, Any], room: str, namespace: str) -> None:
        assert (event, room) == ("bot_uttered", CONVERSATION)
        self.emitted.append(data)


class Processor:
    def __init__(self, store: InMemoryTrackerStore) -> None:
        self.store = store

    async def get_tracker(self, conversation_id: str):
        return await self.store.get_or_create_tracker(conversation_id)

    async def fetch_tracker_and_update_session(self, conversation_id: str, _output: Any):
        return await self.get_tracker(conversation_id)

    async def save_tracker(self, tracker) -> None:
        await self.store.save(tracker)


class Agent:
    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.lock_store = InMemoryLockStore()
        self.processor = Processor(InMemoryTrackerStore(domain))


class App:
    def __init__(self, agent: Agent) -> None:
        self.ctx = type("Context", (), {"agent": agent})()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


@pytest.fixture
def factory(tmp_path):
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    upgrade_database(url)
    engine = create_engine_for(url)
    yield create_session_factory(engine)
    engine.dispose()


@pytest.fixture
def live(factory) -> LiveChatService:
    accounts = StaffAccounts(factory)
    accounts.add("anna", "a long enough password 1", first_name="Anna")
    accounts.add("bram", "a long enough password 1", first_name="Bram")
    return LiveChatService(factory)


@pytest.fixture
async def relay(live, domain, monkeypatch):
    monkeypatch.setattr(relay_module, "can_chat_now", lambda *_: True)
    relay = LiveChatRelay(RecordingServer(), "/", "bot_uttered", Settings(), live, "secret")
    relay._app = App(Agent(domain))
    yield relay
    timers = list(relay._timers)  # the waiting chats' expiry
    for timer in timers:
        timer.cancel()
    await asyncio.gather(*timers, return_exceptions=True)


def emitted(relay: LiveChatRelay) -> list[dict[str, Any]]:
    return relay._sio.emitted


async def events_of(relay: LiveChatRelay) -> list[dict[str, Any]]:
    tracker = await relay._agent.processor.get_tracker(CONVERSATION)
    return [event.as_dict() for event in tracker.events]


async def offer_a_live_chat(relay: LiveChatRelay, monkeypatch) -> None:
    """The handoff's offer, made by its action and stored as Rasa stores an action server's messages."""
    monkeypatch.setattr(handoff, "live_chat_offered", lambda _tracker: True)
    dispatcher = CollectingDispatcher()
    tracker = Tracker(CONVERSATION, {}, {}, [], False, None, {}, "action_listen")
    await handoff.ActionPrepareHandoff().run(dispatcher, tracker, {})
    said = await RemoteAction._utter_responses(dispatcher.messages, None, None, None)
    await relay._append(CONVERSATION, said)


def never(*_: Any) -> bool:
    raise AssertionError("the limit is asked only when a chat would open")


async def test_a_chat_opens_only_after_an_offer_and_once_per_offer(relay, live, monkeypatch):
    await relay.request(CONVERSATION, "socketio", may_open=never)
    assert live.current(CONVERSATION) is None
    assert emitted(relay)[-1]["live_chat"] == {"state": "unavailable"}
    assert "starts from my offer" in emitted(relay)[-1]["text"]

    await offer_a_live_chat(relay, monkeypatch)
    assert offer_standing(await events_of(relay))
    await relay.request(CONVERSATION, "socketio", may_open=lambda: True)
    chat = live.current(CONVERSATION)
    assert chat is not None and chat.state == "waiting"
    assert emitted(relay)[-1]["live_chat"] == {"state": "waiting"}
    assert not offer_standing(await events_of(relay))
    assert [e for e in await events_of(relay) if (e.get("metadata") or {}).get(REQUESTED_KEY)]

    # The chat ends; asking again without a new offer opens nothing.
    live.take(chat.reference, "anna")
    live.end(chat.reference, "anna", "closed")
    await relay.request(CONVERSATION, "socketio", may_open=never)
    assert live.current(CONVERSATION) is None and "starts from my offer" in emitted(relay)[-1]["text"]


async def test_a_conversation_over_its_limit_opens_no_chat(relay, live, monkeypatch):
    await offer_a_live_chat(relay, monkeypatch)
    await relay.request(CONVERSATION, "socketio", may_open=lambda: False)
    assert live.current(CONVERSATION) is None
    assert emitted(relay)[-1]["live_chat"] == {"state": "unavailable"}
    assert "several times already" in emitted(relay)[-1]["text"]
    assert offer_standing(await events_of(relay))  # the offer still stands


def test_only_a_later_offer_stands():
    offer = {"event": "bot", "data": {"custom": {"data": {"live_chat": {"offer": "Chat now"}}}}}
    requested = {"event": "bot", "text": "waiting", "metadata": {REQUESTED_KEY: True}}
    typed = {"event": "user", "text": "offer", "metadata": {REQUESTED_KEY: True}, "data": offer["data"]}
    assert not offer_standing([])
    assert not offer_standing([typed])  # a person's message is never an offer or a request
    assert offer_standing([offer]) and offer_standing([requested, offer])
    assert not offer_standing([offer, requested])
    assert not offer_standing([{"event": "bot", "data": {"custom": "x"}}, {"event": "bot", "data": None}])


async def active_chat(relay: LiveChatRelay, live: LiveChatService, monkeypatch, username: str = "anna"):
    await offer_a_live_chat(relay, monkeypatch)
    await relay.request(CONVERSATION, "socketio", may_open=lambda: True)
    chat = live.current(CONVERSATION)
    live.take(chat.reference, username)
    return chat


def call(chat, event: str, **fields: Any) -> dict[str, Any]:
    return {"reference": chat.reference, "event": event, "request_id": uuid.uuid4().hex, **fields}


async def test_the_colleague_who_has_the_chat_is_named_from_their_account(relay, live, monkeypatch):
    chat = await active_chat(relay, live, monkeypatch)
    assert await relay.staff_event(call(chat, "joined", author="anna", staff="Mallory"))
    assert emitted(relay)[-1]["text"] == "Anna of the International Affairs Department has joined the chat."
    assert await relay.staff_event(call(chat, "message", author=" ANNA ", text="Hello", staff="Mallory"))
    assert emitted(relay)[-1]["from_staff"] == "Anna"
    [stored] = [e for e in await events_of(relay) if e.get("text") == "Hello"]
    assert stored["metadata"]["staff_name"] == "Anna" and stored["metadata"][STAFF_AUTHOR_KEY] == "anna"


@pytest.mark.parametrize(
    "fields, status, reason",
    [
        ({"author": "bram"}, 403, "not bram's chat"),
        ({"author": "mallory"}, 403, "not mallory's chat"),
        ({}, 400, '"author"'),
        ({"author": "anna", "request_id": None}, 400, '"request_id"'),
        ({"author": "anna", "request_id": "short"}, 400, '"request_id"'),
        ({"author": "anna", "request_id": "x" * 65}, 400, '"request_id"'),
        ({"author": "anna", "request_id": "<script>alert(1)</script>"}, 400, '"request_id"'),
    ],
)
async def test_a_call_not_from_the_colleague_who_has_the_chat_is_refused(
    relay, live, monkeypatch, fields, status, reason
):
    chat = await active_chat(relay, live, monkeypatch)
    before = len(emitted(relay))
    with pytest.raises(BadStaffEvent, match=reason) as refused:
        await relay.staff_event({**call(chat, "message", text="Your permit is revoked"), **fields})
    assert refused.value.status == status
    assert len(emitted(relay)) == before
    assert "Your permit is revoked" not in [e.get("text") for e in await events_of(relay)]


@pytest.mark.parametrize("state", ["waiting", "missed", "closed", "returned"])
async def test_a_chat_that_is_not_active_gets_nothing(relay, live, monkeypatch, state):
    await offer_a_live_chat(relay, monkeypatch)
    await relay.request(CONVERSATION, "socketio", may_open=lambda: True)
    chat = live.current(CONVERSATION)
    if state == "missed":
        assert live.expire(chat.reference)
    elif state in ("closed", "returned"):
        live.take(chat.reference, "anna")
        live.end(chat.reference, "anna", state)
    before = len(emitted(relay))
    for event, extra in (("joined", {}), ("message", {"text": "hi"}), ("ended", {"how": "closed"})):
        with pytest.raises(BadStaffEvent, match="not an active chat") as refused:
            await relay.staff_event(call(chat, event, author="anna", **extra))
        assert refused.value.status == 409
    assert len(emitted(relay)) == before
    assert live.get(chat.reference).state == state


async def test_a_repeated_request_is_delivered_once(relay, live, monkeypatch):
    chat = await active_chat(relay, live, monkeypatch)
    body = call(chat, "message", author="anna", text="Only once, please")
    assert await relay.staff_event(body) is True
    assert await relay.staff_event(dict(body)) is False
    assert [m.get("text") for m in emitted(relay)].count("Only once, please") == 1
    stored = [e for e in await events_of(relay) if e.get("text") == "Only once, please"]
    assert len(stored) == 1 and stored[0]["metadata"][REQUEST_ID_KEY] == body["request_id"]
    # A new request with the same text is a new message.
    assert await relay.staff_event(call(chat, "message", author="anna", text="Only once, please"))
    assert [m.get("text") for m in emitted(relay)].count("Only once, please") == 2


async def test_only_this_chat_s_rating_question_reaches_the_person(relay, live, factory, monkeypatch):
    ratings = RatingService(factory, "site-key")
    chat = await active_chat(relay, live, monkeypatch)
    other = live.request(
        "conversation-2", "socketio", desk="international", question=None, topic=None, transcript=[]
    )
    other_token = ratings.ask(other.reference, "chat")
    for token in (other_token, "not-a-token", "", "W1swLCAiYWJjIl1d.abc", 7):
        with pytest.raises(BadStaffEvent, match="rating_token"):
            await relay.staff_event(call(chat, "ended", author="anna", how="closed", rating_token=token))
    assert emitted(relay)[-1]["live_chat"] == {"state": "waiting"}  # nothing was sent

    token = ratings.ask(chat.reference, "chat")
    assert await relay.staff_event(call(chat, "ended", author="anna", how="closed", rating_token=token))
    assert emitted(relay)[-1]["rating"]["token"] == token
    assert emitted(relay)[-1]["live_chat"] == {"state": "closed"}


async def test_an_end_without_a_rating_question(relay, live, monkeypatch):
    chat = await active_chat(relay, live, monkeypatch)
    assert await relay.staff_event(call(chat, "ended", author="anna", how="returned", rating_token=None))
    assert "rating" not in emitted(relay)[-1] and "handed the conversation back" in emitted(relay)[-1]["text"]


async def test_the_colleague_typing_reaches_the_person_at_most_every_two_seconds(relay, live, monkeypatch):
    chat = await active_chat(relay, live, monkeypatch)
    clock = [1000.0]
    monkeypatch.setattr(relay_module.time, "monotonic", lambda: clock[0])
    events_before = len(await events_of(relay))
    assert await relay.staff_event(call(chat, "typing", author="anna")) is True
    assert emitted(relay)[-1] == {"live_chat": {"state": "connected", "typing": True}}
    sent = len(emitted(relay))
    clock[0] += 1.5
    assert await relay.staff_event(call(chat, "typing", author="anna")) is False
    assert len(emitted(relay)) == sent
    clock[0] += 0.6
    assert await relay.staff_event(call(chat, "typing", author="anna")) is True
    assert len(emitted(relay)) == sent + 1
    assert len(await events_of(relay)) == events_before  # typing is never stored
    with pytest.raises(BadStaffEvent, match="not bram's chat"):
        await relay.staff_event(call(chat, "typing", author="bram"))


async def test_typing_in_a_chat_that_is_not_active_is_refused(relay, live, monkeypatch):
    await offer_a_live_chat(relay, monkeypatch)
    await relay.request(CONVERSATION, "socketio", may_open=lambda: True)
    chat = live.current(CONVERSATION)
    with pytest.raises(BadStaffEvent, match="not an active chat"):
        await relay.staff_event(call(chat, "typing", author="anna"))
    assert relay.person_typing(CONVERSATION) is False  # nobody has the chat yet: nothing noted
    assert live.current(CONVERSATION).person_typing_at is None


async def test_the_person_typing_is_noted_for_the_desk_at_most_every_two_seconds(relay, live, monkeypatch):
    chat = await active_chat(relay, live, monkeypatch)
    clock = [1000.0]
    monkeypatch.setattr(relay_module.time, "monotonic", lambda: clock[0])
    noted = []
    monkeypatch.setattr(live, "person_typing", lambda conversation: noted.append(conversation) or True)
    assert relay.person_typing(CONVERSATION) is True
    clock[0] += 1.0
    assert relay.person_typing(CONVERSATION) is False
    clock[0] += 1.0
    assert relay.person_typing(CONVERSATION) is True
    assert noted == [CONVERSATION, CONVERSATION]
    assert live.get(chat.reference).state == "active"
