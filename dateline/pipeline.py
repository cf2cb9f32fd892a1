"""`build()` and `check()`: the stages in order.

1. content: list and read the sources, split the front matter off
2. schema: each file -> Article or problems; bodies rendered into the store
3. archive: one sort, every listing, collisions
4. plan: every output file with the key of its inputs
5. render what changed, stage, and swap the new site in (output)
Stages 1-4 never write the site, so `check` is stages 1-4.
"""
from __future__ import annotations

import base64
import contextlib
import errno
import gc
import hashlib
import json
import os
import pickle
import secrets
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from .archive import Archive, build_archive
from .authors import AUTHORS_FILE, load_profiles
from .cache import Store, open_store
from .config import CONFIG_FILE, THEME_DIR, SiteConfig
from .content import (SourceScan, file_digest, file_signature, find_static_files, read_bytes, read_source,
                      scan_sources, tree_signature)
from .errors import BuildError, Problem, UsageError, sorted_problems
from .i18n import MESSAGES_FOLDER, load_words
from .model import Article
from .lock import output_lock, project_lock
from .related import related_lists, related_map
from .output import (SITE_MARKER, SITE_MARKER_TEXT, OutputError, Staging, files_unchanged, folders_unchanged,
                     foreign_files, foreign_message, is_marked, output_problem, spare_folder)
from .keys import Keys, code_version, digest
from .schema import parse_article
from . import search
from .search import SearchIndex, SearchPage
from .urls import SiteUrls, output_path
from .workers import start_method, worker_pool

# Markdown (and the renderer, which needs it) are imported by the functions that
# convert or render, and the editions, the planner, the photos and the Jinja
# environment (Jinja, Pillow) by the functions that check and plan: a build
# that finds nothing changed (`unchanged_report`) never loads them, which was
# about a third of its time at 10,000 articles.
if TYPE_CHECKING:
    from .editions import Edition
    from .photos import PhotoPlan
    from .plan import PageJob

CHUNK = 64
# "Now" for a build that is given no clock: the end of time, so every article
# is due. The command line always passes the real (or pinned) time.
EVERYTHING_DUE = datetime.max.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path
    drafts: bool = False
    # The build's "now": articles published later are scheduled (embargoed)
    # and left out like drafts. Read from the clock only at the edge (cli).
    now: datetime = EVERYTHING_DUE
    jobs: int = 1
    use_cache: bool = True
    # Told (stage, done, total) as long stages advance; the CLI draws a progress
    # bar with it when attached to a terminal. None: say nothing.
    progress: Callable[[str, int, int], None] | None = None
    # Another build of the project holds the lock: wait for it (telling
    # `on_wait` once), or fail at once naming it.
    wait: bool = True
    on_wait: Callable[[str], None] | None = None
    start_method: str = ""      # "" picks the system's best (see workers.start_method)
    atomic_swap: bool = True    # False forces the two-rename fallback (tests prove it equal)


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
    scheduled: tuple[Article, ...] = ()     # embargoed stories left out, the next one due first
    photos_resized: int = 0                 # photos whose copies were made (not kept, not from the cache)
    planned: int = 0                        # pages and feeds whose inputs were derived (not kept from the last plan)


# -- stage 2: articles --------------------------------------------------------

_worker_renderer = None      # markup.MarkdownRenderer, made on a worker's first chunk


_worker_known: frozenset[str] = frozenset()


def _set_known(known: frozenset[str]) -> None:
    """Pool initializer: the cached body keys, sent once per worker, not once per chunk."""
    global _worker_known
    _worker_known = known
    gc.enable()     # forked from a parent that paused it (see `build`)


def _load_chunk(root: str, config: SiteConfig, paths: list[str], known: frozenset[str] | None = None):
    """Read, parse and (when not cached) render a chunk of sources. Runs in workers."""
    global _worker_renderer
    from .images import body_images
    from .markup import MarkdownRenderer, MarkupError, body_key

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
            try:
                body = _worker_renderer.render(content_path, source.body, sanitize=sanitize)
            except MarkupError as error:     # a body past the limits on work: this article fails alone
                results.append((None, [*problems, error.problem(path, source.body_line)], None))
                continue
            rendered = (key, body.html, body.links + body.escapes, _link_lines(source, body.links + body.escapes),
                        body_images(body.html))
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
    return digest(code_version(), config.timezone, config.permalink, str(config.sanitize), config.language,
                  repr(config.languages))


@dataclass(frozen=True)
class LoadedArticles:
    """Stage 2's result: every article read (drafts and scheduled ones included)."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    link_lines: dict[str, dict[str, int]]  # body key -> linked file -> its line, for bodies converted now
    rendered: int                          # bodies converted this build (the others came from the cache)
    digests: dict[str, str]                # source path -> digest of its path, bytes and the parse settings


@dataclass(frozen=True)
class Collected:
    """What the workers sent back for the sources that were not cached."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    link_lines: dict[str, dict[str, int]]
    rendered: int


