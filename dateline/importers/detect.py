"""Which format a file to import is in, from what it starts with (never its name)."""
from __future__ import annotations

import re
from pathlib import Path

FORMATS = ("wxr", "feed", "html", "text")
_SNIFF_BYTES = 65536
_WXR = re.compile(rb"xmlns:wp=[\"']http://wordpress\.org/export/")
_FEED = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.I)
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.I)


def detect_format(path: Path) -> str:
    """The reader for a file, from what it starts with (never its name alone)."""
    with open(path, "rb") as file:
        start = file.read(_SNIFF_BYTES)
    if _WXR.search(start):
        return "wxr"
    html, feed = _HTML.search(start), _FEED.search(start)
    if feed and (html is None or feed.start() < html.start()):
        return "feed"
    if html:
        return "html"
    return "text"
