"""The conversation follows the person between the subdomains of the city's site: the snippet with
``data-cookie-domain`` on pages of www.almere.test and of ondernemen.almere.test (two sites on
other origins, both allowed, with the strict policy of sites.host_page_policy). Chromium resolves
every *.almere.test name to this machine."""

from __future__ import annotations

import functools
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from chat_widget import ChatWidget
from playwright.sync_api import Browser, expect, sync_playwright
from sites import host_page_policy, running_site

from bot.launcher import processes
from bot.site.public.conversation_log import session_lifetime

CHROMIUM = Path("/usr/bin/chromium")
PARENT = "almere.test"
COOKIE = "almere_chat_session"
TOKEN = re.compile(r"[0-9a-f]{32}\.[A-Za-z0-9_-]{43}")
PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
    '<script src="{chat}widget.js" data-language="en" data-cookie-domain="{parent}" async></script>'
    "</head><body><main><h1>{title}</h1></main></body></html>"
)


def serve_subdomain(
    directory: Path, port: int, title: str, chat_url: str, rasa_url: str
) -> ThreadingHTTPServer:
    """One subdomain's page with the snippet, under the host sites' strict policy."""
    directory.mkdir()
    (directory / "index.html").write_text(
        PAGE.format(title=title, chat=chat_url, parent=PARENT), encoding="utf-8"
    )
    (directory / "favicon.ico").write_text("", encoding="utf-8")
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


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Iterator[dict]:
    """The chat servers, and the pages of www.almere.test and ondernemen.almere.test."""
    work = tmp_path_factory.mktemp("subdomains")
    ports = {name: processes.free_port() for name in ("www", "ondernemen")}
    urls = {name: f"http://{name}.{PARENT}:{port}/" for name, port in ports.items()}
    origins = [url.rstrip("/") for url in urls.values()]
    secret = {"ALMERE_CHAT_SESSION_SECRET": secrets.token_hex(32)}  # shared by Rasa and the site
    with running_site(work, extra_env=secret, extra_origins=origins) as running:
        servers = [
            serve_subdomain(work / name, port, name, running.page_url, running.rasa_url)
            for name, port in ports.items()
        ]
        try:
            yield {**urls, "tracker": work / "tracker.db"}
        finally:
            for server in servers:
                server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"no browser at {CHROMIUM}: apt-get install -y chromium")
    args = ["--no-sandbox", "--disable-gpu", f"--host-resolver-rules=MAP *.{PARENT} 127.0.0.1"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)
        yield browser
        browser.close()


def conversations_with(tracker: Path, *texts: str) -> set[str]:
    """The conversation ids under which the person's messages ``texts`` are stored."""
    with sqlite3.connect(f"file:{tracker}?mode=ro", uri=True) as database:
        rows = database.execute("SELECT sender_id, data FROM events WHERE type_name = 'user'").fetchall()
    return {sender for sender, data in rows if any(text in data for text in texts)}


def test_the_conversation_continues_on_another_subdomain(browser, city, knowledge):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    first = "How long is the train to Schiphol?"
    then = "How many companies are there in Almere?"

    page.goto(city["www"])
    chat = ChatWidget(page)
    chat.open()
    minutes = knowledge.facts["train_to_schiphol_min"].formatted("en")
    chat.say(first, f"{minutes} minutes")
    token = chat.session_id()
    # The cookie of the parent domain holds the session token and nothing else, for a session's time.
    (cookie,) = [c for c in context.cookies() if c["name"] == COOKIE]
    assert cookie["value"] == token and TOKEN.fullmatch(token)
    assert cookie["domain"] == f".{PARENT}" and cookie["path"] == "/" and cookie["sameSite"] == "Lax"
    assert not cookie["secure"] and not cookie["httpOnly"]  # http here; the widget reads it
    assert 0 < cookie["expires"] - time.time() <= session_lifetime().total_seconds() + 5

    # A page of another subdomain: no storage of its own, the conversation from the chat server.
    page.goto(city["ondernemen"])
    assert page.evaluate("sessionStorage.getItem('almere-chat')") is None
    chat = ChatWidget(page)
    chat.open()
    expect(chat.user_messages.filter(has_text=first)).to_have_count(1)
    expect(chat.bot_messages.filter(has_text=f"{minutes} minutes")).to_have_count(1)
    expect(chat.bot_messages.first).to_contain_text("virtual assistant")  # the greeting first
    companies = knowledge.facts["companies"].formatted("en")
    chat.say(then, companies)
    assert chat.session_id() == token
    assert conversations_with(city["tracker"], first, then) == {token.partition(".")[0]}

    # A new conversation there leaves the old one behind on every subdomain.
    chat.options.click()
    page.get_by_role("button", name="Start a new conversation").click()
    confirm = page.get_by_role("group", name=re.compile("^" + re.escape("Start a new conversation?")))
    confirm.get_by_role("button", name="Start a new conversation").click()
    expect(chat.user_messages).to_have_count(0)
    fresh = context.new_page()
    fresh.goto(city["www"])
    fresh_chat = ChatWidget(fresh)
    fresh_chat.open()
    expect(fresh_chat.bot_messages.first).to_contain_text("virtual assistant")
    expect(fresh_chat.user_messages).to_have_count(0)
    assert errors == []  # the policy blocked nothing the widget needs
    context.close()
