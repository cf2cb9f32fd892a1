"""`build()` and `check()`: the stages in order.

1. content: list and read the sources, split the front matter off
2. schema: each file -> Article or problems; bodies rendered into the store
3. archive: one sort, every listing, collisions
4. plan: every output file with the key of its inputs
5. render what changed, stage, and swap the new site in (output)
Stages 1-4 never write the site, so `check` is stages 1-4.
"""
from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import pickle
import secrets
from concurrent.futures import ProcessPoolExecutor
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .archive import Archive, build_archive, related_articles
from .authors import load_profiles
from .cache import Store, open_store
from .config import SiteConfig
from .content import file_digest, find_sources, find_static_files, image_size, read_bytes, read_source
from .errors import BuildError, Problem
from .markup import MarkdownRenderer, body_key
from .model import Article
from .output import OutputError, Staging, check_output_dir, spare_folder
from .pages import make_environment, template_fingerprints
from .plan import TEMPLATES, PageJob, Planner, code_version, digest, site_key
from .render import Renderer, RenderError
from .schema import parse_article
from . import search
from .search import SearchError, SearchIndex, SearchPage
from .urls import SiteUrls, output_path

CHUNK = 64


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path
    drafts: bool = False
    jobs: int = 1
    use_cache: bool = True
    # Told (stage, done, total) as long stages advance; the CLI draws a progress
    # bar with it when attached to a terminal. None: say nothing.
    progress: Callable[[str, int, int], None] | None = None


def _report(options: BuildOptions, stage: str, done: int, total: int) -> None:
    if options.progress is not None:
        options.progress(stage, done, total)


@dataclass(frozen=True)
class BuildReport:
    articles: int
    pages: int
    feeds: int
    rendered: int
    written: int
    unchanged: int
    removed: int
    markdown_rendered: int
    cache_discarded: bool
    written_paths: tuple[str, ...]
    search: SearchIndex | None = None


# -- stage 2: articles --------------------------------------------------------

_worker_renderer: MarkdownRenderer | None = None


_worker_known: frozenset[str] = frozenset()


def _set_known(known: frozenset[str]) -> None:
    """Pool initializer: the cached body keys, sent once per worker, not once per chunk."""
    global _worker_known
    _worker_known = known
    gc.enable()     # forked from a parent that paused it (see `build`)


def _load_chunk(root: str, config: SiteConfig, paths: list[str], known: frozenset[str] | None = None):
    """Read, parse and (when not cached) render a chunk of sources. Runs in workers."""
    global _worker_renderer
    known = _worker_known if known is None else known
    if _worker_renderer is None:
        _worker_renderer = MarkdownRenderer()
    results = []
    for path in paths:
        source, problems = read_source(Path(root), path)
        if source is None:
            results.append((None, problems, None))
            continue
        content_path = path.split("/", 1)[1]
        article, problems = parse_article(source, config, body_key(content_path, source.body))
        rendered = None
        sanitize = config.sanitize or (article is not None and article.sanitize)
        if article is not None and sanitize:
            article = replace(article, body_key=body_key(content_path, source.body, sanitize=True))
        key = article.body_key if article is not None else ""
        if article is not None and key not in known:
            body = _worker_renderer.render(content_path, source.body, sanitize=sanitize)
            rendered = (key, body.html, body.links + body.escapes, _link_lines(source, body.links + body.escapes))
        results.append((article, problems, rendered))
    return results


def _link_lines(source, targets) -> dict[str, int]:
    """The line each linked file name first appears on, for error messages."""
    lines = source.body.split("\n")
    found = {}
    for target in targets:
        name = target.rsplit("/", 1)[-1]
        for number, text in enumerate(lines):
            if name in text:
                found[target] = source.body_line + number
                break
    return found





def parse_fingerprint(config: SiteConfig) -> str:
    """What an Article depends on besides its file: the code and the settings it reads."""
    return digest(code_version(), config.timezone, config.permalink, str(config.sanitize))


