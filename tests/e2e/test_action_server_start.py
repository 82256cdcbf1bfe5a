"""A newcomer's action server (`python -m bot.rasa.action_server`, no `make run` before) can store tickets."""

from __future__ import annotations

from support import free_port

from bot.launcher import processes
from bot.tickets.database import create_engine_for, ensure_schema_current


def test_the_start_upgrades_an_empty_sqlite_ticket_database(tmp_path, monkeypatch):
    monkeypatch.setenv("ALMERE_ACTION_SERVER_SECRET", "e2e-start-secret")
    url = f"sqlite:///{tmp_path / 'var' / 'desk.db'}"
    server = processes.action_server(port=free_port())
    processes.start(server, env={"ALMERE_DATABASE_URL": url}, log_dir=tmp_path / "logs")
    try:
        processes.wait_until_ready(server, timeout=120)
    finally:
        processes.stop(server)
    engine = create_engine_for(url)
    ensure_schema_current(engine)
    engine.dispose()
