"""The tests read the knowledge file's figures and the desk's phone numbers instead of copying
them: a figure changed in bot/knowledge.yml changes for every test, and a test still fails when an
answer shows another one. A test of formatting itself uses a number of its own, not one of the
file's."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from bot.knowledge import Knowledge
from evaluation.classify import figure_patterns

TESTS = Path(__file__).parents[1]
TEXT_FILES = {".py", ".yml", ".yaml", ".tsv", ".txt", ".json", ".md", ".html", ".js", ".css"}
NOT_OURS = {"vendor", "screenshots", "__pycache__"}  # third-party code and what the tests write
# Test data that may write one, and why.
ALLOWED = {
    "unit/insights/masking_cases.tsv": "what people typed: the desk's number, kept by the masking",
}


def copyable_figures(knowledge: Knowledge) -> dict[str, re.Pattern[str]]:
    """Each figure as a test could copy it: as the answers print it in each language (each with
    its thousands separator, a small number with the word that makes it a figure, a date as it
    is), and a value of five digits or more without separators (a shorter one is as likely a
    duration or a year of its own); and the desk's phone numbers."""
    patterns = dict(figure_patterns(knowledge))
    for fact in knowledge.facts.values():
        if fact.value >= 10_000:
            patterns[str(fact.value)] = re.compile(rf"(?<![\w,.]){fact.value}(?![\w]|[,.]\d)")
    for phone in (knowledge.contact.phone, knowledge.contact.phone_abroad):
        patterns[phone] = re.compile(r"(?<![\w+])" + re.escape(phone).replace(r"\ ", r"\s+") + r"(?!\w)")
    return patterns


def text_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.suffix in TEXT_FILES and not NOT_OURS & set(path.relative_to(root).parts):
            yield path


def copied_figures(path: Path, patterns: Mapping[str, re.Pattern[str]]) -> list[str]:
    """``file:line: figure`` for each figure of the knowledge file written in ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        f"{path}:{number}: {figure}"
        for number, line in enumerate(lines, 1)
        for figure, pattern in patterns.items()
        if pattern.search(line)
    ]


def test_no_test_writes_a_figure_of_the_knowledge_file(knowledge):
    patterns = copyable_figures(knowledge)
    copies = [
        copy
        for path in text_files(TESTS)
        if path.relative_to(TESTS).as_posix() not in ALLOWED
        for copy in copied_figures(path, patterns)
    ]
    assert copies == [], "read these from the knowledge file (support.figure, support.desk_phone)"


def test_every_allowed_file_exists_and_writes_one(knowledge):
    patterns = copyable_figures(knowledge)
    for name in ALLOWED:
        assert copied_figures(TESTS / name, patterns), f"{name} no longer needs its place in ALLOWED"


def test_the_scanner_finds_a_copied_figure_in_any_of_its_forms(knowledge, tmp_path):
    facts = knowledge.facts
    train = f"{facts['train_to_schiphol_min'].formatted('nl')} minuten"
    copied = tmp_path / "test_copied.py"
    copied.write_text(
        f'assert "{facts["companies"].formatted()}" in reply\n'
        f'assert "{facts["inhabitants"].formatted("nl")}" in antwoord\n'
        f'expected = "{train}"\n'
        f"value = {facts['jobs'].value}\n"
        f'call = "call {knowledge.contact.phone_abroad} now"\n'
        'assert figure("companies") in reply  # read, not copied\n',
        encoding="utf-8",
    )
    found = copied_figures(copied, copyable_figures(knowledge))
    assert [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in found] == ["1", "2", "3", "4", "5"]
    assert list(text_files(tmp_path)) == [copied]


def test_the_scanner_leaves_other_numbers_and_third_party_files_alone(knowledge, tmp_path):
    inhabitants = knowledge.facts["inhabitants"].formatted()
    other = tmp_path / "test_other.py"
    other.write_text(
        f'masked = "1{inhabitants}", "{inhabitants}1", "12,345", "192.0.2.1"\n', encoding="utf-8"
    )
    assert copied_figures(other, copyable_figures(knowledge)) == []
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "library.js").write_text(f"// {inhabitants}\n", encoding="utf-8")
    assert list(text_files(tmp_path)) == [other]