def load_articles(config: SiteConfig, store: Store, jobs: int, progress=None):
    """Every article (drafts included) and every problem; bodies land in the store.

    A file whose bytes (and the parse settings) are unchanged since the last
    build is not parsed again: its Article comes from the cache, keyed by the
    digest of those bytes, never by modification times. Only new or changed
    files go to the workers, which parse them and render their Markdown."""
    paths, problems = find_sources(config.root, config.content_dir)
    known = frozenset(store.markup_keys())
    fingerprint = parse_fingerprint(config)
    cached = store.parsed_articles()
    articles: list[Article] = []
    digests: dict[str, str] = {}
    misses: list[str] = []
    for path in paths:
        data = read_bytes(config.root, path)
        if data is None:
            misses.append(path)
            continue
        file_digest_ = digest(fingerprint, path, hashlib.sha256(data).hexdigest())
        digests[path] = file_digest_
        entry = cached.get(path)
        article = _unpickle(entry[1]) if entry is not None and entry[0] == file_digest_ else None
        if article is not None and article.body_key in known:
            articles.append(article)
        else:
            misses.append(path)
    chunks = [misses[i:i + CHUNK] for i in range(0, len(misses), CHUNK)]
    link_lines: dict[str, dict[str, int]] = {}
    fresh: list[Article] = []
    if jobs > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_set_known, initargs=(known,)) as pool:
            results = pool.map(_load_chunk, [str(config.root)] * len(chunks), [config] * len(chunks), chunks)
            rendered_count = _collect(results, fresh, problems, store, link_lines, progress, len(misses))
    else:
        results = (_load_chunk(str(config.root), config, chunk, known) for chunk in chunks)
        rendered_count = _collect(results, fresh, problems, store, link_lines, progress, len(misses))
    store.put_parsed((a.source, digests[a.source], pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))
                     for a in fresh if a.source in digests)
    store.prune_parsed(set(paths))
    articles += fresh
    return articles, problems, link_lines, rendered_count, digests


def _unpickle(blob: bytes) -> Article | None:
    """A cached Article, or None when the row is damaged (then the file is parsed again)."""
    try:
        article = pickle.loads(blob)
    except Exception:  # noqa: BLE001 - any damage to the cache means "not cached"
        return None
    return article if isinstance(article, Article) else None


def _collect(results, articles, problems, store, link_lines, progress=None, total: int = 0) -> int:
    count = 0
    done = 0
    for chunk in results:
        done += len(chunk)
        if progress is not None:
            progress("reading and converting", done, total)
        rows = []
        for article, article_problems, rendered in chunk:
            problems.extend(article_problems)
            if article is not None:
                articles.append(article)
            if rendered is not None:
                key, html, links, lines = rendered
                rows.append((key, html, links))
                link_lines[key] = lines
                count += 1
        store.put_markup(rows)
    return count


def _line_of_link(root: Path, article: Article, target: str) -> int:
    """Where a broken link is, for an article whose parse came from the cache."""
    source, _ = read_source(root, article.source)
    if source is None:
        return article.key_lines.get("title", 0)
    return _link_lines(source, [target]).get(target, article.key_lines.get("title", 0))


def link_problems(articles, links: dict[str, tuple[str, ...]], link_lines, drafts_left_out: set[str],
                  root: Path) -> list[Problem]:
    """Links to articles that are missing, left out as drafts, or outside content/.
    `links`: body key -> the content paths that body links to."""
    by_source = {a.content_path for a in articles}
    problems = []
    for article in articles:
        for target in links.get(article.body_key, ()):
            if target in by_source:
                continue
            line = link_lines.get(article.body_key, {}).get(target) or _line_of_link(root, article, target)
            if target.startswith("../"):
                message = f"link to {target} points outside content/"
            elif target in drafts_left_out:
                message = f"link to content/{target}, a draft left out of this build"
            else:
                message = f"link to content/{target}, which does not exist"
            problems.append(Problem(article.source, line, "body", message))
    return problems


# -- stages 1-4 ------------------------------------------------------------------

@dataclass(frozen=True)
class Checked:
    archive: Archive
    articles_total: int
    markdown_rendered: int
    digests: dict[str, str]     # source path -> digest of its path, bytes and the parse settings
    body_links: dict[str, tuple[str, ...]]   # body key -> content paths it links to