def load_articles(config: SiteConfig, store: Store, jobs: int, progress=None, method: str = "",
                  scan: SourceScan | None = None) -> LoadedArticles:
    """Every article (drafts included) and every problem; bodies land in the store.

    A file is not read again while its stat signature (size, mtime, ctime,
    inode: `content.file_signature`) is the one recorded when it was last
    read with these parse settings; its Article comes from the cache. A file
    whose signature changed is read and hashed: unchanged bytes still reuse
    the cached Article (and record the new signature). Only new or changed
    files go to the workers, which parse them and render their Markdown.
    `scan`: the sources as this build found them, when it looked already."""
    scan = scan or scan_sources(config.root, config.content_dir)
    paths, problems, signatures = scan.paths, list(scan.problems), scan.signatures
    known = frozenset(store.markup_keys())
    fingerprint = parse_fingerprint(config)
    cached = store.parsed_articles()
    articles: list[Article] = []
    digests: dict[str, str] = {}
    misses: list[str] = []
    confirmed: list[tuple[str, str]] = []     # (path, signature) of files read and found unchanged
    for path in paths:
        entry = cached.get(path)
        signature = _signature_key(fingerprint, path, signatures[path])
        if entry is not None and signature and entry.signature == signature:
            file_digest_ = entry.digest
        else:
            data = read_bytes(config.root, path)
            if data is None:
                misses.append(path)
                continue
            file_digest_ = digest(fingerprint, path, hashlib.sha256(data).hexdigest())
            if entry is not None and entry.digest == file_digest_ and entry.signature != signature:
                confirmed.append((path, signature))
        digests[path] = file_digest_
        article = _unpickle(entry.blob) if entry is not None and entry.digest == file_digest_ else None
        if article is not None and article.body_key in known:
            articles.append(article)
        else:
            misses.append(path)
    chunks = [misses[i:i + CHUNK] for i in range(0, len(misses), CHUNK)]
    if jobs > 1 and len(chunks) > 1:
        with worker_pool(jobs, start_method(method), _set_known, (known,)) as pool:
            results = pool.map(_load_chunk, [str(config.root)] * len(chunks), [config] * len(chunks), chunks)
            fresh = _collect(results, store, progress, len(misses))
    else:
        results = (_load_chunk(str(config.root), config, chunk, known) for chunk in chunks)
        fresh = _collect(results, store, progress, len(misses))
    store.put_parsed((a.source, _signature_key(fingerprint, a.source, signatures[a.source]),
                      digests[a.source], pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))
                     for a in fresh.articles if a.source in digests)
    store.set_signatures(confirmed)
    store.prune_parsed(set(paths))
    return LoadedArticles(articles=(*articles, *fresh.articles), problems=(*problems, *fresh.problems),
                          link_lines=fresh.link_lines, rendered=fresh.rendered, digests=digests)


def static_file_digests(static: dict[str, Path], store: Store) -> dict[str, str]:
    """site path -> sha256 of each static file's bytes. A file whose stat
    signature is the one recorded when it was last hashed is not read again
    (a site's photos alone can be gigabytes)."""
    try:
        saved = json.loads(store.get_checked_meta("static-digests") or "{}")
    except ValueError:
        saved = {}
    now_ns = time.time_ns()
    digests: dict[str, str] = {}
    recorded: dict[str, list[str]] = {}
    for path, source in static.items():
        name = str(source)
        signature = file_signature(name, now_ns)
        known = saved.get(name)
        if signature and isinstance(known, list) and len(known) == 2 and known[0] == signature:
            sha = known[1]
        else:
            sha = file_digest(source)
        digests[path] = sha
        if signature:
            recorded[name] = [signature, sha]
    if recorded != saved:
        store.set_checked_meta("static-digests", json.dumps(recorded, sort_keys=True))
    return digests


def _signature_key(fingerprint: str, path: str, signature: str) -> str:
    """A file's signature as the cache records it (in its path's row): with the
    parse settings, so a settings or code change reads every file again. ""
    stays "" (read it)."""
    return f"{fingerprint} {signature}" if signature else ""


def _unpickle(blob: bytes) -> Article | None:
    """A cached Article, or None when the row is damaged (then the file is parsed again)."""
    try:
        article = pickle.loads(blob)
    except Exception:  # noqa: BLE001 - any damage to the cache means "not cached"
        return None
    return article if isinstance(article, Article) else None


def _collect(results, store: Store, progress=None, total: int = 0) -> Collected:
    """Gather the workers' chunks as they come, putting converted bodies into the store."""
    articles: list[Article] = []
    problems: list[Problem] = []
    link_lines: dict[str, dict[str, int]] = {}
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
                key, html, links, lines, images = rendered
                rows.append((key, html, links, images))
                link_lines[key] = lines
                count += 1
        store.put_markup(rows)
    return Collected(tuple(articles), tuple(problems), link_lines, count)


def _line_of_link(root: Path, article: Article, target: str) -> int:
    """Where a broken link is, for an article whose parse came from the cache."""
    source, _ = read_source(root, article.source)
    if source is None:
        return article.key_lines.get("title", 0)
    return _link_lines(source, [target]).get(target, article.key_lines.get("title", 0))


