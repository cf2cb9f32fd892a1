"""A saved article page of another news site (File > Save as) -> a story.

The facts come from the page's own metadata, in this order per field:
1. JSON-LD `NewsArticle`/`Article` (headline, author, datePublished,
   dateModified, articleSection, keywords, image, dateline/locationCreated);
2. OpenGraph and `article:` meta tags (og:title, article:published_time, ...);
3. else what trafilatura (and htmldate, for dates) finds in the page text.

The body is always the main text as trafilatura extracts it, after the page
furniture is taken out first by what it is (navigation, headers and footers,
asides, forms, "read also" boxes, share buttons, ads): trafilatura is made for
that job and none of it must reach the article. Figure captions it drops are
put back. Nothing is fetched: images stay the URLs the page names.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, time
from pathlib import Path
from typing import Iterator

import lxml.html
from lxml import etree

from dateline.errors import Problem
from dateline.languages import is_language_tag
from dateline.zones import load_zone, place_wall_time

from .story import Image, Item, Note, ReadOptions, Story
from .text import read_dateline

ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
                           "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "BlogPosting",
                           "LiveBlogPosting", "Report"})
_FURNITURE_TAGS = ("nav", "header", "footer", "aside", "form", "button", "script", "style", "noscript", "iframe",
                   "svg", "template", "dialog", "menu")
# Class or id words of page furniture: share bars, related boxes, ads, sign-ups.
_FURNITURE_WORDS = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|related|read-?also|also-?read|more-?stories|recommended|newsletter|"
    r"subscribe|signup|promo|advert|advertisement|ads?|sponsored|outbrain|taboola|comments?|breadcrumbs?|"
    r"tags|topics|author-bio|paywall|popup|cookie|trending|most-?read)(?:$|[\s_-])", re.I)
_READ_ALSO = re.compile(r"^\s*(?:also\s+read|read\s+also|read\s+more|see\s+also|related)\s*[:|\-–—]", re.I)
_BYLINE = re.compile(r"^\s*(?:written\s+)?by\s*:?\s+", re.I)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def read_page(path: Path, label: str, options: ReadOptions) -> Iterator[Item]:
    data = path.read_bytes()
    try:
        tree = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(no_network=True, encoding=None))
    except (etree.ParserError, ValueError) as error:
        yield Problem(label, 0, "html", f"cannot read the page: {error}")
        return
    yield read_tree(tree, label, options)


def read_tree(tree, label: str, options: ReadOptions) -> Item:
    notes: list[Note] = []
    article = json_ld_article(tree)
    meta = meta_tags(tree)
    extracted = None  # trafilatura's metadata, only when the page's own runs out

    def fallback():
        nonlocal extracted
        if extracted is None:
            from trafilatura import extract_metadata  # a second to import; only some pages need it

            extracted = extract_metadata(lxml.html.tostring(tree, encoding="unicode")) or False
            notes.append(Note(0, "no JSON-LD or OpenGraph for some fields: found them in the page text",
                              "metadata from the text"))
        return extracted or None

    title = clean(article.get("headline")) or first(meta, "og:title") or clean(getattr(fallback(), "title", ""))
    if not title:
        return Problem(label, 0, "title", "no headline in the page")
    authors = json_ld_names(article.get("author")) or meta_authors(meta) or \
        tuple(name.strip() for name in (getattr(fallback(), "author", "") or "").split(";") if name.strip())
    if not authors:
        authors = ("Staff reporter",)
        notes.append(Note(0, "no author in the page: used 'Staff reporter'", "author guessed"))

    published_text = clean(article.get("datePublished")) or first(meta, "article:published_time", "og:published_time",
                                                                  "datePublished", "date", "pubdate")
    published_text = published_text or time_element(tree) or page_date(tree, original=True)
    published = read_time(published_text, options, notes, "published")
    if published is None:
        return Problem(label, 0, "published", "no publication date in the page",
                       "add it to the saved page, e.g. <meta property=\"article:published_time\" content=\"...\">")
    updated_text = clean(article.get("dateModified")) or first(meta, "article:modified_time", "og:updated_time",
                                                               "dateModified")
    updated = read_time(updated_text, options, notes, "updated") if updated_text else None
    if updated is not None and updated <= published:
        updated = None

    sections = text_list(article.get("articleSection")) or meta.get("article:section", []) or \
        list(getattr(fallback(), "categories", None) or [])
    tags = keywords(article.get("keywords")) or meta.get("article:tag", []) or meta.get("news_keywords", []) or \
        list(getattr(fallback(), "tags", None) or [])
    summary = clean(article.get("description")) or first(meta, "og:description", "description") or \
        clean(getattr(fallback(), "description", "") or "")
    url = (json_ld_url(article) or canonical(tree) or first(meta, "og:url")).strip()
    location = clean(article.get("dateline")) or place_name(article.get("locationCreated")) or \
        place_name(article.get("contentLocation"))

    body_html, body_location = main_text(tree, title, url)
    if not body_html:
        return Problem(label, 0, "body", "no article text found in the page")
    if not location and body_location:
        location = body_location
        notes.append(Note(0, f"took the location {location!r} from the dateline", "location from the dateline"))
    return Story(
        origin=label, title=title, authors=authors, published=published, body=body_html, body_format="html",
        timezone=options.zone if options.zone_given else "", updated=updated, summary=summary, location=location,
        section=sections[0] if sections else "", tags=tuple(dict.fromkeys([*sections[1:], *tags])), url=url,
        image=hero_image(article, meta, title), language=page_language(article, tree, meta), notes=tuple(notes),
    )


# --- metadata ----------------------------------------------------------------------


def page_language(article: dict, tree, meta: dict) -> str:
    """The story's language as the page says it: JSON-LD `inLanguage`, else
    `<html lang>`, else OpenGraph's locale ("en_GB" -> "en-GB"); "" for none."""
    value = article.get("inLanguage")
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    if isinstance(value, list):
        value = value[0] if value else ""
    for candidate in (value, tree.get("lang"), first(meta, "og:locale").replace("_", "-")):
        tag = clean(candidate) if isinstance(candidate, str) else ""
        if tag and is_language_tag(tag):
            return tag
    return ""


