"""The click commands for tickets, users, migrations and the desk server."""

from __future__ import annotations

import csv
import io
import json

import click
import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from desk_helpers import FAST_HASHER, make_ticket

from bot.desk_answers.service import DeskAnswerService
from bot.launcher.cli import main
from bot.site.desk.accounts import StaffAccounts
from bot.site.desk.cli import desk_command, users_group
from bot.tickets import TicketService
from bot.tickets.cli import db_group, tickets_group
from bot.tickets.database import create_engine_for, create_session_factory, ensure_schema_current

TICKET_FIELDS = {
    "id", "reference", "status", "desk", "name", "email", "phone", "question", "topic",
    "consent_at", "conversation_id", "channel", "created_at", "updated_at", "assignee",
    "notes", "transcript", "live_chat", "first_reply_at", "replies", "rating", "language",
}  # fmt: skip


@pytest.fixture
def almere():
    """The command group as the project's `almere` command registers it."""
    group = click.Group("almere")
    for command in (tickets_group, users_group, db_group, desk_command):
        group.add_command(command)
    return group


@pytest.fixture
def run(almere, database_url):
    def invoke(*args: str, url: str = database_url, **kwargs):
        env = {"ALMERE_DATABASE_URL": url, "ALMERE_SECRET_KEY": "test-secret-key"}
        return CliRunner().invoke(almere, list(args), env=env, **kwargs)

    return invoke


@pytest.fixture
def session_factory(database_url):
    engine = create_engine_for(database_url)
    yield create_session_factory(engine)
    engine.dispose()


@pytest.fixture
def service(session_factory) -> TicketService:
    return TicketService(session_factory)


def test_db_upgrade_migrates_a_new_database(run, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh' / 'desk.db'}"
    result = run("db", "upgrade", url=url)
    assert result.exit_code == 0, result.output
    assert "revision" in result.output
    ensure_schema_current(create_engine_for(url))


def test_commands_ask_for_an_upgrade_on_an_unmigrated_database(run, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    for args in (["tickets", "list"], ["users", "add", "jan", "--password-stdin"], ["desk"]):
        result = run(*args, url=url, input="a long enough password\n")
        assert result.exit_code == 1, args
        assert "Run `almere db upgrade` first." in result.output


def test_users_add_with_password_from_stdin(run, session_factory):
    result = run("users", "add", "Jan", "--password-stdin", input="correct horse battery\n")
    assert result.exit_code == 0, result.output
    assert "Created desk account 'jan'" in result.output
    accounts = StaffAccounts(session_factory, PasswordHasher())
    assert accounts.authenticate("jan", "correct horse battery") == "jan"
    assert accounts.authenticate("jan", "correct horse") is None


def test_users_add_prompts_twice_hidden(run, session_factory):
    result = run("users", "add", "piet", input="correct horse battery\ncorrect horse battery\n")
    assert result.exit_code == 0, result.output
    assert "correct horse battery" not in result.output  # hidden input is not echoed
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("jan", "short", "12 to 1024 characters"),
        ("no spaces please", "correct horse battery", "A username has"),
    ],
)
def test_users_add_refuses_bad_input(run, name, password, message):
    result = run("users", "add", name, "--password-stdin", input=f"{password}\n")
    assert result.exit_code == 1 and message in result.output


def test_users_add_refuses_a_duplicate(run):
    run("users", "add", "jan", "--password-stdin", input="correct horse battery\n")
    result = run("users", "add", "JAN", "--password-stdin", input="correct horse battery\n")
    assert result.exit_code == 1 and "already exists" in result.output


