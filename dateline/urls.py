"""The one place URLs and output paths are decided.

Every page has a *site path*: a root-relative URL path such as
`/2025/10/25/kl-talks/` or `/feed.xml`, independent of where the site is
deployed. `SiteUrls` turns it into the link written in pages (the base_url's
path prefixed, so a site under `https://example.org/news/` links to
`/news/2025/...`) and into the absolute URL used in feeds and canonical links.
`output_path` maps it to the file written under the output folder.

Every site path the build makes is spelled here: articles (the permalink
pattern), listings (`term_path`, `date_path`, `page_path`), indexes and fixed
pages (`term_index_path`, `archive_path`, `search_path`, `NOT_FOUND_PATH`),
feeds (`feed_path`), aliases (`alias_path`) and the files for machines
(sitemaps, robots.txt, redirect maps). Every path read from input passes
`outside_site_problem`, the one check that it stays inside the site.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

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
    return bool(SLUG_PATTERN.match(slug)) and len(slug) <= MAX_NAME_BYTES


def slug_problem(slug: str, shown: str) -> str:
    """Why `slug` cannot be an article's slug, or "" when it can; `shown` is
    the slug as the message quotes it."""
    if is_valid_slug(slug):
        return ""
    size = len(slug.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        return f"is {size} bytes long; a slug can be at most {MAX_NAME_BYTES}"
    if "/" in slug or "\\" in slug or ".." in slug:
        return f"{shown} would leave its folder in site/"
    return f"{shown} is not a valid slug"


# -- the one check that a path stays inside the site ---------------------------------

# A site path becomes folder and file names under the output folder. File
# systems allow 255 bytes per name; 200 leaves room for the names the build
# derives from them, and no real URL comes near 1,024 bytes.
MAX_NAME_BYTES = 200
MAX_PATH_BYTES = 1024
# What a clean path's names are made of: letters and digits of any script (a
# percent-escaped old URL decodes to them), and - . _ ~. Nothing a redirect
# map, a shell or a config file reads as syntax: no space, quote, ; { } $ # % \
_CLEAN_PUNCTUATION = frozenset("-._~")
_CHARACTER_NAMES = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab", " ": "a space"}


def outside_site_problem(path: str) -> str:
    """Why a root-relative path could reach outside the site, or "" when it stays inside.

    The one check for every path the build reads from input and writes or
    links to: `/`-rooted, no `.`, `..` or empty folder names, no backslash and
    no control character. `clean_path_problem` adds what a path must also be
    to become a file name and a redirect-map entry."""
    if not path.startswith("/"):
        return "must start with /"
    if path.startswith("//"):
        return "must not start with // (that names another host)"
    # Printable text holds no control, format or line/paragraph separator
    # character: only other text is looked at character by character (this
    # runs for every output file of every build).
    if "\\" in path or not path.isprintable():
        for character in path:
            if character == "\\" or unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp"):
                return f"must not contain {describe_character(character)}"
    names = path[1:].split("/")
    if path.endswith("/"):
        names.pop()
    if "." in names or ".." in names:
        return "must not contain . or .. folders"
    if "" in names:
        return "must not contain an empty folder name (//)"
    return ""


def clean_path_problem(path: str) -> str:
    """Why a path cannot be a page's address (an alias, the permalink pattern,
    base_url's path), or "" when it can: it stays inside the site and each
    name is letters, digits and - . _ ~ within the file system's length."""
    why = outside_site_problem(path)
    if why:
        return why
    for character in path:
        if character != "/" and character not in _CLEAN_PUNCTUATION and not _is_letter_or_digit(character):
            return f"must not contain {describe_character(character)}"
    for name in path.split("/"):
        size = len(name.encode("utf-8"))
        if size > MAX_NAME_BYTES:
            return (f"the name {name[:12]}... is {size} bytes long; a folder or file name can be at most "
                    f"{MAX_NAME_BYTES}")
    size = len(path.encode("utf-8"))
    if size > MAX_PATH_BYTES:
        return f"is {size} bytes long; a path can be at most {MAX_PATH_BYTES}"
    return ""


def _is_letter_or_digit(character: str) -> bool:
    if character.isascii():
        return character.isalnum()
    return unicodedata.category(character)[0] in "LNM"


def describe_character(character: str) -> str:
    """A character named so that a one-line message can show it: 'a space', ';', 'U+202E'."""
    if character in _CHARACTER_NAMES:
        return _CHARACTER_NAMES[character]
    if character.isprintable() and not character.isspace():
        return repr(character)
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" ({name.lower()})" if name else "")