def check(config: SiteConfig, options: BuildOptions, store: Store) -> Checked:
    """Stages 1-4: everything the build would reject, raised as BuildError; writes no site."""
    articles, problems, link_lines, rendered, digests = load_articles(config, store, options.jobs, options.progress)
    drafts = {a.content_path for a in articles if a.draft}
    if not options.drafts:
        articles = [a for a in articles if not a.draft]
    else:
        drafts = set()
    body_links = store.links_of(a.body_key for a in articles)   # read once: planning needs them too
    problems += link_problems(articles, body_links, link_lines, drafts, config.root)
    archive, archive_problems = build_archive(articles)
    problems += archive_problems
    if problems:
        store.commit()
        raise BuildError(problems)
    store.commit()
    return Checked(archive, len(articles), rendered, digests, body_links)


# -- stage 5: render and publish ---------------------------------------------------

# What render workers work on, set in the parent just before the pool forks:
# (config, urls, cache path, jobs). The jobs, and the archive their recipes
# read, reach the workers through fork instead of being pickled chunk by chunk;
# a worker gets only (start, stop) and sends back bytes.
_forked: tuple | None = None
_worker_state: Renderer | None = None


def _render_slice(start: int, stop: int) -> list[tuple[bytes, str]]:
    """Render jobs[start:stop] in a worker: (bytes, sha256 hex) per job, so
    the parent, which writes every file, does not hash them too."""
    global _worker_state
    config, urls, cache_path, jobs = _forked
    if _worker_state is None:
        _worker_state = Renderer.create(config, urls, Store(Path(cache_path)))
    results = []
    for job in jobs[start:stop]:
        data = _worker_state.render(job)
        results.append((data, hashlib.sha256(data).hexdigest()))
    return results


@dataclass(frozen=True)
class SiteInputs:
    """Everything besides the articles that the pages are made from."""

    templates: dict[str, str]           # template -> fingerprint
    static: dict[str, Path]             # site path -> source file
    static_digests: dict[str, str]      # site path -> digest of its bytes
    profiles: dict                      # authors.yaml
    profiles_digest: str


def gather_inputs(config: SiteConfig, urls: SiteUrls) -> SiteInputs:
    env = make_environment(config.layouts_dir, config, urls)
    static = find_static_files(config.static_dirs)
    profiles = load_profiles(config.root)
    return SiteInputs(templates=template_fingerprints(env, TEMPLATES, config), static=static,
                      static_digests={path: file_digest(source) for path, source in static.items()},
                      profiles=profiles, profiles_digest=digest(repr(sorted(profiles.items()))))


