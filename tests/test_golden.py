"""Golden output: tests/fixtures/archive, built cold with search off, must give
exactly the files under tests/golden/archive, byte for byte.

The other tests compare builds with each other or look for particular values;
this one catches any change to any output file, including one every build
makes the same way. When a change is intended, refresh the tree with

    python -m pytest tests/test_golden.py --update-golden

and review `git diff tests/golden` like code: it goes in the same commit as
the change that caused it.

The build reads no clock (no build time appears in the output), so no
SOURCE_DATE_EPOCH is set: a change that made the output depend on the clock
would show here as a difference on the next run.
"""
from __future__ import annotations

import difflib
import shutil

import pytest

from conftest import REPO, read_tree

GOLDEN = REPO / "tests" / "golden" / "archive"
REFRESH = "python -m pytest tests/test_golden.py --update-golden"
DIFFS_SHOWN, DIFF_LINES = 3, 40


def test_fixture_archive_builds_exactly_the_golden_tree(fixture_build, request):
    built = read_tree(fixture_build)
    if request.config.getoption("--update-golden"):
        changes = golden_changes(read_tree(GOLDEN) if GOLDEN.is_dir() else {}, built)
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(fixture_build, GOLDEN)
        pytest.skip(f"rewrote {GOLDEN.relative_to(REPO)} ({changes or 'no change'}); "
                    "review `git diff tests/golden` and commit it with the change that caused it")
    assert GOLDEN.is_dir(), f"{GOLDEN} is missing: create it with `{REFRESH}`"
    golden = read_tree(GOLDEN)
    if built != golden:
        pytest.fail(difference_report(golden, built), pytrace=False)


def golden_changes(golden: dict[str, bytes], built: dict[str, bytes]) -> str:
    changed = sum(1 for name in golden.keys() & built.keys() if golden[name] != built[name])
    added, removed = len(built.keys() - golden.keys()), len(golden.keys() - built.keys())
    counts = [(changed, "changed"), (added, "added"), (removed, "removed")]
    return ", ".join(f"{count} {what}" for count, what in counts if count)


def difference_report(golden: dict[str, bytes], built: dict[str, bytes]) -> str:
    """Which files differ, and a unified diff of the first few."""
    changed = sorted(name for name in golden.keys() & built.keys() if golden[name] != built[name])
    only_built, only_golden = sorted(built.keys() - golden.keys()), sorted(golden.keys() - built.keys())
    lines = [f"the build of tests/fixtures/archive differs from tests/golden/archive: "
             f"{golden_changes(golden, built)}"]
    for title, names in (("changed", changed), ("only in the build", only_built),
                         ("only in tests/golden/archive", only_golden)):
        if names:
            lines.append(f"{title}: {', '.join(names[:10])}" + (f" and {len(names) - 10} more" if len(names) > 10 else ""))
    for name in changed[:DIFFS_SHOWN]:
        lines += file_diff(name, golden[name], built[name])
    lines.append(f"If the change is intended, refresh the golden tree with `{REFRESH}` "
                 "and review `git diff tests/golden`.")
    return "\n".join(lines)


def file_diff(name: str, old: bytes, new: bytes) -> list[str]:
    try:
        old_text, new_text = old.decode("utf-8"), new.decode("utf-8")
    except UnicodeDecodeError:
        return [f"{name}: binary, {len(old)} bytes -> {len(new)} bytes"]
    diff = list(difflib.unified_diff(old_text.splitlines(), new_text.splitlines(),
                                     f"tests/golden/archive/{name}", f"built/{name}", lineterm="", n=2))
    if len(diff) > DIFF_LINES:
        diff = diff[:DIFF_LINES] + [f"... {len(diff) - DIFF_LINES} more diff lines"]
    return diff or [f"{name}: differs only in line endings or a final newline"]

