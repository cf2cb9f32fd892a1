"""The output folder: the build replaces only a folder it made, and fails whole.

Each case is one a hurried editor or a hostile contributor can type: `--out` at a
folder holding other files, at the project's own folders, at a file; `site/` as a
symbolic link; a stray file dropped into `site/`; a full or read-only disk.
Every failure is one line (never a traceback), and the files around are untouched.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import article, make_project, read_tree, run_build, write_tree

ARTICLES = {"2025/10/first.md": article("First story"), "2025/10/second.md": article("Second story",
                                                                                     "2025-10-26T08:00:00+05:30")}


def _tree_with_stat(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {name: (data, (folder / name).stat().st_ino) for name, data in read_tree(folder).items()}


def _assert_one_line_error(result: subprocess.CompletedProcess, status: int, *words: str) -> str:
    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", ARTICLES)


def test_out_at_a_folder_holding_other_files_is_refused_and_untouched(project: Path, tmp_path: Path):
    elsewhere = write_tree(tmp_path / "elsewhere", {"docs/thesis.txt": "precious\n", "notes.md": "mine\n"})
    before = read_tree(elsewhere)
    result = run_build(project, "--no-search", out=elsewhere)
    line = _assert_one_line_error(result, 1, str(elsewhere), "docs/", "not made by dateline")
    assert "choose a new or empty folder" in line
    assert read_tree(elsewhere) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "project"]   # no staging folder left


@pytest.mark.parametrize("target", [".", "content", "content/2025", "layouts", "static", "static/media",
                                    ".dateline-cache", ".."])
def test_out_at_the_projects_own_folders_is_a_usage_error(project: Path, target: str):
    write_tree(project, {"static/media/logo.txt": "logo\n"})
    before = read_tree(project.parent)
    result = run_build(project, "--no-search", out=project / target)
    _assert_one_line_error(result, 2, "--out")
    assert read_tree(project.parent) == before


def test_out_naming_a_file_is_refused_and_the_file_untouched(project: Path, tmp_path: Path):
    file = write_tree(tmp_path, {"report.pdf": "not a folder\n"}) / "report.pdf"
    result = run_build(project, "--no-search", out=file)
    _assert_one_line_error(result, 2, str(file), "is a file")
    assert file.read_text() == "not a folder\n"


def test_out_at_an_empty_folder_builds_into_it(project: Path, tmp_path: Path):
    empty = tmp_path / "public"
    empty.mkdir()
    result = run_build(project, "--no-search", out=empty)
    assert result.returncode == 0, result.stderr
    assert (empty / "2025/10/25/first/index.html").is_file()
    assert (empty / ".dateline-site").is_file()


def test_a_symlinked_site_folder_is_followed_on_every_build(project: Path, tmp_path: Path):
    real = tmp_path / "served"
    real.mkdir()
    (project / "site").symlink_to(real, target_is_directory=True)
    for number in range(3):
        write_tree(project, {"content/2025/10/first.md": article(f"First story, take {number}")})
        result = run_build(project, "--no-search")
        assert result.returncode == 0, result.stderr
        assert (project / "site").is_symlink()
        assert Path(os.path.realpath(project / "site")) == real
        assert f"First story, take {number}" in (real / "2025/10/25/first/index.html").read_text()
    assert not (project / ".site.staging").exists()     # staged beside the real folder, not the link


def test_a_stray_file_in_site_stops_the_build_and_is_kept(project: Path):
    assert run_build(project, "--no-search").returncode == 0
    site = project / "site"
    write_tree(site, {"notes/todo.txt": "call the mayor\n", "stray.html": "<p>mine</p>\n"})
    before = _tree_with_stat(site)
    write_tree(project, {"content/2025/10/first.md": article("First story, edited")})
    for _ in range(2):      # the no-change build too: the stray file is never published or swapped away
        result = run_build(project, "--no-search")
        line = _assert_one_line_error(result, 1, "notes/", "stray.html", "static/")
        assert "did not make" in line
        assert _tree_with_stat(site) == before
    (site / "stray.html").unlink()
    shutil.rmtree(site / "notes")
    result = run_build(project, "--no-search")
    assert result.returncode == 0, result.stderr
    assert "First story, edited" in (site / "2025/10/25/first/index.html").read_text()


def test_after_every_build_site_holds_exactly_what_the_build_made(project: Path):
    """Builds alternate between the published folder and the spare: whichever is
    published holds the build's files and nothing else."""
    expected = None
    for number in range(4):
        result = run_build(project, "--no-search")
        assert result.returncode == 0, result.stderr
        tree = read_tree(project / "site")
        expected = expected or tree
        assert tree == expected, number


# -- full and read-only disks ---------------------------------------------------------

def _mount_tmpfs(folder: Path, size: str) -> None:
    folder.mkdir(parents=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", f"dateline-{uuid.uuid4().hex[:8]}",
                             str(folder)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {result.stderr.strip()}")


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 1 MiB file system (root only: CI runs as root)."""
    mount = tmp_path / "disk"
    _mount_tmpfs(mount, "1m")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_while_staging_is_one_line_and_keeps_the_site(project: Path, small_disk: Path):
    out = small_disk / "site"
    assert run_build(project, "--no-search", out=out).returncode == 0
    before = _tree_with_stat(out)
    write_tree(project, {"content/2025/10/first.md": article("First story", body="Long report. " * 200_000)})
    result = run_build(project, "--no-search", out=out)
    line = _assert_one_line_error(result, 1, "No space left on device", "free some space")
    assert "published site was left as it was" in line
    assert _tree_with_stat(out) == before
    assert not (small_disk / ".site.staging").exists() or not any((small_disk / ".site.staging").rglob("*.html"))


def test_a_read_only_output_disk_is_one_line_and_keeps_the_site(project: Path, small_disk: Path):
    out = small_disk / "site"
    assert run_build(project, "--no-search", out=out).returncode == 0
    before = _tree_with_stat(out)
    write_tree(project, {"content/2025/10/first.md": article("First story, edited")})
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        result = run_build(project, "--no-search", out=out)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    _assert_one_line_error(result, 1, "Read-only file system", "--out")
    assert _tree_with_stat(out) == before