def related_map(archive: Archive, store: Store) -> dict[str, tuple[Article, ...]]:
    """Every article's related stories, by source path.

    They depend only on each article's source, slug, publication time, tags
    and section (and the code): when none of those changed since the last
    build (a body edit, a template or settings edit), the last build's lists
    are reused instead of recomputed (~0.5 s at 10,000 articles). Stored with
    a CRC like every cached value, so a damaged row is recomputed."""
    key = digest(code_version(), *(f"{a.source}|{a.slug}|{a.published.isoformat()}|{a.tags!r}|{a.section!r}"
                                   for a in archive.articles))
    by_source = {a.source: a for a in archive.articles}
    saved_key, _, saved = store.get_checked_meta("related").partition("\n")
    if saved_key == key:
        try:
            return {source: tuple(by_source[other] for other in others) for source, others in json.loads(saved).items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            pass    # not what this code wrote: computed again below
    related = {a.source: related_articles(archive, a) for a in archive.articles}
    lists = {source: [a.source for a in others] for source, others in related.items()}
    store.set_checked_meta("related", key + "\n" + json.dumps(lists, sort_keys=True))
    return related


def plan_jobs(config: SiteConfig, urls: SiteUrls, archive: Archive, body_links: dict[str, tuple[str, ...]],
              drafts: bool, digests: dict[str, str], inputs: SiteInputs,
              related: dict[str, tuple[Article, ...]] | None = None) -> list[PageJob]:
    sizes = {a.image: size for a in archive.articles if a.image
             for size in [image_size(inputs.static, a.image)] if size is not None}
    planner = Planner(archive, config, urls, site_key(config, urls, drafts), inputs.templates,
                      body_links, sizes, inputs.profiles, digests, related)
    jobs = planner.jobs()
    jobs += [PageJob(path, "copy", inputs.static_digests[path], source) for path, source in inputs.static.items()]
    return jobs


def build_fingerprint(config: SiteConfig, urls: SiteUrls, options: BuildOptions, checked: Checked,
                      inputs: SiteInputs) -> str:
    """A digest of every input of the whole site: equal to the last build's means
    the published site is already what this build would make."""
    return digest(site_key(config, urls, options.drafts), repr(sorted(inputs.templates.items())),
                  repr(sorted(inputs.static_digests.items())), inputs.profiles_digest,
                  repr(sorted(checked.digests[a.source] for a in checked.archive.articles)),
                  repr(vars(config).get("description")), repr(vars(config).get("copyright")))


def site_is_intact(out_dir: Path, manifest) -> bool:
    """Every file the last build published is still there, as it was written."""
    if not manifest:
        return False
    for rel, entry in manifest.items():
        try:
            info = os.stat(out_dir / rel)
        except OSError:
            return False
        if (info.st_size, info.st_mtime_ns, info.st_ino) != (entry.size, entry.mtime_ns, entry.inode):
            return False
    return True


def collision_problems(jobs: list[PageJob]) -> list[Problem]:
    problems = []
    seen: dict[str, PageJob] = {}
    for job in jobs:
        try:
            rel = output_path(job.path)
        except ValueError as error:
            problems.append(Problem(job.origin or "site", 0, "url", str(error)))
            continue
        other = seen.setdefault(rel, job)
        if other is not job:
            first, second = sorted([other.origin or "a generated page", job.origin or "a generated page"])
            culprit = job if job.origin else other
            problems.append(Problem(culprit.origin or "site", 0, "url",
                                    f"{job.path} is produced twice: by {first} and by {second}",
                                    "change a slug, an alias or the permalink pattern"))
    return problems


def build(config: SiteConfig, options: BuildOptions) -> BuildReport:
    """Build the site into options.out_dir; raises BuildError (nothing written) on bad input.

    Stages 1-4 run with the cyclic garbage collector off, and what they built
    (the archive, the plan) is then frozen out of it (`gc.freeze`) until the
    build ends: millions of long-lived objects with no cycles to find, which
    the collector walked again and again (20% of an incremental build at
    100,000 articles, 6% at 10,000). Frozen before the render workers fork,
    they also stay shared with the workers instead of being copied on write."""
    problem = check_output_dir(options.out_dir, config.root)
    if problem:
        raise BuildError([Problem("--out", 0, "out", problem)])
    store = open_store(config.cache_dir, options.use_cache)
    collecting = gc.isenabled()
    gc.disable()
    try:
        checked = check(config, options, store)
        urls = SiteUrls(config.base_url)
        inputs = gather_inputs(config, urls)
        fingerprint = build_fingerprint(config, urls, options, checked, inputs)
        state_name = "last-build:" + os.path.realpath(options.out_dir)
        last = json.loads(store.get_meta(state_name) or "{}")
        if last.get("fingerprint") == fingerprint and site_is_intact(options.out_dir, store.manifest(options.out_dir)):
            # Nothing this site is made from changed and site/ is as we left it.
            return BuildReport(articles=len(checked.archive.articles), pages=last["pages"], feeds=last["feeds"],
                               rendered=0, written=0, unchanged=last["files"], removed=0, markdown_rendered=0,
                               cache_discarded=False, written_paths=(),
                               search=SearchIndex(False, 0.0, *last["search"]) if last.get("search") else None)
        jobs = sorted(plan_jobs(config, urls, checked.archive, checked.body_links, options.drafts,
                                checked.digests, inputs, related_map(checked.archive, store)),
                      key=lambda j: j.path)
        gc.freeze()
        if collecting:
            gc.enable()     # rendering makes short-lived cycles (Jinja contexts)
        problems = collision_problems(jobs)
        if problems:
            raise BuildError(problems)
        stats, rendered, search_index = publish(config, urls, store, jobs, options, search_pages(checked.archive))
        feeds = sum(1 for job in jobs if job.kind == "feed")
        pages = sum(1 for job in jobs if job.kind == "page")
        store.set_meta(state_name, json.dumps({
            "fingerprint": fingerprint, "pages": pages, "feeds": feeds, "files": stats.written + stats.unchanged,
            "search": [search_index.files, search_index.bytes, search_index.shards] if search_index else None},
            sort_keys=True))
        store.prune_markup({a.body_key for a in checked.archive.articles})
        store.commit()
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()
        store.close()
    return BuildReport(articles=len(checked.archive.articles), pages=pages, feeds=feeds, rendered=rendered,
                       written=stats.written, unchanged=stats.unchanged, removed=stats.removed,
                       markdown_rendered=checked.markdown_rendered, cache_discarded=store.discarded,
                       written_paths=tuple(stats.written_paths), search=search_index)


def publish(config: SiteConfig, urls: SiteUrls, store: Store, jobs: list[PageJob], options: BuildOptions,
            pages: list[SearchPage]):
    previous = store.manifest(options.out_dir)
    spare_dir = spare_folder(options.out_dir)
    spare_key = "spare:" + os.path.realpath(spare_dir)
    spare = store.manifest(spare_dir)
    staging = Staging(options.out_dir, previous, spare, store.get_meta(spare_key))
    try:
        to_render = []
        for job in jobs:
            rel = output_path(job.path)
            if job.kind == "copy":
                staging.copy(rel, job.key, job.data)
            elif staging.can_keep(rel, job.key):
                staging.keep(rel)
            else:
                to_render.append((rel, job))
        for done, ((rel, job), (data, sha)) in enumerate(zip(to_render, render_all(
                config, urls, store, [j for _, j in to_render], options.jobs)), start=1):
            staging.put(rel, job.key, data, sha)
            if done % CHUNK == 0 or done == len(to_render):
                _report(options, "rendering", done, len(to_render))
        search_index = index_search(config, staging, store, pages, options) if config.search else None
        stats = staging.commit()
    except (RenderError, OutputError, OSError, SearchError):
        staging.abort()
        raise
    except BaseException:
        staging.abort()
        raise
    store.save_manifest(options.out_dir, staging.manifest, previous)
    token = secrets.token_hex(16)
    next_spare = staging.spare_manifest(token)
    store.save_manifest(spare_dir, next_spare or {}, spare)
    store.set_meta(spare_key, token if next_spare is not None else "")
    return stats, len(to_render), search_index


def index_search(config: SiteConfig, staging: Staging, store: Store, pages: list[SearchPage],
                 options: BuildOptions) -> SearchIndex:
    """Index again the search shards whose articles changed (dateline/search.py)."""
    return search.index_search(staging, pages, config.language, store, options.jobs,
                               lambda done, total: _report(options, "indexing search", done, total))


def search_pages(archive: Archive) -> list[SearchPage]:
    """The pages the search index covers: every article page."""
    return [SearchPage(output_path(a.url), a.url, a.published) for a in archive.articles]


def render_all(config: SiteConfig, urls: SiteUrls, store: Store, jobs: list[PageJob], workers: int):
    """(rendered bytes, their sha256) in job order; in worker processes when
    there is enough work."""
    global _forked
    store.commit()
    if workers > 1 and len(jobs) > CHUNK * 2 and store.path is not None:
        # A few slices ahead of the one being written, not all at once, so
        # finished pages never pile up in the parent.
        starts = iter(range(0, len(jobs), CHUNK))
        in_flight: deque = deque()
        _forked = (config, urls, str(store.path), jobs)
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                def submit_next() -> None:
                    start = next(starts, None)
                    if start is not None:
                        in_flight.append(pool.submit(_render_slice, start, start + CHUNK))

                for _ in range(workers * 4):
                    submit_next()
                while in_flight:
                    result = in_flight.popleft().result()
                    submit_next()
                    yield from result
        finally:
            _forked = None
    else:
        renderer = Renderer.create(config, urls, store)
        for job in jobs:
            yield renderer.render(job), None


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
