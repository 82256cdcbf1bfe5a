"""What the chat's snippet costs a host page: bytes and time to interactive, on first load and when
the chat is first opened (``python -m operations.widget_weight``; writes reports/widget-weight.md).

The assistant's servers on free loopback ports (throw-away SQLite databases), a host page on
another origin with nothing but the snippet, and Chromium (Playwright, /usr/bin/chromium) with a
cold cache each run. Bytes are what came over the network from the chat server (compressed if it
was), counted by Chromium's DevTools protocol; times are the page's clock from the navigation's
start: the launcher usable (visible, its settings and stylesheet loaded), then, after a click, the
input focused with the greeting shown and the session confirmed by the Rasa server.
"""

from __future__ import annotations

import argparse
import functools
import secrets
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from bot.config import REPO_ROOT
from bot.launcher import processes
from bot.tickets.database import upgrade_database

CHROMIUM = "/usr/bin/chromium"
REPORT = REPO_ROOT / "reports" / "widget-weight.md"
HOST_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>'
    '<script src="{chat}widget.js" data-language="en" async></script></head>'
    "<body><h1>A page of the city's site</h1></body></html>"
)
SESSION_CONFIRMED = (
    "(() => { try { return Boolean(JSON.parse(sessionStorage.getItem('almere-chat')).sessionId); }"
    " catch (error) { return false; } })()"
)


@dataclass
class Transfer:
    """Bytes from the chat and Rasa servers by file, as Chromium received them (headers included)."""

    origins: dict[str, str]  # origin -> its name in the report
    urls: dict[str, str] = field(default_factory=dict)  # request id -> URL
    sizes: dict[str, int] = field(default_factory=dict)  # file -> bytes

    def on_response(self, event: dict) -> None:
        self.urls[event["requestId"]] = event["response"]["url"]

    def on_finished(self, event: dict) -> None:
        url = self.urls.get(event["requestId"], "")
        for origin, name in self.origins.items():
            if url.startswith(origin):
                file = name + url.removeprefix(origin).split("?")[0]
                self.sizes[file] = self.sizes.get(file, 0) + int(event["encodedDataLength"])


@dataclass(frozen=True)
class Run:
    launcher_ms: float
    first: dict[str, int]  # file -> bytes, up to the launcher
    opened_ms: float
    opened: dict[str, int]  # file -> bytes, from the click to the chat ready


def poll(page: Page, condition: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(condition):
        if time.monotonic() > deadline:
            raise TimeoutError(condition)
        time.sleep(0.01)


def measure_once(browser, host_url: str, origins: dict[str, str]) -> Run:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    transfer = Transfer(origins)
    cdp.on("Network.responseReceived", transfer.on_response)
    cdp.on("Network.loadingFinished", transfer.on_finished)
    page.goto(host_url)
    launcher = page.get_by_role("button", name="Ask the assistant")
    launcher.wait_for(state="visible")
    launcher_ms = page.evaluate("performance.now()")
    page.wait_for_timeout(500)  # anything else the first load would fetch
    first = dict(transfer.sizes)
    clicked = page.evaluate("performance.now()")
    launcher.click()
    page.get_by_role("textbox", name="Your message").wait_for(state="visible")
    page.get_by_role("log", name="Conversation").get_by_text("virtual assistant").wait_for()
    poll(page, SESSION_CONFIRMED)
    opened_ms = page.evaluate("performance.now()") - clicked
    page.wait_for_timeout(300)
    opened = {file: size - first.get(file, 0) for file, size in transfer.sizes.items()}
    context.close()
    return Run(launcher_ms, first, opened_ms, {file: size for file, size in opened.items() if size})


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve_host(directory: Path, chat_url: str) -> tuple[ThreadingHTTPServer, str]:
    (directory / "index.html").write_text(HOST_PAGE.replace("{chat}", chat_url), encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(directory))
    port = processes.free_port()
    server = ThreadingHTTPServer((processes.LOOPBACK, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{processes.LOOPBACK}:{port}/"


def measure(runs: int) -> list[Run]:
    with tempfile.TemporaryDirectory(prefix="widget-weight-") as temporary:
        work = Path(temporary)
        ports = processes.Ports.free(desk=True)
        chat_origin = f"http://{processes.LOOPBACK}:{ports.desk}"
        rasa_url = f"http://{processes.LOOPBACK}:{ports.rasa[0]}"
        host_dir = work / "host"
        host_dir.mkdir()
        host, host_url = serve_host(host_dir, chat_origin + "/")
        host_origin = host_url.rstrip("/")
        database_url = f"sqlite:///{work / 'desk.db'}"
        upgrade_database(database_url)
        env = {
            "ALMERE_DATABASE_URL": database_url,
            "ALMERE_TRACKER_URL": f"sqlite:///{work / 'tracker.db'}",
            "ALMERE_CHAT_ORIGINS": host_origin,
            "ALMERE_RASA_PUBLIC_URL": rasa_url,
            "ALMERE_RASA_INTERNAL_URL": rasa_url,
            "ALMERE_SECRET_KEY": secrets.token_hex(32),
            "ALMERE_LIVE_CHAT_SECRET": secrets.token_hex(32),
            "RASA_TELEMETRY_ENABLED": "false",
        }
        servers = processes.assistant_stack(work, ports, env, cors=[host_origin])
        try:
            with processes.running(servers, together=True, timeout=180), sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                origins = {chat_origin: "chat server ", rasa_url: "Rasa server "}
                results = [measure_once(browser, host_url, origins) for _ in range(runs)]
                browser.close()
        finally:
            host.shutdown()
    return results


def report(results: list[Run]) -> str:
    def median(values) -> float:
        return statistics.median(values)

    files = sorted(
        {(stage, file) for run in results for stage in ("first", "opened") for file in getattr(run, stage)}
    )
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            "# What the chat's snippet costs a page",
            "",
            f"`python -m operations.widget_weight` ({when}, {len(results)} cold-cache runs in Chromium, "
            "servers and host page on this machine's loopback; medians). Bytes: what came over the network "
            "from the chat server and the Rasa server, headers included (the Flask server compresses "
            "nothing; a proxy that does makes them smaller). Times: from the navigation's start to the "
            "launcher usable; from the click to the input focused, the greeting shown and the session "
            "confirmed. The machine was shared with other work: the times are indications.",
            "",
            "| | bytes | time |",
            "|---|---:|---:|",
            f"| first load (launcher) | {median(sum(r.first.values()) for r in results):,.0f} | "
            f"{median(r.launcher_ms for r in results):,.0f} ms |",
            f"| first open (chat ready) | {median(sum(r.opened.values()) for r in results):,.0f} | "
            f"{median(r.opened_ms for r in results):,.0f} ms |",
            "",
            "| when | file | bytes |",
            "|---|---|---:|",
            *(
                f"| {'first load' if stage == 'first' else 'first open'} | {file} | "
                f"{median(getattr(r, stage).get(file, 0) for r in results):,.0f} |"
                for stage, file in files
            ),
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=REPORT)
    arguments = parser.parse_args()
    results = measure(arguments.runs)
    text = report(results)
    arguments.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
