"""The desk's production server: gunicorn serving ``create_app`` (`almere desk`)."""

from __future__ import annotations

import signal
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from bot.config import Settings
from bot.observability.logs import DESK_SERVER, json_log_config
from bot.site import create_app

# Threads per worker process (ALMERE_DESK_WORKERS processes, one by default). gunicorn's gthread
# worker waits for a connection's first bytes without a thread, but a client that sends the rest of
# its request slowly holds a thread until it is done: with 4 threads, four slow clients left nobody
# else served. The desk mostly waits (database, argon2, which releases the GIL), and an idle thread
# costs little memory, so many threads keep many slow clients from blocking it (measured in
# tests/e2e/test_desk_server.py). Behind the proxy (deploy/), HAProxy hands the desk only whole
# requests. Several processes share the rate limits through Redis (bot/site/desk/rate_limit.py).
THREADS = 32
# Seconds a stopping worker gets to finish its requests: well inside the 15 s processes.stop and
# the 10 s `docker stop` wait before they kill it.
GRACEFUL_TIMEOUT = 5


def leave_interrupt_to_master(worker: Any) -> None:
    """Ctrl-C in a terminal signals every process of its group; the worker then leaves SIGINT to the
    master, which stops it with SIGQUIT (a worker that got both sometimes hung until it was killed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def gunicorn_options(host: str, port: int, workers: int = 1, log_format: str = "text") -> dict[str, Any]:
    """gunicorn's settings for the desk listening on ``host``:``port`` with ``workers`` processes,
    logging in ``log_format`` (bot/observability/logs.py)."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": THREADS,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        # gunicorn's runtime control socket (one path per user, shared by every gunicorn): not used.
        "control_socket_disable": True,
        "post_worker_init": leave_interrupt_to_master,
    }
    if log_format == "json":
        options["logconfig_dict"] = json_log_config(DESK_SERVER, "WARNING")
    return options


class DeskServer(BaseApplication):
    """gunicorn with the desk app; each worker builds its own app after the fork, with its own
    limiters and its own engine per database (bot/tickets/database.py keys them by process).

    Without ALMERE_SECRET_KEY each worker reads the key file under var/; bot/access/secret_files.py
    creates it atomically, so workers (and restarted ones) always agree on the key.
    """

    def __init__(self, settings: Settings, host: str, port: int) -> None:
        self.settings = settings
        self.options = gunicorn_options(host, port, settings.desk_workers, settings.log_format)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_app(self.settings)
