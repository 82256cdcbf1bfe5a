"""The public page in a real browser: action, Rasa and desk servers on free ports, and Chromium.

Debian's Chromium (``apt-get install chromium``) is driven by Playwright; Playwright's own
browser downloads are not used. Screenshots go to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import functools
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sites import Account, running_site

from bot import processes
from bot.config import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SCREENSHOTS = REPO_ROOT / "tests" / "screenshots"
STAFF_USER = "browser-tester"
STAFF_PASSWORD = secrets.token_urlsafe(16)

expect.set_options(timeout=20_000)


@dataclass
class Site:
    """The running servers, as the browser reaches them."""

    page_url: str  # the public page (desk server), an allowed chat origin
    rasa_url: str
    foreign_url: str  # a page on an origin that is not allowed to chat
    rasa: processes.Server
    staff_user: str = STAFF_USER
    staff_password: str = STAFF_PASSWORD
    env: dict[str, str] = field(default_factory=dict)
    host_url: str = ""  # a page of another site, an allowed origin, that embeds the chat (HOST_PAGES)

    @property
    def origins(self) -> list[str]:
        return [re.match(r"https?://[^/]+", url).group(0) for url in (self.page_url, self.rasa_url)]

    def stop_rasa(self) -> None:
        processes.stop(self.rasa)

    def start_rasa(self) -> None:
        processes.start(self.rasa, env=self.env, log_dir=self.rasa.log_path.parent)
        processes.wait_until_ready(self.rasa, timeout=180)


def serve_foreign_page(directory: Path, port: int, socket_client_url: str) -> ThreadingHTTPServer:
    """A static page on another origin that loads the socket.io client, as an attacker's would."""
    (directory / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Another site</title>'
        f'<script src="{socket_client_url}"></script></head><body><h1>Another site</h1></body></html>'
    )
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *args: None  # quiet
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# Another site's pages with the chat's snippet (the site fixture fills in {chat}), behind a hostile
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


def pytest_collection_modifyitems(items):
    """Every browser test starts servers and Chromium: an end-to-end test, whether or not its module
    says so (``make unit`` leaves them out; ``make e2e`` runs them)."""
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("browser")
    host_port = processes.free_port()
    host_origin = f"http://{processes.LOOPBACK}:{host_port}"
    with running_site(work, [Account(STAFF_USER, STAFF_PASSWORD)], extra_origins=[host_origin]) as running:
        foreign_port = processes.free_port()
        foreign = serve_foreign_page(work, foreign_port, f"{running.page_url}static/vendor/socket.io.min.js")
        host = serve_host_site(work / "host", host_port, running.page_url, running.rasa_url)
        try:
            yield Site(
                page_url=running.page_url,
                rasa_url=running.rasa_url,
                foreign_url=f"http://localhost:{foreign_port}/",
                rasa=running.stack.server("Rasa server"),
                env=running.env,
                host_url=host_origin + "/",
            )
        finally:
            host.shutdown()
            foreign.shutdown()


# Module scope: Playwright's sync API keeps an event loop running while it is open, and the
# suites after this one (asyncio.run in tests/evaluation_tests, tests/operations_tests) need none running.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"no browser at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, site: Site):
    context = browser.new_context(base_url=site.page_url, viewport={"width": 1280, "height": 800})
    yield context
    context.close()


@pytest.fixture
def dialogs() -> list[str]:
    """Messages of JavaScript dialogs (alert, confirm, …) that opened; there should be none."""
    return []


@pytest.fixture
def console_errors() -> list[str]:
    """Errors the page logged or threw (a blocked script or a CSP violation shows up here)."""
    return []


@pytest.fixture
def page(context, dialogs, console_errors) -> Page:
    page = context.new_page()
    page.set_default_timeout(20_000)

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    page.close()


@pytest.fixture
def screenshot(page, request):
    """``screenshot()`` saves the page as tests/screenshots/<test name>[-<suffix>].png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(suffix: str = "", target: Page | None = None) -> Path:
        name = request.node.name.removeprefix("test_") + (f"-{suffix}" if suffix else "")
        path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        (target or page).screenshot(path=path)
        return path

    return save
