"""deploy/haproxy.cfg's Rasa backends on 127.0.0.1, in front of locally started Rasa servers.

The backends are taken from the deployed file as they are (balancing, stickiness, health checks,
limits); only their servers' addresses are the local ones. A plain frontend routes as the public
one does: ``/socket.io/`` to ``rasa_socketio``, everything else to ``rasa_rest``. It leaves out
the public frontend's limits per client address, which would take a load client on one address
for one attacker.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests

from bot.config import REPO_ROOT
from bot.launcher.processes import LOOPBACK, free_port

DEPLOY_CONFIG = REPO_ROOT / "deploy" / "haproxy.cfg"
RASA_BACKENDS = ("rasa_socketio", "rasa_rest")


def backend_on_loopback(name: str, rasa_urls: Sequence[str], config: str | None = None) -> str:
    """The ``backend name`` section of deploy/haproxy.cfg, its servers ``rasa-1``, ``rasa-2``, …
    at ``rasa_urls`` (the servers beyond them are left out)."""
    config = DEPLOY_CONFIG.read_text(encoding="utf-8") if config is None else config
    section = re.search(rf"^backend {name}\n(?:[ \t]+.*\n|\n)*", config, re.MULTILINE)
    if section is None:
        raise ValueError(f"deploy/haproxy.cfg has no backend {name}")
    lines = []
    for line in section.group(0).splitlines(keepends=True):
        server = re.match(r"^[ \t]+server rasa-(\d+) rasa-\d+:5005", line)
        if server is None:
            lines.append(line)
        elif int(server.group(1)) <= len(rasa_urls):
            port = re.search(r":(\d+)(?:/|$)", rasa_urls[int(server.group(1)) - 1]).group(1)
            lines.append(line.replace(f"rasa-{server.group(1)}:5005", f"{LOOPBACK}:{port}"))
    return "".join(lines)


def rasa_proxy_config(port: int, rasa_urls: Sequence[str]) -> str:
    """A whole HAProxy configuration: deploy/haproxy.cfg's timeouts and Rasa backends, on
    127.0.0.1:``port``."""
    deployed = DEPLOY_CONFIG.read_text(encoding="utf-8")
    timeouts = "".join(re.findall(r"^[ \t]+timeout .*\n", deployed, re.MULTILINE))
    return (
        "global\n    maxconn 4000\n\n"
        f"defaults\n    mode http\n{timeouts}\n"
        f"frontend chat\n    bind {LOOPBACK}:{port}\n"
        "    acl socketio path_beg /socket.io/\n"
        "    use_backend rasa_socketio if socketio\n"
        "    default_backend rasa_rest\n\n"
        + "\n".join(backend_on_loopback(name, rasa_urls, deployed) for name in RASA_BACKENDS)
    )


@contextmanager
def rasa_proxy(work: Path, rasa_urls: Sequence[str]) -> Iterator[str]:
    """HAProxy with deploy/haproxy.cfg's Rasa backends in front of ``rasa_urls``: yields its origin
    (http://127.0.0.1:port) once it answers; stopped afterwards."""
    if shutil.which("haproxy") is None:
        raise FileNotFoundError("no haproxy here (Debian's package haproxy; make e2e installs it)")
    port = free_port()
    config = work / f"haproxy-{port}.cfg"
    config.write_text(rasa_proxy_config(port, rasa_urls), encoding="utf-8")
    log = work / f"haproxy-{port}.log"
    with open(log, "wb") as output:
        command = ["haproxy", "-db", "-f", str(config)]
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    origin = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError("haproxy stopped: " + log.read_text(errors="replace"))
            try:
                if requests.get(f"{origin}/", timeout=2).ok:  # Rasa's "hello" through the proxy
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("haproxy did not come up: " + log.read_text(errors="replace"))
            time.sleep(0.2)
        yield origin
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
