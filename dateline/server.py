"""`build.py serve`: build, serve the site locally, rebuild on change, reload the browser.

The site is served on 127.0.0.1 (or the --bind address) under the base_url's path (/news/ for
https://example.org/news/), so the root-relative links in the pages work as
deployed. content/, layouts/, static/ and site.yaml are watched with
`watchfiles`; each batch of changes runs the normal incremental build.

Served HTML gets a small script before </body> that listens to the
Server-Sent Events endpoint /__dateline/events and reloads the page after a
build. When a build fails, its problems are reported and shown in a banner
injected the same way, while the last good site keeps being served. The files
on disk are never modified: injection happens on the way out.
"""
from __future__ import annotations

import functools
import html
import re
import signal
import socket
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from watchfiles import DefaultFilter, watch

from .authors import AUTHORS_FILE
from .config import CONFIG_FILE, load_config
from .errors import BuildError, DatelineError, sorted_problems
from .pipeline import BuildOptions, build, scheduled_summary
from .urls import SiteUrls, normalise_base_url

HOST = "127.0.0.1"
EVENTS_PATH = "/__dateline/events"
WATCHED_FOLDERS = ("content", "layouts", "static")
KEEPALIVE_SECONDS = 15.0
WATCH_TIMEOUT_MS = 200
EXIT_OK, EXIT_CANNOT_LISTEN = 0, 2

Report = Callable[[str], None]
Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(timezone.utc)


# -- values -------------------------------------------------------------------------

@dataclass(frozen=True)
class SiteStatus:
    """What the server shows: bumped `version` tells open pages to reload."""

    version: int
    base_path: str          # "/" or "/news/"
    problems: str = ""      # the last build's problems, "" after a good build


@dataclass(frozen=True)
class BuildOutcome:
    base_path: str | None   # None when site.yaml could not be read
    lines: tuple[str, ...]  # what to report
    failed: bool
    problems: str           # shown in the browser banner; "" when the build succeeded
    next_due: datetime | None = None    # when the next scheduled story goes live, if one waits


def site_relative(url_path: str, base_path: str) -> str | None:
    """The site path ("/2025/...") of a URL path under base_path, or None outside it."""
    if not url_path.startswith(base_path):
        return None
    return "/" + url_path[len(base_path):]


def live_reload_markup(version: int, problems: str) -> str:
    """The script (and, after a failed build, the error banner) injected into served HTML."""
    script = (
        "<script>(function(){var s=new EventSource(" + f'"{EVENTS_PATH}?since={version}"' + ");"
        's.addEventListener("reload",function(){s.close();location.reload();});})();</script>'
    )
    if not problems:
        return script
    banner = (
        '<div id="dateline-build-error" role="alert" style="position:fixed;left:0;right:0;bottom:0;'
        "z-index:2147483647;max-height:50vh;overflow:auto;margin:0;padding:1em;background:#fff0f0;"
        'color:#700;border-top:3px solid #c00;font:14px/1.4 monospace">'
        "<strong>The build failed; this is the last good site.</strong>"
        f'<pre style="white-space:pre-wrap;margin:.5em 0 0">{html.escape(problems)}</pre></div>'
    )
    return banner + script


_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def inject(page: bytes, markup: str) -> bytes:
    """page with markup inserted before its last </body> (appended when there is none)."""
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + markup.encode("utf-8")
    at = ends[-1].start()
    return page[:at] + markup.encode("utf-8") + page[at:]


def not_found_page(base_path: str) -> bytes:
    link = html.escape(base_path)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>'
            f'<body><h1>Not found</h1><p>The site is served under <a href="{link}">{link}</a>.</p>'
            "</body></html>\n").encode("utf-8")


def build_summary(report, seconds: float) -> str:
    return (f"built {report.pages + report.feeds:,} pages ({report.articles:,} articles) in {seconds:.1f} s: "
            f"{report.rendered:,} rendered, {report.written:,} written, {report.removed:,} removed")


# -- building -------------------------------------------------------------------------