def test_tickets_list_json_has_every_field(run, service):
    first = make_ticket(service, "a")
    second = make_ticket(service, "b", "Hi", desk="business")
    service.add_note(first, "jan", "Called back.")

    result = run("tickets", "list", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [ticket["reference"] for ticket in data] == [second, first]
    assert all(set(ticket) == TICKET_FIELDS for ticket in data)
    assert data[1]["notes"][0]["text"] == "Called back."
    assert set(data[1]["notes"][0]) == {"author", "text", "created_at"}
    assert data[0]["transcript"] == [
        {
            "position": 0,
            "role": "user",
            "text": "Hi",
            "timestamp": "2026-03-02T09:30:00+00:00",
            "quick_reply": None,
            "author": None,
        }
    ]

    business = json.loads(run("tickets", "list", "--json", "--desk", "business").output)
    assert [ticket["reference"] for ticket in business] == [second]


def test_tickets_list_readable_and_filtered(run, service):
    reference = make_ticket(service)
    assert reference in run("tickets", "list").output
    assert run("tickets", "list", "--status", "resolved").output.strip() == "No tickets."
    assert run("tickets", "list", "--status", "closed").exit_code == 2


def test_tickets_show(run, service):
    reference = make_ticket(service, "a", "Hello", "Hi there")
    service.add_note(reference, "jan", "Called back.")

    text = run("tickets", "show", reference.lower()).output
    for expected in (
        reference,
        "Ana Silva",
        "ana@example.org",
        "[2026-03-02 10:30:00] user: Hello",
        "[2026-03-02 10:31:00] bot: Hi there",
        "jan: Called back.",
        "Amsterdam time",
    ):
        assert expected in text
    assert json.loads(run("tickets", "show", reference, "--json").output)["reference"] == reference

    missing = run("tickets", "show", "ALM-999999")
    assert missing.exit_code == 1 and "No ticket" in missing.output


def test_tickets_export_csv(run, service, tmp_path):
    reference = make_ticket(service, "a", "Hello", "Hi", name='=HYPERLINK("http://x")')
    service.add_note(reference, "jan", "Line one\nline two")

    result = run("tickets", "export", "--csv")
    assert result.exit_code == 0, result.output
    [header, row] = list(csv.reader(io.StringIO(result.output)))
    record = dict(zip(header, row, strict=True))
    assert header[:3] == ["reference", "status", "desk"] and "transcript" in header
    assert record["reference"] == reference
    assert record["name"].startswith("'=HYPERLINK")  # not run as a spreadsheet formula
    assert record["transcript"].splitlines() == [
        "[2026-03-02T09:30:00+00:00] user: Hello",
        "[2026-03-02T09:31:00+00:00] bot: Hi",
    ]
    assert "jan: Line one\nline two" in record["notes"]

    output = tmp_path / "export.csv"
    saved = run("tickets", "export", "--csv", "--output", str(output))
    assert saved.exit_code == 0 and "Exported 1 ticket(s)" in saved.output
    assert output.read_text(encoding="utf-8") == result.output

    assert run("tickets", "export").exit_code == 2  # the format must be chosen


def test_desk_command_serves_the_app_with_gunicorn(run, monkeypatch):
    servers = []
    monkeypatch.setattr("bot.site.server.DeskServer.run", lambda server: servers.append(server))
    result = run("desk", "--port", "8123")
    assert result.exit_code == 0, result.output
    [server] = servers
    assert server.cfg.bind == ["127.0.0.1:8123"]
    # One process by default (the rate limits live in its memory), many threads (slow clients).
    assert (server.cfg.workers, server.cfg.threads, server.cfg.worker_class_str) == (1, 32, "gthread")
    assert "desk.queue" in server.load().view_functions


def test_desk_command_runs_several_workers_with_the_limits_in_redis(run, monkeypatch):
    servers = []
    monkeypatch.setattr("bot.site.server.DeskServer.run", lambda server: servers.append(server))
    monkeypatch.setenv("ALMERE_DESK_WORKERS", "3")
    refused = run("desk", "--port", "8123")
    assert refused.exit_code != 0 and servers == []
    assert "ALMERE_RATE_LIMIT_REDIS_URL" in str(refused.exception) + refused.output
    monkeypatch.setenv("ALMERE_RATE_LIMIT_REDIS_URL", "redis://127.0.0.1:6379/0")
    assert run("desk", "--port", "8123").exit_code == 0
    assert servers[0].cfg.workers == 3


# --- almere answers ----------------------------------------------------------


PASSWORD = "correct horse battery"


@pytest.fixture
def answers_cli(database_url, session_factory):
    """`almere answers …` on the test database, with a draft by anna and colleagues ben and carla
    (every one's password: PASSWORD, which ``invoke`` types when asked unless given ``input``)."""
    accounts = StaffAccounts(session_factory, FAST_HASHER)
    for name in ("anna", "ben", "carla"):
        accounts.add(name, PASSWORD)
    service = DeskAnswerService(session_factory)
    draft = service.create(
        questions="How do I get a BSN?\nWhere is my BSN?", answer="At the city hall.", author="anna"
    )

    def invoke(*args: str, input: str = PASSWORD + "\n"):
        env = {"ALMERE_DATABASE_URL": database_url, "ALMERE_SECRET_KEY": "test-secret-key"}
        return CliRunner().invoke(main, ["answers", *args], env=env, input=input)

    invoke.draft_id = draft.id
    invoke.service = service
    return invoke


def test_answers_list_show_approve_and_withdraw(answers_cli):
    answer_id = str(answers_cli.draft_id)
    listed = answers_cli("list")
    assert (
        listed.exit_code == 0
        and f"{answer_id}  draft" in listed.output
        and "How do I get a BSN?" in listed.output
    )
    assert answers_cli("list", "--status", "approved").output.strip() == "No approved answers."

    approved = answers_cli("approve", answer_id, "--by", "Ben")
    assert approved.exit_code == 0, approved.output
    assert "approved by ben" in approved.output
    shown = answers_cli("show", answer_id)
    assert shown.exit_code == 0
    assert "Answer 1 (approved, en)" in shown.output and "  - Where is my BSN?" in shown.output
    assert "created    anna" in shown.output and "approved   ben" in shown.output
    [as_json] = json.loads(answers_cli("list", "--status", "approved", "--json").output)
    assert as_json["approver"] == "ben" and [e["action"] for e in as_json["history"]] == [
        "created",
        "approved",
    ]

    withdrawn = answers_cli("withdraw", answer_id, "--by", "carla")
    assert withdrawn.exit_code == 0 and "withdrawn" in withdrawn.output
    assert answers_cli.service.get(answers_cli.draft_id).status == "withdrawn"
    assert json.loads(answers_cli("show", answer_id, "--json").output)["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "99"), "There is no desk answer 99."),
        (("approve", "99", "--by", "ben"), "There is no desk answer 99."),
        (("withdraw", "99", "--by", "ben"), "There is no desk answer 99."),
        (("approve", "1", "--by", "anna"), "A colleague other than its author (anna) must approve answer 1."),
        (("approve", "1", "--by", "zoe"), "Unknown desk account or wrong password for 'zoe'"),
    ],
)
def test_answers_errors_are_one_line_with_exit_code_1(answers_cli, args, message):
    result = answers_cli(*args)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert answers_cli.service.get(answers_cli.draft_id).status == "draft"


