"""The values the build passes around: complete and immutable once built."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Correction:
    date: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    """One article's metadata. The Markdown body is not kept here (archives are
    large); `body_key` names its rendered HTML in the markup store.

    Slots, not a __dict__: a build holds every story of the archive (and
    forked render workers share them). With a __dict__, each Article cost
    ~1.6 KB, ~1.3 KB of it a dict table made when a cached value was first
    added; with slots ~0.3 KB, and the two derived values are made with it."""

    source: str                 # path relative to the project root: "content/2025/10/kl-talks.md"
    slug: str
    title: str
    authors: tuple[str, ...]
    published: datetime         # timezone-aware
    timezone: str               # IANA zone the article's times are shown in
    url: str                    # site path, e.g. "/2025/10/25/kl-talks/"
    body_key: str               # key of the rendered body in the markup store
    summary: str = ""
    updated: datetime | None = None
    location: str = ""
    tags: tuple[str, ...] = ()
    section: str = ""
    image: str = ""
    image_alt: str = ""
    image_caption: str = ""
    image_credit: str = ""      # who took the photo: shown under it and in JSON-LD (creditText)
    id: str = ""                # stable feed id from front matter, "" when not given
    draft: bool = False
    sanitize: bool = False      # this body's raw HTML is not trusted (imported stories)
    aliases: tuple[str, ...] = ()
    corrections: tuple[Correction, ...] = ()
    language: str = ""          # BCP 47 tag of one of the site's languages (schema fills in the default)
    translation_key: str = ""   # shared by the versions of one story in other languages
    extra: dict = field(default_factory=dict, compare=True, hash=False)
    key_lines: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    # Derived in __post_init__ (asked for many times a build):
    # `published` as a POSIX timestamp, for ordering;
    published_seconds: float = field(init=False, repr=False, compare=False)
    # when readers last saw a change: the latest of published, updated and corrections.
    last_modified: datetime = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        dates = [self.published]
        if self.updated is not None:
            dates.append(self.updated)
        dates.extend(correction.date for correction in self.corrections)
        object.__setattr__(self, "published_seconds", self.published.timestamp())
        object.__setattr__(self, "last_modified", max(dates))

    @property
    def content_path(self) -> str:
        """The source path relative to content/, as links between articles are written."""
        return self.source.split("/", 1)[1]


def sort_key(article: Article) -> tuple:
    """The one total order of articles: newest first, then slug, then source path."""
    return (-article.published_seconds, article.slug, article.source)


@dataclass(frozen=True)
class Term:
    kind: str   # "author" | "tag" | "section" | "location"
    name: str
    slug: str