# Folders whose files the build makes itself (the search bundle, the search
# page, the theme's script and styles): a redirect page there would be lost or
# clash with them.
BUILD_FOLDERS = ("/pagefind/", "/search/", "/js/", "/css/")


def build_folder(path: str) -> str:
    """The folder of BUILD_FOLDERS that `path` is or lies under, or ""."""
    return next((folder for folder in BUILD_FOLDERS if path == folder[:-1] or path.startswith(folder)), "")


def listing_folder(prefix: str) -> str:
    """Why a language prefix ("/tags", "/2025") cannot be one: the site's own
    listings live at that folder (term indexes, the archive, numbered pages,
    years), so its pages would meet theirs; "" when it can."""
    folder = prefix.strip("/").split("/")[0]
    if folder in (*TERM_FOLDERS.values(), ARCHIVE_PATH.strip("/"), "page"):
        return f"is where the site's /{folder}/ pages are"
    if re.fullmatch(r"\d{4}", folder):
        return "looks like a year: the year archives are there"
    return ""


def parse_alias(text: str) -> tuple[str, str]:
    """(site path, "") for an alias as written in front matter, or ("", why not).

    An alias is an old address of the article: a path such as /2019/05/old-slug/
    or /2019/05/old.html. Percent escapes copied from a browser's address bar
    (/caf%C3%A9/) are decoded: the decoded path is what a static server looks
    up on disk and what nginx matches."""
    path = text.strip()
    if urlsplit(path).scheme or path.startswith("//"):
        return "", "is a full URL; give only its path"
    if "?" in path or "#" in path:
        return "", "must not contain ? or #: a redirect matches the path only"
    if "%" in path:
        if re.search(r"%(?![0-9A-Fa-f]{2})", path):
            return "", "has a % that is not a percent escape such as %C3%A9"
        try:
            path = unquote(path, errors="strict")
        except UnicodeDecodeError:
            return "", "has percent escapes that are not UTF-8"
    why = clean_path_problem(path)
    if why:
        return "", why
    folder = build_folder(path)
    if folder:
        return "", f"is under {folder}, which the build writes itself"
    return path, ""


def image_site_path(image: str) -> str:
    """The site path of a local image as front matter or site.yaml writes it
    ("media/a.jpg" or "/media/a.jpg" -> "/media/a.jpg"); "" for an http(s)
    URL or no image. (`image_problem` has let only those through.)"""
    if not image or urlsplit(image).scheme:
        return ""
    return image if image.startswith("/") else "/" + image


def image_problem(image: str) -> str:
    """Why an `image` (or author `photo`) value is neither a path inside the site
    nor an http(s) URL, or "" when it is one of them."""
    parts = urlsplit(image)
    if parts.scheme:
        return "" if parts.scheme in ("http", "https") and parts.netloc else "must be a site path or an http(s) URL"
    why = outside_site_problem(image_site_path(image))
    return f"points outside the site: it {why}" if why else ""


def redirect_map_token(site_link: str) -> str:
    """A link as one whitespace-free, quote-free token of a redirect map, percent-escaped.

    Raises ValueError for anything that is not a clean path: a map line is
    `OLD NEW ...`, and a token holding a space, a newline, a quote or ; { }
    would make one line say more than one thing."""
    why = clean_path_problem(site_link)
    if why:
        raise ValueError(f"{site_link!r} cannot go into a redirect map: {why}")
    return quote(site_link, safe="/-._~")


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
    why = clean_path_problem(literal)
    return f"{why} (in {literal})" if why else ""


def normalise_site_path(path: str) -> str:
    """Collapse duplicate slashes; keep a trailing slash (a folder URL) when present."""
    trailing = path.endswith("/")
    cleaned = "/" + "/".join(part for part in path.split("/") if part)
    if trailing and cleaned != "/":
        cleaned += "/"
    return cleaned


# -- the site's own pages ----------------------------------------------------------
# Each builder returns a site path; `prefix` is a language's ("" or "/hi", see
# languages.py), whose pages all live under it.

TERM_FOLDERS = {"author": "authors", "tag": "tags", "section": "sections", "location": "locations"}
FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}
ARCHIVE_PATH = "/archive/"
SEARCH_PATH = "/search/"
NOT_FOUND_PATH = "/404.html"     # one for the whole site, in the default language
# A listing's numbered page: /page/3/ or /tags/trade/page/3/ (its base: / or /tags/trade/).
_NUMBERED_PAGE = re.compile(r"^(?P<base>/(?:.*/)?)page/\d+/$")


