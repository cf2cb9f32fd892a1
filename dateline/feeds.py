"""RSS 2.0, Atom (both with feedgen) and JSON Feed 1.1 bytes for a list of items.

Feed readers key items on the guid / Atom id, so an item's id is the article's
front-matter `id` when it has one, else its permalink; nothing here depends on
the wall clock: channel dates come from the items.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

# XML 1.0 forbids most control characters and lone surrogates; lxml refuses them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class FeedItem:
    id: str                     # guid / Atom id
    id_is_permalink: bool
    url: str                    # absolute
    title: str
    summary: str
    content_html: str           # every URL absolute
    published: datetime
    updated: datetime
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    image: str = ""             # absolute URL, "" for none


@dataclass(frozen=True)
class Feed:
    title: str
    description: str
    language: str
    home_url: str               # absolute URL of the page the feed follows
    rss_url: str
    atom_url: str
    json_url: str
    items: tuple[FeedItem, ...]  # newest first
    fallback_date: datetime = EPOCH

    @property
    def updated(self) -> datetime:
        return max((item.updated for item in self.items), default=self.fallback_date)


def _generator(feed: Feed, self_url: str):
    # Imported here: feedgen brings lxml, which a build that renders no feed never needs.
    from feedgen.feed import FeedGenerator

    generator = FeedGenerator()
    generator.load_extension("dc", atom=False, rss=True)
    generator.id(feed.home_url)
    generator.title(xml_safe(feed.title))
    generator.description(xml_safe(feed.description or feed.title))
    generator.language(feed.language)
    # feedgen writes the last link added as RSS's channel <link>, which must be
    # the page the feed follows; the feed's own URL goes only in
    # atom:link rel="self". So the self link comes first.
    generator.link(href=self_url, rel="self")
    generator.link(href=feed.home_url, rel="alternate")
    generator.generator("dateline")
    generator.updated(feed.updated)           # atom:updated and rss lastBuildDate
    generator.lastBuildDate(feed.updated)
    for item in feed.items:
        entry = generator.add_entry(order="append")
        entry.id(item.id)
        entry.guid(item.id, permalink=item.id_is_permalink)
        entry.title(xml_safe(item.title))
        entry.link(href=item.url, rel="alternate")
        if item.summary:
            entry.summary(xml_safe(item.summary))
        if item.content_html:
            entry.content(xml_safe(item.content_html), type="html")
        entry.published(item.published)
        entry.updated(item.updated)
        for name in item.authors:
            entry.author({"name": xml_safe(name)})
            entry.dc.dc_creator(xml_safe(name))
        for category in item.categories:
            entry.category(term=xml_safe(category))
    return generator


def rss_bytes(feed: Feed) -> bytes:
    return _generator(feed, feed.rss_url).rss_str(pretty=True)


def atom_bytes(feed: Feed) -> bytes:
    return _generator(feed, feed.atom_url).atom_str(pretty=True)


def json_feed_bytes(feed: Feed) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.json_url,
        "description": feed.description or feed.title,
        "language": feed.language,
        "items": [
            {
                "id": item.id,
                "url": item.url,
                "title": item.title,
                **({"summary": item.summary} if item.summary else {}),
                **({"content_html": item.content_html} if item.content_html else {"content_text": item.summary or item.title}),
                "date_published": item.published.isoformat(),
                "date_modified": item.updated.isoformat(),
                "authors": [{"name": name} for name in item.authors],
                "tags": list(item.categories),
                **({"image": item.image} if item.image else {}),
            }
            for item in feed.items
        ],
    }
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")