def build_site(root: Path, out_dir: Path, *, drafts: bool, jobs: int, base_url: str | None,
               now: datetime) -> BuildOutcome:
    """Load site.yaml and build; every failure comes back as report lines, never raised."""
    config, problems = load_config(root)
    if config is None:
        texts = tuple(str(p) for p in sorted_problems(problems))
        return BuildOutcome(None, texts + ("site.yaml has errors; still serving the last good site",),
                            True, "\n".join(texts))
    if base_url:
        config = replace(config, base_url=normalise_base_url(base_url))
    base_path = SiteUrls(config.base_url).base_path
    started = time.perf_counter()
    waits: list[str] = []
    try:
        report = build(config, BuildOptions(out_dir=out_dir, drafts=drafts, jobs=jobs, on_wait=waits.append,
                                            now=now))
    except BuildError as error:
        texts = tuple(str(p) for p in error.problems)
        errors = sum(1 for p in error.problems if not p.warning)
        tail = f"{errors:,} error{'s' if errors != 1 else ''}; still serving the last good site"
        return BuildOutcome(base_path, tuple(waits) + texts + (tail,), True, "\n".join(texts))
    except DatelineError as error:
        text = f"error: {error}"
        return BuildOutcome(base_path, (*waits, text, "still serving the last good site"), True, text)
    except Exception as error:  # noqa: BLE001 - serve must outlive any failed rebuild, even a bug of ours
        text = f"error: the build failed unexpectedly: {type(error).__name__}: {error}"
        return BuildOutcome(base_path, (*waits, text, "still serving the last good site"), True, text)
    next_due = report.scheduled[0].published if report.scheduled else None
    lines = (build_summary(report, time.perf_counter() - started),)
    if report.scheduled:
        lines += (scheduled_summary(report.scheduled, now),)
    return BuildOutcome(base_path, lines, False, "", next_due)


# -- the live status shared by the HTTP threads ---------------------------------------

class LiveStatus:
    """The current SiteStatus; HTTP threads wait on it for the next build."""

    def __init__(self, first: SiteStatus):
        self._current = first
        self._changed = threading.Condition()
        self._closed = False

    @property
    def current(self) -> SiteStatus:
        with self._changed:
            return self._current

    def publish(self, status: SiteStatus) -> None:
        with self._changed:
            self._current = status
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait_for_change(self, since: int, timeout: float) -> SiteStatus | None:
        """The status once its version differs from `since` (or after timeout); None once closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._current.version != since, timeout)
            return None if self._closed else self._current


# -- HTTP -------------------------------------------------------------------------------

class LiveSiteHandler(SimpleHTTPRequestHandler):
    """Serves out_dir under the base path, injecting the live-reload script into HTML."""

    def __init__(self, *args, live: LiveStatus, **kwargs):
        self.live = live
        super().__init__(*args, **kwargs)

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (a reload, a closed tab)

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass  # no access log: the terminal shows builds

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def translate_path(self, path: str) -> str:
        site_path = site_relative(urlsplit(path).path, self.live.current.base_path)
        if site_path is None:  # respond() never looks outside the base path; this name never exists
            return str(Path(self.directory) / ".outside-the-base-path")
        return super().translate_path(site_path)

    def do_GET(self) -> None:
        self.respond(head=False)

    def do_HEAD(self) -> None:
        self.respond(head=True)

    def respond(self, *, head: bool) -> None:
        url = urlsplit(self.path)
        if url.path == EVENTS_PATH and not head:
            return self.send_events(url.query)
        status = self.live.current
        if site_relative(url.path, status.base_path) is None:
            if url.path in ("/", status.base_path.rstrip("/")):
                return self.send_redirect(status.base_path)
            return self.send_html(404, not_found_page(status.base_path), status, head)
        file = Path(self.translate_path(self.path))
        if file.is_dir():
            if not url.path.endswith("/"):
                return super().do_HEAD() if head else super().do_GET()  # the base class redirects to dir/
            file = file / "index.html"
        if file.is_file() and file.suffix == ".html":
            return self.send_html(200, file.read_bytes(), status, head)
        if file.is_file():
            return super().do_HEAD() if head else super().do_GET()
        missing = Path(self.translate_path(status.base_path + "404.html"))
        page = missing.read_bytes() if missing.is_file() else not_found_page(status.base_path)
        return self.send_html(404, page, status, head)

    def send_redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_html(self, code: int, page: bytes, status: SiteStatus, head: bool) -> None:
        body = inject(page, live_reload_markup(status.version, status.problems))
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def send_events(self, query: str) -> None:
        """Server-Sent Events: one 'reload' once the site differs from the page's version."""
        try:
            since = int(parse_qs(query).get("since", ["-1"])[0])
        except ValueError:
            since = -1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\n")
        self.wfile.flush()
        while True:
            status = self.live.wait_for_change(since, KEEPALIVE_SECONDS)
            if status is None:
                return
            if status.version != since:
                self.wfile.write(f"event: reload\ndata: {status.version}\n\n".encode("ascii"))
                self.wfile.flush()
                return
            self.wfile.write(b": keep-alive\n\n")
            self.wfile.flush()


# -- watching ----------------------------------------------------------------------------

