"""The machine and the code version a report names."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from measure import machine

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def test_outside_a_git_repository_the_commit_is_unknown(tmp_path):
    assert machine.git_commit(tmp_path) == "unknown"


def test_without_git_the_commit_is_unknown(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on it
    assert machine.git_commit(tmp_path) == "unknown"


def git(root, *arguments):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *arguments],
        cwd=root,
        check=True,
        capture_output=True,
    )


@needs_git
def test_the_commit_notes_uncommitted_changes_and_new_files(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / "a.py").write_text("A = 1\n")
    git(tmp_path, "add", "a.py")
    git(tmp_path, "commit", "-q", "-m", "first")
    clean = machine.git_commit(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{7,}", clean)
    (tmp_path / "b.py").write_text("B = 2\n")  # a new file that is not committed is measured too
    assert machine.git_commit(tmp_path) == f"{clean} (with uncommitted changes)"


def test_the_facts_of_a_report_header():
    facts = machine.facts()
    assert list(facts) == ["CPU", "cores", "RAM", "OS", "Python", "Rasa", "Sanic"]
    assert int(facts["cores"]) >= 1
    assert re.fullmatch(r"3\.6\.\d+", facts["Rasa"])  # the installed version, not a placeholder
    assert machine.package_version("no-such-package-here") == "not installed"


def test_the_one_line_summary(monkeypatch):
    monkeypatch.setattr(machine, "usable_cpus", lambda: 3)
    monkeypatch.setattr(machine, "cpu_model", lambda: "Test CPU")
    monkeypatch.setattr(machine, "memory_gib", lambda: 15.6)
    monkeypatch.setattr(machine.os, "getloadavg", lambda: (1.0, 0.5, 0.25))
    line = machine.summary()
    assert line.startswith(
        "3 CPUs (Test CPU); 16 GiB RAM; load average 1.00 / 0.50 / 0.25 (1/5/15 min) at the start; "
    )
    assert line.endswith(f"Python {machine.platform.python_version()}")
