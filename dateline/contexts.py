"""What each kind of page is made from (a frozen inputs value), and its
template context, made from that value alone.

The planner (plan.py) decides which pages exist and gives each its inputs;
keys.py derives the page's cache key from every field of them; the renderer
calls `page_source(inputs)` in a worker, only for the pages it renders. The
functions here are pure: what a context shows is what its inputs hold, so a
page's key cannot miss something its page shows.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from .archive import TERM_KINDS, term_slug
from .authors import AuthorProfile
from .images import Photo, Picture, picture
from .i18n import Words
from .languages import Language, native_name, text_direction
from .model import Article
from .pages import json_ld as json_ld_text
from .urls import SiteUrls, archive_path, image_site_path, feed_path, language_path, search_path, term_index_path, term_path

PUBLISHER_LOGO = "/logo.png"    # the theme's, 512 px square; a site's static/logo.png replaces it
KIND_TITLES = {"author": "Authors", "tag": "Topics", "section": "Sections", "location": "Places"}
KIND_LABELS = {"author": "Stories by {name}", "tag": "Topic: {name}", "section": "Section: {name}",
               "location": "Dateline: {name}"}
X_DEFAULT = "x-default"

# (hreflang, site path) of every version of a page, its own included, then x-default.
Alternates = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PageSite:
    """What every page of one language reads of the site besides its own inputs."""

    title: str          # the site's title in this language
    image: str          # site.yaml `image`: the link-preview picture of pages without one
    urls: SiteUrls
    language: Language
    words: Words

    def page(self, path: str) -> str:
        """The site path of a page of this language."""
        return language_path(self.language.prefix, path)

    def t(self, key: str, **values) -> str:
        return self.words.text(key, **values)

    def picture_url(self, image: str, absolute: bool) -> str:
        """A picture's address: a URL as it is, a site path with the base path in front."""
        path = image_site_path(image)
        if not path:
            return image
        return self.urls.absolute(path) if absolute else self.urls.link(path)

    @functools.cached_property
    def site_image(self) -> str:
        return self.picture_url(self.image, absolute=True)

    @functools.cached_property
    def home_feeds(self) -> tuple[dict, ...]:
        """The same three dicts for every page, made once per process."""
        return ({"type": "application/rss+xml", "title": f"{self.title} (RSS)",
                 "path": self.page(feed_path("/", "rss"))},
                {"type": "application/atom+xml", "title": f"{self.title} (Atom)",
                 "path": self.page(feed_path("/", "atom"))},
                {"type": "application/feed+json", "title": f"{self.title} (JSON Feed)",
                 "path": self.page(feed_path("/", "json"))})

    @functools.cached_property
    def publisher(self) -> dict:
        # A raster logo: search engines take no SVG here and want one at least 112 px wide.
        return {"@type": "Organization", "name": self.title, "url": self.urls.absolute("/"),
                "logo": {"@type": "ImageObject", "url": self.urls.absolute(PUBLISHER_LOGO)}}


@dataclass(frozen=True)
class PageSource:
    """What `page_source` returns: the page's template context, and for an
    article page its body (the template is the job's)."""
    context: dict
    # (body key, link targets, site path -> Picture of each local image it shows) of an article page
    body: tuple[str, dict[str, str], dict[str, Picture]] | None = None


# -- the inputs of each kind of page -------------------------------------------
@dataclass(frozen=True)
class ArticlePageInputs:
    site: PageSite
    article: Article
    newer: Article | None
    older: Article | None
    related: tuple[Article, ...]
    link_targets: tuple[tuple[str, str], ...]     # (source, url) of each story the body links to
    photos: tuple[tuple[str, Photo], ...]         # (site path, Photo) of each local image shown: hero, body
    body_images: tuple[str, ...]                  # site paths of the local images in the body
    profiles: tuple[AuthorProfile | None, ...]    # authors.yaml's profile of each author, in byline order
    alternates: Alternates = ()


@dataclass(frozen=True)
class ListPageInputs:
    """One page of a listing: the front page, a date or a term."""
    site: PageSite
    kind: str                   # "home" | "year" | "month" | "day" | one of TERM_KINDS
    name: str                   # the listing's name
    listing_path: str           # its first page
    number: int                 # 0: the first page
    path: str
    articles: tuple[Article, ...]
    older: str
    newer: str
    intro: str                  # the front page's: the site's description
    profile: AuthorProfile | None
    alternates: Alternates = ()


@dataclass(frozen=True)
class TermsPageInputs:
    site: PageSite
    kind: str
    terms: tuple[tuple[str, str, int], ...]       # (name, path, count) of each term
    alternates: Alternates = ()


@dataclass(frozen=True)
class ArchiveMonth:
    name: str
    path: str
    count: int


@dataclass(frozen=True)
class ArchiveYear:
    name: str
    path: str
    count: int
    months: tuple[ArchiveMonth, ...]


