"""Who may use the REST channel: an API for trusted callers, not for the public.

The REST channel lets the caller name the conversation (``sender``), so whoever reaches it can
read and write any conversation. Hence:

- with ``ALMERE_REST_API_KEY`` set, every request must carry ``Authorization: Bearer <key>``
  (compared in constant time), wherever it comes from;
- without a key, only callers on this machine are answered: a loopback peer address and no
  proxy header (``Forwarded``, ``X-Forwarded-For``, ``X-Real-IP``). A reverse proxy on the
  same machine connects from loopback, but says so in those headers (HAProxy's
  ``option forwardfor``), so what it forwards from the internet is refused too.

The deployment layout (deploy/) sets a key. The project's own tools (evaluation, load runs)
send the key of their environment with :func:`client_headers`.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import Settings

PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
NEEDS_KEY = (
    "Sorry, this REST channel needs an API key: please send it as 'Authorization: Bearer <key>'. "
    "To chat with the assistant, use the chat on the municipality's website."
)
LOOPBACK_ONLY = (
    "Sorry, this REST channel only answers programs on the assistant's own server, because no API "
    "key is configured (ALMERE_REST_API_KEY). To chat with the assistant, use the chat on the "
    "municipality's website."
)


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str


def is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").strip("[]"))
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def _bearer(authorization: str | None) -> str | None:
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


def refusal(settings: Settings, peer: str | None, headers: Mapping[str, str]) -> Refusal | None:
    """Why a request from ``peer`` with ``headers`` (lower-case names) is refused; None if allowed."""
    if settings.rest_api_key:
        presented = _bearer(headers.get("authorization"))
        expected = settings.rest_api_key.encode("utf-8")
        if presented is None or not hmac.compare_digest(presented.encode("utf-8"), expected):
            return Refusal(401, NEEDS_KEY)
        return None
    if not is_loopback(peer) or any(name in headers for name in PROXY_HEADERS):
        return Refusal(403, LOOPBACK_ONLY)
    return None


def client_headers(settings: Settings) -> dict[str, str]:
    """Headers a client of the REST channel sends: the API key when one is configured."""
    return {"Authorization": f"Bearer {settings.rest_api_key}"} if settings.rest_api_key else {}
