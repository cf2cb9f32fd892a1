"""sitemap.xml (split into a sitemap index past 50,000 URLs), the Google News
sitemap, robots.txt, and the redirect maps for aliases."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .feeds import xml_safe
from .urls import (NETLIFY_REDIRECTS_PATH, NEWS_SITEMAP_PATH, NGINX_REDIRECTS_PATH, ROBOTS_PATH, SITEMAP_PATH,
                   redirect_map_token, sitemap_part_path)

MAX_URLS_PER_SITEMAP = 50_000
NEWS_WINDOW = timedelta(days=2)
MAX_NEWS_URLS = 1_000


@dataclass(frozen=True)
class SitemapEntry:
    url: str                 # absolute
    lastmod: datetime | None
    alternates: tuple[tuple[str, str], ...] = ()   # (hreflang, absolute URL): the page in every language


@dataclass(frozen=True)
class NewsEntry:
    url: str
    title: str
    published: datetime
    language: str = ""      # the story's; "" for the site's


def escape(text: str) -> str:
    """&, < and > as XML entities: xml.sax.saxutils.escape's rule, without
    that module's import of urllib.request (and the HTTP client) in every build."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attribute(text: str) -> str:
    """`escape`, and " too: for a value in double quotes."""
    return escape(text).replace('"', "&quot;")


def _w3c(moment: datetime) -> str:
    return moment.isoformat()


def urlset_bytes(entries) -> bytes:
    # A page in several languages lists every version, itself included, as
    # search engines ask (https://developers.google.com/search/docs/specialty/international/localized-versions).
    translated = any(entry.alternates for entry in entries)
    namespace = ' xmlns:xhtml="http://www.w3.org/1999/xhtml"' if translated else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{namespace}>']
    for entry in entries:
        lastmod = f"<lastmod>{_w3c(entry.lastmod)}</lastmod>" if entry.lastmod else ""
        links = "".join(f'<xhtml:link rel="alternate" hreflang="{attribute(tag)}" href="{attribute(url)}"/>'
                        for tag, url in entry.alternates)
        lines.append(f"<url><loc>{escape(entry.url)}</loc>{lastmod}{links}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def sitemap_files(entries: list[SitemapEntry], absolute) -> list[tuple[str, bytes]]:
    """[(site path, bytes)]: one sitemap.xml, or an index of numbered sitemaps.

    `absolute` turns a site path into an absolute URL. Entries keep the caller's order.
    """
    if len(entries) <= MAX_URLS_PER_SITEMAP:
        return [(SITEMAP_PATH, urlset_bytes(entries))]
    files = []
    index_lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                   '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for number, start in enumerate(range(0, len(entries), MAX_URLS_PER_SITEMAP), start=1):
        chunk = entries[start:start + MAX_URLS_PER_SITEMAP]
        path = sitemap_part_path(number)
        files.append((path, urlset_bytes(chunk)))
        dates = [entry.lastmod for entry in chunk if entry.lastmod]
        lastmod = f"<lastmod>{_w3c(max(dates))}</lastmod>" if dates else ""
        index_lines.append(f"<sitemap><loc>{escape(absolute(path))}</loc>{lastmod}</sitemap>")
    index_lines.append("</sitemapindex>\n")
    return [(SITEMAP_PATH, "\n".join(index_lines).encode("utf-8"))] + files


def news_entries(articles, url_of) -> list[NewsEntry]:
    """Articles from the two days before the newest one (not the wall clock: a
    build must not depend on when it runs), newest first, at most 1,000."""
    if not articles:
        return []
    newest = articles[0].published
    recent = [a for a in articles if newest - a.published <= NEWS_WINDOW]
    return [NewsEntry(url_of(a), a.title, a.published, a.language) for a in recent[:MAX_NEWS_URLS]]


def news_sitemap_bytes(entries, publication: str, language: str) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">']
    for entry in entries:
        lines.append(
            f"<url><loc>{escape(entry.url)}</loc><news:news><news:publication>"
            f"<news:name>{escape(xml_safe(publication))}</news:name><news:language>{escape(entry.language or language)}</news:language>"
            f"</news:publication><news:publication_date>{_w3c(entry.published)}</news:publication_date>"
            f"<news:title>{escape(xml_safe(entry.title))}</news:title></news:news></url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def robots_bytes(sitemap_urls) -> bytes:
    lines = ["User-agent: *", "Allow: /", ""]
    lines += [f"Sitemap: {url}" for url in sitemap_urls]
    return ("\n".join(lines) + "\n").encode("utf-8")


NGINX_MAP_HEAD = ("# Include inside an http {} block, then in the server: if ($dateline_redirect) "
                  "{ return 301 $dateline_redirect; }\nmap $uri $dateline_redirect {\n    default \"\";\n")


def redirect_map_files(redirects) -> list[tuple[str, bytes]]:
    """`_redirects` (Netlify, Cloudflare Pages) and `nginx-redirects.conf` for
    (old link, new link) pairs, sorted.

    Each line is exactly one mapping: every link goes through
    `redirect_map_token`, which refuses anything but a clean path (no space,
    line break, quote, ; { } or $), so no alias can end a line or a block and
    add configuration of its own. nginx matches the decoded `$uri`, so its keys
    are the decoded paths; everything else is percent-escaped."""
    netlify, nginx = [], []
    for old, new in sorted(redirects):
        old_token, new_token = redirect_map_token(old), redirect_map_token(new)
        netlify.append(f"{old_token} {new_token} 301\n")
        nginx.append(f"    {old} {new_token};\n")
    return [(NETLIFY_REDIRECTS_PATH, "".join(netlify).encode("utf-8")),
            (NGINX_REDIRECTS_PATH, (NGINX_MAP_HEAD + "".join(nginx) + "}\n").encode("utf-8"))]


def machine_files(pages, alternates: dict, articles, urls, title: str, language: str,
                  redirects) -> list[tuple[str, bytes]]:
    """Every file made for machines rather than readers: the sitemaps, the news
    sitemap, robots.txt and the redirect maps, as [(site path, bytes)].

    `pages`: (site path, lastmod) of each page the sitemap lists, in order;
    `alternates`: site path -> (hreflang, site path) of the page's versions;
    `redirects`: (from link, to link) of each alias; `urls`: the SiteUrls."""
    entries = [SitemapEntry(urls.absolute(path), lastmod,
                            tuple((tag, urls.absolute(other)) for tag, other in alternates.get(path, ())))
               for path, lastmod in pages]
    files = sitemap_files(entries, urls.absolute)
    news = news_entries(articles, lambda a: urls.absolute(a.url))
    files.append((NEWS_SITEMAP_PATH, news_sitemap_bytes(news, title, language)))
    files.append((ROBOTS_PATH, robots_bytes([urls.absolute(SITEMAP_PATH), urls.absolute(NEWS_SITEMAP_PATH)])))
    files += redirect_map_files(redirects)
    return files
