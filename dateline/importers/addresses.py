"""Old addresses of imported stories: the aliases that keep them working, and
the keys that let links between imported stories find each other."""
from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

MAX_SEGMENT = 200  # bytes: below the 255 a file system allows, with room for encoding
_ID_QUERY_KEYS = ("p", "page_id", "attachment_id")  # WordPress's own addresses of a post
_CLEAN_SEGMENT = re.compile(r"^[A-Za-z0-9._~%!$&'()*+,;=:@-]+$")


def url_key(url: str) -> str:
    """The form two links to one page share: no scheme, no "www.", no trailing
    slash, percent-decoding undone, only an id query kept ("?p=12")."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = unquote(parts.path).rstrip("/") or "/"
    query = [(key, value) for key, value in parse_qsl(parts.query) if key in _ID_QUERY_KEYS]
    return host + path + ("?" + "&".join(f"{key}={value}" for key, value in sorted(query)) if query else "")


def same_site(url: str, other: str) -> bool:
    first, second = urlsplit(url), urlsplit(other)
    return bool(first.netloc) and first.netloc.lower().removeprefix("www.") == \
        second.netloc.lower().removeprefix("www.")


def alias_for(url: str, base_path: str) -> tuple[str, str]:
    """(alias, "") for a story's old URL, or ("", why it cannot be one).

    The alias is the old path, percent-encoded so it is one clean URL path, with
    the new site's base path taken off when the old address was under it too.
    """
    parts = urlsplit(url.strip())
    if parts.query:
        return "", f"the old address {url} has a query, which redirect maps cannot match"
    segments = [segment for segment in unquote(parts.path).split("/") if segment]
    if not segments:
        return "", f"the old address {url} is a front page"
    if any(segment in (".", "..") or "\\" in segment or "\x00" in segment for segment in segments):
        return "", f"the old address {url} is not a clean path"
    encoded = [quote(segment, safe="-._~!$'()*+,=:@") for segment in segments]
    if any(len(segment) > MAX_SEGMENT or not _CLEAN_SEGMENT.match(segment) for segment in encoded):
        return "", f"the old address {url} has a part too long for a file name"
    last = segments[-1]
    if any("." in segment for segment in segments[:-1]) or ("." in last and not last.endswith(".html")):
        return "", f"the old address {url} names a file ({last}) a static site cannot redirect from"
    alias = "/" + "/".join(encoded) + ("/" if parts.path.endswith("/") else "")
    prefix = base_path.rstrip("/")
    if prefix and (alias + "/").startswith(prefix + "/") and alias.rstrip("/") != prefix:
        alias = alias[len(prefix):]
    return alias, ""


def relative_link(from_file: str, to_file: str) -> str:
    """The link from one Markdown file to another, both relative to the same folder."""
    return posixpath.relpath(to_file, posixpath.dirname(from_file) or ".")
