"""The full-text search index: Pagefind bundles in shards, merged in the browser.

Pagefind (PyPI `pagefind` with the binary from `pagefind-bin`, pinned in
pyproject.toml) indexes the element marked `data-pagefind-body` on article
pages (headline, dek and body, with filters for author, section, location,
tag and year). It holds a whole index in memory (~0.2 MB per page) and takes
~3 ms of processor per page, so one index of the archive grows with the
archive on every build. Instead the articles are split by publication time
into shards, each its own Pagefind bundle in `pagefind/<shard>/`, and the
search page merges them (Pagefind's multi-index search), so one query and
every filter still cover the whole archive.

A shard is indexed again only when what Pagefind would read from its pages
changed. Its key digests those documents; a cheaper key (the pages' bytes)
says when they need reading at all. Shards follow the calendar, so adding,
editing or deleting a story changes one shard, not its neighbours, and
recent stories (which change most) sit in small shards of their own.

`pagefind/` itself holds Pagefind's scripts and an index with no pages (the
UI's primary bundle) and `shards.json`, the list the search page merges.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape as html_escape
from pathlib import Path

from .pagefind_cli import SearchError, index_documents, pagefind_executable, pagefind_version
from .search_bundle import empty_index, reproducible_bundle
from .urls import SEARCH_BUNDLE_PATH

__all__ = ["BUNDLE_FOLDER", "SearchError", "SearchIndex", "SearchPage", "Shard", "index_search",
           "pagefind_executable", "plan_shards"]

BUNDLE_FOLDER = SEARCH_BUNDLE_PATH.strip("/")
SHARD_LIST = "shards.json"

# Shard sizes. A shard re-indexed after an edit costs ~1.5 ms per page on
# two cores (Pagefind reads pages in parallel), and each shard costs the
# reader's first query ~8 requests and one chunk of word index (~25-40 KB): at 10,000 articles, 12 shards of ~850 cost the
# first query 1.3x the bytes of one index, 40 shards of 250 cost 2x
# (bench/README.md). A shard holds at most SHARD_PAGES pages (Pagefind
# then peaks near 200 MB), and the newest period is split off while it
# holds more than RECENT_PAGES, so new stories land in a small shard.
SHARD_PAGES = 1000
RECENT_PAGES = 100

# Pagefind processes run side by side only while their estimated memory
# (MEMORY_BASE + MEMORY_PER_PAGE per page, measured with Pagefind 1.5.2)
# stays within MEMORY_BUDGET; one always runs, however large. Two of the
# largest shards fit: one Pagefind uses only ~1.2 of two cores, so a cold
# build indexing them one at a time left a core idle (bench/README.md).
MEMORY_BUDGET = 440 * 2**20
MEMORY_BASE = 20 * 2**20
MEMORY_PER_PAGE = 200 * 2**10

# Documents read to decide whether a shard changed are kept for Pagefind up
# to this many pages (~7 KB each); beyond, they are read again in its turn.
HELD_PAGES = 5000


@dataclass(frozen=True)
class SearchPage:
    path: str               # output file, relative to the site folder
    url: str                # its site path: the address a search result links to
    published: datetime
    language: str = ""      # its language ("" for the site's): each shard holds one language


@dataclass(frozen=True)
class Shard:
    name: str                       # the calendar period it covers: "2015", "2015-07", "2015-07-14"
    pages: tuple[SearchPage, ...]   # oldest first
    language: str = ""              # the language of its pages; "" for the site's


@dataclass(frozen=True)
class SearchIndex:
    rebuilt: bool
    seconds: float
    files: int
    bytes: int
    shards: int = 0
    shards_rebuilt: int = 0


# -- which shards ------------------------------------------------------------------

_LEVELS = ("year", "month", "day")


_PERIOD_LENGTHS = (4, 7, 10)     # "2025", "2025-10", "2025-10-25": the start of an ISO date


def _period(page: SearchPage, level: int) -> str:
    return page.published.astimezone(timezone.utc).isoformat()[:_PERIOD_LENGTHS[level]]


def plan_shards(pages, most: int = SHARD_PAGES, recent: int = RECENT_PAGES) -> list[Shard]:
    """The shards of `pages`, newest first; a pure function of the pages.

    Each calendar year is one shard, or, past `most` pages, runs of whole
    months (then days, then fixed runs within a day) of at most `most`. The
    newest year is split further while it holds more than `recent` pages:
    its newest month becomes a shard of its own (and, past `recent` again,
    that month's newest day), and the rest keeps the year's (month's) name.
    So a new story re-indexes a small shard, and a period settles into one
    shard when the next one begins. Adding, editing or deleting a story
    changes only its own shard, except when it moves a boundary (a new
    month or day, a period crossing `most` or `recent`)."""
    ordered = sorted(pages, key=lambda page: (page.published.astimezone(timezone.utc), page.path))
    if not ordered:
        return []
    *settled, (_, newest) = _groups(ordered, 0)
    shards = [shard for _, year in settled for shard in _pack(year, 0, most)]
    shards += _newest(newest, 0, most, recent)
    return sorted(shards, key=lambda shard: (shard.pages[-1].published, shard.name), reverse=True)


def plan_language_shards(pages, default: str) -> list[Shard]:
    """The shards of every language, each holding one language's pages: the
    search page of a language merges only its own, so a query never returns
    another language's stories. The site's own language keeps the plain names
    ("2025"); another's are named after it ("hi-2025")."""
    groups: dict[str, list[SearchPage]] = {}
    for page in pages:
        groups.setdefault(page.language or default, []).append(page)
    shards = []
    for tag, own in sorted(groups.items()):
        if tag.lower() == default.lower():
            shards += plan_shards(own)
        else:
            shards += [Shard(f"{tag.lower()}-{shard.name}", shard.pages, tag) for shard in plan_shards(own)]
    return shards


def _groups(pages: list[SearchPage], level: int) -> list[tuple[str, list[SearchPage]]]:
    """Consecutive pages (in time order) grouped by their period at `level`."""
    groups: list[tuple[str, list[SearchPage]]] = []
    for page in pages:
        name = _period(page, level)
        if groups and groups[-1][0] == name:
            groups[-1][1].append(page)
        else:
            groups.append((name, [page]))
    return groups


def _newest(pages: list[SearchPage], level: int, most: int, recent: int) -> list[Shard]:
    """Shards of the newest period at `level`: its newest sub-period split off while it is large."""
    if len(pages) <= recent or level + 1 == len(_LEVELS):
        return _pack(pages, level, most)
    *settled, (_, latest) = _groups(pages, level + 1)
    rest = [page for _, group in settled for page in group]
    return (_pack(rest, level, most) if rest else []) + _newest(latest, level + 1, most, recent)


def _pack(pages: list[SearchPage], level: int, most: int) -> list[Shard]:
    """Pages of one period at `level` as shards of at most `most` pages: the
    whole period, else runs of whole sub-periods named after their first."""
    if len(pages) <= most:
        return [Shard(_period(pages[0], level), tuple(pages))]
    if level + 1 == len(_LEVELS):
        day = _period(pages[0], level)
        return [Shard(day if start == 0 else f"{day}-{start // most + 1}", tuple(pages[start:start + most]))
                for start in range(0, len(pages), most)]
    shards, run = [], []
    for _, group in _groups(pages, level + 1):
        if len(group) > most:
            if run:
                shards.append(Shard(_period(run[0], level + 1), tuple(run)))
                run = []
            shards += _pack(group, level + 1, most)
        elif len(run) + len(group) > most:
            shards.append(Shard(_period(run[0], level + 1), tuple(run)))
            run = list(group)
        else:
            run += group
    if run:
        shards.append(Shard(_period(run[0], level + 1), tuple(run)))
    return shards


# -- what Pagefind reads -------------------------------------------------------------

def indexed_document(page: str) -> str:
    """The part of a finished page that Pagefind indexes, as a small document:
    the page's <html> tag (for its language) and the element marked
    `data-pagefind-body`. A page without one is given whole, as Pagefind
    would read it."""
    marker = page.find("data-pagefind-body")
    start = page.rfind("<", 0, marker)
    html = page.find("<html")
    if marker < 0 or start < 0 or html < 0:
        return page
    name_end = start + 1
    while name_end < len(page) and (page[name_end].isalnum() or page[name_end] == "-"):
        name_end += 1
    end = _closing_tag(page, page[start + 1:name_end], name_end)
    if end < 0:
        return page
    return f"<!DOCTYPE html>{page[html:page.index('>', html) + 1]}<body>{page[start:end]}</body></html>"


def _closing_tag(page: str, name: str, at: int) -> int:
    """The end of the tag closing the `name` element opened before `at`, or -1.
    (Names are matched as written; a page this cannot follow is indexed whole.)"""
    opening, closing = "<" + name, "</" + name + ">"
    depth = 1
    while depth:
        close = page.find(closing, at)
        if close < 0:
            return -1
        nested = page.find(opening, at, close)
        if nested >= 0 and page[nested + len(opening):nested + len(opening) + 1] in (" ", ">", "\n", "\t", "/"):
            depth += 1
            at = nested + len(opening)
            continue
        depth -= 1
        at = close + len(closing)
    return at


def _read_documents(site: Path, shard: Shard) -> list[tuple[str, str]]:
    """(path, document) for each page of the shard, read from the staged site
    (Pagefind gives each page the URL its path is served at)."""
    return [(page.path, indexed_document((site / page.path).read_text(encoding="utf-8", errors="replace")))
            for page in shard.pages]


# -- building ------------------------------------------------------------------------

def search_version() -> str:
    """Part of every key: the Pagefind version and the code that shapes its input and output."""
    here = Path(__file__).parent
    sources = [(here / name).read_bytes() for name in ("search.py", "search_bundle.py", "pagefind_cli.py")]
    return digest(pagefind_version(), *(hashlib.sha256(source).hexdigest() for source in sources))


def digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return hasher.hexdigest()


def _documents_key(version: str, shard: Shard, documents: list[tuple[str, str]]) -> str:
    return digest(version, shard.name, *(path + "\0" + hashlib.sha256(document.encode("utf-8", "surrogatepass"))
                                         .hexdigest() for path, document in documents))


def index_search(staging, pages: list[SearchPage], language: str, store, jobs: int = 1,
                 progress: Callable[[int, int], None] | None = None) -> SearchIndex:
    """Stage `pagefind/`: every shard whose documents are unchanged carried
    over, the others indexed again, the primary bundle and the shard list.

    `staging` is the build's output.Staging (the article pages are staged
    already); `store` keeps, per shard, the key of its pages' bytes and the
    key of its documents, so unchanged pages are not even read."""
    started = time.perf_counter()
    version = search_version()
    shards = plan_language_shards(pages, language)
    state_name = "search-shards:" + os.path.realpath(staging.out_dir)
    saved = _saved_keys(store.get_checked_meta(state_name))
    previous = _previous_files(staging)
    site = staging.staging
    keys: dict[str, tuple[str, str]] = {}
    stale: list[tuple[Shard, str, list | None]] = []
    held = 0
    for shard in shards:
        files = previous.get(shard.name, [])
        pages_key = digest(version, shard.name, *(f"{page.path}\0{staging.manifest[page.path].sha}"
                                                  for page in shard.pages))
        known_pages, documents_key = saved.get(shard.name, ("", ""))
        documents = None
        keep = known_pages == pages_key and _can_keep(staging, files, documents_key)
        if not keep and files:
            documents = _read_documents(site, shard)
            documents_key = _documents_key(version, shard, documents)
            keep = _can_keep(staging, files, documents_key)
        if keep:
            keys[shard.name] = (pages_key, documents_key)
            for rel in files:
                staging.keep(rel)
            continue
        # Documents already read go along to Pagefind, up to a bound; the
        # others are read when their shard's turn comes.
        held += len(documents or ())
        stale.append((shard, pages_key, documents if held <= HELD_PAGES else None))
    runtime: dict[str, bytes] = {}
    done, total = 0, sum(len(shard.pages) for shard, _, _ in stale)
    for shard, pages_key, documents_key, bundle in _index_shards(site, version, stale, jobs):
        keys[shard.name] = (pages_key, documents_key)
        # Every bundle brings the scripts and the WebAssembly of its own language
        # (wasm.<language>.pagefind): the primary bundle needs each language's.
        runtime.update({path: data for path, data in bundle.items() if _is_runtime(path) and path not in runtime})
        folder = f"{BUNDLE_FOLDER}/{shard.name}/"
        for path, data in sorted(bundle.items()):
            if not _is_runtime(path):
                staging.put(folder + path, documents_key, data)
        done += len(shard.pages)
        if progress is not None:
            progress(done, total)
    _stage_primary(staging, shards, runtime, language, digest(version, language), previous.get("", []))
    store.set_checked_meta(state_name, json.dumps(keys, sort_keys=True))
    prefix = BUNDLE_FOLDER + "/"
    entries = [entry for rel, entry in staging.manifest.items() if rel.startswith(prefix)]
    return SearchIndex(rebuilt=bool(stale), seconds=time.perf_counter() - started, files=len(entries),
                       bytes=sum(entry.size for entry in entries), shards=len(shards), shards_rebuilt=len(stale))


def _saved_keys(text: str) -> dict[str, tuple[str, str]]:
    try:
        saved = json.loads(text or "{}")
        return {name: (pair[0], pair[1]) for name, pair in saved.items()}
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        return {}      # not what this code wrote: every shard's documents are read again


def _previous_files(staging) -> dict[str, list[str]]:
    """The last build's files under pagefind/, by shard ("" for the primary bundle's)."""
    prefix = BUNDLE_FOLDER + "/"
    grouped: dict[str, list[str]] = {}
    for rel in staging.previous:
        if rel.startswith(prefix):
            shard, _, rest = rel[len(prefix):].partition("/")
            grouped.setdefault(shard if rest else "", []).append(rel)
    return grouped


def _can_keep(staging, files: list[str], key: str) -> bool:
    return bool(files) and all(staging.can_keep(rel, key) for rel in files)


def _is_runtime(path: str) -> bool:
    """Pagefind's scripts, styles and WebAssembly: the same for every bundle of one version."""
    return "/" not in path and path not in ("pagefind-entry.json", SHARD_LIST) and not path.endswith(".pf_meta")


def _index_shards(site: Path, version: str, stale: list[tuple[Shard, str, list | None]], workers: int):
    """(shard, pages key, documents key, reproducible bundle) for each stale
    shard, in order. Up to `workers` Pagefind processes run at once, while
    their estimated memory fits MEMORY_BUDGET."""
    if not stale:
        return
    workers = max(1, workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        running: deque = deque()
        used = 0
        for shard, pages_key, documents in stale:
            need = MEMORY_BASE + MEMORY_PER_PAGE * len(shard.pages)
            while running and (len(running) >= workers or used + need > MEMORY_BUDGET):
                finished, key, future, cost = running.popleft()
                used -= cost
                yield (finished, key, *future.result())
            running.append((shard, pages_key, pool.submit(_index_shard, site, version, shard, documents), need))
            used += need
        while running:
            finished, key, future, _ = running.popleft()
            yield (finished, key, *future.result())


def _index_shard(site: Path, version: str, shard: Shard, documents: list | None) -> tuple[str, dict[str, bytes]]:
    """The shard's documents key and its bundle."""
    documents = _read_documents(site, shard) if documents is None else documents
    bundle = index_documents(documents)
    return _documents_key(version, shard, documents), reproducible_bundle(bundle)


def _stage_primary(staging, shards: list[Shard], runtime: dict[str, bytes], language: str, key: str,
                   previous: list[str]) -> None:
    """Pagefind's scripts, the primary (empty) index naming every language of
    the shards, and the shard list the search page reads."""
    folder = BUNDLE_FOLDER + "/"
    published_runtime = [rel for rel in previous if _is_runtime(rel[len(folder):])]
    if not runtime and _can_keep(staging, published_runtime, key):
        for rel in published_runtime:
            staging.keep(rel)
    else:
        if not runtime:
            # Nothing was indexed this build and the scripts are gone (or the
            # archive is empty): a one-page index made only for its scripts.
            page = f'<!DOCTYPE html><html lang="{html_escape(language)}"><body><p>search</p></body></html>'
            runtime = {path: data for path, data in index_documents([("index.html", page)]).items() if _is_runtime(path)}
        for path, data in sorted(runtime.items()):
            staging.put(folder + path, key, data)
        # A language whose shards were all kept keeps its published WebAssembly.
        for rel in published_runtime:
            if rel[len(folder):] not in runtime and staging.can_keep(rel, key):
                staging.keep(rel)
    if shards:
        languages, characters = {}, None
        for shard in shards:
            entry = json.loads((staging.staging / folder / shard.name / "pagefind-entry.json").read_bytes())
            languages.update({name: info["wasm"] for name, info in entry["languages"].items()})
            characters = entry.get("include_characters", []) if characters is None else characters
        for path, data in sorted(empty_index(entry["version"], languages, characters).items()):
            staging.put(folder + path, key, data)
    listed = {"shards": [shard.name for shard in shards]}
    if any(shard.language for shard in shards):
        # Each language's search page merges only its own shards (dateline/theme/search.js).
        by_language: dict[str, list[str]] = {}
        for shard in shards:
            by_language.setdefault(shard.language or language, []).append(shard.name)
        listed["languages"] = by_language
    names = json.dumps(listed, indent=1, sort_keys=True) + "\n"
    staging.put(folder + SHARD_LIST, key, names.encode("utf-8"))
