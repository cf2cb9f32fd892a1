"""Shared helpers: write small archives under tmp_path, build them, read trees;
the session's shared builds (`sample_build`, `sample_build_under_sub_path`,
`fixture_build`), which tests only read; the
`--update-golden` option (see tests/test_golden.py) and the `slow` marker."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUILD_PY = REPO / "build.py"
THEME = REPO / "dateline" / "theme"
FIXTURE_ARCHIVE = REPO / "tests" / "fixtures" / "archive"


# Modules that take a minute or more, collected first. The README's command runs
# the suite on two workers a file at a time (`-n 2 --dist loadfile
# --no-loadscope-reorder`), in this order: the long modules start at once and
# both workers end on short ones, instead of one long module running alone at
# the end.
LONG_MODULES = ("test_concurrency.py", "test_incremental.py", "test_hostile.py", "test_crash.py",
                "test_languages.py")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.path.name not in LONG_MODULES)    # stable: the rest keep their order


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current build instead of comparing with it")

MINIMAL_SITE_YAML = """\
title: Test Wire
base_url: https://example.org/
timezone: Europe/London
per_page: 2
feed_items: 5
"""


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return root


def make_project(root: Path, articles: dict[str, str], site_yaml: str = MINIMAL_SITE_YAML) -> Path:
    """A project under root: site.yaml and the given content files (the packaged theme does the rest)."""
    write_tree(root, {"site.yaml": site_yaml, **{f"content/{name}": text for name, text in articles.items()}})
    return root


def override_template(root: Path, name: str, edit) -> Path:
    """Give the project its own `layouts/NAME`: `edit(text)` of the one it has, else
    of the packaged theme's."""
    target = root / "layouts" / name
    source = target if target.is_file() else THEME / name
    text = edit(source.read_text(encoding="utf-8"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def copy_sample_project(root: Path) -> Path:
    """The bundled sample archive, copied so the build's cache stays under tmp_path."""
    for name in ("content", "layouts", "static"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    return root


def run_build(root: Path, *args: str, env: dict | None = None, out: Path | None = None) -> subprocess.CompletedProcess:
    """Run build.py (or `build.py COMMAND` when args start with a command) on a project."""
    args = list(args)
    command = [sys.executable, str(BUILD_PY)]
    if args and args[0] in ("build", "check", "new", "import", "serve"):
        command.append(args.pop(0))
    command += ["--root", str(root)]
    if out is not None:
        command += ["--out", str(out)]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(command + args, capture_output=True, text=True, env=full_env, cwd=root)


def read_tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


# Files allowed to differ between two identical builds: none. Pagefind writes
# its filter and metadata indexes in hash-map order, but dateline/search_bundle.py
# sorts them and renames them after their bytes (docs/decisions.md), so the
# search files are compared like every other file. The pattern matches nothing.
UNSTABLE_SEARCH_FILES = re.compile(r"(?!)")


def stable_tree(folder: Path) -> dict[str, bytes]:
    """read_tree without the files allowed to differ between identical builds (none)."""
    return {name: data for name, data in read_tree(folder).items() if not UNSTABLE_SEARCH_FILES.match(name)}


def article(title: str = "A story", published: str = "2025-10-25T09:28:00+05:30", extra: str = "",
            body: str = "Body text.\n", author: str = "Jane Doe") -> str:
    return f"---\ntitle: {title}\nauthor: {author}\npublished: {published}\n{extra}---\n{body}"


def build_fixture_archive(root: Path, out: Path, *args: str) -> Path:
    """A cold build of a copy of tests/fixtures/archive (with the packaged theme) into out."""
    shutil.copytree(FIXTURE_ARCHIVE, root)
    result = run_build(root, "--no-cache", "--jobs", "1", *args, out=out)
    assert result.returncode == 0, result.stderr
    return out


# The environment of sample_build, fixed so that a test can compare it with a
# build made under another hash seed, zone and epoch.
# The epoch is "now" for embargoes: after every sample story, so all are due.
SAMPLE_BUILD_ENV = {"PYTHONHASHSEED": "1", "TZ": "UTC", "SOURCE_DATE_EPOCH": "1800000000"}


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The sample archive built once with default settings (--jobs 1, in
    SAMPLE_BUILD_ENV); returns the output folder. Tests only read it."""
    root = copy_sample_project(tmp_path_factory.mktemp("sample"))
    result = run_build(root, "--jobs", "1", env=SAMPLE_BUILD_ENV)
    assert result.returncode == 0, result.stderr
    return root / "site"


@pytest.fixture(scope="session")
def sample_run_under_sub_path(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The sample archive built once (default settings, search on) for
    https://example.org/news/; returns the output folder and the finished
    build.py run, for tests of what it said. Tests only read them."""
    root = copy_sample_project(tmp_path_factory.mktemp("sample-news"))
    result = run_build(root, "--base-url", "https://example.org/news/")
    assert result.returncode == 0, result.stderr
    return root / "site", result


@pytest.fixture(scope="session")
def sample_build_under_sub_path(sample_run_under_sub_path) -> Path:
    """The output folder of `sample_run_under_sub_path`. Tests only read it."""
    return sample_run_under_sub_path[0]


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory) -> Path:
    """tests/fixtures/archive built once with search off (the golden output's build);
    returns the output folder. Tests only read it."""
    base = tmp_path_factory.mktemp("fixture")
    return build_fixture_archive(base / "project", base / "site", "--no-search")
