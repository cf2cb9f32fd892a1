"""One edition per language: its own archive (front page, listings, feeds),
its words, and the links between the versions of a page in other languages.

A site in one language has one edition, at the root, whose pages are exactly
what they were before languages existed. With `languages:` in site.yaml each
language's stories get their own archive under the language's prefix
(`/hi/2025/10/25/slug/`, `/hi/tags/trade/`), planned by the same Planner, and
every page that exists in more than one language lists all its versions
(`<link rel="alternate" hreflang>`, x-default, the sitemap's `xhtml:link`).

Translations are linked by a shared `translation_key` in front matter: every
story with the same key is the same story in another language.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from .archive import Archive, build_archive
from .errors import Problem
from .i18n import Words
from .contexts import X_DEFAULT, PageSite, RedirectInputs
from .keys import Keys
from .languages import Language, site_languages
from .model import Article
from .plan import PageJob, machine_jobs
from .urls import SiteUrls, home_path, numbered_page_base, unprefixed_path

# Styles only sites in several languages, or in one written right to left, use
# (the translations' links, the mirrored layout): published by those alone, so
# every other site's files stay as they were.
LANGUAGES_CSS = "/css/languages.css"
LANGUAGES_CSS_SOURCE = Path(__file__).resolve().parent / "theme" / "languages.css"
# Listing pages (first pages only: a numbered page holds other stories in each language).
_LISTING_TEMPLATES = ("list.html", "terms.html", "archive.html", "search.html")


@dataclass(frozen=True)
class Edition:
    language: Language
    archive: Archive        # this language's stories; listing paths under its prefix
    words: Words


def build_editions(config, archive: Archive, words: dict[str, Words],
                   day_archives: bool = True) -> tuple[tuple[Edition, ...], list[Problem]]:
    """Every language's edition, or the problems of the translation links."""
    languages = site_languages(config)
    if len(languages) == 1:
        return (Edition(languages[0], archive, words[languages[0].tag]),), []
    problems = translation_problems(archive.articles)
    editions = []
    for language in languages:
        own = [a for a in archive.articles if a.language == language.tag]
        edition_archive, found = build_archive(own, day_archives, language.prefix, language.tag)
        problems += found
        if edition_archive is not None:
            # Links in a story's body may lead to a story in any language.
            editions.append(Edition(language, replace(edition_archive, by_source=archive.by_source),
                                    words[language.tag]))
    return tuple(editions), problems


def translation_problems(articles) -> list[Problem]:
    """Two stories in one language with the same `translation_key` cannot both be its version."""
    seen: dict[tuple[str, str], Article] = {}
    problems = []
    for article in sorted(articles, key=lambda a: a.source):
        if not article.translation_key:
            continue
        other = seen.setdefault((article.language, article.translation_key), article)
        if other is not article:
            problems.append(Problem(article.source, article.key_lines.get("translation_key", 1), "translation_key",
                                    f"{article.translation_key!r} is also the key of {other.source}, "
                                    f"in the same language ({article.language})",
                                    "each language has one version of a story; give one of them another key"))
    return problems


def translations(articles, languages: tuple[Language, ...]) -> dict[str, tuple[Article, ...]]:
    """translation key -> its versions, in the order site.yaml lists the languages."""
    order = {language.tag: index for index, language in enumerate(languages)}
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        if article.translation_key:
            groups[article.translation_key].append(article)
    return {key: tuple(sorted(group, key=lambda a: (order.get(a.language, len(order)), a.source)))
            for key, group in groups.items() if len(group) > 1}


def page_alternates(editions: tuple[Edition, ...], jobs_by_edition: list[list[PageJob]],
                    articles) -> dict[str, tuple[tuple[str, str], ...]]:
    """Site path -> every version of that page as (hreflang, site path), its own
    included, then x-default (the default language's version, else the first):
    for translated stories, and for front pages, listings and indexes that
    exist in more than one language. Symmetric by construction: every member
    of a group gets the same list."""
    languages = tuple(edition.language for edition in editions)
    groups: list[list[tuple[str, str]]] = [[(a.language, a.url) for a in group]
                                           for group in translations(articles, languages).values()]
    by_path: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for edition, jobs in zip(editions, jobs_by_edition):
        for job in jobs:
            if job.kind == "page" and job.template in _LISTING_TEMPLATES and not numbered_page_base(job.path):
                by_path[unprefixed_path(edition.language.prefix, job.path)].append((edition.language.tag, job.path))
    groups += [members for _, members in sorted(by_path.items()) if len(members) > 1]
    default = languages[0].tag
    alternates = {}
    for members in groups:
        fallback = next((path for tag, path in members if tag == default), members[0][1])
        links = tuple(members) + ((X_DEFAULT, fallback),)
        for _, path in members:
            alternates[path] = links
    return alternates


def edition_config(config, language: Language):
    """The settings as a page of this language sees them (`site` in templates)."""
    if (language.tag, language.title, language.description) == (config.language, config.title, config.description):
        return config
    return replace(config, language=language.tag, title=language.title, description=language.description)


def with_alternates(job: PageJob, links, keys: Keys) -> PageJob:
    """A page job whose page lists its versions in other languages; its key derived again."""
    inputs = replace(job.data, alternates=links)
    return replace(job, data=inputs, key=keys.page(job.template, inputs))


def plan_site(editions: tuple[Edition, ...], config, archive: Archive, urls: SiteUrls, make_planner,
              keys: Keys) -> list[PageJob]:
    """Every page, feed, sitemap and map of the site: each edition planned by
    its own Planner (`make_planner(archive, settings, site, shared)`), its
    pages given their alternates, then the sitemaps over all."""
    settings = [edition_config(config, edition.language) for edition in editions]
    sites = [PageSite(own.title, config.image, urls, edition.language, edition.words)
             for edition, own in zip(editions, settings)]
    planners = [make_planner(edition.archive, own, site, index == 0)
                for index, (edition, own, site) in enumerate(zip(editions, settings, sites))]
    planned = [planner.page_jobs() for planner in planners]
    jobs = [job for own in planned for job in own]
    alternates = {}
    if len(editions) > 1:
        alternates = page_alternates(editions, planned, archive.articles)
        jobs = [with_alternates(job, alternates[job.path], keys) if job.kind == "page" and job.path in alternates
                else job for job in jobs]
    # The sitemaps, the news sitemap and the redirect maps cover every language's stories.
    default = sites[0]
    return jobs + root_redirect_jobs(editions[0], default, keys) + machine_jobs(
        jobs, alternates, archive, default.urls, config.title, default.language.tag)


def root_redirect_jobs(default: Edition, site: PageSite, keys: Keys) -> list[PageJob]:
    """When the default language has a prefix of its own (`/en`), the site's
    root leads to its front page, as an alias leads to a story."""
    if not default.language.prefix:
        return []
    inputs = RedirectInputs(site, default.language.title, home_path(default.language.prefix))
    return [PageJob("/", "page", keys.page("redirect.html", inputs), inputs, template="redirect.html")]


def stylesheet_jobs(config, static: dict) -> list[PageJob]:
    """The theme's languages.css, for a site that needs it and has no file of
    that name in its own static/ (which then is published instead)."""
    languages = site_languages(config)
    if (len(languages) == 1 and languages[0].direction != "rtl") or LANGUAGES_CSS in static:
        return []
    data = LANGUAGES_CSS_SOURCE.read_bytes()
    return [PageJob(LANGUAGES_CSS, "copy", hashlib.sha256(data).hexdigest(), LANGUAGES_CSS_SOURCE)]
