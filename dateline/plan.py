"""Which files the site has and what each is made from: a list of `PageJob`s.

Planning decides which pages, feeds and machine files exist, and gives each
page its frozen inputs value (contexts.py), from which keys.py derives the
page's cache key, so an incremental build can tell which outputs would come
out the same without rendering them. A page's template context is made from
those inputs by the renderer, only for the pages it renders (in the render
workers, in parallel, on a cold build).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .archive import TERM_KINDS, Archive, Listing, ListPage, neighbours, paginate, related_articles, term_slug
from .authors import AuthorProfile
from .config import SiteConfig
from .contexts import (ArchiveIndexInputs, ArchiveMonth, ArchiveYear, ArticlePageInputs, FeedPlan, ListPageInputs,
                       NotFoundInputs, PageInputs, PageSite, RedirectInputs, ScriptInputs, SearchPageInputs,
                       TermsPageInputs, has_feeds, list_heading, newest_change, terms_path)
from .images import Photo
from .keys import Keys, digest
from .model import Article
from .sitemap import machine_files
from .urls import (NOT_FOUND_PATH, SEARCH_SCRIPT_PATH, SiteUrls, alias_path, archive_path, feed_path, image_site_path,
                   search_path)

TEMPLATES = ("article.html", "list.html", "terms.html", "archive.html", "404.html", "redirect.html",
             "search.html", "search.js")


@dataclass(frozen=True)
class PageJob:
    path: str           # site path
    kind: str           # "page" | "feed" | "bytes" | "copy" | "photo"
    key: str            # digest of every input
    # What the job is made from, by kind: "page": its PageInputs (contexts.py);
    # "feed": a FeedPlan; "bytes": the file's bytes; "copy": the source file;
    # "photo": the photos.PhotoTask making the copy.
    data: PageInputs | FeedPlan | bytes | Path | object
    origin: str = ""    # the source file responsible, for collision messages
    lastmod: datetime | None = None   # sitemap lastmod: newest change among the articles shown
    template: str = ""  # "page" jobs: the template that renders it
    # "page" and "feed" jobs: the stories its inputs hold (source paths; see
    # kept_plan.py). Empty for a job taken from the kept plan, whose record has them.
    stories: tuple[str, ...] = ()
    # Listing pages and feeds: the path of the listing they belong to (the
    # kept plan plans a listing's pages and feeds again together).
    listing: str = ""


def page_job(keys: Keys, path: str, template: str, inputs, **fields) -> PageJob:
    key = keys.page(template, inputs)
    return PageJob(path, "page", key, inputs, template=template, stories=tuple(keys.stories), **fields)


def feed_job(keys: Keys, path: str, plan: FeedPlan, listing: str) -> PageJob:
    key = keys.feed(plan)
    return PageJob(path, "feed", key, plan, stories=tuple(keys.stories), listing=listing)


class Planner:
    """Plans one language's pages and feeds from its archive.

    `kept`: the last build's jobs that still stand, by site path
    (kept_plan.py): a story's page, its redirects, a listing's page or a
    listing's feeds found there is taken as it is, not planned again."""

    def __init__(self, archive: Archive, config: SiteConfig, site: PageSite, keys: Keys,
                 body_links: dict[str, tuple[str, ...]], photos: dict[str, Photo],
                 profiles: dict[str, AuthorProfile], related: dict[str, tuple[Article, ...]] | None = None,
                 body_images: dict[str, tuple[str, ...]] | None = None, shared: bool = True,
                 kept: dict[str, PageJob] | None = None):
        self.archive = archive
        self.config = config          # the settings as this language sees them (editions.edition_config)
        self.site = site
        self.keys = keys
        self.body_links = body_links
        self.photos = photos                    # site path -> Photo, every local image pages show
        self.body_images = body_images or {}    # body key -> site paths of the local images it shows
        self.profiles = profiles      # author slug -> profile from authors.yaml
        self.related = related or {}  # source -> related stories, when the caller has them
        self.shared = shared    # plans the files one site has once: the 404 page, the search script
        self.kept = kept or {}
        # Day archives exist only when article URLs have a day in them.
        self.dates = tuple(listing for listing in archive.dates
                           if listing.kind != "day" or "{day}" in config.permalink)

    def profile(self, name: str) -> AuthorProfile | None:
        return self.profiles.get(term_slug(name))

    def link_targets(self, article: Article) -> dict[str, str]:
        by_source = self.archive.by_source
        return {t: by_source[t].url for t in self.body_links.get(article.body_key, ()) if t in by_source}

    def page_jobs(self) -> list[PageJob]:
        """Every page and feed (not the sitemaps and maps made from them)."""
        jobs: list[PageJob] = []
        for index, article in enumerate(self.archive.articles):
            jobs.append(self.article_job(article, index))
            jobs.extend(self.alias_jobs(article))
        listings = [self.archive.home, *self.dates,
                    *(listing for kind in TERM_KINDS for listing in self.archive.terms[kind])]
        for listing in listings:
            for page in paginate(listing, self.config.per_page):
                jobs.append(self.list_job(page))
            if has_feeds(listing.kind):
                jobs.extend(self.feed_jobs(listing))
        for kind in TERM_KINDS:
            jobs.append(self.terms_job(kind))
        jobs.append(self.archive_index_job())
        if self.shared:
            jobs.append(page_job(self.keys, NOT_FOUND_PATH, "404.html", NotFoundInputs(self.site)))
        if self.config.search:
            jobs.extend(self.search_jobs())
        return jobs

    def article_job(self, article: Article, index: int) -> PageJob:
        kept = self.kept.get(article.url)
        if kept is not None:
            return kept
        newer, older = neighbours(self.archive, article, index)
        related = self.related.get(article.source)
        if related is None:
            related = related_articles(self.archive, article)
        body_images = self.body_images.get(article.body_key, ())
        hero = image_site_path(article.image)
        shown = ((hero,) if hero else ()) + body_images
        inputs = ArticlePageInputs(
            site=self.site, article=article, newer=newer, older=older, related=tuple(related),
            link_targets=tuple(sorted(self.link_targets(article).items())),
            photos=tuple((path, self.photos[path]) for path in dict.fromkeys(shown) if path in self.photos),
            body_images=body_images, profiles=tuple(self.profile(name) for name in article.authors))
        return page_job(self.keys, article.url, "article.html", inputs, origin=article.source,
                        lastmod=article.last_modified)

    def alias_jobs(self, article: Article) -> list[PageJob]:
        jobs = []
        for alias in article.aliases:
            path = alias_path(alias)
            kept = self.kept.get(path)
            jobs.append(kept if kept is not None else page_job(
                self.keys, path, "redirect.html", RedirectInputs(self.site, article.title, article.url),
                origin=article.source))
        return jobs

    def list_job(self, page: ListPage) -> PageJob:
        kept = self.kept.get(page.path)
        if kept is not None:
            return kept
        listing = page.listing
        inputs = ListPageInputs(
            site=self.site, kind=listing.kind, name=listing.name, listing_path=listing.path, number=page.number,
            path=page.path, articles=page.articles, older=page.older, newer=page.newer,
            intro=self.config.description if listing.kind == "home" else "",
            profile=self.profile(listing.name) if listing.kind == "author" else None)
        return page_job(self.keys, page.path, "list.html", inputs, lastmod=newest_change(page.articles),
                        listing=listing.path)

    def feed_jobs(self, listing: Listing) -> list[PageJob]:
        formats = ("rss", "atom", "json") if listing.kind == "home" else ("rss", "atom")
        paths = {fmt: feed_path(listing.path, fmt) for fmt in ("rss", "atom", "json")}
        kept = [self.kept.get(paths[fmt]) for fmt in formats]
        if all(job is not None for job in kept):
            return kept
        heading = list_heading(self.site, listing.kind, listing.name)
        title = self.config.title if listing.kind == "home" else self.site.t("{title}: {heading}",
                                                                             title=self.config.title, heading=heading)
        items = listing.articles[: self.config.feed_items]
        targets: dict[str, str] = {}
        for article in items:
            targets.update(self.link_targets(article))
        base = listing.path
        # Only the main feeds carry the site description: a listing's feed describes itself,
        # so editing the description rewrites three feeds, not every listing's.
        description = (self.config.description or title) if listing.kind == "home" else title
        # The main feeds carry every story in full; a listing's feed carries the
        # headline, dek and link unless site.yaml says `feed_content: all` (full
        # text in thousands of listing feeds is most of a large site's bytes and
        # build time, repeating what the main feed already has).
        full_content = listing.kind == "home" or self.config.feed_content == "all"
        return [feed_job(self.keys, paths[fmt], FeedPlan(
                    format=fmt, title=title, description=description, home_path=base, rss_path=paths["rss"],
                    atom_path=paths["atom"], json_path=paths["json"], articles=items, link_targets=targets,
                    full_content=full_content, language=self.site.language.tag), base)
                for fmt in formats]

    def terms_job(self, kind: str) -> PageJob:
        listings = self.archive.terms[kind]
        terms = tuple((listing.name, listing.path, len(listing.articles)) for listing in listings)
        return page_job(self.keys, terms_path(self.site, kind), "terms.html", TermsPageInputs(self.site, kind, terms),
                        lastmod=newest_change(a for listing in listings for a in listing.articles))

    def archive_index_job(self) -> PageJob:
        years: list[ArchiveYear] = []
        for listing in self.dates:
            if listing.kind == "year":
                years.append(ArchiveYear(listing.name, listing.path, len(listing.articles), ()))
            elif listing.kind == "month":
                year = years[-1]
                years[-1] = ArchiveYear(year.name, year.path, year.count, year.months + (
                    ArchiveMonth(listing.name, listing.path, len(listing.articles)),))
        return page_job(self.keys, self.site.page(archive_path()), "archive.html",
                        ArchiveIndexInputs(self.site, tuple(years)), lastmod=newest_change(self.archive.articles))

    def search_jobs(self) -> list[PageJob]:
        """The search page and the small script that turns the header link into a search box.
        The index itself (/pagefind/) is made by Pagefind from the finished pages."""
        jobs = [page_job(self.keys, self.site.page(search_path()), "search.html",
                         SearchPageInputs(self.site, bool(self.archive.articles)))]
        if self.shared:
            jobs.append(page_job(self.keys, SEARCH_SCRIPT_PATH, "search.js", ScriptInputs(self.site)))
        return jobs


def sitemap_pages(jobs: list[PageJob]) -> list[tuple[str, datetime | None]]:
    """(site path, lastmod) of each page the sitemap lists, in path order: every
    page at a folder address but redirects and search pages."""
    return [(job.path, job.lastmod) for job in sorted(jobs, key=lambda j: j.path)
            if job.kind == "page" and job.path.endswith("/")
            and job.template not in ("redirect.html", "search.html")]


def machine_jobs(jobs: list[PageJob], alternates: dict, archive: Archive, urls: SiteUrls, title: str,
                 language: str) -> list[PageJob]:
    """Sitemaps, robots.txt and redirect maps, made from the plan itself.
    `alternates`: site path -> the page's versions in every language (editions.py)."""
    redirects = ((urls.link(alias_path(alias)), urls.link(a.url)) for a in archive.articles for alias in a.aliases)
    files = machine_files(sitemap_pages(jobs), alternates, archive.articles, urls, title, language, redirects)
    return [PageJob(path, "bytes", digest(path, hashlib.sha256(data).hexdigest()), data) for path, data in files]


