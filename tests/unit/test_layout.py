"""The layout holds: only bot/rasa/ (the adapters) imports Rasa, rasa_sdk or Sanic; the launcher
stands above the channels and the site, which stand above the domain and the tickets; bot/ has
few top-level modules and every package says what it holds.

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
        "conversation/answering.py",
        "knowledge.py",
        "handoff/contact_answers.py",
        "launcher/processes.py",
        "access/rest_auth.py",
        "access/chat_sessions.py",
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
        "command.py",
        "components.py",
        "action_server.py",
    } <= adapters
    for name in ("rest_channel.py", "tracker_store.py", "components.py", "action_server.py"):
        assert any(
            module.split(".")[0] in RASA_PACKAGES for _, module in imported_modules(ADAPTERS / name)
        ), name


# A message flows one way: launcher -> channels (bot/rasa, bot/site) -> domain -> tickets. No room
# reaches up into a room above it.
LAUNCHER = ("bot.launcher",)
CHANNELS = ("bot.rasa", "bot.site")
# What the tickets (the bottom of the domain) may not import: the rooms that hand work to them.
ABOVE_TICKETS = ("bot.conversation", "bot.handoff", "bot.insights", "bot.desk_answers", "bot.services")


def modules_of(*rooms: str) -> list[Path]:
    return [path for room in rooms for path in sorted((BOT / room).rglob("*.py"))]


def lower_rooms() -> list[Path]:
    """Domain and tickets modules: bot/ except the launcher, the channels and ``__main__``."""
    upper = {BOT / "rasa", BOT / "site", BOT / "launcher"}
    return [
        path
        for path in sorted(BOT.rglob("*.py"))
        if not upper & set(path.parents) and path != BOT / "__main__.py"
    ]


def offenders(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(REPO_ROOT) if REPO_ROOT in path.parents else path}:{line} imports {module}"
        for path in paths
        for line, module in imported_modules(path)
        if module.startswith(forbidden)
    ]


def test_the_domain_and_the_tickets_do_not_reach_up_into_the_channels_the_site_or_the_launcher():
    found = offenders(lower_rooms(), CHANNELS + LAUNCHER)
    assert not found, "a lower room imports an upper one:\n" + "\n".join(found)
    names = {str(path.relative_to(BOT)) for path in lower_rooms()}
    assert {"knowledge.py", "conversation/answering.py", "tickets/service.py", "tickets/cli.py"} <= names


def test_the_channels_and_the_site_do_not_import_the_launcher():
    found = offenders(modules_of("rasa", "site"), LAUNCHER)
    assert not found, "the launcher starts the channels, not the other way round:\n" + "\n".join(found)


def test_the_tickets_do_not_reach_up_into_the_rooms_that_hand_them_work():
    found = offenders(modules_of("tickets"), ABOVE_TICKETS)
    assert not found, "the tickets import a room above them:\n" + "\n".join(found)


def test_bot_has_at_most_ten_top_level_modules():
    top = sorted(path.name for path in BOT.glob("*.py"))
    assert len(top) <= 10, f"group these into packages by concern: {top}"


def test_every_package_says_what_it_holds():
    for init in sorted(BOT.rglob("__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring and len(docstring.split()) >= 12, f"{init.relative_to(REPO_ROOT)} needs a docstring"


def test_the_checks_catch_an_offender(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("from bot.launcher.processes import running\nimport bot.rasa.turn\n")
    assert len(offenders([module], CHANNELS + LAUNCHER)) == 2
    assert offenders([module], ABOVE_TICKETS) == []


def test_an_import_of_rasa_inside_a_function_is_found(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from rasa.core import agent\n    import sanic.response\n")
    assert [name for _, name in imported_modules(module)] == ["rasa.core", "sanic.response"]
