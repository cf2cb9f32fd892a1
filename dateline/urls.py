"""The one place URLs and output paths are decided.

Every page has a *site path*: a root-relative URL path such as
`/2025/10/25/kl-talks/` or `/feed.xml`, independent of where the site is
deployed. `SiteUrls` turns it into the link written in pages (the base_url's
path prefixed, so a site under `https://example.org/news/` links to
`/news/2025/...`) and into the absolute URL used in feeds and canonical links.
`output_path` maps it to the file written under the output folder.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from slugify import slugify as _library_slugify

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
MAX_SLUG_LENGTH = 80
PERMALINK_FIELDS = ("year", "month", "day", "slug", "section")


@functools.lru_cache(maxsize=4096)    # the same sections, tags and names come back on every article
def slugify(text: str) -> str:
    """A lowercase ASCII slug, non-Latin text transliterated; "" when nothing is left."""
    return _library_slugify(text, max_length=MAX_SLUG_LENGTH, word_boundary=True, save_order=True)


def is_valid_slug(slug: str) -> bool:
    """A slug is one path segment of [a-z0-9] words joined by - or _: it can never leave its folder."""
    return bool(SLUG_PATTERN.match(slug)) and len(slug) <= 200


def format_permalink(pattern: str, *, year: str, month: str, day: str, slug: str, section: str) -> str:
    """Fill the permalink pattern; the caller has validated the pattern with `permalink_problem`."""
    path = pattern.format(year=year, month=month, day=day, slug=slug, section=section)
    return normalise_site_path(path)


def permalink_problem(pattern: str) -> str:
    """Why a permalink pattern is unusable, or "" when it is fine."""
    if not pattern.startswith("/"):
        return "must start with /"
    fields = re.findall(r"{([^{}]*)}", pattern)
    unknown = [name for name in fields if name not in PERMALINK_FIELDS]
    if unknown:
        return f"unknown field {{{unknown[0]}}}; use {', '.join('{' + f + '}' for f in PERMALINK_FIELDS)}"
    if "slug" not in fields:
        return "must contain {slug} so that every article gets its own URL"
    literal = re.sub(r"{[^{}]*}", "x", pattern)
    if ".." in literal.split("/") or "\\" in literal or "?" in literal or "#" in literal:
        return "must not contain '..', '\\', '?' or '#'"
    return ""


def normalise_site_path(path: str) -> str:
    """Collapse duplicate slashes; keep a trailing slash (a folder URL) when present."""
    trailing = path.endswith("/")
    cleaned = "/" + "/".join(part for part in path.split("/") if part)
    if trailing and cleaned != "/":
        cleaned += "/"
    return cleaned


def output_path(site_path: str) -> str:
    """The file, relative to the output folder, that serves a site path.

    Raises ValueError for a path that would leave the output folder.
    """
    if not site_path.startswith("/"):
        raise ValueError(f"site path must start with /: {site_path!r}")
    parts = [part for part in site_path.split("/") if part]
    if any(part in (".", "..") or "\\" in part or "\x00" in part for part in parts):
        raise ValueError(f"site path leaves the output folder: {site_path!r}")
    if site_path.endswith("/"):
        parts.append("index.html")
    return "/".join(parts)


@dataclass(frozen=True)
class SiteUrls:
    """Turns site paths into links for pages and absolute URLs for feeds."""

    base_url: str   # absolute, ends with "/"

    @functools.cached_property
    def base_path(self) -> str:
        """The path part of base_url: "/" at the domain root, "/news/" under a sub-path."""
        return urlsplit(self.base_url).path or "/"

    def link(self, site_path: str) -> str:
        """A root-relative link that works at the deployed base path."""
        return self.base_path + site_path.lstrip("/")

    def absolute(self, site_path: str) -> str:
        return self.base_url + site_path.lstrip("/")


def base_url_problem(base_url: str) -> str:
    """Why a base_url is unusable, or "" when it is fine."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "must be an absolute http(s) URL such as https://example.org/ or https://example.org/news/"
    if parts.query or parts.fragment:
        return "must not have a query or fragment"
    return ""


def normalise_base_url(base_url: str) -> str:
    return base_url if base_url.endswith("/") else base_url + "/"
