"""Helpers for tests in a real browser: a static server that behaves like a
static host (the site under a sub-path, 404.html for missing pages; the link
crawler of test_navigation uses it too) and a headless Chromium driven by
Selenium (Debian's chromium + chromium-driver, installed by .ci/run)."""
from __future__ import annotations

import base64
import functools
import http.server
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest


class StaticHostHandler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` under `prefix`, answering unknown paths with 404.html like a static host."""

    prefix = "/"
    failures: list[str]
    slow: tuple[str, ...] = ()     # paths answered only after SLOW_SECONDS

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):
        if self.path.split("?", 1)[0] in self.slow:
            time.sleep(SLOW_SECONDS)
        super().do_GET()

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


# Long enough that a deferred script on a slow path runs well after the first paint.
SLOW_SECONDS = 0.6


@contextmanager
def static_host(directory: Path, prefix: str = "/", slow: tuple[str, ...] = ()):
    """Yield (base URL, failures list) for a server on 127.0.0.1 with a free port.
    Requests for the site paths in `slow` (e.g. "/news/js/search.js") are answered late."""
    failures: list[str] = []
    handler = type("Handler", (StaticHostHandler,), {"prefix": prefix, "failures": failures, "slow": tuple(slow)})
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


def emulate_media(driver, media: str = "", color_scheme: str = "light") -> None:
    """Emulate a media type ("print", or "" for the screen) and prefers-color-scheme."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "media": media, "features": [{"name": "prefers-color-scheme", "value": color_scheme}]})


def save_full_page_screenshot(driver, path: Path) -> None:
    """A PNG of the whole page at the window's width, not just the first screen."""
    width, height = driver.execute_script(
        "return [window.innerWidth, Math.ceil(document.documentElement.scrollHeight)]")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


def force_pseudo_state(driver, selector: str, states: list[str]) -> int:
    """Make every element matching `selector` match :hover, :focus-visible, ... as if
    the reader pointed at it or tabbed to it (DevTools' "force state"). Returns the count."""
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    nodes = driver.execute_cdp_cmd("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]
    for node in nodes:
        driver.execute_cdp_cmd("CSS.forcePseudoState", {"nodeId": node, "forcedPseudoClasses": states})
    return len(nodes)
