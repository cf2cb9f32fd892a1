"""Every story's related stories, kept between builds and updated where an edit reaches.

`archive.related_articles` ranks, for a story, the stories within
RELATED_WINDOW places of it in time in each of its tags and its section. So a
story's list follows from its own tags, section and time and from those
windows: what each member is (its source, slug and time). Each build saves
every story's list with what it was computed from (per story: time, slug,
tags, section). The next build, by the same code:
- nothing of that changed (a body, template or settings edit): every list
  is taken as saved;
- some stories were added, removed, re-tagged, retimed or renamed: only
  their lists and the lists of stories whose window, in a tag or section one
  of them has or had, now holds other stories (or one of them) are
  computed again; at 10,000 articles that is a few dozen lists, not 10,000.
Any other case (no saved row, a damaged one, another code version) computes
every list. tests/test_related.py checks the updated lists against lists
computed afresh after random edits.
"""
from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

from .archive import RELATED_WINDOW, Archive, related_articles, term_slug
from .keys import code_version, digest
from .model import Article

# What every build reads: the key of what the lists were computed from, and the lists.
ROW = "related"
# What they were computed from (each story's time, slug, tags, section):
# read only when that changed, to update the lists.
STORIES_ROW = "related-stories"


@dataclass(frozen=True)
class Related:
    lists: dict[str, tuple[Article, ...]]   # source -> its related stories, for every story
    key: str                    # what the lists were computed from (each story's time, slug, tags, section)
    base: str                   # the key of the saved lists this build started from ("" for none)
    # The stories whose lists were computed again (the rest are the saved
    # ones, as they were under `base`); None when every list was.
    again: frozenset[str] | None


def related_map(archive: Archive, store) -> dict[str, tuple[Article, ...]]:
    """Every article's related stories, by source path (see the module's docstring)."""
    return related_lists(archive, store).lists


def related_lists(archive: Archive, store) -> Related:
    """`related_map` with what it started from and what it computed again.
    Stored with a CRC like every cached value, so a damaged row is computed again."""
    stories = {a.source: [a.published_seconds, a.slug, list(a.tags), a.section] for a in archive.articles}
    key = digest(code_version(), repr(list(stories.items())))
    by_source = {a.source: a for a in archive.articles}
    saved_key, _, saved_lists = store.get_checked_meta(ROW).partition("\n")
    related, again = None, None
    try:
        if saved_key == key:
            lists = json.loads(saved_lists)
            story = by_source.__getitem__
            related, again = {a.source: tuple(map(story, lists[a.source])) for a in archive.articles}, frozenset()
        elif saved_key:
            old = json.loads(store.get_checked_meta(STORIES_ROW) or "null")
            if isinstance(old, dict) and old.get("key") == saved_key and old.get("code") == code_version():
                related, again = _updated(archive, by_source, old["stories"], stories, json.loads(saved_lists))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        related, again = None, None      # not what this code wrote: computed again below
    if related is None:
        related = {a.source: related_articles(archive, a) for a in archive.articles}
    if saved_key != key:
        lists = {source: [a.source for a in others] for source, others in related.items()}
        store.set_checked_meta(ROW, key + "\n" + json.dumps(lists, sort_keys=True))
        store.set_checked_meta(STORIES_ROW, json.dumps({"key": key, "code": code_version(), "stories": stories},
                                                       sort_keys=True))
    return Related(related, key, saved_key, again)


def _updated(archive: Archive, by_source: dict[str, Article], old: dict, new: dict,
             old_lists: dict) -> tuple[dict[str, tuple[Article, ...]], frozenset[str]]:
    """The lists after the changes from `old` to `new` (source -> [time,
    slug, tags, section]): computed again for the changed stories and the
    stories whose windows moved, the rest as saved (`old_lists`: source ->
    the sources of its list); and the sources of the lists computed again."""
    changed = {source for source in old.keys() | new.keys() if old.get(source) != new.get(source)}
    touched = set()
    for source in changed:
        for story in (old.get(source), new.get(source)):
            if story is not None:
                touched |= _terms(story)
    old_members: dict[tuple[str, str], list[tuple[float, str, str]]] = {term: [] for term in touched}
    for source, story in old.items():
        for term in _terms(story) & touched:
            old_members[term].append((-story[0], story[1], source))     # the archive's order
    again = set(changed & new.keys())
    for term in touched:
        listing = archive.term_listings.get(term)
        if listing is None:
            continue
        times = archive.term_times[term]
        members = [a.source for a in listing.articles]
        before = sorted(old_members[term])
        before_times = [entry[0] for entry in before]
        before_sources = [entry[2] for entry in before]
        for article in listing.articles:
            if article.source in changed:
                continue
            now = _window(members, times, article.published_seconds)
            if now != _window(before_sources, before_times, article.published_seconds) or changed.intersection(now):
                again.add(article.source)
    story = by_source.__getitem__
    return ({a.source: related_articles(archive, a) if a.source in again else tuple(map(story, old_lists[a.source]))
             for a in archive.articles}, frozenset(again))


def _terms(story: list) -> set[tuple[str, str]]:
    """The (kind, slug) listings a story's related list reads: its tags and its section."""
    _, _, tags, section = story
    return {("tag", term_slug(name)) for name in tags} | ({("section", term_slug(section))} if section else set())


def _window(members: list[str], times, seconds: float) -> list[str]:
    """The members `related_articles` looks at for a story published at `seconds`."""
    position = bisect.bisect_left(times, -seconds)
    return members[max(0, position - RELATED_WINDOW):position + RELATED_WINDOW + 1]