def home_path(prefix: str = "") -> str:
    """The front page: "/", or "/hi/" in a prefixed language."""
    return language_path(prefix, "/")


def term_path(kind: str, slug: str, prefix: str = "") -> str:
    """An author's, tag's, section's or place's listing: /tags/trade/."""
    return language_path(prefix, f"/{TERM_FOLDERS[kind]}/{slug}/")


def term_index_path(kind: str, prefix: str = "") -> str:
    """The page listing every term of a kind: /tags/."""
    return language_path(prefix, f"/{TERM_FOLDERS[kind]}/")


def date_path(*parts: int, prefix: str = "") -> str:
    """A year's, month's or day's listing: date_path(2025, 3) is /2025/03/."""
    return language_path(prefix, "".join(f"/{part:02d}" for part in parts) + "/")


def archive_path(prefix: str = "") -> str:
    """The archive's index of years and months."""
    return language_path(prefix, ARCHIVE_PATH)


def search_path(prefix: str = "") -> str:
    return language_path(prefix, SEARCH_PATH)


def page_path(listing_path: str, number: int) -> str:
    """A listing's numbered page (see archive.paginate): /tags/trade/page/3/."""
    return f"{listing_path}page/{number}/"


def numbered_page_base(site_path: str) -> str:
    """The listing path a numbered page belongs to ("/tags/trade/" for
    /tags/trade/page/3/), or "" when the path is no numbered page."""
    match = _NUMBERED_PAGE.match(site_path)
    return match.group("base") if match else ""


def feed_path(listing_path: str, fmt: str) -> str:
    """A listing's feed in one format ("rss", "atom", "json"): /tags/trade/feed.xml."""
    return listing_path + FEED_FILES[fmt]


def alias_path(alias: str) -> str:
    """The site path an alias's redirect page is written at: a folder unless it names an .html file."""
    return alias if alias.endswith(("/", ".html")) else alias + "/"


# Files the build writes besides pages, the same whatever the languages.
SEARCH_BUNDLE_PATH = "/pagefind/"       # Pagefind's index and scripts
SEARCH_SCRIPT_PATH = "/js/search.js"    # the theme's: turns the header's search link into a box
SITEMAP_PATH = "/sitemap.xml"           # the sitemap, or the index of numbered ones
NEWS_SITEMAP_PATH = "/news-sitemap.xml"
ROBOTS_PATH = "/robots.txt"
NETLIFY_REDIRECTS_PATH = "/_redirects"
NGINX_REDIRECTS_PATH = "/nginx-redirects.conf"


def sitemap_part_path(number: int) -> str:
    """One of the numbered sitemaps a large site's sitemap index lists: /sitemap-2.xml."""
    return f"/sitemap-{number}.xml"


def language_path(prefix: str, site_path: str) -> str:
    """A page's site path in a language whose pages live under `prefix`
    ("/hi" + "/2025/10/25/kl-talks/"); the default language has no prefix."""
    return prefix + site_path if prefix else site_path


def unprefixed_path(prefix: str, site_path: str) -> str:
    """The path a page of a prefixed language would have in the default one."""
    return site_path[len(prefix):] if prefix and site_path.startswith(prefix + "/") else site_path


@functools.lru_cache(maxsize=1 << 18)
def output_path(site_path: str) -> str:
    """The file, relative to the output folder, that serves a site path.

    Raises ValueError for a path that would leave the output folder.
    (Memoised: planning, the collision check, publishing and search each ask
    for every output file's path.)
    """
    why = outside_site_problem(site_path)
    if why:
        raise ValueError(f"site path {site_path!r} {why}")
    parts = site_path.split("/")[1:]
    if site_path.endswith("/"):
        parts.pop()
        parts.append("index.html")
    return "/".join(parts)


def photo_variant_path(source: str, key: str, width: int, extension: str) -> str:
    """Site path of a resized copy of the local photo at `source`, beside it:
    /media/kl.jpg -> /media/kl-800w-3f9a1c2b4d.webp. `key` (a digest of the
    photo's bytes and the resize settings) names the copy, so a changed photo
    gets new addresses and any cache may keep a copy forever."""
    folder, _, name = source.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return f"{folder}/{stem}-{width}w-{key[:10]}.{extension}"


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
    path = parts.path or "/"
    why = clean_path_problem(path if path.endswith("/") else path + "/")
    return f"its path {why}" if why else ""


def normalise_base_url(base_url: str) -> str:
    return base_url if base_url.endswith("/") else base_url + "/"
