"""The values every reader produces and the writer consumes.

A reader turns one source format into `Story` values (and `Skipped` items and
`Problem`s); nothing after it knows which format a story came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping, Union

from dateline.errors import Problem


@dataclass(frozen=True, order=True)
class Note:
    """One thing the person importing should look at.

    `kind` groups notes in the closing report ("external image"); `line` is the
    line of the source file it is about, 0 when the format has none.
    """

    line: int
    message: str
    kind: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class Image:
    """A picture as the source names it: a URL (absolute, or relative to the story's URL)."""

    src: str
    alt: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Story:
    """One article, whatever it was read from.

    `body` is HTML or Markdown (`body_format`); HTML goes through the one
    converter, where links and images are rewritten. Times are aware;
    `timezone` is the IANA zone they were read in ("" when the source gave an
    offset only).
    """

    origin: str                 # where it came from, shown in the report: "export.xml:120", "pasted/a.txt"
    title: str
    authors: tuple[str, ...]
    published: datetime
    body: str
    body_format: str            # "html" | "markdown"
    timezone: str = ""
    updated: datetime | None = None
    summary: str = ""
    location: str = ""
    section: str = ""
    tags: tuple[str, ...] = ()
    draft: bool = False
    slug: str = ""              # the source's own slug; "" makes one from the title
    url: str = ""               # the story's address on the old site: becomes an alias
    other_urls: tuple[str, ...] = ()  # other old addresses links may use (WordPress "?p=12")
    id: str = ""                # a stable URI (feed guid) kept as `id`, so feed readers see no "new" item
    image: Image | None = None  # the hero image
    language: str = ""          # the BCP 47 tag the source gives the story ("" when it says none)
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class Skipped:
    """An item of the source that is not imported, and why ("private", "page")."""

    origin: str
    title: str
    reason: str




@dataclass(frozen=True)
class Media:
    """A picture the source lists on its own (a WordPress attachment): read in the
    first pass so that featured images and galleries can name it in the second."""

    key: str                    # the source's id for it
    parent: str                 # the story it was uploaded to, "" for none
    image: Image


@dataclass(frozen=True)
class ReadOptions:
    """What a reader needs besides its file."""

    zone: str                   # IANA zone for times given without one: --timezone, else the site's
    zone_given: bool            # True when `zone` came from --timezone (then stories carry it as `timezone`)
    zone_abbreviations: Mapping[str, str | None] = field(default_factory=dict)  # pasted text: "IST" -> zone
    titles: Mapping[str, str] = field(default_factory=dict)  # archived headlines -> paths, for read-also lines
    include_types: frozenset[str] = frozenset()  # WordPress post types imported besides posts ("page")
    attachments: Mapping[str, Image] = field(default_factory=dict)  # Media.key -> picture (second pass)
    galleries: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # story key -> its Media keys


Item = Union[Story, Skipped, Media, Problem]
