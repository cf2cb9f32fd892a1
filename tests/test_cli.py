"""Command-line conventions: --version, `help [command]`, usage lines that name
the program as it was run, and `serve --bind`."""
from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import BUILD_PY, REPO, article, make_project
from dateline import __version__
from dateline.server import serve


def run(script: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(script), *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ})


@pytest.fixture
def dateline_script(tmp_path) -> Path:
    """A script called `dateline`, as the installed console script is: argv[0] ends in `dateline`."""
    script = tmp_path / "bin" / "dateline"
    script.parent.mkdir()
    script.write_text(f"import sys\nsys.path.insert(0, {str(REPO)!r})\n"
                      "from dateline.cli import main\nsys.exit(main())\n")
    return script


def test_version(tmp_path):
    result = run(BUILD_PY, "--version", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"dateline {__version__}\n")


def test_usage_names_the_program_as_it_was_run(tmp_path, dateline_script):
    as_installed = run(dateline_script, "--help", cwd=tmp_path)
    assert as_installed.stdout.startswith("usage: dateline [build] [options]\n       dateline COMMAND [options]")
    assert "  init      start a new project" in as_installed.stdout
    assert "`dateline help COMMAND`" in as_installed.stdout
    assert run(dateline_script, "check", "--help", cwd=tmp_path).stdout.startswith("usage: dateline check ")
    as_script = run(BUILD_PY, "new", "--help", cwd=tmp_path)
    assert as_script.stdout.startswith("usage: build.py new ")
    wrong = run(dateline_script, "--jobs", "0", "--root", str(tmp_path), cwd=tmp_path)
    assert wrong.returncode == 1 and "site.yaml: file: not found in " in wrong.stderr
    make_project(tmp_path / "p", {})
    (tmp_path / "p/content").mkdir()
    wrong = run(dateline_script, "--jobs", "0", cwd=tmp_path / "p")
    assert (wrong.returncode, wrong.stderr) == (2, "dateline: error: --jobs must be at least 1\n")


def test_help_shows_the_overview_or_a_command(tmp_path, dateline_script):
    overview = run(dateline_script, "help", cwd=tmp_path)
    assert overview.returncode == 0
    assert overview.stdout == run(dateline_script, "--help", cwd=tmp_path).stdout
    serve_help = run(dateline_script, "help", "serve", cwd=tmp_path)
    assert serve_help.returncode == 0
    assert serve_help.stdout == run(dateline_script, "serve", "--help", cwd=tmp_path).stdout
    assert "--bind ADDR" in serve_help.stdout
    unknown = run(dateline_script, "help", "publish", cwd=tmp_path)
    assert unknown.returncode == 2 and "invalid choice: 'publish'" in unknown.stderr


def test_site_yaml_not_found_says_where_and_what_to_do(tmp_path):
    result = run(BUILD_PY, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"site.yaml: file: not found in {tmp_path.resolve()} (run in the project's folder, point to it with "
        "--root DIR, or start a new project there with `dateline init`)")


def test_serve_listens_on_the_bound_address_only(tmp_path):
    root = make_project(tmp_path, {"2025/10/a.md": article("Alpha", "2025-10-01T10:00:00Z")},
                        site_yaml="title: T\nbase_url: https://example.org/\nsearch: false\n")
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=serve, kwargs=dict(
        root=root, out_dir=root / "site", port=0, drafts=False, jobs=1, report=lines.append, stop=stop,
        host="127.0.0.2"))
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(line.startswith("serving ") for line in lines):
            time.sleep(0.05)
        match = next(re.match(r"serving http://127\.0\.0\.2:(\d+)/ ", line) for line in lines
                     if line.startswith("serving "))
        port = int(match.group(1))
        connection = http.client.HTTPConnection("127.0.0.2", port, timeout=5)
        connection.request("GET", "/2025/10/01/a/")
        response = connection.getresponse()
        assert response.status == 200 and b"<h1>Alpha</h1>" in response.read()
        connection.close()
        with pytest.raises(ConnectionRefusedError):
            http.client.HTTPConnection("127.0.0.1", port, timeout=5).request("GET", "/")
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
