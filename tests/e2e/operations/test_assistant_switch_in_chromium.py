"""Desk-only mode in Chromium on the scaled layout: an administrator switches the assistant off on the
desk page, and the widget, talking through deploy/haproxy.cfg to the two Rasa servers, shows the notice,
the desk's phone numbers and the handoff form's button, which starts the form; switched on again, the
widget gets the assistant's answer.

The Rasa servers of ``scaled_out`` accept the widget only from the page origin http://localhost:8000,
so Chromium resolves localhost:8000 to the proxy's own port; the proxy runs without TLS here, so it
tells the desk the requests came over http."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from playwright.sync_api import expect, sync_playwright
from support import require_service
from test_proxy import DEPLOY_CONFIG, EXTRA, per_address_limits, public_proxy_on_loopback, wait_for_proxy

from bot import services
from bot.access.assistant_switch import CACHE_SECONDS, AssistantSwitch
from bot.launcher import processes
from bot.launcher.processes import free_port
from bot.site.desk.accounts import StaffAccounts
from bot.tickets.database import create_engine_for, create_session_factory
from operations.handoff_script import HANDOFF_AGAIN, fact_questions

ORIGIN = "http://localhost:8000"
ADMIN, PASSWORD = "ops-admin", "a long admin password 1"
CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def public_port(scaled_out, tmp_path_factory):
    """deploy/haproxy.cfg on loopback before the two Rasa servers and a desk on their database."""
    require_service(shutil.which("haproxy") is not None, "no haproxy here (make e2e installs it)")
    work = tmp_path_factory.mktemp("switch-proxy")
    engine = create_engine_for(scaled_out.local.database_url)
    StaffAccounts(create_session_factory(engine)).add(ADMIN, PASSWORD)
    engine.dispose()
    env = {
        "ALMERE_DATABASE_URL": scaled_out.local.database_url,
        "ALMERE_SECRET_KEY": "switch-test-secret",
        "ALMERE_LIVE_CHAT_SECRET": scaled_out.local.live_chat_secret,
        "ALMERE_PROXY_HOPS": "1",
        "ALMERE_DESK_ADMINS": ADMIN,
        "ALMERE_RASA_PUBLIC_URL": ORIGIN,
    }
    desk = processes.start(processes.desk_server(port=free_port()), env=env, log_dir=work / "logs")
    proxy = None
    try:
        processes.wait_until_ready(desk, timeout=60)
        connections, _ = per_address_limits(DEPLOY_CONFIG.read_text(encoding="utf-8"))
        port = free_port()
        desk_port = int(desk.ready_url.split(":")[2].split("/")[0])
        config = work / "haproxy.cfg"
        layout = public_proxy_on_loopback(port, desk_port, scaled_out.urls, connections + EXTRA)
        https = "http-request set-header X-Forwarded-Proto https"
        assert https in layout
        config.write_text(
            layout.replace(https, "http-request set-header X-Forwarded-Proto http")
        )  # no TLS here
        log = work / "haproxy.log"
        with open(log, "wb") as output:
            proxy = subprocess.Popen(
                ["haproxy", "-db", "-f", str(config)], stdout=output, stderr=subprocess.STDOUT
            )
        wait_for_proxy(proxy, port, log)
        yield port
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(timeout=10)
        processes.stop(desk)


def test_the_widget_follows_the_switch_on_the_desk(scaled_out, public_port):
    question = fact_questions()[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", f"--host-resolver-rules=MAP localhost:8000 127.0.0.1:{public_port}"],
            headless=True,
        )
        try:
            context = browser.new_context(base_url=ORIGIN)
            expect.set_options(timeout=TIMEOUT_MS)
            desk = context.new_page()
            desk.goto("/desk/login?next=/desk/assistant/")
            desk.get_by_label("Username").fill(ADMIN)
            desk.get_by_label("Password").fill(PASSWORD)
            desk.get_by_role("button", name="Sign in").click()
            desk.get_by_label("Reason (kept and logged)").fill("Browser test of desk-only mode")
            desk.get_by_role("button", name="Switch the assistant off").click()
            expect(desk.get_by_text("The assistant is switched off.", exact=True)).to_be_visible()

            person = context.new_page()
            person.goto("/")
            person.get_by_role("button", name="Ask the assistant").click()
            log = person.get_by_role("log", name="Conversation")
            person.get_by_role("textbox", name="Your message").fill(question.message)
            person.get_by_role("textbox", name="Your message").press("Enter")
            phones = services.knowledge().desk_contact("en")
            expect(log.locator(".chat-message-bot .chat-text").filter(has_text=phones).last).to_be_visible()
            expect(person.locator("#chat-status")).to_have_text("The assistant is switched off for now.")
            log.get_by_role("button", name="Leave your question for the desk").click()
            expect(
                log.locator(".chat-message-bot .chat-text").filter(has_text=HANDOFF_AGAIN[0].expect)
            ).to_be_visible()

            desk.get_by_label("Reason (kept and logged)").fill("Browser test done")
            desk.get_by_role("button", name="Switch the assistant on").click()
            expect(desk.get_by_text("The assistant answers.", exact=True)).to_be_visible()
            person.get_by_role("textbox", name="Your message").fill("stop")
            person.get_by_role("textbox", name="Your message").press("Enter")
            person.wait_for_timeout((CACHE_SECONDS + 1) * 1000)  # the servers' cache of the switch
            person.get_by_role("textbox", name="Your message").fill(question.message)
            person.get_by_role("textbox", name="Your message").press("Enter")
            expect(
                log.locator(".chat-message-bot .chat-text").filter(has_text=question.expect)
            ).to_be_visible()
            expect(person.locator("#chat-status")).not_to_have_text("The assistant is switched off for now.")
        finally:
            browser.close()
            switch_on_for_the_other_tests(scaled_out)


def switch_on_for_the_other_tests(scaled_out) -> None:
    engine = create_engine_for(scaled_out.local.database_url)
    switch = AssistantSwitch(create_session_factory(engine))
    if not switch.read().answering:
        switch.switch(True, "End of the browser test of desk-only mode", by="ops-test")
    engine.dispose()
