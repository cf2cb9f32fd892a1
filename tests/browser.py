"""Helpers for tests in a real browser: a static server that behaves like a
static host (the site under a sub-path, 404.html for missing pages; the link
crawler of test_navigation uses it too) and a headless Chromium driven by
Selenium (Debian's chromium + chromium-driver, installed by .ci/run)."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest


class StaticHostHandler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` under `prefix`, answering unknown paths with 404.html like a static host."""

    prefix = "/"
    failures: list[str]

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside__")
        return super().translate_path("/" + path[len(self.prefix):])

    def send_error(self, code, message=None, explain=None):
        self.failures.append(f"{code} {self.path}")
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@contextmanager
def static_host(directory: Path, prefix: str = "/"):
    """Yield (base URL, failures list) for a server on 127.0.0.1 with a free port."""
    failures: list[str] = []
    handler = type("Handler", (StaticHostHandler,), {"prefix": prefix, "failures": failures})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{prefix}", failures
    finally:
        server.shutdown()
        server.server_close()


def chromium_driver(tmp_path: Path):
    """A headless Chromium, or a test failure saying what is missing."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is missing: pip install -e '.[test]'")
    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver:
        pytest.fail("chromium and chromium-driver are needed: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    """One headless Chromium per test module."""
    browser = chromium_driver(tmp_path_factory.mktemp("chromium"))
    yield browser
    browser.quit()
