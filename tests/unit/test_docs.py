"""The README and docs/ are written for their readers: a short README, no references to the
project's issues (history lives in git), and every setting of bot/config.py in the README's one
configuration table, with its default.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest

from bot.config import REPO_ROOT, Settings

README = REPO_ROOT / "README.md"
MAX_README_LINES = 250
# Where no issue may be cited: the code, data and documentation a newcomer reads.
CHECKED = [
    REPO_ROOT / name
    for name in (
        "bot",
        "actions",
        "docs",
        "README.md",
        "SECURITY.md",
        "data",
        "domain.yml",
        "migrations",
        "deploy",
        "evaluation",
        "measure",
        "operations",
        "scripts",
        "tests",
        "Makefile",
    )
]
THIS_FILE = Path(__file__).resolve()
# Third-party files copied in as they are.
SKIPPED_DIRECTORIES = {"vendor", "__pycache__"}
# "issue 12", "issues 12 and 13", "Issue #12", "(#12)". An upstream reference names its repository
# ("RasaHQ/rasa#13027"), an HTML entity its ampersand ("&#39;"), and a colour is quoted or ends a
# declaration ("#333"): none of them is one of ours.
ISSUE_REFERENCE = re.compile(r"\bissues?\s*#?\d+|(?<![\w&/.#'\"-])#\d+\b(?![;'\"])", re.IGNORECASE)
# "since 2026-11-28", "until 2026-12-01": a date that says when the code changed.
DATED_CHANGE = re.compile(r"\b(?:since|until|before|after)\s+20\d\d-\d\d", re.IGNORECASE)
PREFIX = "ALMERE_"


def checked_files() -> Iterator[Path]:
    for place in CHECKED:
        paths = [place] if place.is_file() else sorted(place.rglob("*"))
        for path in paths:
            relative = path.relative_to(REPO_ROOT)
            if path.is_file() and path != THIS_FILE and not SKIPPED_DIRECTORIES & set(relative.parts):
                yield path


def text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:  # compiled catalogues, images
        return None


def history_references(text: str) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern in (ISSUE_REFERENCE, DATED_CHANGE):
            found += [(number, match.group(0)) for match in pattern.finditer(line)]
    return found


def configuration_table() -> dict[str, tuple[str, str]]:
    """The README's configuration table: variable -> (default, meaning), one variable a row."""
    section = README.read_text(encoding="utf-8").split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith(f"`{PREFIX}"):
            name = cells[0].strip("`")
            assert name not in rows, f"{name} has two rows in the README's configuration table"
            rows[name] = (cells[1].replace("`", ""), cells[2])
    return rows


def documented_default(value: object) -> str:
    """How the table writes a default: repository paths relative, lists comma-separated."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ",".join(str(item) for item in value)
    text = str(value)
    root = f"{REPO_ROOT}/"
    return text.replace(root, "")


def test_readme_is_short() -> None:
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines; move explanations to docs/"


def test_no_issue_numbers_or_dated_changes() -> None:
    found = [
        f"{path.relative_to(REPO_ROOT)}:{number}: {match}"
        for path in checked_files()
        if (text := text_of(path)) is not None
        for number, match in history_references(text)
    ]
    assert not found, "say what the code does and why; history lives in git:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "text",
    [
        "Live chat (issue 12): the desk",
        "as in Issue #7",
        "issues 13 and 14",
        "fixed in #12.",
        "since 2026-11-28",
    ],
)
def test_history_references_are_recognised(text: str) -> None:
    assert history_references(text)


@pytest.mark.parametrize(
    "text",
    [
        "The server issues a signed session token",
        "see RasaHQ/rasa#13027",
        "&#39;yesterday&#39;",
        "color: #1a1a1a",
        "color: #333;",
        'Chart.defaults.color = "#333";',
        "Almere has been a municipality since 1984",
    ],
)
def test_other_text_is_not_taken_for_history(text: str) -> None:
    assert not history_references(text)


def test_every_setting_is_in_the_readme_table_with_its_default() -> None:
    table = configuration_table()
    settings = {PREFIX + setting.name.upper(): setting.name for setting in fields(Settings)}
    assert sorted(set(settings) - set(table)) == [], "settings of bot/config.py missing from the table"
    assert sorted(set(table) - set(settings)) == [], "the table names settings bot/config.py does not read"
    defaults = Settings()
    for variable, name in settings.items():
        default, meaning = table[variable]
        value = getattr(defaults, name)
        assert meaning, f"{variable} has no meaning in the README's table"
        assert documented_default(value) in default, f"{variable}: README {default!r}, config {value!r}"


def test_links_of_the_readme_and_docs_lead_to_files() -> None:
    pages = [README, *sorted((REPO_ROOT / "docs").glob("*.md"))]
    broken = [
        f"{page.relative_to(REPO_ROOT)}: {target}"
        for page in pages
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
        if not (page.parent / target).exists()
    ]
    assert not broken, "links to nothing:\n" + "\n".join(broken)
