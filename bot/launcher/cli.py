"""The `almere` command: the project's own tasks (build the spaCy pipeline, run the servers, ...)."""

from __future__ import annotations

import signal
import sys
import time

import click

from bot.config import REPO_ROOT, load_settings
from bot.desk_answers.cli import answers_group
from bot.insights.cli import insights_command
from bot.launcher import processes
from bot.privacy.cli import personal_data_group
from bot.site.desk.cli import approve_answer, desk_command, users_group, withdraw_answer
from bot.tickets.cli import db_group, tickets_group


@click.group()
def main() -> None:
    """Tasks of the Almere International Desk assistant."""


@main.command("build-spacy")
def build_spacy() -> None:
    """Build the project's spaCy pipeline from bot/entities.yml (no download)."""
    from bot.conversation.spacy_pipeline import PIPELINE_DIR, load_vocabulary, save_pipeline

    vocabulary = load_vocabulary(load_settings().entities_file)
    directory = save_pipeline(vocabulary, REPO_ROOT / PIPELINE_DIR)
    click.echo(f"spaCy pipeline written to {directory}")


@main.command("facts")
def facts() -> None:
    """List the facts of the knowledge file with their date and source."""
    from bot.services import knowledge

    for fact in knowledge().facts.values():
        as_of = f" (as of {fact.as_of})" if fact.as_of else ""
        click.echo(f"{fact.key:24} {fact.formatted():>10}  {fact.label}{as_of} — {fact.source}")


RUNNING_MESSAGE = """
The Almere assistant is running.
  web page + chat:   http://localhost:8000/
  REST channel:      POST http://localhost:5005/webhooks/rest/webhook
                     curl -s localhost:5005/webhooks/rest/webhook \\
                       -d '{"sender": "me", "message": "How many people live in Almere?"}'
  socket.io channel: http://localhost:5005/socket.io
  action server:     http://localhost:5055/health
  staff desk:        http://localhost:8000/desk/  (accounts: almere users add NAME)
Press Ctrl-C to stop."""


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def _announce(server: processes.Server) -> None:
    click.echo(f"Starting the {server.name}…")


def _has_exited(server: processes.Server) -> bool:
    return server.process is None or server.process.poll() is not None


def _serve_until_interrupted(servers, message: str) -> int:
    """Start ``servers`` in order, each once the previous is ready; stop all on Ctrl-C/SIGTERM."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with processes.running(processes.Stack(list(servers)), announce=_announce) as started:
            click.echo(message)
            try:
                while not any(_has_exited(server) for server in started.servers):
                    time.sleep(0.5)
            except KeyboardInterrupt:
                click.echo("\nStopping…")
                return 0
            stopped = next(server for server in started.servers if _has_exited(server))
            click.echo(f"The {stopped.name} stopped unexpectedly; stopping the rest.", err=True)
            return 1
    except KeyboardInterrupt:  # while starting: processes.running has stopped those already started
        click.echo("\nStopped.")
        return 0


@main.command("run")
def run() -> None:
    """Start the action server, the Rasa server (REST and socket.io) and the desk; Ctrl-C stops all."""
    from bot.tickets.database import upgrade_database

    settings = load_settings()
    upgrade_database(settings.database_url)
    servers = [
        processes.action_server(),
        processes.rasa_server(cors=settings.chat_origins),
        processes.desk_server(port=settings.desk_port, host=settings.desk_host),
    ]
    sys.exit(_serve_until_interrupted(servers, RUNNING_MESSAGE))


@main.command("shell")
def shell() -> None:
    """Chat with the assistant in the terminal (starts the action server too)."""
    import os
    import subprocess

    with processes.running(processes.Stack([processes.action_server()])):
        command = processes.rasa_command(
            "shell",
            "--model",
            str(processes.MODEL),
            "--endpoints",
            str(processes.ENDPOINTS),
            speedups=True,
        )
        env = {**os.environ, **processes.shared_secret_env()}
        sys.exit(subprocess.call(command, cwd=REPO_ROOT, env=env))


for _command in (
    tickets_group,
    users_group,
    db_group,
    desk_command,
    answers_group,
    insights_command,
    personal_data_group,
):
    main.add_command(_command)
# Approving and withdrawing a desk answer check the colleague's desk password (bot.site.desk.cli).
for _command in (approve_answer, withdraw_answer):
    answers_group.add_command(_command)
