"""Chat widget sessions that the server issues, so that nobody can choose or guess another's.

A session token is ``<conversation id>.<signature>``: a random 128-bit id and its HMAC-SHA256
under a server secret (``ALMERE_CHAT_SESSION_SECRET``; unset: generated once into
``var/chat_session_secret``). Every Rasa server with the same secret accepts the token, so a
widget that reconnects to another server behind the proxy, or to a restarted one, continues
its conversation; a token that was not issued with the secret is refused and a new session
starts instead. The conversation id (never the token) names the conversation in the tracker
store, so the stored conversations and transcripts do not hold the credential.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from bot.access.secret_files import load_or_create_secret_key
from bot.config import REPO_ROOT, Settings

SECRET_FILE = REPO_ROOT / "var" / "chat_session_secret"
TOKEN = re.compile(r"([0-9a-f]{32})\.([A-Za-z0-9_-]{43})")
_CONTEXT = b"almere-chat-session-v1:"


class SessionTokens:
    """Issues session tokens and tells the conversation id of a genuine one."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the chat session secret must not be empty")
        self._key = secret.encode("utf-8")

    def _signature(self, session_id: str) -> str:
        digest = hmac.new(self._key, _CONTEXT + session_id.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def issue(self) -> str:
        """A token for a new conversation."""
        session_id = secrets.token_hex(16)
        return f"{session_id}.{self._signature(session_id)}"

    def session_of(self, token: object) -> str | None:
        """The conversation id of ``token`` if this server's secret signed it, else None."""
        match = TOKEN.fullmatch(token) if isinstance(token, str) else None
        if match is None:
            return None
        session_id, signature = match.groups()
        return session_id if hmac.compare_digest(signature, self._signature(session_id)) else None

    def resume_or_issue(self, requested: object) -> tuple[str, str]:
        """(token, conversation id): those of ``requested`` if genuine, else of a new session."""
        session_id = self.session_of(requested)
        if session_id is not None:
            return str(requested), session_id
        token = self.issue()
        return token, token.partition(".")[0]


def session_tokens(settings: Settings) -> SessionTokens:
    """The tokens of ``settings``' secret, or of the one generated into var/ on first use."""
    return SessionTokens(settings.chat_session_secret or load_or_create_secret_key(SECRET_FILE))