def link_problems(articles, links: dict[str, tuple[str, ...]], link_lines, drafts_left_out: set[str],
                  root: Path, failed: dict[str, Problem] | None = None, scheduled=()) -> list[Problem]:
    """Links to articles that are missing, left out as drafts, still embargoed,
    or outside content/. `links`: body key -> the content paths that body links
    to; `failed`: content path -> the first problem of a file that exists but
    did not load, named instead of saying it does not exist.

    `articles` are those built; `scheduled` those embargoed until later. A
    built page must not point at an embargoed one. A scheduled story's links
    are checked too (it goes live unattended): it may point at a story that
    is out by the time it is, never at one due after it."""
    failed = failed or {}
    by_source = {a.content_path for a in articles}
    embargoed = {a.content_path: a for a in scheduled}
    problems = []
    for article in (*articles, *scheduled):
        for target in links.get(article.body_key, ()):
            if target in by_source:
                continue
            later = embargoed.get(target)
            if later is not None and article.content_path in embargoed and later.published <= article.published:
                continue
            line = link_lines.get(article.body_key, {}).get(target) or _line_of_link(root, article, target)
            hint = ""
            if target.startswith("../"):
                message = f"link to {target} points outside content/"
            elif later is not None:
                message = f"link to content/{target}, which is embargoed until {later.published.isoformat()}"
                if article.content_path in embargoed:
                    message += f", after this story goes live ({article.published.isoformat()})"
                hint = "publish the linked story first, or add the link once it is out"
            elif target in drafts_left_out:
                message = f"link to content/{target}, a draft left out of this build"
            elif target in failed:
                message = f"link to content/{target}, which has an error of its own: {replace(failed[target], hint='')}"
            else:
                message = f"link to content/{target}, which does not exist"
            problems.append(Problem(article.source, line, "body", message, hint))
    return problems


def scheduled_stories(articles, now: datetime) -> tuple[Article, ...]:
    """The articles not yet due at `now` (drafts aside), the next one due first."""
    return tuple(sorted((a for a in articles if a.published > now and not a.draft),
                        key=lambda a: (a.published_seconds, a.source)))


