"""Related lists kept between builds (dateline/related.py) are the lists a
fresh computation gives, after any edit: random archives with many stories
at the same minute, random structural edits one after another, every list
compared with `related_articles` over the new archive."""
from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from dateline import related
from dateline.archive import build_archive, related_articles
from dateline.cache import Store
from dateline.model import Article

TAGS = ["ports", "rail", "drought", "budget", "courts", "Courts", "energy", "fishing"]
SECTIONS = ["", "World", "Business", "Science"]


def story(rng: random.Random, number: int) -> Article:
    # Few distinct minutes: long runs of stories published at the same time.
    published = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=rng.randrange(40) * 90)
    slug = f"story-{number}"
    return Article(source=f"content/{slug}.md", slug=slug, title=slug.title(), authors=("A. Writer",),
                   published=published, timezone="UTC", url=f"/{slug}/", body_key=f"body-{number}",
                   tags=tuple(rng.sample(TAGS, rng.randrange(4))), section=rng.choice(SECTIONS))


def edited(rng: random.Random, stories: dict[str, Article], serial: list[int]) -> str:
    """One random structural edit, in place; its name."""
    action = rng.choice(["add", "delete", "retag", "section", "retime", "rename", "add", "retag"])
    if action == "add" or len(stories) < 5:
        serial[0] += 1
        added = story(rng, serial[0])
        stories[added.source] = added
        return "add"
    source = rng.choice(sorted(stories))
    old = stories[source]
    if action == "delete":
        del stories[source]
    elif action == "retag":
        stories[source] = replace(old, tags=tuple(rng.sample(TAGS, rng.randrange(4))))
    elif action == "section":
        stories[source] = replace(old, section=rng.choice(SECTIONS))
    elif action == "retime":
        stories[source] = replace(old, published=old.published + timedelta(minutes=rng.choice([-90, 0, 90, 900])))
    else:
        stories[source] = replace(old, slug=old.slug + "-b")
    return action


def archive_of(stories: dict[str, Article]):
    archive, problems = build_archive(list(stories.values()))
    assert not problems
    return archive


def sources(lists) -> dict[str, list[str]]:
    return {source: [a.source for a in others] for source, others in lists.items()}


@pytest.mark.parametrize("seed", range(6))
def test_updated_lists_are_the_lists_computed_afresh(seed):
    rng = random.Random(seed)
    serial = [0]
    stories = {}
    for _ in range(160):
        serial[0] += 1
        new = story(rng, serial[0])
        stories[new.source] = new
    store = Store(None)
    related.related_map(archive_of(stories), store)
    recomputed = []
    for step in range(25):
        action = edited(rng, stories, serial)
        archive = archive_of(stories)
        calls = []
        original = related.related_articles

        def counting(archive_, article, *args):
            calls.append(article.source)
            return original(archive_, article, *args)

        related.related_articles = counting
        try:
            lists = related.related_map(archive, store)
        finally:
            related.related_articles = original
        fresh = {a.source: related_articles(archive, a) for a in archive.articles}
        assert sources(lists) == sources(fresh), (seed, step, action)
        current = {a.source: a for a in archive.articles}
        assert all(all(x is current[x.source] for x in others) for others in lists.values())
        recomputed.append(len(calls))
    # Lists were updated, not all computed again: an edit recomputes a few dozen of ~160.
    assert sum(recomputed) < 0.5 * 25 * len(stories), recomputed


def test_an_unchanged_archive_takes_every_list_as_saved():
    rng = random.Random(7)
    stories = {s.source: s for s in (story(rng, n) for n in range(60))}
    store = Store(None)
    first = related.related_map(archive_of(stories), store)
    row = store.get_meta(related.ROW)
    original, calls = related.related_articles, []
    related.related_articles = lambda *args: calls.append(args) or original(*args)
    try:
        again = related.related_map(archive_of(stories), store)
    finally:
        related.related_articles = original
    assert calls == [] and sources(again) == sources(first) and store.get_meta(related.ROW) == row


def test_a_saved_row_is_used_only_while_intact():
    """Saved lists are used as they are while the row's CRC matches (an
    altered but well-formed row shows they are not computed again), and
    computed again, and saved afresh, when it does not."""
    rng = random.Random(3)
    stories = {s.source: s for s in (story(rng, n) for n in range(60))}
    archive = archive_of(stories)
    store = Store(None)
    fresh = related.related_map(archive, store)
    crc, key, text = store.get_meta(related.ROW).split("\n", 2)
    lists = json.loads(text)
    source, others = next((s, o) for s, o in sorted(lists.items()) if len(o) >= 2)
    lists[source] = others[::-1]                               # a plausible but wrong order
    altered = key + "\n" + json.dumps(lists, sort_keys=True)
    store.set_checked_meta(related.ROW, altered)
    assert [a.source for a in related.related_map(archive, store)[source]] == others[::-1]
    store.set_meta(related.ROW, crc + "\n" + altered)          # the old CRC: a damaged row
    assert sources(related.related_map(archive, store)) == sources(fresh)
    assert store.get_meta(related.ROW) == "\n".join([crc, key, text])
    # After an edit, lists are updated from what they were computed from; when
    # that row is damaged or another's, every list is computed afresh.
    moved = next(iter(stories.values()))
    stories[moved.source] = replace(moved, tags=("ports", "rail"))
    archive = archive_of(stories)
    store.set_meta(related.STORIES_ROW, "0\n" + store.get_checked_meta(related.STORIES_ROW))
    assert sources(related.related_map(archive, store)) == sources(
        {a.source: related_articles(archive, a) for a in archive.articles})
