"""Who may use the chat channels: REST callers (key or loopback) and socket.io session tokens."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.access.chat_sessions import SessionTokens, session_tokens
from bot.access.rest_auth import LOOPBACK_ONLY, NEEDS_KEY, client_headers, is_loopback, refusal
from bot.config import Settings, settings_from

OPEN = Settings()
KEYED = replace(Settings(), rest_api_key="s3cret-key")


def test_the_settings_are_read_from_the_environment():
    settings = settings_from({"ALMERE_REST_API_KEY": "k", "ALMERE_CHAT_SESSION_SECRET": "s"})
    assert (settings.rest_api_key, settings.chat_session_secret) == ("k", "s")
    assert (OPEN.rest_api_key, OPEN.chat_session_secret) == (None, None)


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "[::1]"])
def test_without_a_key_loopback_callers_are_answered(peer):
    assert refusal(OPEN, peer, {}) is None


@pytest.mark.parametrize(
    "peer",
    ["10.0.0.5", "172.18.0.3", "192.168.1.2", "8.8.8.8", "::2", "", None, "/run/rasa.sock", "localhost"],
)
def test_without_a_key_other_callers_get_a_polite_403(peer):
    refused = refusal(OPEN, peer, {})
    assert refused is not None and refused.status == 403 and refused.message == LOOPBACK_ONLY
    assert "ALMERE_REST_API_KEY" in LOOPBACK_ONLY and LOOPBACK_ONLY.startswith("Sorry")


@pytest.mark.parametrize("header", ["x-forwarded-for", "forwarded", "x-real-ip"])
def test_without_a_key_what_a_proxy_on_this_machine_forwards_is_refused(header):
    refused = refusal(OPEN, "127.0.0.1", {header: "203.0.113.9"})
    assert refused is not None and refused.status == 403


@pytest.mark.parametrize("peer", ["127.0.0.1", "10.0.0.5"])
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer s3cret-ke",
        "Bearer s3cret-key2",
        "Basic s3cret-key",
        "s3cret-key",
        "Bearer S3CRET-KEY",
        "Bearer s3cret-këy",
    ],
)
def test_with_a_key_every_caller_must_send_it(peer, authorization):
    headers = {} if authorization is None else {"authorization": authorization}
    refused = refusal(KEYED, peer, headers)
    assert refused is not None and refused.status == 401 and refused.message == NEEDS_KEY


@pytest.mark.parametrize("authorization", ["Bearer s3cret-key", "bearer s3cret-key", "  Bearer  s3cret-key "])
@pytest.mark.parametrize("peer", ["127.0.0.1", "10.0.0.5"])
def test_with_a_key_the_key_is_enough(peer, authorization):
    assert refusal(KEYED, peer, {"authorization": authorization, "x-forwarded-for": "1.2.3.4"}) is None


def test_clients_send_the_configured_key():
    assert client_headers(OPEN) == {}
    assert client_headers(KEYED) == {"Authorization": "Bearer s3cret-key"}


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and not is_loopback("128.0.0.1") and not is_loopback("garbage")


def test_a_session_token_names_its_conversation():
    tokens = SessionTokens("secret one")
    token = tokens.issue()
    session_id = tokens.session_of(token)
    assert session_id is not None and len(session_id) == 32 and token.startswith(session_id + ".")
    assert tokens.resume_or_issue(token) == (token, session_id)
    assert SessionTokens("secret one").session_of(token) == session_id  # another server, same secret
    assert len({tokens.issue() for _ in range(100)}) == 100


def test_tokens_not_signed_with_the_secret_start_a_new_session():
    tokens = SessionTokens("secret one")
    token = tokens.issue()
    session_id = token.partition(".")[0]
    forged = [
        None,
        5,
        {"id": token},
        "",
        "aaaaaaaa",
        session_id,
        session_id + ".",
        token + "x",
        token[:-1],
        token.upper(),
        session_id + "." + "A" * 43,
        SessionTokens("secret two").issue(),
        SessionTokens("secret two").issue().partition(".")[0] + "." + token.partition(".")[2],
    ]
    for requested in forged:
        assert tokens.session_of(requested) is None, requested
        new_token, new_session = tokens.resume_or_issue(requested)
        assert new_token != requested and new_session != session_id
        assert tokens.session_of(new_token) == new_session


def test_the_secret_is_generated_once_when_none_is_configured(tmp_path, monkeypatch):
    from bot.access import chat_sessions

    monkeypatch.setattr(chat_sessions, "SECRET_FILE", tmp_path / "var" / "chat_session_secret")
    token = session_tokens(OPEN).issue()
    assert session_tokens(OPEN).session_of(token) is not None
    assert (tmp_path / "var" / "chat_session_secret").stat().st_mode & 0o777 == 0o600
    assert session_tokens(replace(OPEN, chat_session_secret="configured")).session_of(token) is None
    with pytest.raises(ValueError):
        SessionTokens("")
