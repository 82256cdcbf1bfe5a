"""The desk's live chats with a stand-in for the Rasa server: who may do what, what
reaches the person, and that nothing is shown as done that was not delivered."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from desk_helpers import PASSWORD, csrf_token, replace_services, sign_in

from bot.site.desk.rasa_link import NotDelivered
from bot.tickets import TranscriptEntry

ASKED = TranscriptEntry(
    role="user", text="<script>alert(1)</script> Can I talk to someone?", timestamp=datetime.now(timezone.utc)
)


class FakeLink:
    """Records what the desk would tell the Rasa server; ``down`` makes every call fail."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict]] = []
        self.down = False

    def send(self, reference: str, event: str, **fields) -> None:
        if self.down:
            raise NotDelivered("The chat server cannot be reached.")
        self.sent.append((reference, event, fields))


@pytest.fixture
def link(app, monkeypatch) -> FakeLink:
    fake = FakeLink()
    replace_services(app, rasa_link=fake)
    return fake


@pytest.fixture
def live_chats(services):
    return services.live_chats


@pytest.fixture
def anna(services):
    return services.accounts.add("anna", PASSWORD, first_name="Anna")


@pytest.fixture
def chat(live_chats):
    return live_chats.request(
        "conv-live", "socketio", desk="international", question=None, topic=None, transcript=[ASKED]
    )


def signed_in(client, username: str) -> str:
    assert sign_in(client, username).status_code == 302
    return csrf_token(client, "/desk/live/")


def test_marking_oneself_available(client, anna, live_chats):
    token = signed_in(client, "anna")
    response = client.post("/desk/live/availability", data={"available": "1", "csrf_token": token})
    assert response.status_code == 302 and live_chats.available_staff() == ["anna"]
    page = client.get("/desk/live/").get_data(as_text=True)
    assert "You are <strong>available</strong>" in page
    client.post("/desk/live/availability", data={"available": "0", "csrf_token": token})
    assert live_chats.available_staff() == []
    bad = client.post("/desk/live/availability", data={"available": "maybe", "csrf_token": token})
    assert bad.status_code == 400 and "Choose available" in bad.get_data(as_text=True)


