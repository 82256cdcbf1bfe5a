"""deploy/haproxy.cfg's public frontend refuses every server's /metrics and the Rasa servers'
readiness probe, however the path is written, and still passes everything else on (its servers are
stand-ins that answer any path)."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support import require_service
from test_proxy import public_proxy_on_loopback, request_from, wait_for_proxy

from bot.launcher.processes import LOOPBACK, free_port

VISITOR = "127.0.0.2"


class AnyPath(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"served " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def proxy_port(tmp_path_factory) -> Iterator[int]:
    require_service(shutil.which("haproxy") is not None, "no haproxy here (make e2e installs it)")
    servers = [ThreadingHTTPServer((LOOPBACK, 0), AnyPath) for _ in range(3)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    desk, *rasa = (server.server_address[1] for server in servers)
    port = free_port()
    work = tmp_path_factory.mktemp("metrics-proxy")
    config = work / "haproxy.cfg"
    rasa_urls = [f"http://{LOOPBACK}:{rasa_port}/webhooks/rest/webhook" for rasa_port in rasa]
    config.write_text(public_proxy_on_loopback(port, desk, rasa_urls, 100))
    log = work / "haproxy.log"
    with open(log, "wb") as output:
        proxy = subprocess.Popen(
            ["haproxy", "-db", "-f", str(config)], stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_for_proxy(proxy, port, log)
        yield port
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        for server in servers:
            server.shutdown()


@pytest.mark.parametrize(
    "path",
    [
        "/metrics",
        "/metrics/",
        "//metrics",
        "/%6detrics",
        "/metrics?x=1",
        "/webhooks/rest/ready",
        "/webhooks//rest/ready",
        "/webhooks/rest/%72eady",
    ],
)
def test_the_public_frontend_refuses_metrics_and_readiness(proxy_port, path):
    status, _, body = request_from(VISITOR, proxy_port, "GET", path)
    assert status == 404 and b"served" not in body


@pytest.mark.parametrize(
    "path", ["/", "/desk/login", "/webhooks/rest/", "/webhooks/rest/webhook", "/desk/metrics"]
)
def test_everything_else_is_passed_on(proxy_port, path):
    status, _, body = request_from(VISITOR, proxy_port, "GET", path)
    assert (status, body) == (200, b"served " + path.encode())
