"""Starting the servers a browser test talks to: action, Rasa and desk servers on free ports, a
fresh ticket database with the given desk accounts, and the environment every browser test needs
(its own secrets, so that nothing is written under var/); and another site's pages that embed the
chat (serve_host_site)."""

from __future__ import annotations

import functools
import secrets
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.launcher import processes
from bot.site.desk.accounts import StaffAccounts
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    first_name: str | None = None


@dataclass
class Running:
    """The started servers, as the browser reaches them."""

    page_url: str  # the public page (desk server), an allowed chat origin
    rasa_url: str
    stack: processes.Stack
    env: dict[str, str] = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        return self.env["ALMERE_DATABASE_URL"]


@contextmanager
def running_site(
    work: Path,
    accounts: Sequence[Account] = (),
    extra_env: Mapping[str, str] | None = None,
    extra_origins: Sequence[str] = (),
) -> Iterator[Running]:
    """The servers, with the public page's origin and ``extra_origins`` (other sites embedding the
    chat) allowed to chat."""
    if not processes.MODEL.exists():
        pytest.fail(f"no trained model at {processes.MODEL}: run `make train` first")
    ports = processes.Ports.free(desk=True)
    page_origin = f"http://{processes.LOOPBACK}:{ports.desk}"
    rasa_url = f"http://{processes.LOOPBACK}:{ports.rasa[0]}"
    database_url = f"sqlite:///{work / 'desk.db'}"
    upgrade_database(database_url)
    engine = create_engine_for(database_url)
    staff = StaffAccounts(create_session_factory(engine))
    for account in accounts:
        staff.add(account.username, account.password, first_name=account.first_name)
    engine.dispose()
    env = {
        "ALMERE_DATABASE_URL": database_url,
        "ALMERE_TRACKER_URL": f"sqlite:///{work / 'tracker.db'}",
        "ALMERE_CHAT_ORIGINS": ",".join([page_origin, *extra_origins]),
        "ALMERE_RASA_PUBLIC_URL": rasa_url,
        "ALMERE_RASA_INTERNAL_URL": rasa_url,
        # Their own secrets, so that the servers write no key file under var/.
        "ALMERE_SECRET_KEY": secrets.token_hex(32),
        "ALMERE_LIVE_CHAT_SECRET": secrets.token_hex(32),
        "RASA_TELEMETRY_ENABLED": "false",
        **(extra_env or {}),
    }
    servers = processes.assistant_stack(work, ports, env, cors=[page_origin, *extra_origins])
    with processes.running(servers, together=True, timeout=180) as started:  # they load in parallel
        yield Running(page_url=page_origin + "/", rasa_url=rasa_url, stack=started, env=env)


# Another site's pages with the chat's snippet (serve_host_site fills in {chat}), behind a hostile
# stylesheet and a strict Content-Security-Policy (host_page_policy).
HOST_PAGES = {
    "hostile.css": (
        "* { all: unset; font-size: 40px !important; }\n"
        "button { display: none !important; }\n"
        "[data-almere-chat] { --almere-chat-primary-background-color: rgb(92, 0, 64); }\n"
    ),
    "index.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>City of Almere</title>'
        '<link rel="stylesheet" href="/hostile.css">'
        '<script src="{chat}widget.js" data-language="en" data-position="left" async></script>'
        '</head><body><main><h1>City of Almere</h1><p><a href="/contact.html" data-almere-chat-open>'
        'Chat with us</a></p><p><a href="/other.html">Parking permits</a></p></main></body></html>'
    ),
    "other.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parking permits</title>'
        '<link rel="stylesheet" href="/hostile.css">'
        '<script src="{chat}widget.js" data-language="en" data-position="left" async></script>'
        "</head><body><main><h1>Parking permits</h1></main></body></html>"
    ),
    "favicon.ico": "",
    "plain.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>No chat</title></head>'
        "<body><main><h1>No chat</h1></main></body></html>"
    ),
}


def host_page_policy(chat_url: str, rasa_url: str) -> str:
    """The strict policy of the host site: scripts from the chat server only, styles from itself only
    (the widget's stylesheet is a constructed one, which style-src does not govern), connections to
    the chat and Rasa servers only, nothing inline."""
    chat = chat_url.rstrip("/")
    rasa = rasa_url.rstrip("/")
    return (
        f"default-src 'none'; script-src {chat}; style-src 'self'; "
        f"connect-src {chat} {rasa} {rasa.replace('http', 'ws', 1)}; img-src 'self'; base-uri 'none'"
    )


def serve_host_site(directory: Path, port: int, chat_url: str, rasa_url: str) -> ThreadingHTTPServer:
    """Another site's pages embedding the chat (HOST_PAGES), served with host_page_policy."""
    directory.mkdir()
    for name, text in HOST_PAGES.items():
        (directory / name).write_text(text.replace("{chat}", chat_url), encoding="utf-8")
    policy = host_page_policy(chat_url, rasa_url)

    class Handler(SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            self.send_header("Content-Security-Policy", policy)
            super().end_headers()

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
