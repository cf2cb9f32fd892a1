"""The archive: articles in one total order, every listing built in one pass,
URL collisions found, and the stable pagination scheme.

Pagination (documented in docs/pagination.md): a listing's first page always
shows its newest `per_page` articles; older pages are numbered from the oldest
(`page/1/` holds the oldest articles), so a full page keeps its address and its
contents as new stories arrive. Adding an article rewrites a listing's first
page and, once in `per_page` articles, adds one numbered page: never a shift of
every page.
"""
from __future__ import annotations

import bisect
import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from .errors import Problem
from .model import Article, Term, sort_key
from .urls import (ARCHIVE_PATH, NETLIFY_REDIRECTS_PATH, TERM_FOLDERS, alias_path, date_path, home_path,
                   numbered_page_base, page_path, slugify, term_index_path, term_path)

TERM_KINDS = ("author", "tag", "section", "location")
RELATED_COUNT = 4
RELATED_WINDOW = 12   # neighbours in time taken from each shared term
from .i18n import period_name
from .timefmt import in_zone


@dataclass(frozen=True)
class Listing:
    """A paginated list of articles with its own feeds: the front page, a date or a term."""

    kind: str                       # "home" | "year" | "month" | "day" | one of TERM_KINDS
    name: str                       # shown to readers: "2025", "October 2025", "Jane Doe"
    path: str                       # site path of its first page: "/", "/2025/10/", "/tags/trade/"
    articles: tuple[Article, ...]   # newest first


@dataclass(frozen=True)
class ListPage:
    """One page of a listing. `number` is 0 for the first page (the listing's own path)."""

    listing: Listing
    number: int
    path: str
    articles: tuple[Article, ...]
    older: str                      # site path of the page with older articles, "" for none
    newer: str                      # site path of the page with newer articles, "" for none


@dataclass(frozen=True)
class Archive:
    articles: tuple[Article, ...]             # the one total order, newest first
    home: Listing
    dates: tuple[Listing, ...]                # years, months and days, newest first
    terms: dict[str, tuple[Listing, ...]]     # kind -> listings sorted by name
    term_slugs: dict[tuple[str, str], str]    # (kind, name as written) -> slug
    by_source: dict[str, Article]             # content-relative source path -> article
    term_listings: dict[tuple[str, str], Listing]        # (kind, slug) -> listing
    term_times: dict[tuple[str, str], tuple[float, ...]]  # (kind, slug) -> -published timestamps, ascending

    def term(self, kind: str, name: str) -> Term:
        return Term(kind, name, self.term_slugs[(kind, name)])


@functools.lru_cache(maxsize=65536)
def term_slug(name: str) -> str:
    """Slug of a term: dots and apostrophes dropped first, so "U.S." and "US" meet."""
    return slugify(name.replace(".", "").replace("'", "").replace("\u2019", ""))


def article_terms(article: Article, kind: str) -> tuple[str, ...]:
    if kind == "author":
        return article.authors
    if kind == "tag":
        return article.tags
    if kind == "section":
        return (article.section,) if article.section else ()
    return (article.location,) if article.location else ()


def build_archive(articles, day_archives: bool = True, prefix: str = "",
                  language: str = "en") -> tuple[Archive | None, list[Problem]]:
    """The archive of `articles`; with a `prefix` (a language's, see editions.py),
    every listing's path starts with it and dates are named in `language`."""
    ordered = tuple(sorted(articles, key=sort_key))
    problems = _duplicate_problems(ordered)
    term_names, term_slugs, term_problems = _terms(ordered)
    problems += term_problems
    if problems:
        return None, problems
    terms = {
        kind: tuple(
            Listing(kind, term_names[(kind, slug)], term_path(kind, slug, prefix), tuple(members))
            for slug, members in sorted(_group(ordered, kind, term_slugs).items())
        )
        for kind in TERM_KINDS
    }
    home = Listing("home", "", home_path(prefix), ordered)
    dates = _date_listings(ordered, day_archives, prefix, language)
    problems = _alias_problems(ordered, [home, *dates, *(listing for kind in TERM_KINDS for listing in terms[kind])])
    if problems:
        return None, problems
    archive = Archive(
        articles=ordered,
        home=home,
        dates=dates,
        terms=terms,
        term_slugs=term_slugs,
        by_source={article.content_path: article for article in ordered},
        term_listings={(kind, _last_name(listing.path)): listing for kind in TERM_KINDS for listing in terms[kind]},
        term_times={(kind, _last_name(listing.path)): tuple(-a.published_seconds for a in listing.articles)
                    for kind in TERM_KINDS for listing in terms[kind]},
    )
    return archive, []