@pytest.mark.parametrize("command", ["approve", "withdraw"])
def test_answers_are_approved_or_withdrawn_only_with_the_colleagues_own_password(answers_cli, command):
    """Naming a colleague is not enough: their desk password is asked (hidden), and checked."""
    answer_id = str(answers_cli.draft_id)
    for typed in ("hunter2-guess\n", "\n", PASSWORD + "!\n"):
        refused = answers_cli(command, answer_id, "--by", "ben", input=typed)
        assert refused.exit_code == 1, refused.output
        assert "Unknown desk account or wrong password for 'ben'; nothing was recorded." in refused.output
        assert "Traceback" not in refused.output and (typed == "\n" or typed.strip() not in refused.output)
    from_stdin = answers_cli(command, answer_id, "--by", "ben", "--password-stdin", input="wrong\n")
    assert from_stdin.exit_code == 1 and "wrong password" in from_stdin.output
    record = answers_cli.service.get(answers_cli.draft_id)
    assert (record.status, record.approver, [e.action for e in record.history]) == (
        "draft",
        None,
        ["created"],
    )

    accepted = answers_cli(command, answer_id, "--by", "ben", "--password-stdin")
    assert accepted.exit_code == 0, accepted.output
    assert "Desk password" not in accepted.output  # read from standard input, not asked
    record = answers_cli.service.get(answers_cli.draft_id)
    assert record.history[-1].actor == "ben"
    assert record.status == ("approved" if command == "approve" else "withdrawn")


def test_answers_ask_for_the_password_without_echoing_it(answers_cli):
    asked = answers_cli("approve", str(answers_cli.draft_id), "--by", "ben")
    assert asked.exit_code == 0, asked.output
    assert "Desk password of ben:" in asked.output and PASSWORD not in asked.output


def test_answers_usage_errors_are_explained(answers_cli):
    assert answers_cli("approve", "1").exit_code == 2  # --by is required
    not_a_number = answers_cli("show", "first")
    assert not_a_number.exit_code == 2 and "'first' is not a valid integer" in not_a_number.output
    assert "Traceback" not in not_a_number.output
