"""The first pass of an import: where every story goes, before any is written.

Links between imported stories can only become links between their Markdown
files once every story's file is known, and a 10,000-post export is streamed,
not held: so the sources are read twice. The first pass keeps, per story, only
its place (a few short strings); the second converts and writes one story at a
time (`writer`).

Two stories that want one file (or one URL) are both kept: the later one, in
source order, gets a numbered slug ("floods-2"), which is reported. Numbering
follows the source order, so running the same import again gives the same files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from dateline.errors import Problem
from dateline.urls import format_permalink, is_valid_slug, slugify

from .addresses import url_key
from .story import Image, Item, Media, Story

FILE_FIELDS = frozenset({"xml", "feed", "html", "encoding", "file"})  # a Problem with these refuses its whole file


@dataclass(frozen=True)
class Placement:
    target: str        # relative to the project root: "content/2019/05/slug.md"
    slug: str
    url: str           # the site path the story will have
    wanted_slug: str   # the slug before numbering; equal to `slug` when it was free
    keeps_id: bool     # False when an earlier story of the import has the same id
    alias_owner: str   # origin of the first story with this story's old address


@dataclass(frozen=True)
class ImportPlan:
    placements: dict[str, Placement] = field(default_factory=dict)   # origin -> placement
    links: dict[str, tuple[str, bool]] = field(default_factory=dict)  # url_key -> (target, draft)
    new_urls: frozenset[str] = frozenset()
    problems: dict[str, Problem] = field(default_factory=dict)       # origin -> why it has no place
    refused_files: frozenset[str] = frozenset()                       # labels of files refused whole
    attachments: dict[str, Image] = field(default_factory=dict)
    galleries: dict[str, tuple[str, ...]] = field(default_factory=dict)


def plan_import(items: Iterable[tuple[str, Item]], *, into: str, permalink: str,
                seen: Callable[[], None] = lambda: None) -> ImportPlan:
    """Place every story of `items` ((file label, item) pairs, in source order)."""
    placements: dict[str, Placement] = {}
    links: dict[str, tuple[str, bool]] = {}
    taken: set[str] = set()   # targets and URLs given out
    ids: set[str] = set()
    aliases: dict[str, str] = {}
    problems: dict[str, Problem] = {}
    refused: set[str] = set()
    attachments: dict[str, Image] = {}
    galleries: dict[str, list[str]] = {}
    for label, item in items:
        seen()
        if isinstance(item, Media):
            attachments[item.key] = item.image
            if item.parent and item.parent != "0":
                galleries.setdefault(item.parent, []).append(item.key)
        elif isinstance(item, Problem) and item.field in FILE_FIELDS:
            refused.add(label)
        elif isinstance(item, Story):
            placement = place(item, into, permalink, taken)
            if isinstance(placement, Problem):
                problems[item.origin] = placement
                continue
            keeps_id = bool(item.id) and item.id not in ids
            ids.add(item.id)
            old = url_key(item.url) if item.url else ""
            alias_owner = aliases.setdefault(old, item.origin) if old else item.origin
            placement = Placement(placement.target, placement.slug, placement.url, placement.wanted_slug, keeps_id,
                                  alias_owner)
            placements[item.origin] = placement
            for url in (item.url, *item.other_urls):
                if url:
                    links.setdefault(url_key(url), (placement.target, item.draft))
    return ImportPlan(placements, links, frozenset(p.url for p in placements.values()), problems, frozenset(refused),
                      attachments, {key: tuple(values) for key, values in galleries.items()})


def place(story: Story, into: str, permalink: str, taken: set[str]) -> Placement | Problem:
    wanted = story_slug(story)
    if not wanted:
        return Problem(story.origin, 0, "title", f"{story.title!r} has no letters or digits to make a file name from",
                       "give the story a title in Latin letters, or import it by hand")
    local = story.published.astimezone(ZoneInfo(story.timezone)) if story.timezone else story.published
    folder = f"{into.rstrip('/')}/{local.year:04d}/{local.month:02d}"
    number = 1
    while True:
        slug = wanted if number == 1 else f"{wanted[:76]}-{number}"
        target = f"{folder}/{slug}.md"
        url = format_permalink(permalink, year=f"{local.year:04d}", month=f"{local.month:02d}", day=f"{local.day:02d}",
                               slug=slug, section=slugify(story.section) or "news")
        if target not in taken and url not in taken:
            taken.update((target, url))
            return Placement(target, slug, url, wanted, True, "")
        number += 1


def story_slug(story: Story) -> str:
    """The source's own slug when it is a clean one, else one made from it or the title."""
    if is_valid_slug(story.slug) and len(story.slug) <= 80:
        return story.slug
    return slugify(unquote(story.slug)) or slugify(story.title)
