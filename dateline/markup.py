"""Markdown -> HTML, with links between articles resolved.

Bodies are rendered once and cached by `body_key` (a hash of the body, its
source path and this module's settings). To keep that HTML independent of
other articles, internal references are written with placeholder schemes and
resolved when a page or feed is rendered (`resolve_links`):

- `[talks](../10/kl-talks.md)`  -> `dateline:article:2025/10/kl-talks.md`
- `![map](/media/map.png)`      -> `dateline:root:/media/map.png`
"""
from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from . import __version__
from .urls import SiteUrls

EXTENSIONS = ["extra", "sane_lists", "smarty"]
# Bump when the rendering changes, so cached HTML is not reused across versions.
MARKUP_VERSION = f"{__version__}-1"
ARTICLE_SCHEME = "dateline:article:"
ROOT_SCHEME = "dateline:root:"


@dataclass(frozen=True)
class RenderedBody:
    html: str
    links: tuple[str, ...]      # content-relative paths of the articles it links to
    escapes: tuple[str, ...]    # hrefs that leave content/ (an error for the caller)


def body_key(source_path: str, body: str, sanitize: bool = False) -> str:
    digest = hashlib.sha256()
    for part in (MARKUP_VERSION, source_path, body, "sanitize" if sanitize else "trusted"):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


class _LinkRewriter(Treeprocessor):
    def __init__(self, md, content_path_holder):
        super().__init__(md)
        self.holder = content_path_holder

    def run(self, root: Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None:
                    element.set(attribute, self.holder.rewrite(value))


class _LinkState:
    """Per-conversion state: which file is being rendered and what it links to."""

    def __init__(self):
        self.content_path = ""
        self.links: list[str] = []
        self.escapes: list[str] = []

    def rewrite(self, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or value.startswith("#") or not value:
            return value
        if value.startswith("/"):
            return ROOT_SCHEME + value
        if parts.path.endswith(".md"):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(self.content_path), parts.path))
            if target.startswith("../") or target == "..":
                self.escapes.append(value)
                return value
            self.links.append(target)
            return ARTICLE_SCHEME + target + (f"#{parts.fragment}" if parts.fragment else "")
        return value


class _LinkExtension(Extension):
    def __init__(self, state: _LinkState):
        super().__init__()
        self.state = state

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's API name
        md.treeprocessors.register(_LinkRewriter(md, self.state), "dateline_links", 0)


class MarkdownRenderer:
    """One configured Python-Markdown instance, reset between articles."""

    def __init__(self):
        self._state = _LinkState()
        self._md = markdown.Markdown(extensions=EXTENSIONS + [_LinkExtension(self._state)], output_format="html")

    def render(self, content_path: str, body: str, sanitize: bool = False) -> RenderedBody:
        self._md.reset()
        self._state.content_path = content_path
        self._state.links = []
        self._state.escapes = []
        html = self._md.convert(body)
        if sanitize:
            html = sanitize_html(html)
        return RenderedBody(html, tuple(dict.fromkeys(self._state.links)), tuple(self._state.escapes))


# What sanitized bodies keep: nh3's (ammonia's) safe defaults, plus what our
# Markdown produces (footnote ids and classes, image sizes, heading ids) and our
# own placeholder scheme for links between articles. Scripts, styles, event
# handlers and javascript: URLs go.
_SANITIZE_ATTRIBUTES = {**{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
                        "*": {"id", "class", "title", "lang", "dir"},
                        "img": {"src", "alt", "width", "height", "loading"}, "a": {"href", "hreflang", "rel"}}
_SANITIZE_SCHEMES = {"http", "https", "mailto", "tel", "dateline"}


def sanitize_html(html: str) -> str:
    """Body HTML with anything that could run script removed (site.yaml `sanitize: true`,
    or `sanitize: true` in the article, as imported stories have)."""
    return nh3.clean(html, tags=set(nh3.ALLOWED_TAGS) | {"div", "section"}, attributes=_SANITIZE_ATTRIBUTES,
                     url_schemes=_SANITIZE_SCHEMES, clean_content_tags={"script", "style"}, link_rel=None,
                     strip_comments=True)


_PLACEHOLDER = re.compile(r'(href|src)="dateline:(article|root):([^"#]*)(#[^"]*)?"')


def resolve_links(html: str, article_urls: dict[str, str], urls: SiteUrls, *, absolute: bool) -> str:
    """Replace placeholders with real links: root-relative for pages, absolute for feeds.

    `article_urls` maps content-relative source paths to site paths; the caller
    has already reported links to missing articles, which are left pointing at
    the site root here so no placeholder is ever published.
    """
    make = urls.absolute if absolute else urls.link

    def replace(match: re.Match) -> str:
        attribute, kind, target, fragment = match.group(1), match.group(2), match.group(3), match.group(4) or ""
        site_path = article_urls.get(target, "/") if kind == "article" else target
        return f'{attribute}="{make(site_path)}{fragment}"'

    return _PLACEHOLDER.sub(replace, html)


_RELATIVE_ATTRIBUTE = re.compile(r'(href|src)="([^"]*)"')


def absolutise_urls(html: str, page_url: str) -> str:
    """Make every remaining relative URL absolute against the page's own URL (for feeds)."""

    def replace(match: re.Match) -> str:
        value = match.group(2)
        if urlsplit(value).scheme or value.startswith("//"):
            return match.group(0)
        return f'{match.group(1)}="{urljoin(page_url, value)}"'

    return _RELATIVE_ATTRIBUTE.sub(replace, html)