@dataclass(frozen=True)
class ArchiveIndexInputs:
    site: PageSite
    years: tuple[ArchiveYear, ...]
    alternates: Alternates = ()


@dataclass(frozen=True)
class SearchPageInputs:
    site: PageSite
    has_stories: bool           # no stories: no index to load
    alternates: Alternates = ()


@dataclass(frozen=True)
class NotFoundInputs:
    site: PageSite


@dataclass(frozen=True)
class ScriptInputs:
    """A script rendered from a template (search.js)."""
    site: PageSite


@dataclass(frozen=True)
class RedirectInputs:
    """An alias's page, or the root's when the default language has a prefix."""
    site: PageSite
    title: str
    target: str                 # site path


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


PageInputs = (ArticlePageInputs | ListPageInputs | TermsPageInputs | ArchiveIndexInputs | SearchPageInputs
              | NotFoundInputs | ScriptInputs | RedirectInputs)


# -- contexts --------------------------------------------------------------------
def page_source(inputs) -> PageSource:
    """The page's context (and body), from its inputs alone."""
    source = _MAKERS[type(inputs)](inputs)
    site = inputs.site
    alternates = getattr(inputs, "alternates", ())
    versions = tuple({"tag": tag, "path": path, "name": native_name(tag), "direction": text_direction(tag)}
                     for tag, path in alternates if tag not in (X_DEFAULT, site.language.tag))
    source.context.update(lang=site.language, words=site.words, translations=versions)
    if "meta" in source.context:
        source.context["meta"]["alternates"] = alternates
    return source


def meta(site: PageSite, *, title: str, description: str, path: str, og_type: str = "website", image: str = "",
         image_width: int = 0, image_height: int = 0, image_alt: str = "", og_article=(), feeds=None,
         json_ld=None, breadcrumbs=(), noindex: bool = False) -> dict:
    """What base.html puts in <head>. A page without a picture of its own
    shows the site's `image` in link previews, as a small card."""
    return {"title": title, "description": description, "canonical": site.urls.absolute(path) if path else "",
            "og_type": og_type, "image": image or site.site_image,
            "image_width": image_width if image else 0, "image_height": image_height if image else 0,
            "image_alt": image_alt if image else site.title,
            "card": "summary_large_image" if image else "summary", "og_article": tuple(og_article),
            "feeds": tuple(feeds or ()) + site.home_feeds,
            "json_ld": json_ld_text(json_ld) if json_ld else "", "breadcrumbs": tuple(breadcrumbs),
            "noindex": noindex}


def person(site: PageSite, name: str, profile: AuthorProfile | None) -> dict:
    """schema.org Person for a byline, with what authors.yaml says about them."""
    data = {"@type": "Person", "name": name,
            "url": site.urls.absolute(site.page(term_path("author", term_slug(name))))}
    if profile is not None:
        if profile.bio:
            data["description"] = profile.bio
        if profile.photo:
            data["image"] = site.urls.absolute(profile.photo)
        if profile.links:
            data["sameAs"] = [link.url for link in profile.links]
    return data


def breadcrumb_ld(site: PageSite, crumbs) -> dict:
    return {"@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": i + 1, "name": c["name"], "item": site.urls.absolute(c["path"])}
        for i, c in enumerate(crumbs)]}


def collection_ld(site: PageSite, name: str, path: str, crumbs) -> dict:
    return {"@context": "https://schema.org", "@type": "CollectionPage", "name": name,
            "url": site.urls.absolute(path), "breadcrumb": breadcrumb_ld(site, crumbs)}


# -- article pages ---------------------------------------------------------------
def article_context(inputs: ArticlePageInputs) -> PageSource:
    site, article = inputs.site, inputs.article
    photos = dict(inputs.photos)
    crumbs = [{"name": site.t("Front page"), "path": site.page("/")}]
    if article.section:
        crumbs.append({"name": article.section, "path": site.page(term_path("section", term_slug(article.section)))})
    crumbs.append({"name": article.title, "path": article.url})
    shared = share_image(site, article, photos)
    context = {
        "article": article, "newer": inputs.newer, "older": inputs.older, "related": inputs.related,
        "hero": hero(site, article, photos),
        "meta": meta(site, title=article.title, description=article.summary, path=article.url,
                     og_type="article", image=shared.get("url", ""),
                     image_width=shared.get("width", 0), image_height=shared.get("height", 0),
                     image_alt=article.image_alt, og_article=og_article(site, article),
                     json_ld=article_json_ld(inputs, photos), breadcrumbs=crumbs),
    }
    pictures = {path: picture(photos[path], site.urls.link) for path in inputs.body_images if path in photos}
    return PageSource(context, (article.body_key, dict(inputs.link_targets), pictures))


