"""`serve`: a real server in a subprocess on a free port, edited while it runs.

The server runs as `build.py serve`, as a user starts it.
Every wait polls with a deadline; nothing sleeps for a fixed time.
"""
from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest


from conftest import BUILD_PY, MINIMAL_SITE_YAML, article, make_project

SUB_PATH_SITE_YAML = MINIMAL_SITE_YAML.replace("https://example.org/", "https://example.org/news/")
PAGE = "/news/2025/10/25/first/"
DEADLINE = 15.0


class ServerProcess:
    """`build.py serve` on port 0; its output collected line by line."""

    def __init__(self, root: Path):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, str(BUILD_PY), "serve", "--root", str(root), "--port", "0", "--jobs", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=root, env=env)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        match = self.wait_for_output(r"serving http://127\.0\.0\.1:(\d+)(/\S*)")
        self.port, self.base_path = int(match.group(1)), match.group(2)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_output(self, pattern: str) -> re.Match:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            match = re.search(pattern, self.output)
            if match:
                return match
            if self.process.poll() is not None and not re.search(pattern, self.output):
                time.sleep(0.05)  # let the reader thread drain the pipe
                if re.search(pattern, self.output):
                    continue
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.output}")
            time.sleep(0.05)
        pytest.fail(f"no {pattern!r} in the server output:\n{self.output}")

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode("utf-8")
        finally:
            connection.close()

    def wait_for_page(self, path: str, text: str, absent: str = "") -> str:
        """The page once it shows `text` (and not `absent`): the files are swapped in just before
        the server learns whether the build succeeded."""
        deadline = time.monotonic() + DEADLINE
        body = ""
        while time.monotonic() < deadline:
            status, _, body = self.get(path)
            if status == 200 and text in body and not (absent and absent in body):
                return body
            time.sleep(0.1)
        pytest.fail(f"{text!r} never appeared at {path}; last body:\n{body[-2000:]}\noutput:\n{self.output}")

    def stop(self, signal_number: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal_number)
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


def write_article(root: Path, title: str, extra: str = "") -> None:
    (root / "content/2025/first.md").write_text(article(title=title, extra=extra), encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("serve"), {"2025/first.md": article(title="First headline")},
                        site_yaml=SUB_PATH_SITE_YAML)
    running = ServerProcess(root)
    running.root = root
    yield running
    running.stop()


def test_serves_the_site_under_the_base_path(server):
    assert server.base_path == "/news/"
    status, headers, body = server.get(PAGE)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "First headline" in body
    assert '<script>(function(){var s=new EventSource("/__dateline/events' in body
    assert body.rstrip().endswith("</html>")

    status, headers, _ = server.get("/")
    assert (status, headers["Location"]) == (302, "/news/")
    assert server.get("/2025/10/25/first/")[0] == 404
    assert server.get("/news/no-such-page/")[0] == 404


def test_built_files_are_not_modified(server):
    built = (server.root / "site/2025/10/25/first/index.html").read_text(encoding="utf-8")
    assert "First headline" in built and "EventSource" not in built


def test_events_endpoint_sends_reload_to_an_outdated_page(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", "/__dateline/events?since=-1")
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type").startswith("text/event-stream")
        received = b""
        while b"event: reload" not in received:
            line = response.fp.readline()
            assert line, received
            received += line
    finally:
        connection.close()


def test_an_edit_is_served_after_the_rebuild(server):
    write_article(server.root, "Second headline")
    body = server.wait_for_page(PAGE, "Second headline")
    assert "First headline" not in body
    server.wait_for_output(r"changed: content/2025/first\.md")


def test_a_broken_edit_keeps_the_last_good_page_and_shows_the_error(server):
    write_article(server.root, "Last good headline")
    server.wait_for_page(PAGE, "Last good headline")

    write_article(server.root, "Broken headline", extra="<blink>: yes\n")
    body = server.wait_for_page(PAGE, 'id="dateline-build-error"')
    assert "Last good headline" in body and "Broken headline" not in body
    banner = body[body.index('id="dateline-build-error"'):]
    assert "content/2025/first.md" in banner
    assert "&lt;blink&gt;" in banner and "<blink>" not in banner
    server.wait_for_output(r"content/2025/first\.md:\d+: <blink>: .*\n1 error; still serving the last good site")

    write_article(server.root, "Fixed headline")
    server.wait_for_page(PAGE, "Fixed headline", absent="dateline-build-error")


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_server_cleanly(tmp_path, signal_number):
    root = make_project(tmp_path, {"2025/first.md": article(title="First headline")})
    running = ServerProcess(root)
    assert running.base_path == "/"
    assert running.get("/2025/10/25/first/")[0] == 200

    started = time.monotonic()
    assert running.stop(signal_number) == 0
    assert time.monotonic() - started < 5
    running.wait_for_output(r"\nstopped$")
    assert "Traceback" not in running.output
