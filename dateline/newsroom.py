"""The newsroom's commands, without the command line: new articles, imports
and the extra checks of `check`. Files go into content/ (never site/)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator, Union

import yaml

from .archive import Archive
from .config import SiteConfig
from .content import find_sources, find_static_files, read_source
from .errors import Problem
from .i18n import missing_word_warnings
from .importers.batch import ImportPlan, plan_import
from .importers.dates import DEFAULT_ZONE_ABBREVIATIONS
from .importers.story import Media, Note, ReadOptions, Skipped, Story
from .importers.text import normalise_title
from .languages import imported_language
from .urls import SiteUrls, slugify
from .yamltext import YamlProblem, load_text_yaml


# The text `new` writes for the author to replace. `check` warns about any of
# it still in an article (an error with --strict), so none gets published.
NEW_SUMMARY = "One-sentence dek: what happened and why it matters."
NEW_BODY_LINES = ("First paragraph: the news, who said it, when and where.", "What led to this.",
                  "> A quote from a named source.", "What happens now.")


@dataclass(frozen=True)
class NewArticle:
    path: str       # relative to the project root
    text: str


def new_article(title: str, published: datetime, *, author: str, location: str, section: str,
                tags: tuple[str, ...]) -> NewArticle | None:
    """A complete article skeleton, marked `draft: true` so that no build
    publishes it before its author takes that line out; None when the title
    gives no slug."""
    slug = slugify(title)
    if not slug:
        return None
    front = {"title": title, "summary": NEW_SUMMARY,
             "author": author, "published": published.isoformat(timespec="seconds"),
             "location": location, "section": section, "tags": list(tags), "draft": True}
    front = {key: value for key, value in front.items() if value not in ("", [])}
    first, background, quote, next_ = NEW_BODY_LINES
    text = ("---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n"
            f"{first}\n\n## Background\n\n{background}\n\n## What comes next\n\n{quote}\n\n{next_}\n")
    return NewArticle(f"content/{published.year:04d}/{published.month:02d}/{slug}.md", text)


def archive_titles(config: SiteConfig) -> dict[str, str]:
    """Normalised title -> content-relative path of every article already in the archive."""
    paths, _ = find_sources(config.root, config.content_dir)
    titles: dict[str, str] = {}
    for path in paths:
        source, _ = read_source(config.root, path)
        if source is None:
            continue
        try:
            data = load_text_yaml(source.front_matter).value
        except YamlProblem:
            continue
        if isinstance(data, dict) and isinstance(data.get("title"), str):
            titles.setdefault(normalise_title(data["title"]), path.split("/", 1)[1])
    return titles


def archive_warnings(archive: Archive, config: SiteConfig) -> list[Problem]:
    """What `check` adds to the build's errors: theme words missing in a
    language's catalogue, the site's link-preview `image` missing, duplicate titles, articles with no summary and placeholder text
    left from `new` (warnings; errors with --strict). A missing image in an
    article is an error of the build itself (see photos.py)."""
    static = find_static_files(config.static_dirs)
    # Theme words a language has no translation for (shown in English).
    warnings: list[Problem] = missing_word_warnings(config)
    if config.image.startswith("/") and config.image not in static:
        warnings.append(Problem("site.yaml", 0, "image",
                                f"{config.image} is not in static/ or the theme's static files", warning=True))
    seen_titles: dict[str, str] = {}
    for article in sorted(archive.articles, key=lambda a: a.source):
        line = article.key_lines.get
        if not article.summary:
            warnings.append(Problem(article.source, line("title", 1), "summary",
                                    "missing: lists, feeds and search results show the dek", warning=True))
        warnings.extend(placeholder_warnings(config.root, article))
        key = normalise_title(article.title)
        if key in seen_titles:
            warnings.append(Problem(article.source, line("title", 1), "title",
                                    f"same headline as {seen_titles[key]}", warning=True))
        else:
            seen_titles[key] = article.source
    return warnings


def placeholder_warnings(root: Path, article) -> list[Problem]:
    """Text that `new` wrote for the author to replace, still in the article."""
    warnings = []
    if article.summary == NEW_SUMMARY:
        warnings.append(Problem(article.source, article.key_lines.get("summary", 1), "summary",
                                "still the placeholder written by `new`", "write the story's dek", warning=True))
    source, _ = read_source(root, article.source)
    lines = [] if source is None else [number for number, text in enumerate(source.body.split("\n"), source.body_line)
                                       if text.strip() in NEW_BODY_LINES]
    if lines:
        shown = ", ".join(map(str, lines[:-1])) + (" and " if len(lines) > 1 else "") + str(lines[-1])
        warnings.append(Problem(article.source, lines[0], "body",
                                f"placeholder text left from `new` on line{'s' if len(lines) > 1 else ''} {shown}",
                                "replace it with the story", warning=True))
    return warnings


def write_new_file(root: Path, relative: str, text: str, force: bool) -> bool:
    """Write a file under the project; False when it exists and force is off."""
    path = root / relative
    if path.exists() and not force:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return True


# --- import ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSource:
    path: Path
    label: str   # as shown in the report
    format: str  # a key of READERS


@dataclass(frozen=True)
class ImportSettings:
    sources: tuple[ImportSource, ...]
    into: str                # folder under the root, "/"-separated: "content"
    media_dir: Path | None   # --media
    force: bool
    timezone: str            # --timezone, "" when not given
    include_types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Imported:
    origin: str
    target: str                      # relative to the root
    state: str                       # "written" | "overwritten" | "unchanged"
    notes: tuple[Note, ...]


ImportOutcome = Union[Imported, Skipped, Media, Problem]
Progress = Callable[[str, int, "int | None"], None]


def import_stories(config: SiteConfig, settings: ImportSettings,
                   progress: Progress = lambda stage, done, total: None) -> Iterator[ImportOutcome]:
    """Read every source twice (place, then write) and say what happened to each item.

    Writes the stories under `settings.into` and their pictures under static/;
    nothing else. A file refused whole (hostile XML) gives one Problem and no story.
    """
    # Imported here: the readers' libraries (feedparser, lxml, markdownify) cost half
    # a second to load, which no other command should pay.
    from .importers.sources import READERS
    from .importers.writer import write_story

    options = ReadOptions(zone=settings.timezone or config.timezone, zone_given=bool(settings.timezone),
                          zone_abbreviations={**DEFAULT_ZONE_ABBREVIATIONS, **config.timezones},
                          titles=archive_titles(config) if any(s.format == "text" for s in settings.sources) else {},
                          include_types=settings.include_types)
    counter = itertools.count(1)
    plan = plan_import(read_sources(READERS, settings.sources, options), into=settings.into, permalink=config.permalink,
                       seen=lambda: progress("reading", next(counter), None))
    options = replace(options, attachments=plan.attachments, galleries=plan.galleries)
    total = next(counter) - 1
    base_path = SiteUrls(config.base_url).base_path
    for done, (label, item) in enumerate(read_sources(READERS, settings.sources, options), start=1):
        progress("importing", done, total)
        if label in plan.refused_files and not isinstance(item, Problem):
            continue
        if not isinstance(item, Story):
            yield item
        elif item.origin in plan.problems:
            yield plan.problems[item.origin]
        else:
            # The source's language, as this site names it ("" for its own).
            item = replace(item, language=imported_language(config, item.language))
            yield from write_imported(config.root, write_story(item, plan.placements[item.origin], plan,
                                                               media_dir=settings.media_dir, base_path=base_path),
                                      item, plan, settings)


def read_sources(readers: dict, sources: tuple[ImportSource, ...], options: ReadOptions):
    for source in sources:
        for item in readers[source.format](source.path, source.label, options):
            yield source.label, item


def write_imported(root: Path, written, story: Story, plan: ImportPlan,
                   settings: ImportSettings) -> Iterator[ImportOutcome]:
    """Write one story's file and its pictures (a `writer.WrittenStory`)."""
    placement = plan.placements[story.origin]
    state = write_if_changed(root, placement.target, written.text.encode("utf-8"), settings.force)
    if state == "exists":
        yield Problem(story.origin, 0, "file", f"{placement.target} already exists", "use --force to overwrite")
        return
    for media in written.media:
        media_state = write_if_changed(root, media.target, media.source.read_bytes(), settings.force)
        if media_state == "exists":
            yield Problem(story.origin, 0, "image", f"{media.target} already exists with other bytes",
                          "use --force to overwrite")
    yield Imported(story.origin, placement.target, state, written.notes)


def write_if_changed(root: Path, relative: str, data: bytes, force: bool) -> str:
    """Write a file under the project unless it holds these bytes already.

    "written", "overwritten" (with force), "unchanged", or "exists" (other bytes, no force).
    """
    path = root / relative
    if path.is_file():
        if path.read_bytes() == data:
            return "unchanged"
        if not force:
            return "exists"
        state = "overwritten"
    else:
        state = "written"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    return state