def json_ld_article(tree) -> dict:
    """The first Article-like JSON-LD object of the page ({} when there is none)."""
    for script in tree.xpath("//script[@type='application/ld+json']"):
        text = (script.text or "").strip().removeprefix("<![CDATA[").removesuffix("]]>")
        try:
            data = json.loads(text)
        except ValueError:
            continue
        for candidate in walk_json(data):
            types = candidate.get("@type")
            types = {types} if isinstance(types, str) else set(types or [])
            if types & ARTICLE_TYPES:
                return candidate
    return {}


def walk_json(data):
    if isinstance(data, list):
        for item in data:
            yield from walk_json(item)
    elif isinstance(data, dict):
        yield data
        yield from walk_json(data.get("@graph", []))


def meta_tags(tree) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in tree.xpath("//meta[@content]"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        value = " ".join(element.get("content", "").split())
        if key and value:
            found.setdefault(key, []).append(value)
    return {key: values for key, values in found.items()}


def first(meta: dict, *keys: str) -> str:
    return next((meta[key.lower()][0] for key in keys if meta.get(key.lower())), "")


def clean(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) else ""


def text_list(value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    return [clean(item) for item in value or [] if clean(item)] if isinstance(value, list) else []


def keywords(value) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return text_list(value)


def json_ld_names(value) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = clean(item.get("name")) if isinstance(item, dict) else clean(item)
        if name and not _URI.match(name):
            names.append(name)
    return tuple(dict.fromkeys(names))


def meta_authors(meta: dict) -> tuple[str, ...]:
    """Names from article:author / author meta; article:author is often a profile URL, which is no name."""
    names = [value for key in ("article:author", "author") for value in meta.get(key, []) if not _URI.match(value)]
    return tuple(dict.fromkeys(_BYLINE.sub("", name) for name in names))


def json_ld_url(article: dict) -> str:
    page = article.get("mainEntityOfPage")
    if isinstance(page, dict):
        page = page.get("@id") or page.get("url")
    return clean(article.get("url")) or clean(page)


def canonical(tree) -> str:
    links = tree.xpath("//link[@rel='canonical']/@href")
    return links[0] if links else ""


def place_name(value) -> str:
    if isinstance(value, dict):
        return clean(value.get("name"))
    return clean(value)


def time_element(tree) -> str:
    """The `<time datetime>` of the byline, when the page marks one as the publication time."""
    for xpath in ("//time[@itemprop='datePublished']/@datetime", "//time[@pubdate]/@datetime",
                  "//*[contains(@class, 'byline') or contains(@class, 'dateline') or contains(@class, 'meta')]"
                  "//time/@datetime", "//article//time/@datetime"):
        values = tree.xpath(xpath)
        if values:
            return values[0].strip()
    return ""


def page_date(tree, original: bool) -> str:
    from htmldate import find_date  # only pages without date metadata need it

    # A copy of the tree, never a string (htmldate fetches what looks like a URL; it also
    # prunes the tree it is given). Fixed bounds: its default upper bound is today's date,
    # and an import must not depend on when it runs.
    copy = lxml.html.fromstring(lxml.html.tostring(tree))
    return find_date(copy, original_date=original, outputformat="%Y-%m-%dT%H:%M:%S%z", extensive_search=True,
                     min_date="1900-01-01", max_date="2200-12-31") or ""


def read_time(text: str, options: ReadOptions, notes: list[Note], field: str) -> datetime | None:
    """An aware time: as written with an offset, else read in the zone given."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        try:
            when = datetime.fromisoformat(text[:10])
        except ValueError:
            notes.append(Note(0, f"cannot read the {field} time {text!r}", "unreadable date"))
            return None
    if when.tzinfo is not None:
        return when
    if when.time() == time(0, 0):
        notes.append(Note(0, f"{field} has no time of day: read as midnight in {options.zone}", "date without time"))
    else:
        notes.append(Note(0, f"{field} time {text!r} has no offset: read in {options.zone}", "time without zone"))
    wall = place_wall_time(when, load_zone(options.zone))
    return wall.earlier if wall.exists else wall.later


def hero_image(article: dict, meta: dict, title: str) -> Image | None:
    value = article.get("image")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        src = clean(value.get("url") or value.get("contentUrl"))
        caption = clean(value.get("caption"))
        alt = clean(value.get("description")) or caption or clean(value.get("name"))
        if src:
            return Image(src, alt or title, caption)
    elif isinstance(value, str) and value.strip():
        return Image(value.strip(), first(meta, "og:image:alt") or title)
    src = first(meta, "og:image", "twitter:image")
    return Image(src, first(meta, "og:image:alt", "twitter:image:alt") or title) if src else None


# --- main text ---------------------------------------------------------------------


def main_text(tree, title: str, url: str) -> tuple[str, str]:
    """(body HTML, the location of a dateline it opened with, or "")."""
    from trafilatura import extract  # a second to import; only pages need it

    page = strip_furniture(lxml.html.fromstring(lxml.html.tostring(tree)))
    captions = figure_captions(page)
    extracted = extract(lxml.html.tostring(page, encoding="unicode"), output_format="html", include_images=True,
                        include_links=True, include_formatting=True, include_tables=True, include_comments=False,
                        favor_precision=True, with_metadata=False, url=url or None, deduplicate=False)
    if not extracted:
        return "", ""
    body = lxml.html.fromstring(extracted)
    for heading in body.xpath("//h1"):
        if " ".join(heading.text_content().split()).casefold() == title.casefold():
            heading.drop_tree()
    for paragraph in body.xpath("//p"):
        if _BYLINE.match(paragraph.text_content()) and len(paragraph.text_content().split()) <= 10:
            paragraph.drop_tree()  # the byline is front matter
    for image in body.xpath("//img"):
        caption = captions.get(image.get("src", ""))
        if caption and image.getparent().tag != "figure":
            figure = lxml.html.Element("figure")
            image.addprevious(figure)
            figure.append(image)
            figcaption = lxml.html.Element("figcaption")
            figcaption.text = caption
            figure.append(figcaption)
    location = take_dateline(body)
    inner = body.find(".//body") if body.tag == "html" else body
    html = "".join(lxml.html.tostring(child, encoding="unicode") for child in (inner if inner is not None else body))
    return html, location


def strip_furniture(page):
    for element in page.xpath("//" + " | //".join(_FURNITURE_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in page.xpath("//*[@class or @id or @role]"):
        if element.getparent() is None:
            continue
        words = f"{element.get('class', '')} {element.get('id', '')}"
        if _FURNITURE_WORDS.search(words) or element.get("role") in ("navigation", "banner", "contentinfo",
                                                                     "complementary"):
            element.drop_tree()
    for element in page.xpath("//p | //div | //li"):
        if element.getparent() is not None and _READ_ALSO.match(element.text_content()) and \
                element.xpath(".//a"):
            element.drop_tree()
    return page


def figure_captions(page) -> dict[str, str]:
    captions = {}
    for figure in page.xpath("//figure[.//img and .//figcaption]"):
        caption = " ".join(figure.xpath(".//figcaption")[0].text_content().split())
        for image in figure.xpath(".//img"):
            if image.get("src") and caption:
                captions.setdefault(image.get("src"), caption)
    return captions


def take_dateline(body) -> str:
    """Take a "GUWAHATI:" dateline out of the first paragraph; its place, or ""."""
    paragraphs = body.xpath("//p")
    if not paragraphs or not paragraphs[0].text:
        return ""
    dateline = read_dateline(" ".join(paragraphs[0].text.split()))
    if dateline is None or len(paragraphs[0].text.split()) < 2:
        return ""
    paragraphs[0].text = dateline.rest + (" " if paragraphs[0].text.endswith((" ", "\n")) else "")
    return dateline.place.title() if dateline.place.isupper() else dateline.place
