"""Article HTML -> Markdown, with markdownify, for every reader that has HTML.

Links and images are handed to the caller's resolvers (so links between
imported stories become links to their Markdown files, and images found under
--media become site paths). Text renders as written: Python-Markdown reads no
emphasis, link, raw HTML or list into it. What cannot be kept is reported:
scripts and styles go, an embedded player becomes a link to it.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Comment
from markdownify import MarkdownConverter

from .story import Note

# (new URL, note or None) for an absolute URL; "" drops the link or image.
Resolver = Callable[[str], "tuple[str, Note | None]"]

_REMOVED_TAGS = ("script", "style", "noscript", "template", "object", "embed", "form", "button", "input",
                 "select", "textarea", "svg", "canvas", "link", "meta")
_PLAYERS = ("iframe", "video", "audio")
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|tiff?)$", re.I)
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_BLOCK_START = re.compile(r"^(?:[#>+\-]|[0-9]+(?=[.)])|\|)")


_BLOCK_BOUNDARY = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|blockquote|tr|td|th|figure|figcaption|section)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]+>")


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment (an excerpt, a description) on one line."""
    text = _ANY_TAG.sub("", _BLOCK_BOUNDARY.sub(" ", fragment or ""))
    return " ".join(html.unescape(text).split())


@dataclass(frozen=True)
class Converted:
    markdown: str
    notes: tuple[Note, ...]


def html_to_markdown(html: str, *, page_url: str, link_for: Resolver, image_for: Resolver) -> Converted:
    """Markdown for an article body; relative URLs are read against `page_url`."""
    soup = BeautifulSoup(html, "html.parser")
    notes: list[Note] = []
    prepare(soup, page_url, notes, comments="<!--" in html)
    converter = _Converter(page_url=page_url, link_for=link_for, image_for=image_for, notes=notes,
                           heading_style="ATX", bullets="-", escape_misc=False, strong_em_symbol="*",
                           keep_inline_images_in=["a", "td", "th", "span", "li"])
    markdown = converter.convert_soup(soup)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip("\n")
    return Converted(markdown + "\n" if markdown else "", tuple(notes))


def prepare(soup: BeautifulSoup, page_url: str, notes: list[Note], comments: bool = True) -> None:
    """Take out what never belongs in an article body, before conversion."""
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)) if comments else ():
        comment.extract()
    for element in soup.find_all(_REMOVED_TAGS + _PLAYERS):
        if element.decomposed:  # inside one taken out before
            continue
        if element.name not in _PLAYERS:
            element.decompose()
            continue
        frame = element
        src = frame.get("src") or next((s.get("src") for s in frame.find_all("source") if s.get("src")), "")
        if src:
            url = urljoin(page_url, src)
            paragraph = soup.new_tag("p")
            link = soup.new_tag("a", href=url)
            link.string = f"Embedded {frame.name if frame.name != 'iframe' else 'content'}: {url}"
            paragraph.append(link)
            frame.replace_with(paragraph)
            notes.append(Note(0, f"embedded {frame.name} kept as a link: {url}", "embed kept as a link"))
        else:
            frame.decompose()
    # A picture linked to its own full-size file: the link adds nothing but a second copy to find.
    for image in soup.find_all("img"):
        link = image.parent
        if link is None or link.name != "a":
            continue
        images = link.find_all("img")
        if len(images) == 1 and not link.get_text(strip=True) and _IMAGE_FILE.search(urlsplit(link.get("href") or "").path):
            link.unwrap()


class _Converter(MarkdownConverter):
    def __init__(self, *, page_url: str, link_for: Resolver, image_for: Resolver, notes: list[Note], **options):
        super().__init__(**options)
        self.page_url = page_url
        self.link_for = link_for
        self.image_for = image_for
        self.notes = notes

    def escape(self, text, parent_tags):
        if not text:
            return ""
        # Python-Markdown reads these in text; markdownify leaves them alone without escape_misc,
        # whose backslashes before & and < Python-Markdown would show as written.
        text = super().escape(text.replace("\\", "\\\\"), parent_tags)
        text = _ENTITY_LIKE.sub("&amp;", text)
        return text.replace("<", "&lt;").replace("`", "\\`").replace("[", "\\[").replace("]", "\\]")

    def resolved(self, value: str, resolver: Resolver) -> str:
        url = urljoin(self.page_url, value.strip()) if self.page_url else value.strip()
        new, note = resolver(url)
        if note is not None:
            self.notes.append(note)
        return new

    def convert_a(self, el, text, parent_tags):
        href = (el.get("href") or "").strip()
        scheme = urlsplit(href).scheme.lower()
        if not href or scheme in ("javascript", "data", "vbscript"):
            return text
        if not href.startswith("#") and scheme not in ("mailto", "tel"):
            href = self.resolved(href, self.link_for)
            if not href:
                return text
        el["href"] = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return super().convert_a(el, text, parent_tags)

    def convert_img(self, el, text, parent_tags):
        src = (el.get("src") or el.get("data-src") or "").strip()
        if not src or urlsplit(src).scheme.lower() == "data":
            return ""
        src = self.resolved(src, self.image_for)
        if not src:
            return ""
        el["src"] = src.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        el["alt"] = escape_alt(el.get("alt") or "")
        return super().convert_img(el, text, parent_tags)

    def convert_figure(self, el, text, parent_tags):
        if "_inline" in parent_tags or not el.find("img"):
            return text
        return f'\n\n<figure markdown="1">\n{text.strip()}\n</figure>\n\n'

    def convert_figcaption(self, el, text, parent_tags):
        if not text.strip():
            return ""
        if el.find_parent("figure") is not None and el.find_parent("figure").find("img") is not None:
            return f'\n\n<figcaption markdown="span">{text.strip()}</figcaption>\n\n'
        return f"\n\n*{text.strip()}*\n\n"

    def convert_p(self, el, text, parent_tags):
        return super().convert_p(el, escape_block_starts(text), parent_tags)

    def convert_div(self, el, text, parent_tags):
        return super().convert_div(el, escape_block_starts(text), parent_tags)


def escape_alt(alt: str) -> str:
    return " ".join(alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").split())


def escape_block_starts(text: str) -> str:
    """A line of a paragraph that Markdown would read as a heading, quote or list, escaped."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.lstrip(" ")
        match = _BLOCK_START.match(stripped)
        if match is None:
            continue
        indent = line[: len(line) - len(stripped)]
        if match[0][0].isdigit():
            end = match.end()
            lines[index] = indent + stripped[:end] + "\\" + stripped[end:]
        else:
            lines[index] = indent + "\\" + stripped
    return "\n".join(lines)
