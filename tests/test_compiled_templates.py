"""Compiled templates are kept in the build cache between builds
(pages.CompiledTemplates): a kept one is used only while its template's source
is the same, and a damaged or unwritable cache folder is no cache, not a
failed build."""
from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURE_ARCHIVE, override_template, run_build


def build(root: Path) -> str:
    result = run_build(root, "--no-search")
    assert result.returncode == 0, result.stderr
    return (root / "site" / "index.html").read_text(encoding="utf-8")


def test_kept_templates_are_used_and_an_edit_is_not_missed(tmp_path: Path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE_ARCHIVE, root)
    first = build(root)
    kept = sorted((root / ".dateline-cache" / "templates").glob("*.cache"))
    assert len(kept) >= 8, kept      # the pages' templates and the partials they include
    override_template(root, "list.html", lambda text: text.replace("</h1>", "</h1><p>Edited list</p>", 1))
    edited = build(root)
    assert "<p>Edited list</p>" in edited and "<p>Edited list</p>" not in first


def test_a_damaged_cache_file_is_compiled_again(tmp_path: Path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE_ARCHIVE, root)
    first = build(root)
    for path in (root / ".dateline-cache" / "templates").glob("*.cache"):
        path.write_bytes(path.read_bytes()[:40])
    (root / "site" / "index.html").unlink()     # a page to render again
    (root / "content" / "2025" / "market-rally.md").touch()
    assert build(root) == first


def test_a_cache_folder_that_cannot_be_written_is_no_cache(tmp_path: Path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE_ARCHIVE, root)
    (root / ".dateline-cache").mkdir()
    (root / ".dateline-cache" / "templates").write_text("not a folder", encoding="utf-8")
    assert "<h1" in build(root)
