"""The desk's production server: gunicorn serving ``create_app`` (`almere desk`)."""

from __future__ import annotations

import signal
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from bot.config import Settings
from bot.site import create_app

# One worker process, with threads. The sign-in rate limits (bot/site/desk/rate_limit.py) are kept in
# process memory, so each extra process would allow the whole limit again; threads share one
# limiter (it has a lock). The desk waits on the database and on argon2, which releases the GIL,
# so four threads are plenty on a 2-core machine.
WORKERS = 1
THREADS = 4
# Seconds a stopping worker gets to finish its requests: well inside the 15 s processes.stop and
# the 10 s `docker stop` wait before they kill it.
GRACEFUL_TIMEOUT = 5


def leave_interrupt_to_master(worker: Any) -> None:
    """Ctrl-C in a terminal signals every process of its group; the worker then leaves SIGINT to the
    master, which stops it with SIGQUIT (a worker that got both sometimes hung until it was killed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def gunicorn_options(host: str, port: int) -> dict[str, Any]:
    """gunicorn's settings for the desk listening on ``host``:``port``."""
    return {
        "bind": f"{host}:{port}",
        "workers": WORKERS,
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


class DeskServer(BaseApplication):
    """gunicorn with the desk app; each worker builds its own app (engine, limiters) after the fork.

    Without ALMERE_SECRET_KEY each worker reads the key file under var/; bot/secret_files.py
    creates it atomically, so workers (and restarted ones) always agree on the key.
    """

    def __init__(self, settings: Settings, host: str, port: int) -> None:
        self.settings = settings
        self.options = gunicorn_options(host, port)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_app(self.settings)
