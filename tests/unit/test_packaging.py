"""A non-editable install (a wheel, as a container without `pip install -e` gets) ships every file
the code reads: the templates, static files, statements, translations and the knowledge files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from bot.config import REPO_ROOT


def tracked_data_files() -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files", "bot", "actions"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {path for path in listed if not path.endswith(".py")}


def test_the_wheel_holds_every_file_of_the_packages(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(REPO_ROOT / "pyproject.toml", source)
    for package in ("bot", "actions"):
        shutil.copytree(REPO_ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            tmp_path,
            source,
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    assert tracked_data_files() - shipped == set()