def scheduled_summary(scheduled: tuple[Article, ...], now: datetime) -> str:
    """"2 scheduled, next: content/x.md due 2025-10-25T09:30:00+05:30 (in 3 h 5 min)",
    or "" when none waits: what a cron job needs to rebuild on time."""
    if not scheduled:
        return ""
    first = scheduled[0]
    minutes = max(0, int((first.published - now).total_seconds() + 59) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    wait = " ".join(f"{value} {unit}" for value, unit in ((days, "d"), (hours, "h"), (minutes, "min")) if value)
    return (f"{len(scheduled):,} scheduled, next: {first.source} due {first.published.isoformat()} "
            f"(in {wait or '0 min'})")


# -- stages 1-4 ------------------------------------------------------------------

@dataclass(frozen=True)
class Checked:
    archive: Archive
    articles_total: int
    markdown_rendered: int
    digests: dict[str, str]     # source path -> digest of its path, bytes and the parse settings
    body_links: dict[str, tuple[str, ...]]   # body key -> content paths it links to
    scheduled: tuple[Article, ...]  # embargoed: published after the build's "now", next due first
    body_keys: frozenset[str]       # every article's rendered body, left-out ones included
    body_images: dict[str, tuple[str, ...]]  # body key -> site paths of the local images it shows
    static: dict[str, Path]         # site path -> file, for every file under the static folders
    static_digests: dict[str, str]  # site path -> sha256 of its bytes
    photos: PhotoPlan               # the local images built pages show
    editions: tuple[Edition, ...] = ()  # one per language (editions.py), the default first


def check(config: SiteConfig, options: BuildOptions, store: Store, scan: SourceScan | None = None) -> Checked:
    """Stages 1-4: everything the build would reject, raised as BuildError; writes no site.

    Drafts, and articles whose `published` is after `options.now` (scheduled,
    or embargoed), are left out unless `options.drafts` (a preview)."""
    from .editions import build_editions
    from .photos import plan_photos
    read = load_articles(config, store, options.jobs, options.progress, options.start_method, scan)
    loaded, problems, link_lines = read.articles, list(read.problems), read.link_lines
    if options.drafts:
        articles, scheduled, drafts = loaded, (), set()
    else:
        scheduled = scheduled_stories(loaded, options.now)
        waiting = {a.source for a in scheduled}
        articles = [a for a in loaded if not a.draft and a.source not in waiting]
        drafts = {a.content_path for a in loaded if a.draft}
    # read once: planning needs them too
    body_links = store.links_of(a.body_key for a in (*articles, *scheduled))
    failed: dict[str, Problem] = {}
    for problem in sorted_problems(problems):
        if not problem.warning and problem.path.startswith("content/"):
            failed.setdefault(problem.path.removeprefix("content/"), problem)
    problems += link_problems(articles, body_links, link_lines, drafts, config.root, failed, scheduled)
    words, word_problems = load_words(config)
    problems += word_problems
    archive, archive_problems = build_archive(articles, language=config.language)
    problems += archive_problems
    editions: tuple[Edition, ...] = ()
    if archive is not None and not word_problems:
        editions, edition_problems = build_editions(config, archive, words)
        problems += edition_problems
    static = find_static_files(config.static_dirs)
    static_digests = static_file_digests(static, store)
    images = store.images_of(a.body_key for a in loaded)
    built = {a.source for a in articles}
    left_out = [a for a in loaded if a.source not in built]     # their images are held back with them
    photos, photo_problems = plan_photos(config, articles, left_out, images, static, static_digests, store,
                                         scheduled)
    problems += photo_problems
    if problems:
        store.commit()
        raise BuildError(problems)
    store.commit()
    return Checked(archive, len(articles), read.rendered, read.digests, body_links, scheduled,
                   frozenset(a.body_key for a in loaded), images, static, static_digests, photos, editions)


def template_problems(config: SiteConfig, options: BuildOptions, store: Store, checked: Checked) -> list[Problem]:
    """For `check`: compile every template (BuildError when one does not) and
    render a sample of pages in memory against the real archive, so that a
    check that passes means the build's templates will too. Writes no site."""
    urls = SiteUrls(config.base_url)
    inputs = gather_inputs(config, urls, checked)
    jobs = plan_jobs(config, urls, checked, inputs,
                     related_map(checked.archive, store) if len(checked.editions) == 1 else None)
    from .render import Renderer, sample_problems
    return sample_problems(Renderer.create(config, urls, store), jobs)


# -- stage 5: render and publish ---------------------------------------------------

# A render worker's state, set once per worker by `_start_render_worker`: its
# renderer and the jobs it renders slices of. Under fork the jobs (and the
# archive their inputs hold) are inherited, not pickled; under spawn they are
# pickled once per worker. A task is only (start, stop), and sends back bytes.
_worker_state = None        # render.Renderer
_worker_jobs: list = []


def _start_render_worker(config: SiteConfig, urls: SiteUrls, cache_path: str, jobs: list) -> None:
    global _worker_state, _worker_jobs
    from .render import Renderer
    gc.enable()     # forked from a parent that paused it (see `build`)
    _worker_state = Renderer.create(config, urls, Store(Path(cache_path), checked=True))
    _worker_jobs = jobs


def _render_slice(start: int, stop: int) -> list[tuple[bytes, str]]:
    """Render jobs[start:stop] in a worker: (bytes, sha256 hex) per job, so
    the parent, which writes every file, does not hash them too."""
    results = []
    for job in _worker_jobs[start:stop]:
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


def gather_inputs(config: SiteConfig, urls: SiteUrls, checked: Checked) -> SiteInputs:
    from .pages import make_environment, template_fingerprints
    from .plan import TEMPLATES
    env = make_environment(config.layouts_dir, config, urls)
    profiles = load_profiles(config.root)
    return SiteInputs(templates=template_fingerprints(env, TEMPLATES, config), static=checked.static,
                      static_digests=checked.static_digests,
                      profiles=profiles, profiles_digest=digest(repr(sorted(profiles.items()))))


def plan_jobs(config: SiteConfig, urls: SiteUrls, checked: Checked, inputs: SiteInputs,
              related: dict[str, tuple[Article, ...]] | None = None,
              kept: dict[str, PageJob] | None = None) -> list[PageJob]:
    """Every file of the site: pages and feeds, the copies of each photo, and
    the static files, but for the photos (published as their copies) and the
    images only left-out stories show (held back with them). `kept`: the last
    build's jobs that still stand (kept_plan.py), taken as they are."""
    from .editions import plan_site, stylesheet_jobs
    from .photos import photo_jobs
    from .plan import PageJob, Planner
    photos = checked.photos
    keys = Keys(urls.base_url, inputs.templates, checked.digests)
    # Related stories are listed within a language: the map made over the whole archive fits only one.
    related = related if len(checked.editions) == 1 else None

    def make_planner(archive, settings, site, shared):
        return Planner(archive, settings, site, keys, checked.body_links, photos.photos, inputs.profiles, related,
                       checked.body_images, shared=shared, kept=kept)

    jobs = plan_site(checked.editions, config, checked.archive, urls, make_planner, keys) + photo_jobs(photos)
    jobs += [PageJob(path, "copy", inputs.static_digests[path], source) for path, source in inputs.static.items()
             if path not in photos.tasks and path not in photos.held_back]
    jobs += stylesheet_jobs(config, inputs.static)
    return jobs


def site_fingerprint(config: SiteConfig, urls: SiteUrls, options: BuildOptions, checked: Checked,
                     inputs: SiteInputs) -> str:
    """A digest of what `plan_jobs` is given but the stories: the settings
    (whole, not picked), the code, templates, static files, authors.yaml,
    photos' settings and the catalogues of words."""
    return digest(code_version(), repr(config), urls.base_url, str(options.drafts),
                  repr(sorted(inputs.templates.items())),
                  repr(sorted(inputs.static_digests.items())), inputs.profiles_digest,
                  checked.photos.settings, repr(sorted(checked.photos.held_back)),
                  repr([(edition.language, edition.words.digest) for edition in checked.editions]))


def build_fingerprint(site: str, checked: Checked) -> str:
    """A digest of every input of the whole site (`site`: `site_fingerprint`):
    equal to the last build's means the published site is already what this
    build would make."""
    return digest(site, repr(sorted(checked.digests[a.source] for a in checked.archive.articles)))


def site_is_intact(out_dir: Path, store: Store) -> bool:
    """Every file the last build published is still there, as it was written
    (one stat per file, against one record: the manifest is not loaded)."""
    return files_unchanged(out_dir, store.published(out_dir))


def settings_signature(config: SiteConfig, options: BuildOptions) -> str:
    """A signature of what a build reads besides its sources, from file stats
    alone: the settings, the code, every template and static file, the
    project's catalogues of words (messages/), authors.yaml. "" when it cannot vouch for them (a file changed too
    recently to trust its stat, or --no-cache)."""
    if not options.use_cache:
        return ""
    folders = tree_signature((THEME_DIR, config.layouts_dir, *config.static_dirs[1:],
                              config.root / MESSAGES_FOLDER))
    now_ns = time.time_ns()
    files = [file_signature(str(path), now_ns) if path.exists() else "none"
             for path in (config.root / CONFIG_FILE, config.root / AUTHORS_FILE)]
    if not folders or not all(files):
        return ""
    return digest(code_version(), search.search_version() if config.search else "", repr(config),
                  str(options.drafts), str(options.out_dir), folders, *files)


def inputs_signature(settings: str, scan: SourceScan, contents: dict[str, str]) -> str:
    """One signature of everything a build reads: `settings_signature` and
    each source's stat signature, or for the sources named in `contents` the
    digest of their bytes (sources too recent to trust by their stat when a
    build read them are compared by what was read). "" when it cannot vouch."""
    if not settings or scan.problems:
        return ""
    parts = []
    for path, signature in scan.signatures.items():
        if path in contents:
            parts.append(f"{path}\0={contents[path]}")
        elif signature:
            parts.append(f"{path}\0{signature}")
        else:
            return ""
    return digest(settings, *parts)


def source_digests(config: SiteConfig, paths) -> dict[str, str]:
    """path -> the digest load_articles gives the bytes it reads, for the sources
    named (those the last build could not trust by their stat); a source that
    cannot be read is left out."""
    fingerprint = parse_fingerprint(config)
    found = {}
    for path in paths:
        data = read_bytes(config.root, path)
        if data is not None:
            found[path] = digest(fingerprint, path, hashlib.sha256(data).hexdigest())
    return found


def last_inputs(options: BuildOptions, store: Store) -> dict:
    """What `remember_inputs` recorded of the last build into this folder ({} when nothing)."""
    try:
        last = json.loads(store.get_checked_meta("unchanged:" + str(options.out_dir)) or "{}")
    except ValueError:
        return {}
    return last if isinstance(last, dict) else {}


def unchanged_report(options: BuildOptions, store: Store, last: dict, key: str) -> BuildReport | None:
    """The last build's report when it was made from exactly these inputs
    (`inputs_signature`), the same stories are due at `options.now`, and the
    published site is still as that build left it; else None. Nothing is
    read but file stats, one row of the cache and the few sources named in it."""
    if not key:
        return None
    try:
        if last.get("key") != key:
            return None
        now = options.now.timestamp()
        due = last["next_due"]
        if not options.drafts and not (last["now"] <= now and (due is None or now < due)):
            return None     # a story came due, or the clock went back past one
        scheduled = pickle.loads(base64.b64decode(last["scheduled"]))
        search_files = last["search"]
        report = BuildReport(articles=last["articles"], pages=last["pages"], feeds=last["feeds"], rendered=0,
                             written=0, unchanged=last["files"], removed=0, markdown_rendered=0,
                             cache_discarded=False, written_paths=(),
                             search=SearchIndex(False, 0.0, *search_files) if search_files else None,
                             scheduled=tuple(scheduled))
    except Exception:  # noqa: BLE001 - a row this code did not write: build the slow way
        return None
    return report if site_is_intact(options.out_dir, store) else None


def remember_inputs(options: BuildOptions, store: Store, settings: str, scan: SourceScan, digests: dict[str, str],
                    report: BuildReport) -> None:
    """Record what `unchanged_report` needs to answer the next build.
    `digests`: what this build read of each source (see `inputs_signature`)."""
    name = "unchanged:" + str(options.out_dir)
    recent = sorted(path for path, signature in scan.signatures.items() if not signature)
    key = inputs_signature(settings, scan, {path: digests[path] for path in recent if path in digests})
    if not key:
        store.set_meta(name, "")
        return
    search_index = report.search
    store.set_checked_meta(name, json.dumps({
        "key": key, "recent": recent, "now": options.now.timestamp(),
        "next_due": report.scheduled[0].published.timestamp() if report.scheduled and not options.drafts else None,
        "articles": report.articles, "pages": report.pages, "feeds": report.feeds,
        "files": report.written + report.unchanged,
        "search": [search_index.files, search_index.bytes, search_index.shards] if search_index else None,
        "scheduled": base64.b64encode(pickle.dumps(report.scheduled, protocol=pickle.HIGHEST_PROTOCOL)).decode()},
        sort_keys=True))
    store.commit()


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
    """Build the site into options.out_dir; raises a DatelineError on any failure,
    and then the published site is exactly as it was.

    The output folder is checked first (never a folder of the project's sources,
    never one holding files the build did not make), then the project's and the
    folder's locks are taken, and only then is anything read."""
    problem = output_problem(options.out_dir, (config.root, config.content_dir, config.layouts_dir,
                                               *config.static_dirs, config.cache_dir))
    if problem:
        raise UsageError(f"--out: {problem}")
    # A symbolic link to the output folder is followed: the real folder is staged
    # beside and swapped, and the link keeps pointing at it.
    options = replace(options, out_dir=Path(os.path.realpath(options.out_dir)))
    with project_lock(config.cache_dir, wait=options.wait, on_wait=options.on_wait):
        try:
            return _build_locked(config, options)
        except sqlite3.Error as error:
            raise OutputError(f"{config.cache_dir}: the build cache could not be read or written ({error}); "
                              f"free some disk space, or delete that folder for a cold build") from None


def _build_locked(config: SiteConfig, options: BuildOptions) -> BuildReport:
    """`build`, holding the project's lock: the steps of a build, in order."""
    store = open_store(config.cache_dir, options.use_cache)
    try:
        with collector_paused() as collecting:
            refuse_foreign_files(options.out_dir, store)
            with output_lock(options.out_dir, wait=options.wait, on_wait=options.on_wait):
                scan = scan_sources(config.root, config.content_dir)    # before anything is read
                settings = settings_signature(config, options)
                last = last_inputs(options, store)
                report = unchanged_report(options, store, last, inputs_signature(
                    settings, scan, source_digests(config, recently_read(last, scan, settings))))
                if report is None:
                    report, digests = _check_and_publish(config, options, store, collecting, scan)
                    remember_inputs(options, store, settings, scan, digests, report)
                return report
    finally:
        store.close()


@contextlib.contextmanager
def collector_paused():
    """The cyclic garbage collector off for the build (yields whether it was on).

    Loading and planning make millions of long-lived objects with no cycles
    to find, which the collector walked again and again (20% of an
    incremental build at 100,000 articles, 6% at 10,000). What they built is
    frozen out of it (`collector_resumed`) once planned, until the build
    ends; frozen before the render workers fork, it also stays shared with
    the workers instead of being copied on write."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield collecting
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


def collector_resumed(collecting: bool) -> None:
    """After planning: freeze what exists, and collect again if it was on
    (rendering makes short-lived cycles: Jinja contexts)."""
    gc.freeze()
    if collecting:
        gc.enable()


def refuse_foreign_files(out_dir: Path, store: Store) -> None:
    """The build never deletes or rewrites a file it did not make: an output
    folder holding any is refused, naming them (one stat per folder when
    none was added since the last build)."""
    found = [] if folders_unchanged(out_dir, store.published(out_dir)) else \
        foreign_files(out_dir, store.manifest(out_dir))
    if found:
        raise OutputError(foreign_message(out_dir, found, is_marked(out_dir)))


def recently_read(last: dict, scan: SourceScan, settings: str) -> list[str]:
    """Sources the last build read too soon after they were written to trust
    their stat: compared by their bytes (`inputs_signature`)."""
    return [path for path in last.get("recent", ()) if path in scan.signatures] if settings else []


def _check_and_publish(config: SiteConfig, options: BuildOptions, store: Store, collecting: bool,
                       scan: SourceScan) -> tuple[BuildReport, dict[str, str]]:
    """Check, plan, render and publish; the report, and the digest of every source as read."""
    from .kept_plan import plan_to_keep
    checked = check(config, options, store, scan)
    urls = SiteUrls(config.base_url)
    inputs = gather_inputs(config, urls, checked)
    site = site_fingerprint(config, urls, options, checked, inputs)
    fingerprint = build_fingerprint(site, checked)
    state_name = "last-build:" + str(options.out_dir)
    last = json.loads(store.get_meta(state_name) or "{}")
    if last.get("fingerprint") == fingerprint and site_is_intact(options.out_dir, store):
        return same_site_report(checked, last), checked.digests
    articles = checked.archive.articles
    manifest = store.manifest(options.out_dir)
    # A multilingual site's pages list their other languages' versions: always planned whole.
    keeps_plan = len(checked.editions) == 1
    shapes, reuse, related = last_plan(store, options.out_dir, site, checked, manifest) if keeps_plan \
        else ((), None, None)

    def plan_and_publish(reuse, related):
        # With the plan reused for content edits alone, related lists are
        # derived only for the stories planned again.
        jobs = planned_jobs(config, urls, checked, inputs, related.lists if related else None,
                            reuse.jobs if reuse else None)
        collector_resumed(collecting)
        return jobs, publish(config, urls, store, jobs, options, checked.photos, search_pages(checked.archive),
                             manifest)

    if keeps_plan and reuse is None and related is None:
        # Related lists kept between builds cover one language's archive; a
        # multilingual site's planners make each language's own.
        related = related_lists(checked.archive, store)
    try:
        jobs, published = plan_and_publish(reuse, related)
    except PlanOutdated:
        # A published file a kept job stood for is gone or changed: plan everything.
        reuse = None
        related = related or related_lists(checked.archive, store)
        jobs, published = plan_and_publish(None, related)
    stats, rendered, search_index, resized = published
    if keeps_plan:
        store.save_plan(options.out_dir, plan_to_keep(site, articles, checked.digests, shapes, reuse, jobs,
                                                      related.key if related else reuse.related))
    else:
        store.save_plan(options.out_dir, None)
    feeds = sum(1 for job in jobs if job.kind == "feed")
    pages = sum(1 for job in jobs if job.kind == "page")
    store.set_meta(state_name, json.dumps({
        "fingerprint": fingerprint, "pages": pages, "feeds": feeds, "files": stats.written + stats.unchanged,
        "search": [search_index.files, search_index.bytes, search_index.shards] if search_index else None},
        sort_keys=True))
    prune_cache(store, checked)
    return BuildReport(articles=len(checked.archive.articles), pages=pages, feeds=feeds, rendered=rendered,
                       written=stats.written, unchanged=stats.unchanged, removed=stats.removed,
                       markdown_rendered=checked.markdown_rendered, cache_discarded=store.discarded,
                       written_paths=tuple(stats.written_paths), search=search_index, scheduled=checked.scheduled,
                       photos_resized=resized, planned=sum(1 for job in jobs if job.kind in ("page", "feed")
                                                           and job.data is not None)), checked.digests


def last_plan(store: Store, out_dir: Path, site: str, checked: Checked, manifest: dict):
    """The stories' shapes, what this build takes from the last build's plan
    (kept_plan.py) and, when stories were added, removed or reshaped, the
    related lists (related.py), which say which story pages that reaches.
    The kept plan itself is let go here: ~14 MB at 10,000 articles that the
    render workers, forked later, would share."""
    from .kept_plan import reusable_jobs, same_stories, story_shapes, usable
    kept = store.plan(out_dir)
    archive = checked.archive
    kept = kept if usable(kept) else None
    shapes = story_shapes(kept, site, archive.articles, checked.digests)
    if kept is None or kept.site != site:
        return shapes, None, None
    related = None if same_stories(kept, archive.articles, shapes) else related_lists(archive, store)
    return shapes, reusable_jobs(kept, site, archive, checked.digests, shapes, manifest, checked.body_links,
                                 related), related


class PlanOutdated(Exception):
    """A job taken from the last build's plan (no inputs of its own) cannot
    keep its published file: the caller plans everything again."""


def planned_jobs(config: SiteConfig, urls: SiteUrls, checked: Checked, inputs: SiteInputs,
                 related: dict[str, tuple[Article, ...]] | None, kept: dict[str, PageJob] | None = None
                 ) -> list[PageJob]:
    """`plan_jobs` in path order, checked for two jobs writing one file."""
    jobs = sorted(plan_jobs(config, urls, checked, inputs, related, kept), key=lambda j: j.path)
    problems = collision_problems(jobs)
    if problems:
        raise BuildError(problems)
    return jobs


def same_site_report(checked: Checked, last: dict) -> BuildReport:
    """The report of a build whose site would come out as the last one left it."""
    return BuildReport(articles=len(checked.archive.articles), pages=last["pages"], feeds=last["feeds"],
                       rendered=0, written=0, unchanged=last["files"], removed=0,
                       markdown_rendered=checked.markdown_rendered, cache_discarded=False, written_paths=(),
                       search=SearchIndex(False, 0.0, *last["search"]) if last.get("search") else None,
                       scheduled=checked.scheduled)


def prune_cache(store: Store, checked: Checked) -> None:
    """Drop what no source needs any more. Drafts' and scheduled stories'
    bodies are kept too: the build that publishes one (the moment it is due)
    need not convert it again."""
    from .photos import cached_keys
    store.prune_markup(checked.body_keys)
    store.prune_image_infos(set(checked.static_digests.values()))
    store.prune_photos(cached_keys(checked.static_digests, checked.photos.settings))
    store.commit()


def publish(config: SiteConfig, urls: SiteUrls, store: Store, jobs: list[PageJob], options: BuildOptions,
            photos: PhotoPlan, pages: list[SearchPage], previous: dict):
    """Stage the new site beside the published one and swap it in. Any failure
    (a template, Pagefind, a full or read-only disk) leaves the published site
    as it was, and comes back as a DatelineError saying what to do.
    `previous`: the published site's manifest."""
    from .photos import stage_photos
    spare_dir = spare_folder(options.out_dir)
    spare_key = "spare:" + os.path.realpath(spare_dir)
    spare = _spare_manifest(previous, store.spare_changes(spare_dir))
    staging = None
    try:
        staging = Staging(options.out_dir, previous, spare, store.get_meta(spare_key),
                          atomic_swap=options.atomic_swap)
        to_render = []
        resized = stage_photos(config.root, photos, [job for job in jobs if job.kind == "photo"], staging, store,
                               options.jobs, options.start_method)
        for job in jobs:
            rel = output_path(job.path)
            if job.kind == "photo":
                continue
            if job.kind == "copy":
                staging.copy(rel, job.key, job.data)
            elif staging.can_keep(rel, job.key):
                staging.keep(rel)
            elif job.data is None:
                raise PlanOutdated(rel)
            else:
                to_render.append((rel, job))
        staging.put(SITE_MARKER, "site-marker", SITE_MARKER_TEXT)
        for done, ((rel, job), (data, sha)) in enumerate(zip(to_render, render_all(
                config, urls, store, [j for _, j in to_render], options.jobs, options.start_method)), start=1):
            staging.put(rel, job.key, data, sha)
            if done % CHUNK == 0 or done == len(to_render):
                _report(options, "rendering", done, len(to_render))
        search_index = index_search(config, staging, store, pages, options) if config.search else None
        stats = staging.commit()
    except OSError as error:
        if staging is not None:
            staging.abort()
        raise OutputError(describe_os_error(error, options.out_dir)) from None
    except BaseException:
        if staging is not None:
            staging.abort()
        raise
    store.save_manifest(options.out_dir, staging.manifest, previous)
    store.save_published(options.out_dir, staging.published)
    token = secrets.token_hex(16)
    next_spare = staging.spare_manifest(token)
    store.save_spare_changes(spare_dir, None if next_spare is None else _spare_changes(staging.manifest, next_spare))
    store.set_meta(spare_key, token if next_spare is not None else "")
    return stats, len(to_render), search_index, resized


def _spare_manifest(published: dict, changes: dict | None) -> dict | None:
    """What the spare folder holds: the published site but for the recorded changes."""
    if changes is None:
        return None
    spare = dict(published)
    for rel, entry in changes.items():
        if entry is None:
            spare.pop(rel, None)
        else:
            spare[rel] = entry
    return spare


def _spare_changes(published: dict, spare: dict) -> dict:
    """How `spare` differs from `published`: rel -> its entry in the spare, or None when absent
    there. Small: the two differ in what one build changed."""
    changes = {rel: entry for rel, entry in spare.items()
               if (same := published.get(rel)) is not entry and same != entry}
    changes.update((rel, None) for rel in published.keys() - spare.keys())
    return changes


_OS_ERROR_HINTS = {
    errno.ENOSPC: "the disk is full: free some space and build again",
    errno.EDQUOT: "the disk quota is used up: free some space and build again",
    errno.EROFS: "that file system is read-only: choose another folder with --out",
    errno.EACCES: "permission denied: check who owns that folder, or choose another with --out",
    errno.EPERM: "the operation is not permitted there: check that folder's permissions, or choose another",
    errno.ENAMETOOLONG: "a file name is longer than the file system allows: shorten the slug",
}


def describe_os_error(error: OSError, out_dir: Path) -> str:
    """One line for a failed write while staging: where, what, and what to do."""
    where = error.filename or out_dir
    what = error.strerror or str(error)
    hint = _OS_ERROR_HINTS.get(error.errno, "fix that and build again")
    return f"{where}: {what} while writing the new site; {hint}. The published site was left as it was"


def index_search(config: SiteConfig, staging: Staging, store: Store, pages: list[SearchPage],
                 options: BuildOptions) -> SearchIndex:
    """Index again the search shards whose articles changed (dateline/search.py).

    An archive with no stories has no index at all (a previous one is dropped
    with the pages it covered), and its search page says there is nothing to
    search yet."""
    if not pages:
        return SearchIndex(True, 0.0, 0, 0)
    return search.index_search(staging, pages, config.language, store, options.jobs,
                               lambda done, total: _report(options, "indexing search", done, total))


def search_pages(archive: Archive) -> list[SearchPage]:
    """The pages the search index covers: every article page."""
    return [SearchPage(output_path(a.url), a.url, a.published, a.language) for a in archive.articles]



def render_all(config: SiteConfig, urls: SiteUrls, store: Store, jobs: list[PageJob], workers: int,
               method: str = ""):
    """(rendered bytes, their sha256) in job order; in worker processes when
    there is enough work."""
    from .render import Renderer
    store.commit()
    if workers > 1 and len(jobs) > CHUNK * 2 and store.path is not None:
        # A few slices ahead of the one being written, not all at once, so
        # finished pages never pile up in the parent.
        starts = iter(range(0, len(jobs), CHUNK))
        in_flight: deque = deque()
        with worker_pool(workers, start_method(method), _start_render_worker,
                         (config, urls, str(store.path), jobs)) as pool:
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
    else:
        renderer = Renderer.create(config, urls, store)
        for job in jobs:
            yield renderer.render(job), None
