"""``POST /widget/history`` on the whole site (bot/site/public/history.py): the log of a conversation
for its signed session token, for the pages of the allowed origins only, and a polite 4xx for
everything else."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale
from insights_events import answered, save_conversation
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.access.chat_sessions import SessionTokens
from bot.config import settings_from
from bot.privacy.redaction import REMOVED
from bot.site import create_app
from bot.site.public.conversation_log import session_lifetime
from bot.site.public.history import MAX_REQUEST_BYTES, REQUESTS_PER_MINUTE
from bot.site.public.widget_texts import welcome_message
from bot.tickets.database import upgrade_database

CITY = "https://www.almere.nl"
BUSINESS = "https://ondernemen.almere.nl"
OTHER = "https://evil.example"
SECRET = "chat-session-secret-for-tests"
HISTORY = "/widget/history"


@pytest.fixture
def tracker_path(tmp_path):
    return tmp_path / "tracker.db"


@pytest.fixture
def app(tmp_path, tracker_path):
    database_url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade_database(database_url)
    settings = settings_from(
        {
            "ALMERE_DATABASE_URL": database_url,
            "ALMERE_TRACKER_URL": f"sqlite:///{tracker_path}",
            "ALMERE_SECRET_KEY": "test-secret-key",
            "ALMERE_LIVE_CHAT_SECRET": "live-chat-secret",
            "ALMERE_CHAT_SESSION_SECRET": SECRET,
            "ALMERE_CHAT_ORIGINS": f"{CITY},{BUSINESS}",
        }
    )
    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token() -> str:
    return SessionTokens(SECRET).issue()


def conversation_of(token: str) -> str:
    return token.partition(".")[0]


def recently(minutes: int = 5) -> datetime:
    return datetime.now(timezone.utc) - timedelta(minutes=minutes)


def ask(client, body, origin: str | None = BUSINESS, **kwargs):
    headers = {"Origin": origin} if origin else {}
    return client.post(HISTORY, json=body, headers=headers, **kwargs)


def test_a_page_of_an_allowed_origin_gets_the_conversation_of_its_token(client, tracker_path, token):
    save_conversation(
        tracker_path, conversation_of(token), recently(), answered("Are there jobs here?", "jobs")
    )
    other = SessionTokens(SECRET).issue()
    save_conversation(
        tracker_path, conversation_of(other), recently(), answered("And housing for me?", "housing")
    )
    response = ask(client, {"token": token, "language": "en"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == BUSINESS
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers  # no cookie is sent here
    assert response.headers["Cache-Control"] == "no-store"
    messages = response.get_json()["messages"]
    assert [(m["role"], m["text"]) for m in messages] == [
        ("user", "Are there jobs here?"),
        ("bot", "About jobs: ..."),
    ]
    assert "housing" not in response.get_data(as_text=True)  # nothing of another conversation


def test_the_widgets_own_buttons_show_their_titles_in_its_language(app, client, tracker_path, token):
    payload = next(b["payload"] for b in welcome_message()["buttons"] if b["payload"].startswith("/"))
    turn = [
        UserUttered(payload, {"name": payload[1:]}),
        ActionExecuted("action_answer_topic"),
        BotUttered("..."),
    ]
    save_conversation(tracker_path, conversation_of(token), recently(), turn)
    for language in ("en", "nl"):
        with app.test_request_context(), force_locale(language):
            title = next(b["title"] for b in welcome_message()["buttons"] if b["payload"] == payload)
        messages = ask(client, {"token": token, "language": language}).get_json()["messages"]
        assert messages[0] == {**messages[0], "role": "user", "text": title}


def test_a_preflight_is_answered_for_the_allowed_origins_only(client):
    asked = {
        "Origin": CITY,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    allowed = client.options(HISTORY, headers=asked)
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == CITY
    assert "Content-Type" in allowed.headers["Access-Control-Allow-Headers"]
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    refused = client.options(HISTORY, headers={**asked, "Origin": OTHER})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_a_page_of_another_origin_is_refused(client, tracker_path, token):
    save_conversation(
        tracker_path, conversation_of(token), recently(), answered("Are there jobs here?", "jobs")
    )
    response = ask(client, {"token": token}, origin=OTHER)
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "jobs" not in response.get_data(as_text=True) and "error" in response.get_json()


def forged(token: str) -> str:
    """The same conversation id under a signature of another secret."""
    return conversation_of(token) + "." + SessionTokens("another secret").issue().partition(".")[2]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (lambda token: {"token": forged(token)}, 403),
        (lambda token: {"token": conversation_of(token)}, 403),  # the id without a signature
        (lambda token: {"token": token + "x"}, 403),
        (lambda token: {"token": 12}, 400),
        (lambda token: {}, 400),
        (lambda token: [token], 400),
    ],
    ids=["forged", "unsigned", "altered", "not-text", "no-token", "not-an-object"],
)
def test_a_bad_or_forged_token_gets_a_polite_4xx(client, tracker_path, token, body, status):
    save_conversation(
        tracker_path, conversation_of(token), recently(), answered("Are there jobs here?", "jobs")
    )
    response = ask(client, body(token))
    assert response.status_code == status
    assert response.is_json and isinstance(response.get_json()["error"], str)
    assert "jobs" not in response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == BUSINESS  # the widget may read why


@pytest.mark.parametrize(
    ("send", "status"),
    [
        (lambda client: client.post(HISTORY, data="token=x", content_type="text/plain"), 400),
        (lambda client: client.post(HISTORY, data="{not json", content_type="application/json"), 400),
        (
            lambda client: client.post(
                HISTORY, data="[" * 5000 + "]" * 5000, content_type="application/json"
            ),
            400,
        ),
        (lambda client: client.post(HISTORY, json={"token": "x" * MAX_REQUEST_BYTES}), 413),
    ],
    ids=["text", "broken-json", "nested", "too-large"],
)
def test_a_request_that_is_not_one_gets_a_polite_4xx(client, send, status):
    response = send(client)
    assert response.status_code == status
    assert response.is_json and isinstance(response.get_json()["error"], str)


def test_only_a_post_is_taken(client):
    assert client.get(HISTORY).status_code == 405


def test_an_expired_or_unknown_conversation_is_a_404(client, tracker_path, token):
    assert ask(client, {"token": token}).status_code == 404  # no tracker database yet
    save_conversation(tracker_path, conversation_of(token), recently(24 * 60), answered("Jobs?", "jobs"))
    expired = ask(client, {"token": token})
    assert expired.status_code == 404 and "jobs" not in expired.get_data(as_text=True)
    assert ask(client, {"token": SessionTokens(SECRET).issue()}).status_code == 404


def test_an_unreadable_conversation_database_is_a_503(client, tracker_path, token):
    tracker_path.write_text("not a database")
    response = ask(client, {"token": token})
    assert response.status_code == 503 and response.is_json


def test_redacted_text_is_not_given(client, tracker_path, token):
    # As the project's tracker store leaves a handoff that stored nothing (bot/privacy/redaction.py).
    turns = [
        [
            UserUttered(REMOVED, {"name": "inform"}),
            BotUttered(REMOVED),
            BotUttered("Understood: nothing was kept."),
        ],
    ]
    save_conversation(tracker_path, conversation_of(token), recently(), *turns)
    response = ask(client, {"token": token})
    assert response.status_code == 200
    assert [m["text"] for m in response.get_json()["messages"]] == ["Understood: nothing was kept."]
    assert REMOVED not in response.get_data(as_text=True)


def test_one_address_asking_too_often_is_told_to_wait(client, token):
    statuses = [ask(client, {"token": token}).status_code for _ in range(REQUESTS_PER_MINUTE)]
    assert set(statuses) == {404}
    refused = ask(client, {"token": token})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.is_json
    other = ask(client, {"token": token}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 404  # another address has its own budget


def test_the_widget_is_told_where_to_ask_and_how_long_a_session_lasts(client):
    config = client.get("/widget/config?language=en", headers={"Origin": CITY}).get_json()
    assert config["history_url"] == "http://localhost/widget/history"
    assert config["session_seconds"] == session_lifetime().total_seconds()  # the cookie's lifetime
