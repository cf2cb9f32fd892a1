"""The search page's first query in Chromium: `python bench/search_query.py SITE [SITE ...]`.

Serves each built site folder on 127.0.0.1 and, with an empty browser cache,
opens /search/?q=WORD and waits until the results are shown and stay put.
Reports the time from navigation to results, and the requests and bytes
the server sent (the web worker's fetches included, which the page's own
performance entries leave out). Several sites are measured in turn, round by
round, so a slow minute on a shared machine does not land on one side.
Needs selenium, chromium and chromedriver (as the browser tests do).
"""
from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

SETTLED = """
const message = document.querySelector('.pagefind-ui__message');
const links = [...document.querySelectorAll('.pagefind-ui__result-link')].map(a => a.getAttribute('href'));
const count = message && /^(\\d[\\d,]*) results? for /.exec(message.textContent.trim());
return count && links.length === Math.min(parseInt(count[1].replace(/,/g, ''), 10), 5)
    ? [message.textContent.trim(), links] : null;"""


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    log: list[tuple[float, str, int]]

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def send_head(self):
        handle = super().send_head()
        if handle is not None and hasattr(handle, "fileno"):
            self.log.append((time.monotonic(), self.path, os.fstat(handle.fileno()).st_size))
        return handle


def serve(site: Path, log: list):
    handler = type("Handler", (CountingHandler,), {"log": log})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def first_query(driver, base: str, words: str, log: list, timeout: float = 120) -> dict:
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    log.clear()
    started = time.monotonic()
    driver.get(f"{base}search/?q={words}")
    seen, shown = None, None
    while time.monotonic() - started < timeout:
        state = driver.execute_script(SETTLED)
        now = time.monotonic()
        if state and state == seen:
            if now - shown >= 1.5:
                break
        elif state:
            seen, shown = state, now
        time.sleep(0.02)
    else:
        raise SystemExit(f"{base}: no settled results for {words!r} within {timeout:.0f} s")
    search = [entry for entry in log if "/pagefind/" in entry[1]]
    return {"ms": 1000 * (shown - started), "requests": len(log), "search_requests": len(search),
            "kib": sum(entry[2] for entry in log) / 1024, "message": seen[0], "top": seen[1][:3]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sites", nargs="+", type=Path)
    parser.add_argument("--words", default="council,Tbilisi", help="comma-separated queries")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    log: list = []
    servers = {site: serve(site, log) for site in args.sites}
    driver = browser(Path(tempfile.mkdtemp(prefix="dateline-chromium-")))
    driver.execute_cdp_cmd("Network.enable", {})
    results: dict = {}
    try:
        for _ in range(args.repeat):
            for words in args.words.split(","):
                for site, server in servers.items():
                    result = first_query(driver, f"http://127.0.0.1:{server.server_port}/", words, log)
                    results.setdefault((site, words), []).append(result)
                    print(f"{site} {words!r}: {result['ms']:.0f} ms, {result['requests']} requests "
                          f"({result['search_requests']} under /pagefind/), {result['kib']:.0f} KiB; "
                          f"{result['message']}; {result['top']}", flush=True)
    finally:
        driver.quit()
        for server in servers.values():
            server.shutdown()
    print("\n| site | query | fastest ms | all ms | requests | KiB |")
    print("| --- | --- | ---: | --- | ---: | ---: |")
    for (site, words), runs in results.items():
        times = [run["ms"] for run in runs]
        print(f"| {site} | {words} | {min(times):.0f} | {', '.join(f'{ms:.0f}' for ms in times)} | "
              f"{runs[0]['requests']} | {runs[0]['kib']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