class SourceFilter(DefaultFilter):
    """Changes to content/, layouts/, static/, site.yaml and authors.yaml; never the output or the cache."""

    def __init__(self, root: Path, out_dir: Path):
        super().__init__()
        self.root = root.resolve()
        self.out_dir = out_dir.resolve()

    def __call__(self, change, path: str) -> bool:
        file = Path(path)
        if file == self.out_dir or self.out_dir in file.parents or not super().__call__(change, path):
            return False
        try:
            parts = file.relative_to(self.root).parts
        except ValueError:
            return False
        return parts in ((CONFIG_FILE,), (AUTHORS_FILE,)) or (len(parts) > 1 and parts[0] in WATCHED_FOLDERS)


def changed_names(changes, root: Path) -> str:
    names = sorted({Path(path).relative_to(root.resolve()).as_posix() for _, path in changes})
    more = f" (+{len(names) - 3} more)" if len(names) > 3 else ""
    return ", ".join(names[:3]) + more


def _install_stop_signals(stop: threading.Event) -> Callable[[], None]:
    """Ctrl-C and SIGTERM set `stop`; returns a function restoring the previous handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in (signal.SIGINT, signal.SIGTERM)}
    return lambda: [signal.signal(number, handler) for number, handler in previous.items()]


class IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def url_host(host: str) -> str:
    """The host as written in a URL: an IPv6 address goes in brackets."""
    return f"[{host}]" if ":" in host else host


def serve(*, root: Path, out_dir: Path, port: int, drafts: bool, jobs: int, report: Report,
          base_url: str | None = None, stop: threading.Event | None = None, host: str = HOST,
          clock: Clock = wall_clock) -> int:
    """Build, serve out_dir on host:port (127.0.0.1 unless told) under the base path, rebuild on change,
    and when the next scheduled story becomes due (by `clock`).

    `base_url` overrides site.yaml's (already validated by the caller). Port 0 picks a
    free port; the real one is in the reported `serving http://127.0.0.1:PORT/...` line.
    Returns 0 after a clean stop (Ctrl-C, SIGTERM or `stop` set), 2 when the port
    cannot be opened.
    """
    root, out_dir = root.resolve(), out_dir.absolute()
    stop = stop or threading.Event()
    restore_signals = _install_stop_signals(stop)
    try:
        live = LiveStatus(SiteStatus(version=0, base_path="/"))
        handler = functools.partial(LiveSiteHandler, directory=str(out_dir), live=live)
        try:
            httpd = (IPv6Server if ":" in host else ThreadingHTTPServer)((host, port), handler)
        except (OSError, OverflowError) as error:
            report(f"cannot listen on {url_host(host)}:{port}: {getattr(error, 'strerror', None) or error}")
            return EXIT_CANNOT_LISTEN
        with httpd:
            # Watch before the first build: an edit made during it is not lost. The watcher
            # yields an empty set every WATCH_TIMEOUT_MS, so the first one shows it is running.
            changes_seen = watch(root, watch_filter=SourceFilter(root, out_dir), stop_event=stop,
                                 raise_interrupt=False, yield_on_timeout=True, rust_timeout=WATCH_TIMEOUT_MS)
            next(changes_seen, None)
            outcome = build_site(root, out_dir, drafts=drafts, jobs=jobs, base_url=base_url, now=clock())
            status = _publish(live, outcome, report)
            report(f"serving http://{url_host(host)}:{httpd.server_address[1]}{status.base_path} (Ctrl-C to stop)")
            thread = threading.Thread(target=httpd.serve_forever, name="dateline-serve", daemon=True)
            thread.start()
            try:
                for changes in changes_seen:
                    if changes:
                        report(f"changed: {changed_names(changes, root)}")
                    elif outcome.next_due is not None and clock() >= outcome.next_due:
                        report("a scheduled story is due")
                    else:
                        continue
                    before = live.current.base_path
                    outcome = build_site(root, out_dir, drafts=drafts, jobs=jobs, base_url=base_url, now=clock())
                    status = _publish(live, outcome, report)
                    if status.base_path != before:
                        report(f"serving http://{url_host(host)}:{httpd.server_address[1]}{status.base_path}")
            finally:
                changes_seen.close()
                live.close()
                httpd.shutdown()
                thread.join(timeout=5)
        report("stopped")
        return EXIT_OK
    finally:
        restore_signals()


def _publish(live: LiveStatus, outcome: BuildOutcome, report: Report) -> SiteStatus:
    for line in outcome.lines:
        report(line)
    previous = live.current
    status = SiteStatus(version=previous.version + 1, base_path=outcome.base_path or previous.base_path,
                        problems=outcome.problems)
    live.publish(status)
    return status
