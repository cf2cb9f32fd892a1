"""Pagefind run as a service: documents in, the bundle's files out, nothing on disk.

`pagefind --service` reads requests on stdin and answers on stdout, each a
base64-encoded JSON message followed by a comma (the protocol of Pagefind's
own Python and Node packages). Those packages poll for answers every 100 ms,
one request at a time, which made the Python API ten times slower than the
CLI here; this client pipelines requests in batches instead, so the service
parses pages on all its threads while we send more. The bundle comes back in
memory (`GetFiles`), so the build stages its files itself.

Pages are numbered in the order they are added (measured: any batch size gives
the same bundle), so callers add them in a fixed order.
"""
from __future__ import annotations

import base64
import json
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

from .errors import DatelineError
from .workers import preexec_for_children

# Requests sent before reading their answers: each answer is ~200 bytes, so a
# batch's answers fit in the pipe and neither side can block the other.
BATCH = 64


class SearchError(DatelineError):
    """Pagefind is missing or failed; the message says which and how to fix it."""


def pagefind_executable() -> Path:
    try:
        import pagefind_bin
    except ImportError:
        raise SearchError("search: the Pagefind binary is not installed (pip install -e . installs pagefind-bin); "
                          "build with --no-search or set `search: false` in site.yaml") from None
    try:
        return pagefind_bin.get_executable()
    except (FileNotFoundError, OSError) as error:
        raise SearchError(f"search: the Pagefind binary is missing: {error}") from None


def pagefind_version() -> str:
    """The installed Pagefind's version: part of every shard's key."""
    try:
        return metadata.version("pagefind-bin")
    except metadata.PackageNotFoundError:
        return "missing"


def index_documents(documents) -> dict[str, bytes]:
    """Run one Pagefind process over `documents` ((url, html) pairs, in the
    order pages are to be numbered); its bundle as {path: bytes}."""
    executable = pagefind_executable()
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen([str(executable), "--service"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=errors,
                                       preexec_fn=preexec_for_children())
        except OSError as error:
            raise SearchError(f"search: Pagefind could not run: {error}") from None
        service = _Service(process, errors)
        try:
            return service.bundle(documents)
        finally:
            service.close()


class _Service:
    def __init__(self, process: subprocess.Popen, errors):
        self.process = process
        self.errors = errors
        self.sent = 0
        self.pending = b""

    def bundle(self, documents) -> dict[str, bytes]:
        index = self.call({"type": "NewIndex", "config": None})["index_id"]
        batch = []
        for url, html in documents:
            batch.append({"type": "AddFile", "index_id": index, "url": url, "file_path": None,
                          "file_contents": html})
            if len(batch) == BATCH:
                self.add(batch)
                batch = []
        self.add(batch)
        files = self.call({"type": "GetFiles", "index_id": index})["files"]
        return {file["path"]: base64.b64decode(file["content"]) for file in files}

    def add(self, batch: list[dict]) -> None:
        for payload in batch:
            self.send(payload)
        self.flush()
        for _ in batch:
            self.answer("IndexedFile")

    def call(self, payload: dict) -> dict:
        self.send(payload)
        self.flush()
        return self.answer(payload["type"])

    def send(self, payload: dict) -> None:
        self.sent += 1
        message = json.dumps({"message_id": self.sent, "payload": payload}).encode("utf-8")
        try:
            self.process.stdin.write(base64.b64encode(message) + b",")
        except (BrokenPipeError, OSError):
            raise self.failure() from None

    def flush(self) -> None:
        try:
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self.failure() from None

    def answer(self, expected: str) -> dict:
        while b"," not in self.pending:
            chunk = self.process.stdout.read1(1 << 20)
            if not chunk:
                raise self.failure()
            self.pending += chunk
        raw, _, self.pending = self.pending.partition(b",")
        try:
            payload = json.loads(base64.b64decode(raw))["payload"]
        except (ValueError, KeyError, TypeError):
            raise SearchError("search: Pagefind answered something unreadable") from None
        if payload.get("type") == "Error":
            raise SearchError(f"search: Pagefind failed: {payload.get('message', 'unknown error')}")
        if payload.get("type") != expected:
            raise SearchError(f"search: Pagefind answered {payload.get('type')!r} to {expected!r}")
        return payload

    def failure(self) -> SearchError:
        """Pagefind stopped answering: its own last words, when it said any."""
        code = self.process.poll()
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        detail = lines[-1] if lines else f"exit {code}" if code is not None else "it stopped answering"
        return SearchError("search: Pagefind failed: " + detail)

    def close(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
