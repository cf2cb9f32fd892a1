"""Progress on long runs when a person watches a terminal; quiet in CI and pipes."""
from __future__ import annotations

import os
import pty
import subprocess
import sys

from conftest import BUILD_PY, copy_sample_project


def build_on_a_terminal(root, env: dict) -> tuple[str, str]:
    """Run a cold build with stderr on a pseudo-terminal; (terminal text, stdout)."""
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, str(BUILD_PY), "--root", str(root), "--no-cache", "--jobs", "1"],
                               stdout=subprocess.PIPE, stderr=slave, env=env, cwd=root)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:   # the terminal closed with the process
            break
        if not data:
            break
        chunks.append(data)
    stdout = process.stdout.read().decode()
    process.wait(timeout=60)
    os.close(master)
    assert process.returncode == 0
    return b"".join(chunks).decode(errors="replace"), stdout


def test_a_terminal_gets_a_progress_bar_and_ci_does_not(tmp_path):
    root = copy_sample_project(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    terminal, stdout = build_on_a_terminal(root, env)
    assert "reading and converting" in terminal and "rendering" in terminal
    assert stdout.startswith("built ")
    terminal, stdout = build_on_a_terminal(root, {**env, "CI": "true"})
    assert terminal == "" and stdout.startswith("built ")
