"""What an incremental build takes on trust from file stats, and what it must still see.

A source or static file whose stat signature (size, mtime, ctime, inode) is
unchanged is not read again, and a build whose every input is unchanged
answers from the cache without reading any; the published site is checked by
its files' identities and its folders' mtimes instead of a walk. Each test
here is a change those shortcuts could miss. Files changed in the last two
seconds are never trusted (content.RACY_NS), so each project is left to age
that long before the builds that matter.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import article, make_project, run_build, write_tree
from dateline import content, pipeline
from dateline.cache import open_store
from dateline.config import load_config
from dateline.pipeline import BuildOptions, build

FIRST = "content/2025/10/first.md"
FIRST_PAGE = "site/2025/10/25/first/index.html"
LATER = "content/2025/11/later.md"
LATER_PAGE = "site/2025/11/20/later/index.html"


def _age(root: Path) -> None:
    """Wait until every file under root is old enough for its signature to be trusted."""
    time.sleep(content.RACY_NS / 1e9 + 0.2)


def _ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def _new_project(root: Path) -> Path:
    root = make_project(root, {
        "2025/10/first.md": article("First story", body="The original body.\n"),
        "2025/11/later.md": article("Later story", "2025-11-20T06:00:00+00:00"),
    })
    write_tree(root, {"static/notes.txt": "original notes\n"})
    return root


AGED_PROJECTS = 4    # the tests below that take `project`


@pytest.fixture(scope="module")
def aged_projects(tmp_path_factory) -> list[Path]:
    """A fresh project for each test that takes `project`, all written first
    and aged together: one wait for the module instead of one per test."""
    base = tmp_path_factory.mktemp("unchanged")
    roots = [_new_project(base / f"project-{number}") for number in range(AGED_PROJECTS)]
    _age(base)
    return roots


@pytest.fixture
def project(aged_projects: list[Path], tmp_path: Path) -> Path:
    """A project no other test has used, its files old enough to be trusted."""
    if aged_projects:
        return aged_projects.pop(0)
    root = _new_project(tmp_path / "project")     # more tests than AGED_PROJECTS
    _age(root)
    return root


def _edit_keeping_stat(path: Path, old: str, new: str) -> None:
    """Rewrite the file in place with the same size and the same mtime (as
    `touch -r` or an editor that restores times would): only ctime moves."""
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    assert len(old) == len(new) and old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns


def test_an_edit_that_keeps_size_and_mtime_is_still_built(project: Path):
    _ok(run_build(project, "--no-search"))
    assert "unchanged" in _ok(run_build(project, "--no-search"))
    _edit_keeping_stat(project / FIRST, "The original body.", "The replaced body.")
    _edit_keeping_stat(project / "static/notes.txt", "original", "replaced")
    _age(project)
    out = _ok(run_build(project, "--no-search"))
    assert "The replaced body." in (project / FIRST_PAGE).read_text(encoding="utf-8"), out
    assert (project / "site/notes.txt").read_text() == "replaced notes\n"


def test_a_file_dropped_into_a_published_folder_stops_an_unchanged_build(project: Path):
    _ok(run_build(project, "--no-search"))
    _ok(run_build(project, "--no-search"))
    stray = project / "site/2025/10/25/first/notes.txt"
    stray.write_text("mine\n")
    result = run_build(project, "--no-search")
    assert result.returncode == 1
    assert "2025/10/25/first/notes.txt" in result.stderr and "did not make" in result.stderr
    assert stray.read_text() == "mine\n"
    stray.unlink()
    _ok(run_build(project, "--no-search"))


def test_a_published_file_changed_by_hand_is_made_again(project: Path):
    _ok(run_build(project, "--no-search"))
    page = project / FIRST_PAGE
    before = page.read_bytes()
    page.write_bytes(before.replace(b"First story", b"Tampered!!!"))
    out = _ok(run_build(project, "--no-search"))
    assert page.read_bytes() == before, out


def test_a_story_coming_due_is_published_though_no_file_changed(project: Path):
    _ok(run_build(project, "--no-search", "--now", "2025-11-01T00:00:00+00:00"))
    assert not (project / LATER_PAGE).exists()
    assert "1 scheduled" in _ok(run_build(project, "--no-search", "--now", "2025-11-02T00:00:00+00:00"))
    _ok(run_build(project, "--no-search", "--now", "2025-11-21T00:00:00+00:00"))
    assert (project / LATER_PAGE).is_file()
    # And back: a clock set before the story leaves it out again.
    _ok(run_build(project, "--no-search", "--now", "2025-11-01T00:00:00+00:00"))
    assert not (project / LATER_PAGE).exists()


def _unchanged_answer(root: Path):
    """What the next build into root/site would answer without building (None: it builds)."""
    config, problems = load_config(root)
    assert config is not None, problems
    options = BuildOptions(out_dir=root / "site")
    store = open_store(config.cache_dir, True)
    try:
        scan = content.scan_sources(config.root, config.content_dir)
        last = pipeline.last_inputs(options, store)
        recent = [path for path in last.get("recent", ()) if path in scan.signatures]
        key = pipeline.inputs_signature(pipeline.settings_signature(config, options), scan,
                                        pipeline.source_digests(config, recent))
        return last, pipeline.unchanged_report(options, store, last, key)
    finally:
        store.close()


def test_sources_written_just_before_a_build_are_compared_by_their_bytes_next_time(tmp_path: Path):
    root = make_project(tmp_path / "project", {})
    _age(root)
    write_tree(root, {FIRST: article("First story", body="The original body.\n")})   # too recent to trust
    config, _ = load_config(root)
    assert build(config, BuildOptions(out_dir=root / "site")).written
    last, answer = _unchanged_answer(root)
    assert last["recent"] == [FIRST]
    assert answer is not None and answer.articles == 1 and answer.written == 0
    (root / FIRST).write_text(article("First story", body="The replaced body.\n"), encoding="utf-8")
    assert _unchanged_answer(root)[1] is None
