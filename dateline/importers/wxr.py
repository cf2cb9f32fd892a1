"""WordPress export files (WXR: Tools > Export) -> stories.

The file is streamed: each `<item>` is read, turned into a value and cleared,
so a 10,000-post export needs the memory of one post, not of the file.

What is read, and how:
- posts become stories; pages and custom post types are skipped (and counted)
  unless `include_types` names them; attachments are `Media` (featured images
  and galleries name them); menu items, revisions and the like are skipped;
- `publish` and `future` posts are published; `draft` and `pending` ones get
  `draft: true`; `private` and `trash` are left out and counted;
- `wp:post_date_gmt` is `published` (shown in the zone given: --timezone, else
  the site's); drafts have no GMT date, so their local `wp:post_date` is read in
  that zone; `wp:post_modified_gmt` is `updated` when later;
- the author is the display name of the `dc:creator` login (`wp:author`);
- the first category is the section, further categories and all tags are
  tags ("Uncategorized" is no section); the excerpt is the summary;
- `<link>` is the old address (an alias), `?p=ID` and the guid are other
  addresses links may use; the guid is kept as the stable `id`;
- the featured image (`_thumbnail_id`) becomes the hero image.
"""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator
from xml.etree.ElementTree import Element

from dateline.errors import Problem
from dateline.languages import is_language_tag
from dateline.zones import load_zone, place_wall_time

from .shortcodes import wordpress_html
from .convert import plain_text
from .story import Image, Item, Media, Note, ReadOptions, Skipped, Story
from .xmlsafe import XmlRefused, local_name, stream_xml

_SKIPPED_STATUSES = {"private": "private", "trash": "trashed", "auto-draft": "auto-draft"}
_DRAFT_STATUSES = frozenset({"draft", "pending"})
_NOT_CONTENT_TYPES = frozenset({"nav_menu_item", "revision", "custom_css", "customize_changeset", "oembed_cache",
                                "user_request", "wp_block", "wp_template", "wp_template_part", "wp_global_styles",
                                "wp_navigation", "wp_font_family", "wp_font_face"})
_NO_SECTION = frozenset({"uncategorized"})
_ZERO_DATE = "0000-00-00 00:00:00"
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def read_wxr(path: Path, label: str, options: ReadOptions) -> Iterator[Item]:
    """Every item of the export, in file order: Story, Media, Skipped or Problem.

    A file that is not XML or declares entities ends the stream with one Problem.
    """
    authors: dict[str, str] = {}
    site_url = ""
    language = ""   # the channel's <language>: every post's, unless a language plugin names another
    open_elements: list[Element] = []
    try:
        for event in stream_xml(path):
            if event.kind == "start":
                open_elements.append(event.element)
                continue
            open_elements.pop()
            name = local_name(event.element.tag)
            in_channel = len(open_elements) == 2  # rss > channel > this
            if not in_channel:
                continue
            if name == "wp:author":
                login = child_text(event.element, "wp:author_login")
                authors[login] = child_text(event.element, "wp:author_display_name") or login
            elif name == "wp:base_blog_url" or (name == "link" and not site_url):
                site_url = (event.element.text or "").strip()
            elif name == "language":
                language = (event.element.text or "").strip()
            elif name == "item":
                yield read_item(event.element, event.line, label, authors, site_url, options, language)
            # Done with it: a cleared element left in the tree would still cost memory.
            open_elements[-1].remove(event.element)
            event.element.clear()
    except XmlRefused as refused:
        yield Problem(label, refused.line, "xml", refused.message, refused.hint)


def child_text(element: Element, name: str) -> str:
    for child in element:
        if local_name(child.tag) == name:
            return (child.text or "").strip()
    return ""


