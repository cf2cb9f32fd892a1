"""Shared helpers: write small archives under tmp_path, build them, read trees."""
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


def copy_layouts(root: Path) -> None:
    shutil.copytree(REPO / "layouts", root / "layouts", dirs_exist_ok=True)


def make_project(root: Path, articles: dict[str, str], site_yaml: str = MINIMAL_SITE_YAML) -> Path:
    """A project under root: site.yaml, the repo's layouts and the given content files."""
    write_tree(root, {"site.yaml": site_yaml, **{f"content/{name}": text for name, text in articles.items()}})
    copy_layouts(root)
    return root


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


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The sample archive built once with default settings; returns the output folder."""
    root = copy_sample_project(tmp_path_factory.mktemp("sample"))
    result = run_build(root, "--jobs", "1")
    assert result.returncode == 0, result.stderr
    return root / "site"