def hero(site: PageSite, article: Article, photos: dict[str, Photo]) -> Picture | None:
    """The article's own image as its page shows it; None without one."""
    if not article.image:
        return None
    path = image_site_path(article.image)
    if not path:
        return Picture(article.image, 0, 0)
    photo = photos.get(path)
    return picture(photo, site.urls.link) if photo else Picture(site.urls.link(path), 0, 0)


def image_object(site: PageSite, article: Article, photos: dict[str, Photo]) -> dict:
    """The article's own image for JSON-LD and link previews: a local photo's
    SHARE_WIDTH copy (or its largest), with its size; {} without one."""
    if not article.image:
        return {}
    path = image_site_path(article.image)
    if not path:
        return {"@type": "ImageObject", "url": article.image}
    photo = photos.get(path)
    if photo is None:
        return {"@type": "ImageObject", "url": site.picture_url(article.image, absolute=True)}
    shared = photo.share
    return {"@type": "ImageObject", "url": site.urls.absolute(shared.path), "width": shared.width,
            "height": shared.height}


def share_image(site: PageSite, article: Article, photos: dict[str, Photo]) -> dict:
    """The hero as the link-preview picture, unless it is an SVG, which the
    sites that draw previews do not show (the site's `image` stands in): {}."""
    if not article.image or urlsplit(article.image).path.lower().endswith(".svg"):
        return {}
    return image_object(site, article, photos)


def og_article(site: PageSite, article: Article) -> tuple[tuple[str, str], ...]:
    """OpenGraph's article properties, in the order the protocol lists them:
    (property, content) pairs, one per author and tag."""
    pairs = [("article:published_time", article.published.isoformat()),
             ("article:modified_time", article.last_modified.isoformat())]
    pairs += [("article:author", site.urls.absolute(site.page(term_path("author", term_slug(name)))))
              for name in article.authors]
    if article.section:
        pairs.append(("article:section", article.section))
    pairs += [("article:tag", tag) for tag in article.tags]
    return tuple(pairs)


def article_json_ld(inputs: ArticlePageInputs, photos: dict[str, Photo]) -> dict:
    site, article = inputs.site, inputs.article
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": article.title, "description": article.summary,
        "datePublished": article.published.isoformat(),
        "dateModified": article.last_modified.isoformat(),
        "author": [person(site, name, profile) for name, profile in zip(article.authors, inputs.profiles)],
        "publisher": site.publisher,
        "mainEntityOfPage": {"@type": "WebPage", "@id": site.urls.absolute(article.url)},
        "url": site.urls.absolute(article.url),
        "inLanguage": site.language.tag,
    }
    if article.location:
        data["dateline"] = article.location
        data["locationCreated"] = {"@type": "Place", "name": article.location}
    if article.section:
        data["articleSection"] = article.section
    if article.tags:
        data["keywords"] = list(article.tags)
    image = image_object(site, article, photos)
    if image:
        if article.image_caption:
            image["caption"] = article.image_caption
        if article.image_credit:
            image["creditText"] = article.image_credit
    else:
        image = {"@type": "ImageObject", "url": site.site_image}     # `image` in site.yaml stands in
    data["image"] = [image]
    return data


# -- listings --------------------------------------------------------------------
def list_heading(site: PageSite, kind: str, name: str) -> str:
    if kind == "home":
        return site.t("Latest stories")
    if kind in ("year", "month", "day"):
        return site.t("Stories from {name}", name=name)
    return site.t(KIND_LABELS[kind], name=name)


def has_feeds(kind: str) -> bool:
    """The front page and every author, tag, section and location have feeds;
    date archives do not. A feed of one past day or month never gets a new
    item, and at 10,000 articles those feeds were ~8,400 of the site's 28,000
    files. Readers follow the front page or a topic; peers (Pelican, Hugo) do
    the same."""
    return kind == "home" or kind in TERM_KINDS


