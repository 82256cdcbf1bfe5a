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
from sites import Account, running_site, serve_host_site

from bot.config import REPO_ROOT
from bot.launcher import processes

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
# suites after this one (asyncio.run in tests/unit/evaluation, tests/e2e/operations) need none running.
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