def _last_name(path: str) -> str:
    """A term listing's slug: the last folder of its path."""
    return path.rstrip("/").rsplit("/", 1)[-1]


def _duplicate_problems(ordered) -> list[Problem]:
    problems = []
    seen_urls: dict[str, Article] = {}
    seen_ids: dict[str, Article] = {}
    for article in sorted(ordered, key=lambda a: a.source):
        other = seen_urls.setdefault(article.url, article)
        if other is not article:
            problems.append(Problem(article.source, article.key_lines.get("slug", 1), "url",
                                    f"{article.url} is also the URL of {other.source}",
                                    "give one of them another `slug:`"))
        if article.id:
            other = seen_ids.setdefault(article.id, article)
            if other is not article:
                problems.append(Problem(article.source, article.key_lines.get("id", 1), "id",
                                        f"{article.id} is also the id of {other.source}",
                                        "every article needs its own id"))
    return problems


# Generated pages whose paths an alias may not take (besides articles and listings).
INDEX_PATHS = (ARCHIVE_PATH, *(term_index_path(kind) for kind in TERM_FOLDERS))


def _alias_problems(ordered, listings) -> list[Problem]:
    """An alias may not take the address of a live page or another alias, nor
    need a folder where a file is written: every such case names both sides."""
    owners: dict[str, Article] = {article.url: article for article in ordered}
    listing_paths = {listing.path: listing for listing in listings}
    problems = []
    for article in sorted(ordered, key=lambda a: a.source):
        line = article.key_lines.get("aliases", 1)
        for alias in article.aliases:
            path = alias_path(alias)
            folders = path.split("/")[1:-1]
            page_of = numbered_page_base(path)
            other = owners.get(path)
            if other is not None:
                what = "its own URL" if other is article else f"also the URL of {other.source}"
                if other.url != path:
                    what = f"also an alias in {other.source}"
                problems.append(Problem(article.source, line, "aliases", f"alias {alias} is {what}",
                                        "remove the alias or change one of the slugs"))
            elif path in listing_paths or path in INDEX_PATHS or path == "/" or (
                    page_of in listing_paths):
                problems.append(Problem(article.source, line, "aliases",
                                        f"alias {alias} is the address of the generated list page {path}",
                                        "an alias must be an address no page of this site uses"))
            elif any("." in folder for folder in folders) or path.startswith(NETLIFY_REDIRECTS_PATH):
                problems.append(Problem(article.source, line, "aliases",
                                        f"alias {alias} would need the folder {path}, where a file may be written",
                                        "write old URLs as folders (/2019/05/old-slug/) or .html files"))
            owners.setdefault(path, article)
    return problems


def _terms(ordered):
    """Group term names by slug. Spellings that differ only in case or dots are one
    term (shown with the most used spelling); other names sharing a slug are an error."""
    spellings: dict[tuple[str, str], dict[str, list[Article]]] = defaultdict(lambda: defaultdict(list))
    problems: list[Problem] = []
    for article in ordered:
        for kind in TERM_KINDS:
            for name in article_terms(article, kind):
                slug = term_slug(name)
                if not slug:
                    problems.append(Problem(article.source, article.key_lines.get(_field(kind), 1), _field(kind),
                                            f"{name!r} has no letters or digits to make a URL from",
                                            "use a name with latin letters or digits"))
                    continue
                spellings[(kind, slug)][name].append(article)
    names: dict[tuple[str, str], str] = {}
    slugs: dict[tuple[str, str], str] = {}
    for (kind, slug), by_name in sorted(spellings.items()):
        folded = {_fold(name) for name in by_name}
        if len(folded) > 1:
            first, second = sorted(by_name)[:2]
            a, b = sorted(by_name[first], key=lambda x: x.source)[0], sorted(by_name[second], key=lambda x: x.source)[0]
            later = max(a, b, key=lambda x: x.source)
            earlier = min(a, b, key=lambda x: x.source)
            problems.append(Problem(later.source, later.key_lines.get(_field(kind), 1), _field(kind),
                                    f"{first!r} ({a.source}) and {second!r} ({b.source}) would share the page "
                                    f"{term_path(kind, slug)}", f"use one spelling; first seen in {earlier.source}"))
            continue
        names[(kind, slug)] = sorted(by_name, key=lambda n: (-len(by_name[n]), n))[0]
        for name in by_name:
            slugs[(kind, name)] = slug
    return names, slugs, problems


