"""A build killed with SIGKILL at any moment leaves the previous site complete:
the output folder is always exactly the old site or exactly the new one."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from conftest import BUILD_PY, article, make_project, run_build, stable_tree

PARAGRAPH = ("Officials said the talks would resume on Thursday after a day of consultations, "
             "and that a joint statement was expected before the end of the week. ") * 6


def archive(edition: str, count: int = 300) -> dict[str, str]:
    files = {}
    for number in range(count):
        month, day = 1 + number % 12, 1 + number % 28
        body = f"## Background\n\n{PARAGRAPH}\n\n> A quote from edition {edition}.\n\n" + (PARAGRAPH + "\n\n") * 4
        files[f"2024/{month:02d}/story-{number}.md"] = article(
            f"Story {number} ({edition})", f"2024-{month:02d}-{day:02d}T{number % 24:02d}:00:00+00:00",
            extra=f"tags: [t{number % 7}, t{number % 5}]\nlocation: City {number % 9}\n", body=body)
    return files


@pytest.mark.slow
def test_sigkill_at_any_point_leaves_old_or_new_site(tmp_path):
    root = make_project(tmp_path / "project", archive("first"))
    assert run_build(root, "--jobs", "1").returncode == 0
    old = stable_tree(root / "site")
    make_project(root, archive("second"))
    # A cold build of the second edition elsewhere: how long a build takes, and
    # the new site (the same bytes whatever the output folder).
    started = time.perf_counter()
    full = run_build(root, "--jobs", "1", "--no-cache", out=tmp_path / "reference")
    duration = time.perf_counter() - started
    assert full.returncode == 0, full.stderr
    new = stable_tree(tmp_path / "reference")
    assert new != old
    outcomes = []
    for fraction in (0.05, 0.2, 0.4, 0.6, 0.8, 0.9, 0.97):
        process = subprocess.Popen([sys.executable, str(BUILD_PY), "--root", str(root), "--jobs", "1", "--no-cache"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait()
        tree = stable_tree(root / "site")
        assert tree in (old, new), f"site/ is neither the old nor the new site after a kill at {fraction:.0%}"
        outcomes.append("new" if tree == new else "old")
        if tree == new:
            break
    assert "old" in outcomes, "no kill landed before the swap: the test proved nothing"
    assert run_build(root, "--jobs", "1").returncode == 0
    assert stable_tree(root / "site") == new
    assert not (root / ".site.old").exists()