def list_context(inputs: ListPageInputs) -> PageSource:
    site, kind = inputs.site, inputs.kind
    heading = list_heading(site, kind, inputs.name)
    title = heading if inputs.number == 0 else site.t("{heading}, page {number}", heading=heading,
                                                      number=inputs.number)
    if kind == "home" and inputs.number == 0:
        title = ""
    feeds = []
    rss_path = atom_path = ""
    if kind != "home" and has_feeds(kind):
        rss_path, atom_path = feed_path(inputs.listing_path, "rss"), feed_path(inputs.listing_path, "atom")
        feeds = [{"type": "application/rss+xml", "title": f"{heading} (RSS)", "path": rss_path},
                 {"type": "application/atom+xml", "title": f"{heading} (Atom)", "path": atom_path}]
    crumbs = list_breadcrumbs(inputs)
    json_ld = {
        "@context": "https://schema.org", "@type": "ProfilePage" if kind == "author" else "CollectionPage",
        "name": title or site.title,
        "url": site.urls.absolute(inputs.path),
        "breadcrumb": breadcrumb_ld(site, crumbs),
    }
    if kind == "author":
        json_ld["mainEntity"] = person(site, inputs.name, inputs.profile)
    profile = inputs.profile
    context = {
        "heading": heading if inputs.number == 0 else site.t("{heading} (page {number})", heading=heading,
                                                             number=inputs.number),
        "intro": inputs.intro if inputs.number == 0 else "",
        "stories": inputs.articles, "newer": inputs.newer, "older": inputs.older,
        "feed_path": rss_path, "atom_path": atom_path, "profile": profile,
        "photo_src": site.urls.link(profile.photo) if profile and profile.photo else "",
        "meta": meta(site, title=title, description=inputs.intro or heading, path=inputs.path, feeds=feeds,
                     json_ld=json_ld, breadcrumbs=crumbs if kind != "home" else ()),
    }
    return PageSource(context)


def list_breadcrumbs(inputs: ListPageInputs) -> list[dict]:
    site, kind = inputs.site, inputs.kind
    crumbs = [{"name": site.t("Front page"), "path": site.page("/")}]
    if kind in TERM_KINDS:
        crumbs.append({"name": site.t(KIND_TITLES[kind]), "path": site.page(term_index_path(kind))})
    elif kind in ("year", "month", "day"):
        crumbs.append({"name": site.t("Archive"), "path": site.page(archive_path())})
    if kind != "home":
        crumbs.append({"name": inputs.name, "path": inputs.listing_path})
    if inputs.number:
        crumbs.append({"name": site.t("Page {number}", number=inputs.number), "path": inputs.path})
    return crumbs


def terms_path(site: PageSite, kind: str) -> str:
    return site.page(term_index_path(kind))


def terms_context(inputs: TermsPageInputs) -> PageSource:
    site = inputs.site
    path = terms_path(site, inputs.kind)
    heading = site.t(KIND_TITLES[inputs.kind])
    crumbs = [{"name": site.t("Front page"), "path": site.page("/")}, {"name": heading, "path": path}]
    terms = [{"name": name, "path": term, "count": count} for name, term, count in inputs.terms]
    context = {"heading": heading, "terms": terms,
               "meta": meta(site, title=heading, path=path,
                            description=site.t("{heading} of {title}", heading=heading, title=site.title),
                            breadcrumbs=crumbs, json_ld=collection_ld(site, heading, path, crumbs))}
    return PageSource(context)


def archive_index_context(inputs: ArchiveIndexInputs) -> PageSource:
    site = inputs.site
    years = [{"name": year.name, "path": year.path, "count": year.count,
              "months": [{"name": m.name, "path": m.path, "count": m.count} for m in year.months]}
             for year in inputs.years]
    path, heading = site.page(archive_path()), site.t("Archive")
    crumbs = [{"name": site.t("Front page"), "path": site.page("/")}, {"name": heading, "path": path}]
    context = {"years": years,
               "meta": meta(site, title=heading, description=site.t("Every month of {title}", title=site.title),
                            path=path, breadcrumbs=crumbs, json_ld=collection_ld(site, heading, path, crumbs))}
    return PageSource(context)


# -- fixed pages -----------------------------------------------------------------
def not_found_context(inputs: NotFoundInputs) -> PageSource:
    site = inputs.site
    return PageSource({"meta": meta(site, title=site.t("Page not found"), path="", noindex=True,
                                    description=site.t("There is no page at this address on {title}.",
                                                       title=site.title))})


def search_context(inputs: SearchPageInputs) -> PageSource:
    site = inputs.site
    path, heading = site.page(search_path()), site.t("Search")
    return PageSource({"has_stories": inputs.has_stories,
                       "meta": meta(site, title=heading, path=path,
                                    description=site.t("Search every story in {title}", title=site.title),
                                    breadcrumbs=[{"name": site.t("Front page"), "path": site.page("/")},
                                                 {"name": heading, "path": path}])})


def script_context(inputs: ScriptInputs) -> PageSource:
    return PageSource({})


def redirect_context(inputs: RedirectInputs) -> PageSource:
    urls = inputs.site.urls
    return PageSource({"title": inputs.title, "target": urls.link(inputs.target),
                       "target_absolute": urls.absolute(inputs.target)})


_MAKERS = {ArticlePageInputs: article_context, ListPageInputs: list_context, TermsPageInputs: terms_context,
           ArchiveIndexInputs: archive_index_context, SearchPageInputs: search_context,
           NotFoundInputs: not_found_context, ScriptInputs: script_context, RedirectInputs: redirect_context}


def newest_change(articles) -> datetime | None:
    """The newest `last_modified` among articles: a list page changes when any story on it does."""
    return max((article.last_modified for article in articles), default=None)
