"""The layout holds: only bot/rasa/ (the adapters) imports Rasa, rasa_sdk or Sanic, and the domain
and tickets never import the channels or the site.

The rest of bot/ is plain Python that a newcomer can read, test and reuse without Rasa's
runtime; bot/site/desk and bot/site/public are Flask apps and import none of them either.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from bot.config import REPO_ROOT

BOT = REPO_ROOT / "bot"
ADAPTERS = BOT / "rasa"
RASA_PACKAGES = {"rasa", "rasa_sdk", "sanic", "sanic_cors", "socketio", "engineio"}
# Module (path under bot/) -> why it may import one of them anyway. Keep it empty if you can.
ALLOWED: dict[str, str] = {}


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Every absolute module an import statement of ``path`` names, at any depth (functions too)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def domain_modules() -> list[Path]:
    return sorted(path for path in BOT.rglob("*.py") if ADAPTERS not in path.parents)


def test_the_domain_modules_do_not_import_rasa_rasa_sdk_or_sanic():
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{line} imports {module}"
        for path in domain_modules()
        if str(path.relative_to(BOT)) not in ALLOWED
        for line, module in imported_modules(path)
        if module.split(".")[0] in RASA_PACKAGES
    ]
    assert not offenders, (
        "Rasa-facing code belongs in bot/rasa/ (the adapters); the domain stays plain Python:\n"
        + "\n".join(offenders)
    )


def test_the_check_sees_the_modules_and_the_adapters_import_rasa():
    """The check looks at real files: the domain is there, and the adapters do import Rasa."""
    domain = {str(path.relative_to(BOT)) for path in domain_modules()}
    assert {
        "answering.py",
        "knowledge.py",
        "handoff.py",
        "processes.py",
        "rest_auth.py",
        "chat_sessions.py",
        "tickets/__init__.py",
        "site/__init__.py",
        "site/desk/views.py",
    } <= domain
    adapters = {path.name for path in ADAPTERS.glob("*.py")}
    assert {
        "rest_channel.py",
        "socketio_channel.py",
        "turn.py",
        "tracker_store.py",
        "lock_store.py",
        "speedups.py",
        "cli.py",
        "components.py",
        "action_server.py",
    } <= adapters
    for name in ("rest_channel.py", "tracker_store.py", "components.py", "action_server.py"):
        assert any(
            module.split(".")[0] in RASA_PACKAGES for _, module in imported_modules(ADAPTERS / name)
        ), name


# A message flows one way: channel (bot/rasa, bot/site) -> domain -> tickets. The rooms below never
# reach back up into the ones above them.
UPPER_ROOMS = ("bot.rasa", "bot.site", "bot.cli", "bot.processes")
# The command line and the servers' start and stop (processes) stand above all the rooms.
TOP = {"cli.py", "__main__.py", "processes.py"}


def lower_rooms() -> list[Path]:
    """Domain and tickets modules: bot/ except bot/rasa/, bot/site/ and the TOP modules."""
    upper = {BOT / "rasa", BOT / "site"}
    return [
        path
        for path in sorted(BOT.rglob("*.py"))
        if not upper & set(path.parents) and path.relative_to(BOT).as_posix() not in TOP
    ]


def test_the_domain_and_the_tickets_do_not_reach_up_into_the_channels_or_the_site():
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{line} imports {module}"
        for path in lower_rooms()
        for line, module in imported_modules(path)
        if module.startswith(UPPER_ROOMS)
    ]
    assert not offenders, "a lower room imports an upper one:\n" + "\n".join(offenders)
    names = {str(path.relative_to(BOT)) for path in lower_rooms()}
    assert {"knowledge.py", "answering.py", "tickets/service.py", "tickets/cli.py"} <= names


def test_an_import_of_rasa_inside_a_function_is_found(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from rasa.core import agent\n    import sanic.response\n")
    assert [name for _, name in imported_modules(module)] == ["rasa.core", "sanic.response"]
