"""RSS and Atom feeds -> stories, read with feedparser.

Each entry is a story: its full text (`content:encoded`, Atom `content`) is the
body and its description the summary; a feed that carries only descriptions
gives stories whose body is that description (reported). Times keep the offset
they were written with, except GMT/UTC ones, which are shown in the zone given
(--timezone, else the site's): a feed writes GMT, the newsroom did not. The
entry's link is the old address and its guid the stable `id`.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Iterator

import feedparser

from dateline.errors import Problem
from dateline.languages import is_language_tag
from dateline.zones import load_zone

from .convert import plain_text
from .story import Image, Item, Note, ReadOptions, Story
from .xmlsafe import XmlRefused, check_xml_is_safe

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
SUMMARY_LIMIT = 300  # characters of a description kept as the dek


def read_feed(path: Path, label: str, options: ReadOptions) -> Iterator[Item]:
    data = path.read_bytes()
    try:
        check_xml_is_safe(data)
    except XmlRefused as refused:
        yield Problem(label, refused.line, "xml", refused.message, refused.hint)
        return
    parsed = feedparser.parse(data, response_headers={"content-location": ""})
    if not parsed.entries:
        reason = f"not a feed: {parsed.bozo_exception}" if parsed.get("bozo") else "the feed has no entries"
        yield Problem(label, 0, "feed", reason)
        return
    feed_author = parsed.feed.get("author", "")
    language = parsed.feed.get("language", "")      # RSS <language>, Atom xml:lang
    for number, entry in enumerate(parsed.entries, start=1):
        yield read_entry(entry, f"{label} entry {number}", label, feed_author, options, language)


def entry_language(entry, feed_language: str) -> str:
    """The entry's own xml:lang (Atom), else the feed's language; "" for none."""
    for candidate in ((entry.get("title_detail") or {}).get("language"), feed_language):
        if candidate and is_language_tag(candidate.strip()):
            return candidate.strip()
    return ""


def read_entry(entry, origin: str, label: str, feed_author: str, options: ReadOptions, feed_language: str = "") -> Item:
    title = plain_text(entry.get("title", ""))
    if not title:
        return Problem(label, 0, "title", f"{origin.removeprefix(label + ' ')} has no title")
    notes: list[Note] = []
    published = entry_time(entry, ("published", "issued", "created", "updated"), options)
    if published is None:
        return Problem(label, 0, "published", f"{title!r} has no date the feed parser could read")
    updated = entry_time(entry, ("updated",), options)
    if updated is not None and updated <= published:
        updated = None
    names = tuple(dict.fromkeys(author.get("name", "").strip() for author in entry.get("authors", [])
                                if author.get("name", "").strip()))
    if not names:
        names = (feed_author or "Staff reporter",)
        notes.append(Note(0, f"no author in the entry: used {names[0]!r}", "author guessed"))
    content = next((part.get("value", "") for part in entry.get("content", [])
                    if "html" in part.get("type", "html")), "")
    summary_html = entry.get("summary", "")
    if not content:
        content = summary_html
        notes.append(Note(0, "the feed carries only a summary: it is the body", "summary only"))
    summary = plain_text(summary_html)
    if len(summary) > SUMMARY_LIMIT:
        summary = shorten(summary)
    guid = entry.get("id", "").strip()
    return Story(
        origin=origin, title=title, authors=names, published=published, body=content, body_format="html",
        timezone=options.zone if options.zone_given else "", updated=updated, summary=summary,
        tags=tuple(dict.fromkeys(tag.get("term") or tag.get("label") for tag in entry.get("tags", [])
                                 if tag.get("term") or tag.get("label"))),
        url=entry.get("link", "").strip(), id=guid if _URI.match(guid) else "",
        image=entry_image(entry, title), language=entry_language(entry, feed_language), notes=tuple(notes),
    )


def entry_time(entry, keys: tuple[str, ...], options: ReadOptions) -> datetime | None:
    """The first of `keys` the entry has, with its written offset (GMT moved to the zone given)."""
    for key in keys:
        text = entry.get(key, "")
        parsed = entry.get(f"{key}_parsed")
        if not text and not parsed:
            continue
        when = written_time(text)
        if when is None and parsed:
            when = datetime(*parsed[:6], tzinfo=timezone.utc)  # feedparser's reading, in UTC
        if when is None:
            continue
        if when.utcoffset() == timedelta(0):
            when = when.astimezone(load_zone(options.zone))
        return when
    return None


def written_time(text: str) -> datetime | None:
    text = text.strip()
    for parse in (datetime.fromisoformat, parsedate_to_datetime):
        try:
            when = parse(text)
        except (ValueError, TypeError, IndexError):
            continue
        if when is not None and when.tzinfo is not None:
            return when
    return None


def entry_image(entry, title: str) -> Image | None:
    for media in entry.get("media_content", []) + entry.get("media_thumbnail", []):
        if media.get("url") and media.get("medium", "image") == "image" and \
                media.get("type", "image/").startswith("image/"):
            return Image(media["url"], plain_text(entry.get("media_description", "")) or title)
    for enclosure in entry.get("enclosures", []):
        if enclosure.get("type", "").startswith("image/") and enclosure.get("href"):
            return Image(enclosure["href"], title)
    return None



def shorten(text: str) -> str:
    """The first sentences that fit SUMMARY_LIMIT, else the words that fit, with an ellipsis."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept = ""
    for sentence in sentences:
        if len(kept) + len(sentence) + 1 > SUMMARY_LIMIT:
            break
        kept = f"{kept} {sentence}".strip()
    if kept:
        return kept
    return text[:SUMMARY_LIMIT].rsplit(" ", 1)[0] + "…"