def read_item(item: Element, line: int, label: str, authors: dict, site_url: str, options: ReadOptions,
              channel_language: str = "") -> Item:
    fields: dict[str, str] = {}
    categories: list[tuple[str, str, str]] = []  # (domain, nicename, name)
    meta: dict[str, str] = {}
    for child in item:
        name = local_name(child.tag)
        if name == "category":
            categories.append((child.get("domain", ""), child.get("nicename", ""), (child.text or "").strip()))
        elif name == "wp:postmeta":
            meta.setdefault(child_text(child, "wp:meta_key"), child_text(child, "wp:meta_value"))
        elif name not in fields:
            fields[name] = child.text or ""
    post_id = fields.get("wp:post_id", "").strip()
    title = " ".join(html.unescape(fields.get("title", "")).split())
    origin = f"{label}:{line}"
    post_type = fields.get("wp:post_type", "post").strip() or "post"
    status = fields.get("wp:status", "publish").strip()
    if post_type == "attachment":
        return Media(post_id, fields.get("wp:post_parent", "").strip(), attachment_image(fields, meta))
    if post_type in _NOT_CONTENT_TYPES:
        return Skipped(origin, title, post_type.replace("_", " "))
    if post_type != "post" and post_type not in options.include_types:
        reason = "page" if post_type == "page" else f"post type {post_type!r}"
        return Skipped(origin, title, reason)
    if status in _SKIPPED_STATUSES:
        return Skipped(origin, title, _SKIPPED_STATUSES[status])
    if not title:
        return Problem(label, line, "title", f"post {post_id or '?'} has no title", "give it one in WordPress, or skip it")

    notes: list[Note] = []
    published, zone_notes, problem = published_time(fields, line, label, options)
    if problem:
        return problem
    notes += zone_notes
    updated = gmt_time(fields.get("wp:post_modified_gmt", ""), options)
    if updated is not None and updated <= published:
        updated = None

    login = fields.get("dc:creator", "").strip()
    author = authors.get(login, "")
    if not author:
        author = login or "Staff reporter"
        notes.append(Note(0, f"no display name for the author {login!r}: used {author!r}", "author guessed"))
    section, tags, category_notes = terms(categories, line)
    notes += category_notes

    body, body_notes = wordpress_html(fields.get("content:encoded", ""), options.attachments, post_id,
                                      options.galleries)
    notes += [Note(0, note.message, note.kind) for note in body_notes]
    guid = fields.get("guid", "").strip()
    other_urls = tuple(url for url in (guid, f"{site_url.rstrip('/')}/?p={post_id}" if site_url and post_id else "")
                       if url)
    thumbnail = meta.get("_thumbnail_id", "").strip()
    image = options.attachments.get(thumbnail) if thumbnail else None
    return Story(
        origin=origin, title=title, authors=(author,), published=published, body=body, body_format="html",
        timezone=options.zone if options.zone_given else "", updated=updated,
        summary=plain_text(fields.get("excerpt:encoded", "")), section=section, tags=tags,
        draft=status in _DRAFT_STATUSES, slug=fields.get("wp:post_name", "").strip(),
        url=fields.get("link", "").strip(), other_urls=other_urls, id=guid if _URI.match(guid) else "",
        image=image, language=post_language(categories, channel_language), notes=tuple(notes),
    )


def published_time(fields: dict, line: int, label: str, options: ReadOptions):
    """(aware published time, notes, problem)."""
    zone = load_zone(options.zone)
    local_text = fields.get("wp:post_date", "").strip()
    gmt = gmt_time(fields.get("wp:post_date_gmt", ""), options)
    local = parse_wordpress_time(local_text)
    if gmt is not None:
        notes = []
        if local is not None and gmt.replace(tzinfo=None) != local:
            notes.append(Note(0, f"WordPress's local time {local_text} is not {gmt.isoformat()} in {options.zone}",
                              "local time differs from the zone"))
        return gmt, notes, None
    if local is None:
        return None, [], Problem(label, line, "published", "the post has no date (wp:post_date)")
    wall = place_wall_time(local, zone)
    notes = [Note(0, f"no GMT date (a draft): read {local_text} in {options.zone}", "draft date read locally")]
    if not wall.unique:
        notes.append(Note(0, f"{local_text} is not a single time in {options.zone}; used "
                                f"{wall.earlier.isoformat()}", "ambiguous local time"))
    return (wall.earlier if wall.exists else wall.later), notes, None


def gmt_time(text: str, options: ReadOptions) -> datetime | None:
    naive = parse_wordpress_time(text.strip())
    if naive is None:
        return None
    return naive.replace(tzinfo=timezone.utc).astimezone(load_zone(options.zone))


def parse_wordpress_time(text: str) -> datetime | None:
    if not text or text == _ZERO_DATE:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def post_language(categories: list[tuple[str, str, str]], channel_language: str) -> str:
    """A post's language: the term a language plugin files it under (Polylang's
    `language` taxonomy: <category domain="language" nicename="fr">), else the
    export's own <language>; "" when neither is a language tag."""
    for candidate in [nicename for domain, nicename, _ in categories if domain == "language"] + [channel_language]:
        if candidate and is_language_tag(candidate):
            return candidate
    return ""


def terms(categories: list[tuple[str, str, str]], line: int) -> tuple[str, tuple[str, ...], list[Note]]:
    names = [name for domain, nicename, name in categories
             if domain == "category" and name and nicename.lower() not in _NO_SECTION]
    tags = [name for domain, _, name in categories if domain == "post_tag" and name]
    notes = []
    if len(names) > 1:
        notes.append(Note(0, f"more than one category: section {names[0]!r}, the others became tags",
                          "categories became tags"))
    section = names[0] if names else ""
    return section, tuple(dict.fromkeys(names[1:] + tags)), notes


def attachment_image(fields: dict, meta: dict) -> Image:
    src = fields.get("wp:attachment_url", "").strip() or fields.get("guid", "").strip()
    title = " ".join(html.unescape(fields.get("title", "")).split())
    alt = meta.get("_wp_attachment_image_alt", "").strip() or title
    return Image(src=src, alt=" ".join(alt.split()), caption=plain_text(fields.get("excerpt:encoded", "")))