def test_taking_a_chat_tells_the_person_who_joined(client, anna, chat, link, live_chats, services):
    token = signed_in(client, "anna")
    page = client.get(f"/desk/live/{chat.reference}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    response = client.post(f"/desk/live/{chat.reference}/take", data={"csrf_token": token})
    assert response.status_code == 302
    # The Rasa server tells the person the colleague's first name, from their account.
    assert link.sent == [(chat.reference, "joined", {"author": "anna"})]
    assert live_chats.get(chat.reference).state == "active"
    assert services.tickets.get(chat.reference).assignee == "anna"


def test_a_take_the_person_was_not_told_of_is_undone(client, anna, chat, link, live_chats):
    token = signed_in(client, "anna")
    link.down = True
    response = client.post(
        f"/desk/live/{chat.reference}/take", data={"csrf_token": token}, follow_redirects=True
    )
    assert "could not be told that you joined" in response.get_data(as_text=True)
    assert live_chats.get(chat.reference).state == "waiting"


def test_a_chat_someone_else_took_cannot_be_taken_or_written_to(
    client, services, anna, chat, link, live_chats
):
    services.accounts.add("bram", PASSWORD)
    live_chats.take(chat.reference, "bram")
    token = signed_in(client, "anna")
    assert client.post(f"/desk/live/{chat.reference}/take", data={"csrf_token": token}).status_code == 409
    reply = client.post(
        f"/desk/api/live/{chat.reference}/messages", json={"text": "hi"}, headers={"X-CSRFToken": token}
    )
    assert reply.status_code == 409 and reply.is_json
    assert link.sent == []


def test_messages_reach_the_person_or_say_they_did_not(client, anna, chat, link, live_chats):
    token = signed_in(client, "anna")
    live_chats.take(chat.reference, "anna")
    url = f"/desk/api/live/{chat.reference}/messages"
    ok = client.post(url, json={"text": "  Hello, I'm Anna.  "}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.get_json() == {"ok": True}
    assert link.sent[-1] == (
        chat.reference,
        "message",
        {"text": "Hello, I'm Anna.", "author": "anna"},
    )
    for text in ("", "   ", "x" * 2001):
        bad = client.post(url, json={"text": text}, headers={"X-CSRFToken": token})
        assert bad.status_code == 400 and "1 to 2000 characters" in bad.get_json()["error"]
    assert client.post(url, json={"text": "hi"}).status_code == 400  # no CSRF token
    link.down = True
    failed = client.post(url, json={"text": "Are you there?"}, headers={"X-CSRFToken": token})
    assert failed.status_code == 503 and "NOT delivered" in failed.get_json()["error"]
    form = client.post(
        f"/desk/live/{chat.reference}/messages",
        data={"text": "Are you there?", "csrf_token": token},
        follow_redirects=True,
    )
    assert "NOT delivered" in form.get_data(as_text=True)


@pytest.mark.parametrize("how", ["returned", "closed"])
def test_ending_asks_for_a_rating_once_per_conversation(client, anna, chat, link, live_chats, services, how):
    token = signed_in(client, "anna")
    live_chats.take(chat.reference, "anna")
    assert (
        client.post(
            f"/desk/live/{chat.reference}/end", data={"how": "later", "csrf_token": token}
        ).status_code
        == 400
    )
    response = client.post(f"/desk/live/{chat.reference}/end", data={"how": how, "csrf_token": token})
    assert response.status_code == 302
    (_, event, fields) = link.sent[-1]
    assert event == "ended" and fields["how"] == how and fields["author"] == "anna" and fields["rating_token"]
    ticket = services.tickets.get(chat.reference)
    assert (ticket.status, ticket.live_chat) == ("resolved", how)

    again = live_chats.request(
        "conv-live", "socketio", desk="international", question=None, topic=None, transcript=[]
    )
    live_chats.take(again.reference, "anna")
    client.post(f"/desk/live/{again.reference}/end", data={"how": how, "csrf_token": token})
    assert link.sent[-1][2]["rating_token"] is None  # never asked twice for the same conversation


@pytest.mark.parametrize("taken", [False, True])
def test_the_ticket_page_cannot_claim_or_resolve_a_live_chat_in_progress(
    client, services, anna, chat, link, live_chats, taken
):
    services.accounts.add("bram", PASSWORD)
    if taken:
        live_chats.take(chat.reference, "anna")
    token = signed_in(client, "bram")
    page = client.get(f"/desk/tickets/{chat.reference}").get_data(as_text=True)
    assert "This is a live chat in progress" in page and f"/desk/live/{chat.reference}" in page
    assert f"/desk/tickets/{chat.reference}/resolve" not in page
    for action in ("claim", "resolve"):
        response = client.post(f"/desk/tickets/{chat.reference}/{action}", data={"csrf_token": token})
        assert response.status_code == 409
        assert "is a live chat in progress: take it or end it on its live chat page" in response.get_data(
            as_text=True
        )
    assert live_chats.get(chat.reference).state == ("active" if taken else "waiting")
    assert services.tickets.get(chat.reference).assignee == ("anna" if taken else None)
    assert link.sent == []


def test_an_end_the_person_was_not_told_of_leaves_the_chat_open(client, anna, chat, link, live_chats):
    token = signed_in(client, "anna")
    live_chats.take(chat.reference, "anna")
    link.down = True
    response = client.post(
        f"/desk/live/{chat.reference}/end", data={"how": "closed", "csrf_token": token}, follow_redirects=True
    )
    assert "still open" in response.get_data(as_text=True)
    assert live_chats.get(chat.reference).state == "active"


def test_the_live_api_lists_chats_and_keeps_the_colleague_present(client, anna, chat, live_chats):
    signed_in(client, "anna")
    live_chats.set_available("anna", True)
    data = client.get("/desk/api/live").get_json()
    assert [c["reference"] for c in data["chats"]] == [chat.reference] and data["available"] is True
    detail = client.get(f"/desk/api/live/{chat.reference}").get_json()
    assert detail["chat"]["state"] == "waiting" and detail["mine"] is False
    assert detail["transcript"][0]["text"] == ASKED.text  # JSON; the page inserts it as text
    assert client.get("/desk/api/live/ALM-999999").status_code == 404


def test_the_colleague_typing_is_passed_on_and_the_person_typing_shown(client, anna, chat, link, live_chats):
    token = signed_in(client, "anna")
    headers = {"X-CSRFToken": token}
    assert client.post(f"/desk/api/live/{chat.reference}/typing", json={}, headers=headers).status_code == 409
    client.post(f"/desk/live/{chat.reference}/take", data={"csrf_token": token})
    response = client.post(f"/desk/api/live/{chat.reference}/typing", json={}, headers=headers)
    assert response.status_code == 200 and link.sent[-1] == (chat.reference, "typing", {"author": "anna"})
    assert client.get(f"/desk/api/live/{chat.reference}").get_json()["person_typing"] is False
    live_chats.person_typing("conv-live")
    assert client.get(f"/desk/api/live/{chat.reference}").get_json()["person_typing"] is True
    link.down = True
    refused = client.post(f"/desk/api/live/{chat.reference}/typing", json={}, headers=headers)
    assert refused.status_code == 503 and "cannot be reached" in refused.get_json()["error"]


def test_the_message_box_says_enter_sends(client, anna, chat, link):
    token = signed_in(client, "anna")
    client.post(f"/desk/live/{chat.reference}/take", data={"csrf_token": token})
    page = client.get(f"/desk/live/{chat.reference}").get_data(as_text=True)
    assert "Enter sends; Shift+Enter starts a new line." in page
    assert 'aria-describedby="message-text-hint"' in page and 'id="person-typing"' in page
