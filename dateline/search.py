"""The full-text search index, built by Pagefind from the finished pages.

Pagefind (PyPI `pagefind` with the binary from `pagefind-bin`, pinned in
pyproject.toml) runs offline on the staged site, indexes the element marked
`data-pagefind-body` on article pages (headline, dek and body, with filters
for author, section, location, tag and year and a sort by published date),
and writes its bundle to `pagefind/`. Its output depends only on the pages, so
when no article page changed the previous bundle is carried over instead.
"""
from __future__ import annotations

import subprocess
from importlib import metadata
from dataclasses import dataclass
from pathlib import Path

from .errors import DatelineError
from .workers import preexec_for_children

BUNDLE_FOLDER = "pagefind"


class SearchError(DatelineError):
    """Pagefind is missing or failed; the message says which and how to fix it."""


@dataclass(frozen=True)
class SearchIndex:
    rebuilt: bool
    seconds: float
    files: int
    bytes: int


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
    """The installed Pagefind's version: part of the index's key."""
    try:
        return metadata.version("pagefind-bin")
    except metadata.PackageNotFoundError:
        return "missing"


_PERMALINK_GLOBS = {"year": "[0-9][0-9][0-9][0-9]", "month": "[0-9][0-9]", "day": "[0-9][0-9]",
                    "slug": "*", "section": "*"}


def article_glob(permalink: str) -> str:
    """A file glob matching the article pages the permalink pattern makes, so
    Pagefind opens only those (lists and feeds are most of a large site's files;
    it would skip them anyway, as they have no data-pagefind-body)."""
    pattern = permalink.strip("/")
    for field, glob in _PERMALINK_GLOBS.items():
        pattern = pattern.replace("{" + field + "}", glob)
    return pattern + "/index.html" if permalink.endswith("/") else pattern


def run_pagefind(site_dir: Path, bundle_dir: Path, glob: str = "**/*.html") -> None:
    """Index the finished pages in `site_dir` into `bundle_dir` with Pagefind's CLI.

    (Pagefind's Python API feeds pages one request at a time and was ten times
    slower here, with the same output.)"""
    command = [str(pagefind_executable()), "--site", str(site_dir), "--output-path", str(bundle_dir),
               "--glob", glob, "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600, cwd=site_dir,
                                preexec_fn=preexec_for_children())
    except OSError as error:
        raise SearchError(f"search: Pagefind could not run: {error}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SearchError("search: Pagefind failed: " + (detail[-1] if detail else f"exit {result.returncode}"))
