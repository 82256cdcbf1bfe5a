"""A non-editable install (a wheel, as deploy/Dockerfile installs it) ships every file the code
reads: the templates, static files, statements, translations and the knowledge files; and, run
outside the checkout, it serves the page and the desk in both languages and answers from its
knowledge file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot import services
from bot.config import REPO_ROOT


def tracked_data_files() -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files", "bot", "actions"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {path for path in listed if not path.endswith(".py")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the packages (nothing of the checkout beside them)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    shutil.copy(REPO_ROOT / "pyproject.toml", source)
    for package in ("bot", "actions"):
        shutil.copytree(REPO_ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*pip, "-w", work, source], check=True, capture_output=True)
    [built] = work.glob("*.whl")
    return built


def test_the_wheel_holds_every_file_of_the_packages(wheel):
    shipped = set(zipfile.ZipFile(wheel).namelist())
    assert tracked_data_files() - shipped == set()


# Run in a project directory as deploy/Dockerfile's /app, with the installed packages first on the
# path: the page, a static file, the Dutch page, the desk's sign-in and an answer's fact.
INSTALLED_RUN = """
import json, pathlib, sys
import bot
from bot import services
from bot.config import REPO_ROOT, settings_from
from bot.site import create_app
from bot.tickets.database import upgrade_database

here = pathlib.Path.cwd()
url = f"sqlite:///{here / 'desk.db'}"
upgrade_database(url)
app = create_app(settings_from({"ALMERE_DATABASE_URL": url, "ALMERE_SECRET_KEY": "k"}))
client = app.test_client()
pages = {path: client.get(path) for path in ["/", "/static/web.css", "/?lang=nl", "/desk/login"]}
LANGS = ["/", "/?lang=nl"]
print(json.dumps({
    "package": str(pathlib.Path(bot.__file__).resolve().parent),
    "project": str(REPO_ROOT),
    "status": {path: page.status_code for path, page in pages.items()},
    "lang": {path: pages[path].get_data(as_text=True).split("<html lang=")[1][1:3] for path in LANGS},
    "answer": services.knowledge().answer("population"),
}))
"""


def test_an_installed_wheel_serves_the_page_and_the_desk_outside_the_checkout(wheel, tmp_path):
    installed, project = tmp_path / "site-packages", tmp_path / "app"
    project.mkdir()
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile"]
    subprocess.run([*pip, "--target", installed, wheel], check=True, capture_output=True)
    for name in ("alembic.ini", "migrations", "domain.yml", "data", "actions"):  # as in the image's /app
        (project / name).symlink_to(REPO_ROOT / name)
    run = subprocess.run(
        [sys.executable, "-c", INSTALLED_RUN],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert Path(result["package"]) == installed / "bot" and Path(result["project"]) == project
    assert result["status"] == {"/": 200, "/static/web.css": 200, "/?lang=nl": 200, "/desk/login": 200}
    assert result["lang"] == {"/": "en", "/?lang=nl": "nl"}
    assert result["answer"] == services.knowledge().answer("population")
