"""The wheel works without the repository: built from a copy of the package's
sources, installed into a fresh virtual environment, `dateline init x && cd x
&& dateline` builds a site in an empty folder.

The environment sees the system's site-packages so the dependencies (and pip)
need no download, but dateline itself must come from the wheel: the test checks that
`dateline.__file__` is inside the environment, and runs with no PYTHONPATH
and outside the repository."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO
from dateline import __version__

THEME_FILES = ("dateline/theme/base.html", "dateline/theme/article.html", "dateline/theme/partials/site-nav.html",
               "dateline/theme/search.js", "dateline/theme/static/css/site.css", "dateline/theme/static/favicon.svg")


def clean_env() -> dict[str, str]:
    """The environment a user's shell would have: no PYTHONPATH pointing at a checkout."""
    return {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "PYTHONHOME")}


def run(command: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=clean_env(), timeout=timeout)
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result


def test_the_wheel_alone_starts_and_builds_a_project(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "dateline", source / "dateline", ignore=shutil.ignore_patterns("__pycache__"))
    run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet", "-w", str(tmp_path / "dist")],
        cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("dateline-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert set(THEME_FILES) <= names
    assert not any(name.startswith(("tests/", "layouts/", "content/")) for name in names)

    venv = tmp_path / "venv"
    # No pip of its own (seeding one takes longer than the rest of the test): the
    # environment's python runs the system's pip, which installs into the environment.
    run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], cwd=tmp_path)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)], cwd=tmp_path)

    empty = tmp_path / "empty"
    empty.mkdir()
    where = run([str(python), "-c", "import dateline; print(dateline.__file__)"], cwd=empty).stdout.strip()
    assert Path(where).resolve().is_relative_to(venv.resolve()), where
    assert run([str(bin_dir / "dateline"), "--version"], cwd=empty).stdout == f"dateline {__version__}\n"

    run([str(bin_dir / "dateline"), "init", "x"], cwd=empty)
    built = run([str(bin_dir / "dateline")], cwd=empty / "x")
    assert "built " in built.stdout and "(1 article, " in built.stdout
    site = empty / "x" / "site"
    assert "Newsroom opens its story archive to readers" in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "css/site.css").read_bytes() == (REPO / "dateline/theme/static/css/site.css").read_bytes()
    assert (site / "pagefind").is_dir()
