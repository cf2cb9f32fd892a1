"""Which files the site has and what each is made from: a list of `PageJob`s.

Every job carries a `key`, a digest of all of its real inputs (the site
settings, the code version, the templates it uses, and the articles it shows),
so an incremental build can tell which outputs would come out the same
without rendering them.

A page's template context is not built here: a page job carries a recipe (a
`functools.partial`) that builds it when, and only if, the page is rendered.
An incremental build needs every key but only a few contexts, and a cold build
builds contexts in the render workers, in parallel.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from . import __version__
from .authors import AuthorProfile
from .archive import TERM_KINDS, Archive, Listing, ListPage, neighbours, paginate, related_articles, term_slug
from .config import SiteConfig
from .images import Photo, Picture, picture
from .model import Article
from .pages import json_ld as json_ld_text
from .sitemap import (SitemapEntry, news_entries, news_sitemap_bytes, redirect_map_files, robots_bytes,
                      sitemap_files)
from .i18n import Words, english_words
from .languages import Language
from .urls import (NEWS_SITEMAP_PATH, NOT_FOUND_PATH, ROBOTS_PATH, SEARCH_SCRIPT_PATH, SITEMAP_PATH, SiteUrls,
                   alias_path, archive_path, feed_path, home_path, language_path, search_path, term_index_path,
                   term_path)

TEMPLATES = ("article.html", "list.html", "terms.html", "archive.html", "404.html", "redirect.html",
             "search.html", "search.js")
PUBLISHER_LOGO = "/logo.png"    # the theme's, 512 px square; a site's static/logo.png replaces it
KIND_TITLES = {"author": "Authors", "tag": "Topics", "section": "Sections", "location": "Places"}
KIND_LABELS = {"author": "Stories by {name}", "tag": "Topic: {name}", "section": "Section: {name}",
               "location": "Dateline: {name}"}


@dataclass(frozen=True)
class PageJob:
    path: str           # site path
    kind: str           # "page" | "feed" | "bytes" | "copy"
    key: str            # digest of every input
    # What the renderer needs. "page": a recipe, called with no arguments, that
    # returns the page's context and body; "feed": a FeedPlan; "bytes": the
    # file's bytes; "copy": the source file.
    data: object
    origin: str = ""    # the source file responsible, for collision messages
    lastmod: datetime | None = None   # sitemap lastmod: newest change among the articles shown
    template: str = ""  # "page" jobs: the template that renders it


@dataclass(frozen=True)
class PageSource:
    """What a recipe returns: the page's template context, and for an article
    page its body (the template is the job's)."""
    context: dict
    # (body key, link targets, site path -> Picture of each local image it shows) of an article page
    body: tuple[str, dict[str, str], dict[str, Picture]] | None = None


def page_job(path: str, key: str, template: str, recipe, **fields) -> PageJob:
    return PageJob(path, "page", key, recipe, template=template, **fields)


def fixed(context: dict) -> functools.partial:
    """A recipe for a page whose context is already built (small, one-off pages)."""
    return functools.partial(PageSource, context)


@dataclass(frozen=True)
class FeedPlan:
    format: str                         # "rss" | "atom" | "json"
    title: str
    description: str
    home_path: str
    rss_path: str
    atom_path: str
    json_path: str
    articles: tuple[Article, ...]
    link_targets: dict
    full_content: bool = True       # False: headline, dek and link only
    language: str = ""              # the feed's language; "" for the site's


def digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the package's own source, so any code change invalidates cached outputs.
    Read once per process: several cache keys of every build start with it, and
    a running process keeps running the code it imported."""
    package = Path(__file__).parent
    hasher = hashlib.sha256(__version__.encode())
    for path in sorted(package.glob("*.py")):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()


# Settings the planner itself puts into (nearly) every page or feed. The others
# reach pages only through templates (`template_fingerprints` keys those per
# template) or through a few jobs that add them to their own keys (`description`:
# the front page and feeds).
PLANNED_SETTINGS = ("title", "language", "timezone", "per_page", "feed_items", "feed_content", "permalink", "search",
                    "image", "extra")


def site_key(config: SiteConfig, urls: SiteUrls, drafts: bool) -> str:
    settings = repr([(name, repr(getattr(config, name))) for name in PLANNED_SETTINGS])
    return digest(code_version(), settings, urls.base_url, str(drafts))


class Planner:
    """Builds the job list for one archive; holds per-build lookups so every
    article's digest and link targets are computed once."""

    def __init__(self, archive: Archive, config: SiteConfig, urls: SiteUrls, site_key_: str,
                 template_keys: dict[str, str], body_links: dict[str, tuple[str, ...]],
                 photos: dict[str, Photo], profiles: dict[str, AuthorProfile],
                 source_digests: dict[str, str] | None = None,
                 related: dict[str, tuple[Article, ...]] | None = None,
                 body_images: dict[str, tuple[str, ...]] | None = None,
                 language: Language | None = None, words: Words | None = None, shared: bool = True):
        self.archive = archive
        self.config = config
        self.urls = urls
        self.template_keys = template_keys
        self.body_links = body_links
        self.photos = photos                    # site path -> Photo, every local image pages show
        self.body_images = body_images or {}    # body key -> site paths of the local images it shows
        self.site_key = site_key_
        self.profiles = profiles      # author slug -> profile from authors.yaml
        self.related = related or {}  # source -> related stories, when the caller has them
        # Day archives exist only when article URLs have a day in them.
        self.dates = tuple(listing for listing in archive.dates
                           if listing.kind != "day" or "{day}" in config.permalink)
        # An article is a function of its file and the parse settings, so the
        # digest of those (from the load stage) stands for the whole Article.
        given = source_digests or {}
        self.digests = {a.source: given.get(a.source) or digest(repr(a)) for a in archive.articles}
        # The language of the pages planned (editions.py plans one Planner per
        # language): their paths start with its prefix, their words are its own.
        self.prefix = language.prefix if language is not None else ""
        self.t = (words or english_words()).text
        self.shared = shared    # plans the files one site has once: the 404 page, the search script

    # -- helpers ---------------------------------------------------------------
    def page(self, path: str) -> str:
        """The site path of one of the planner's own pages in its language."""
        return language_path(self.prefix, path)

    def key(self, template: str, *parts: str) -> str:
        return digest(self.site_key, self.template_keys.get(template, template), *parts)

    def signature(self, articles) -> str:
        return ",".join(self.digests[a.source] for a in articles)

    def link_targets(self, article: Article) -> dict[str, str]:
        by_source = self.archive.by_source
        return {t: by_source[t].url for t in self.body_links.get(article.body_key, ()) if t in by_source}

    def image_url(self, article: Article, absolute: bool) -> str:
        return self.picture_url(article.image, absolute) if article.image else ""

    def picture_url(self, image: str, absolute: bool) -> str:
        """A picture's address: a URL as it is, a site path with the base path in front."""
        if urlsplit(image).scheme:
            return image
        path = image if image.startswith("/") else "/" + image
        return self.urls.absolute(path) if absolute else self.urls.link(path)

    def hero(self, article: Article) -> Picture | None:
        """The article's own image as its page shows it; None without one."""
        if not article.image:
            return None
        if urlsplit(article.image).scheme:
            return Picture(article.image, 0, 0)
        photo = self.photos.get(local_path(article.image))
        return picture(photo, self.urls.link) if photo else Picture(self.urls.link(local_path(article.image)), 0, 0)

    def body_pictures(self, article: Article) -> dict[str, Picture]:
        return {path: picture(self.photos[path], self.urls.link)
                for path in self.body_images.get(article.body_key, ()) if path in self.photos}

    def photo_signature(self, article: Article) -> str:
        """The photos an article page shows (hero and body): their paths and keys."""
        paths = ((local_path(article.image),) if article.image and not urlsplit(article.image).scheme else ()) \
            + self.body_images.get(article.body_key, ())
        return repr([(path, self.photos[path].key if path in self.photos else "") for path in paths])

    def image_object(self, article: Article) -> dict:
        """The article's own image for JSON-LD and link previews: a local photo's
        SHARE_WIDTH copy (or its largest), with its size; {} without one."""
        if not article.image:
            return {}
        if urlsplit(article.image).scheme:
            return {"@type": "ImageObject", "url": article.image}
        photo = self.photos.get(local_path(article.image))
        if photo is None:
            return {"@type": "ImageObject", "url": self.image_url(article, absolute=True)}
        shared = photo.share
        return {"@type": "ImageObject", "url": self.urls.absolute(shared.path), "width": shared.width,
                "height": shared.height}

    def share_image(self, article: Article) -> dict:
        """The hero as the link-preview picture, unless it is an SVG, which the
        sites that draw previews do not show (the site's `image` stands in): {}."""
        if not article.image or urlsplit(article.image).path.lower().endswith(".svg"):
            return {}
        return self.image_object(article)

    def profile(self, name: str) -> AuthorProfile | None:
        return self.profiles.get(term_slug(name))

    def person(self, name: str) -> dict:
        """schema.org Person for a byline, with what authors.yaml says about them."""
        data = {"@type": "Person", "name": name,
                "url": self.urls.absolute(term_path("author", term_slug(name), self.prefix))}
        profile = self.profile(name)
        if profile is not None:
            if profile.bio:
                data["description"] = profile.bio
            if profile.photo:
                data["image"] = self.urls.absolute(profile.photo)
            if profile.links:
                data["sameAs"] = [link.url for link in profile.links]
        return data

    @functools.cached_property
    def home_feeds(self) -> tuple[dict, ...]:
        """The same three dicts for every page, made once per build."""
        title, home = self.config.title, home_path(self.prefix)
        return ({"type": "application/rss+xml", "title": f"{title} (RSS)", "path": feed_path(home, "rss")},
                {"type": "application/atom+xml", "title": f"{title} (Atom)", "path": feed_path(home, "atom")},
                {"type": "application/feed+json", "title": f"{title} (JSON Feed)", "path": feed_path(home, "json")})

    @functools.cached_property
    def publisher(self) -> dict:
        # A raster logo: search engines take no SVG here and want one at least 112 px wide.
        return {"@type": "Organization", "name": self.config.title, "url": self.urls.absolute("/"),
                "logo": {"@type": "ImageObject", "url": self.urls.absolute(PUBLISHER_LOGO)}}

    @functools.cached_property
    def site_image(self) -> str:
        return self.picture_url(self.config.image, absolute=True)

    def meta(self, *, title: str, description: str, path: str, og_type: str = "website", image: str = "",
             image_width: int = 0, image_height: int = 0, image_alt: str = "", og_article=(), feeds=None,
             json_ld=None, breadcrumbs=(), noindex: bool = False) -> dict:
        """What base.html puts in <head>. A page without a picture of its own
        shows the site's `image` in link previews, as a small card."""
        return {"title": title, "description": description, "canonical": self.urls.absolute(path) if path else "",
                "og_type": og_type, "image": image or self.site_image,
                "image_width": image_width if image else 0, "image_height": image_height if image else 0,
                "image_alt": image_alt if image else self.config.title,
                "card": "summary_large_image" if image else "summary", "og_article": tuple(og_article),
                "feeds": tuple(feeds or ()) + self.home_feeds,
                "json_ld": json_ld_text(json_ld) if json_ld else "", "breadcrumbs": tuple(breadcrumbs),
                "noindex": noindex}

    def og_article(self, article: Article) -> tuple[tuple[str, str], ...]:
        """OpenGraph's article properties, in the order the protocol lists them:
        (property, content) pairs, one per author and tag."""
        pairs = [("article:published_time", article.published.isoformat()),
                 ("article:modified_time", article.last_modified.isoformat())]
        pairs += [("article:author", self.urls.absolute(term_path("author", term_slug(name), self.prefix)))
                  for name in article.authors]
        if article.section:
            pairs.append(("article:section", article.section))
        pairs += [("article:tag", tag) for tag in article.tags]
        return tuple(pairs)

    # -- the plan --------------------------------------------------------------
    def jobs(self) -> list[PageJob]:
        jobs = self.page_jobs()
        jobs.extend(self.machine_jobs(jobs))
        return jobs

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
            if has_feeds(listing):
                jobs.extend(self.feed_jobs(listing))
        for kind in TERM_KINDS:
            jobs.append(self.terms_job(kind))
        jobs.append(self.archive_index_job())
        if self.shared:
            jobs.append(self.not_found_job())
        if self.config.search:
            jobs.extend(self.search_jobs())
        return jobs

    def article_job(self, article: Article, index: int) -> PageJob:
        newer, older = neighbours(self.archive, article, index)
        related = self.related.get(article.source)
        if related is None:
            related = related_articles(self.archive, article)
        targets = self.link_targets(article)
        key = self.key("article.html", "article", self.digests[article.source],
                       self.signature([a for a in (newer, older) if a] + list(related)),
                       repr(sorted(targets.items())), self.photo_signature(article),
                       repr([self.profile(name) for name in article.authors]))
        recipe = functools.partial(self.article_page, article, newer, older, related, targets)
        return page_job(article.url, key, "article.html", recipe, origin=article.source,
                        lastmod=article.last_modified)

    def article_page(self, article: Article, newer, older, related, targets) -> PageSource:
        crumbs = [{"name": self.t("Front page"), "path": home_path(self.prefix)}]
        if article.section:
            crumbs.append({"name": article.section,
                           "path": term_path("section", term_slug(article.section), self.prefix)})
        crumbs.append({"name": article.title, "path": article.url})
        shared = self.share_image(article)
        context = {
            "article": article, "newer": newer, "older": older, "related": related,
            "hero": self.hero(article),
            "meta": self.meta(title=article.title, description=article.summary, path=article.url,
                              og_type="article", image=shared.get("url", ""),
                              image_width=shared.get("width", 0), image_height=shared.get("height", 0),
                              image_alt=article.image_alt, og_article=self.og_article(article),
                              json_ld=self.article_json_ld(article), breadcrumbs=crumbs),
        }
        return PageSource(context, (article.body_key, targets, self.body_pictures(article)))

    def article_json_ld(self, article: Article) -> dict:
        data = {
            "@context": "https://schema.org", "@type": "NewsArticle",
            "headline": article.title, "description": article.summary,
            "datePublished": article.published.isoformat(),
            "dateModified": article.last_modified.isoformat(),
            "author": [self.person(name) for name in article.authors],
            "publisher": self.publisher,
            "mainEntityOfPage": {"@type": "WebPage", "@id": self.urls.absolute(article.url)},
            "url": self.urls.absolute(article.url),
            "inLanguage": self.config.language,
        }
        if article.location:
            data["dateline"] = article.location
            data["locationCreated"] = {"@type": "Place", "name": article.location}
        if article.section:
            data["articleSection"] = article.section
        if article.tags:
            data["keywords"] = list(article.tags)
        image = self.image_object(article)
        if image:
            if article.image_caption:
                image["caption"] = article.image_caption
            if article.image_credit:
                image["creditText"] = article.image_credit
        else:
            image = {"@type": "ImageObject", "url": self.site_image}     # `image` in site.yaml stands in
        data["image"] = [image]
        return data

    def alias_jobs(self, article: Article) -> list[PageJob]:
        jobs = []
        for alias in article.aliases:
            context = {"title": article.title, "target": self.urls.link(article.url),
                       "target_absolute": self.urls.absolute(article.url)}
            path = alias_path(alias)
            jobs.append(page_job(path, self.key("redirect.html", "alias", path, article.title, article.url),
                                 "redirect.html", fixed(context), origin=article.source))
        return jobs

    def list_heading(self, listing: Listing) -> tuple[str, str]:
        if listing.kind == "home":
            return self.t("Latest stories"), self.config.description
        if listing.kind in ("year", "month", "day"):
            return self.t("Stories from {name}", name=listing.name), ""
        return self.t(KIND_LABELS[listing.kind], name=listing.name), ""

    def list_job(self, page: ListPage) -> PageJob:
        listing = page.listing
        heading, intro = self.list_heading(listing)
        profile = self.profile(listing.name) if listing.kind == "author" else None
        key = self.key("list.html", "list", page.path, heading, intro, page.older, page.newer,
                       repr(profile), self.signature(page.articles))
        return page_job(page.path, key, "list.html", functools.partial(self.list_page, page, heading, intro, profile),
                        lastmod=newest_change(page.articles))

    def list_page(self, page: ListPage, heading: str, intro: str, profile: AuthorProfile | None) -> PageSource:
        listing = page.listing
        title = heading if page.number == 0 else self.t("{heading}, page {number}", heading=heading,
                                                         number=page.number)
        if listing.kind == "home" and page.number == 0:
            title = ""
        feeds = []
        rss_path = atom_path = ""
        if listing.kind != "home" and has_feeds(listing):
            rss_path, atom_path = feed_path(listing.path, "rss"), feed_path(listing.path, "atom")
            feeds = [{"type": "application/rss+xml", "title": f"{heading} (RSS)", "path": rss_path},
                     {"type": "application/atom+xml", "title": f"{heading} (Atom)", "path": atom_path}]
        crumbs = self.list_breadcrumbs(listing, page)
        json_ld = {
            "@context": "https://schema.org", "@type": "ProfilePage" if listing.kind == "author" else "CollectionPage",
            "name": title or self.config.title,
            "url": self.urls.absolute(page.path),
            "breadcrumb": {"@type": "BreadcrumbList", "itemListElement": [
                {"@type": "ListItem", "position": i + 1, "name": c["name"], "item": self.urls.absolute(c["path"])}
                for i, c in enumerate(crumbs)]},
        }
        if listing.kind == "author":
            json_ld["mainEntity"] = self.person(listing.name)
        context = {
            "heading": heading if page.number == 0 else self.t("{heading} (page {number})", heading=heading,
                                                               number=page.number),
            "intro": intro if page.number == 0 else "",
            "stories": page.articles, "newer": page.newer, "older": page.older,
            "feed_path": rss_path, "atom_path": atom_path, "profile": profile,
            "photo_src": self.urls.link(profile.photo) if profile and profile.photo else "",
            "meta": self.meta(title=title, description=intro or heading, path=page.path, feeds=feeds,
                              json_ld=json_ld, breadcrumbs=crumbs if listing.kind != "home" else ()),
        }
        return PageSource(context)

    def list_breadcrumbs(self, listing: Listing, page: ListPage) -> list[dict]:
        crumbs = [{"name": self.t("Front page"), "path": home_path(self.prefix)}]
        if listing.kind in TERM_KINDS:
            crumbs.append({"name": self.t(KIND_TITLES[listing.kind]),
                           "path": term_index_path(listing.kind, self.prefix)})
        elif listing.kind in ("year", "month", "day"):
            crumbs.append({"name": self.t("Archive"), "path": archive_path(self.prefix)})
        if listing.kind != "home":
            crumbs.append({"name": listing.name, "path": listing.path})
        if page.number:
            crumbs.append({"name": self.t("Page {number}", number=page.number), "path": page.path})
        return crumbs

    def feed_jobs(self, listing: Listing) -> list[PageJob]:
        heading, _ = self.list_heading(listing)
        title = self.config.title if listing.kind == "home" else self.t("{title}: {heading}", title=self.config.title,
                                                                        heading=heading)
        items = listing.articles[: self.config.feed_items]
        targets: dict[str, str] = {}
        for article in items:
            targets.update(self.link_targets(article))
        base = listing.path
        # Only the main feeds carry the site description: a listing's feed describes itself,
        # so editing the description rewrites three feeds, not every listing's.
        description = (self.config.description or title) if listing.kind == "home" else title
        plan = dict(title=title, description=description, home_path=base,
                    rss_path=feed_path(base, "rss"), atom_path=feed_path(base, "atom"),
                    json_path=feed_path(base, "json"),
                    articles=items, link_targets=targets)
        formats = ("rss", "atom", "json") if listing.kind == "home" else ("rss", "atom")
        # The main feeds carry every story in full; a listing's feed carries the
        # headline, dek and link unless site.yaml says `feed_content: all` (full
        # text in thousands of listing feeds is most of a large site's bytes and
        # build time, repeating what the main feed already has).
        plan["full_content"] = listing.kind == "home" or self.config.feed_content == "all"
        signature = self.signature(items) + repr(sorted(targets.items()))
        jobs = []
        for fmt in formats:
            path = {"rss": plan["rss_path"], "atom": plan["atom_path"], "json": plan["json_path"]}[fmt]
            jobs.append(PageJob(path, "feed", self.key("feed", fmt, path, title, description, signature,
                                                       str(plan["full_content"])),
                                FeedPlan(format=fmt, **plan)))
        return jobs

    def terms_job(self, kind: str) -> PageJob:
        terms = [{"name": listing.name, "path": listing.path, "count": len(listing.articles)}
                 for listing in self.archive.terms[kind]]
        path = term_index_path(kind, self.prefix)
        heading = self.t(KIND_TITLES[kind])
        crumbs = [{"name": self.t("Front page"), "path": home_path(self.prefix)}, {"name": heading, "path": path}]
        context = {"heading": heading, "terms": terms,
                   "meta": self.meta(title=heading, path=path,
                                     description=self.t("{heading} of {title}", heading=heading,
                                                        title=self.config.title),
                                     breadcrumbs=crumbs, json_ld=self.collection_ld(heading, path, crumbs))}
        return page_job(path, self.key("terms.html", "terms", repr(terms)), "terms.html", fixed(context),
                        lastmod=newest_change(a for listing in self.archive.terms[kind] for a in listing.articles))

    def collection_ld(self, name: str, path: str, crumbs) -> dict:
        return {"@context": "https://schema.org", "@type": "CollectionPage", "name": name,
                "url": self.urls.absolute(path),
                "breadcrumb": {"@type": "BreadcrumbList", "itemListElement": [
                    {"@type": "ListItem", "position": i + 1, "name": c["name"], "item": self.urls.absolute(c["path"])}
                    for i, c in enumerate(crumbs)]}}

    def archive_index_job(self) -> PageJob:
        years = []
        for listing in self.dates:
            if listing.kind == "year":
                years.append({"name": listing.name, "path": listing.path, "count": len(listing.articles),
                              "months": []})
            elif listing.kind == "month":
                years[-1]["months"].append({"name": listing.name, "path": listing.path,
                                            "count": len(listing.articles)})
        path, heading = archive_path(self.prefix), self.t("Archive")
        crumbs = [{"name": self.t("Front page"), "path": home_path(self.prefix)}, {"name": heading, "path": path}]
        context = {"years": years,
                   "meta": self.meta(title=heading, description=self.t("Every month of {title}", title=self.config.title),
                                     path=path, breadcrumbs=crumbs,
                                     json_ld=self.collection_ld(heading, path, crumbs))}
        return page_job(path, self.key("archive.html", "archive", repr(years)), "archive.html",
                        fixed(context), lastmod=newest_change(self.archive.articles))

    def not_found_job(self) -> PageJob:
        context = {"meta": self.meta(title=self.t("Page not found"), path="", noindex=True,
                                     description=self.t("There is no page at this address on {title}.",
                                                        title=self.config.title))}
        return page_job(NOT_FOUND_PATH, self.key("404.html", "404"), "404.html", fixed(context))

    def search_jobs(self) -> list[PageJob]:
        """The search page and the small script that turns the header link into a search box.
        The index itself (/pagefind/) is made by Pagefind from the finished pages."""
        has_stories = bool(self.archive.articles)   # no stories: no index to load (see index_search)
        path, heading = search_path(self.prefix), self.t("Search")
        context = {"has_stories": has_stories,
                   "meta": self.meta(title=heading, path=path,
                                     description=self.t("Search every story in {title}", title=self.config.title),
                                     breadcrumbs=[{"name": self.t("Front page"), "path": home_path(self.prefix)},
                                                  {"name": heading, "path": path}])}
        jobs = [page_job(path, self.key("search.html", "search", str(has_stories)), "search.html", fixed(context))]
        if self.shared:
            jobs.append(page_job(SEARCH_SCRIPT_PATH, self.key("search.js", "search.js"), "search.js", fixed({})))
        return jobs

    def machine_jobs(self, jobs: list[PageJob], alternates: dict | None = None) -> list[PageJob]:
        """Sitemaps, robots.txt and redirect maps, made here from the plan itself.
        `alternates`: site path -> the page's versions in every language (editions.py)."""
        alternates = alternates or {}
        entries = [SitemapEntry(self.urls.absolute(job.path), job.lastmod,
                                tuple((tag, self.urls.absolute(path)) for tag, path in alternates.get(job.path, ())))
                   for job in sorted(jobs, key=lambda j: j.path)
                   if job.kind == "page" and job.path.endswith("/")
                   and job.template not in ("redirect.html", "search.html")]
        files = sitemap_files(entries, self.urls.absolute)
        news = news_entries(self.archive.articles, lambda a: self.urls.absolute(a.url))
        files.append((NEWS_SITEMAP_PATH, news_sitemap_bytes(news, self.config.title, self.config.language)))
        files.append((ROBOTS_PATH, robots_bytes([self.urls.absolute(SITEMAP_PATH),
                                                 self.urls.absolute(NEWS_SITEMAP_PATH)])))
        files += redirect_map_files((self.urls.link(alias_path(alias)), self.urls.link(a.url))
                                    for a in self.archive.articles for alias in a.aliases)
        return [PageJob(path, "bytes", digest(path, hashlib.sha256(data).hexdigest()), data)
                for path, data in files]


def local_path(image: str) -> str:
    """The site path of a local image as written in front matter ("media/a.jpg" or "/media/a.jpg")."""
    return image if image.startswith("/") else "/" + image


def has_feeds(listing: Listing) -> bool:
    """The front page and every author, tag, section and location have feeds;
    date archives do not. A feed of one past day or month never gets a new
    item, and at 10,000 articles those feeds were ~8,400 of the site's 28,000
    files. Readers follow the front page or a topic; peers (Pelican, Hugo) do
    the same."""
    return listing.kind == "home" or listing.kind in TERM_KINDS


def newest_change(articles) -> datetime | None:
    """The newest `last_modified` among articles: a list page changes when any story on it does."""
    return max((article.last_modified for article in articles), default=None)