def _field(kind: str) -> str:
    return {"author": "authors", "tag": "tags", "section": "section", "location": "location"}[kind]


def _fold(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _group(ordered, kind, term_slugs) -> dict[str, list[Article]]:
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in ordered:
        for name in article_terms(article, kind):
            slug = term_slugs[(kind, name)]
            if not groups[slug] or groups[slug][-1] is not article:
                groups[slug].append(article)
    return groups


def local_published(article: Article) -> datetime:
    return in_zone(article.published, article.timezone)


def _date_listings(ordered, day_archives: bool, prefix: str = "", language: str = "en") -> tuple[Listing, ...]:
    groups: dict[tuple, list[Article]] = defaultdict(list)
    for article in ordered:
        local = local_published(article)
        groups[(local.year,)].append(article)
        groups[(local.year, local.month)].append(article)
        if day_archives:
            groups[(local.year, local.month, local.day)].append(article)
    listings = []
    # Newest first; a year before its months, a month before its days.
    for key in sorted(groups, key=lambda k: (k + (13, 32))[:3], reverse=True):
        members = tuple(groups[key])    # `ordered` is in the total order, so each group is too
        path = date_path(*key, prefix=prefix)
        listings.append(Listing(("year", "month", "day")[len(key) - 1], period_name(*key, tag=language), path,
                                members))
    return tuple(listings)


def paginate(listing: Listing, per_page: int) -> list[ListPage]:
    """The pages of a listing under the stable scheme described in the module docstring."""
    articles = listing.articles
    total = len(articles)
    base = listing.path
    if total <= per_page:
        return [ListPage(listing, 0, base, articles, "", "")]
    # Position from the oldest: chunk k (1-based) holds oldest-positions [(k-1)P, kP).
    # The first page shows oldest-positions [total-P, total); the newest older
    # article is at total-P-1, so numbered pages run 1..last.
    last = (total - per_page - 1) // per_page + 1
    pages = [ListPage(listing, 0, base, articles[:per_page], page_path(base, last), "")]
    for number in range(last, 0, -1):
        start_oldest, end_oldest = (number - 1) * per_page, number * per_page
        chunk = articles[total - end_oldest: total - start_oldest]
        newer = page_path(base, number + 1) if number < last else base
        older = page_path(base, number - 1) if number > 1 else ""
        pages.append(ListPage(listing, number, page_path(base, number), chunk, older, newer))
    return pages


def neighbours(archive: Archive, article: Article, index: int) -> tuple[Article | None, Article | None]:
    """(newer, older) in the one total order; `index` is the article's position."""
    newer = archive.articles[index - 1] if index > 0 else None
    older = archive.articles[index + 1] if index + 1 < len(archive.articles) else None
    return newer, older


def related_articles(archive: Archive, article: Article, count: int = RELATED_COUNT) -> tuple[Article, ...]:
    """Articles sharing tags or section, ranked by how much they share, then by
    closeness in time, then the total order.

    Candidates come from the RELATED_WINDOW nearest articles in time within each
    shared tag and the section, so the cost stays flat however large a tag grows,
    and a story published far away in time does not change this article's list.
    """
    scores: dict[str, list] = {}   # source -> [-score, distance, -published, slug, source, article]
    moment = article.published_seconds
    sources = [("tag", name, 2) for name in article.tags]
    if article.section:
        sources.append(("section", article.section, 1))
    for kind, name, weight in sources:
        key = (kind, archive.term_slugs[(kind, name)])
        members = archive.term_listings[key].articles
        keys = archive.term_times[key]
        position = bisect.bisect_left(keys, -moment)
        low, high = max(0, position - RELATED_WINDOW), min(len(members), position + RELATED_WINDOW + 1)
        for offset, other in enumerate(members[low:high], start=low):
            if other is article or other.source == article.source:
                continue
            entry = scores.get(other.source)
            if entry is None:
                # The entry is its own sort key: (-score, distance in time, then the
                # total order: -published, slug, source), so sorting needs no key
                # function. keys[offset] is -published: no datetime work here.
                scores[other.source] = entry = [0, abs(-keys[offset] - moment), keys[offset], other.slug,
                                                other.source, other]
            entry[0] -= weight
    ranked = sorted(scores.values())
    return tuple(entry[5] for entry in ranked[:count])

