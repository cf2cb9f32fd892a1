"""Navigation: date and term archives, indexes, feeds, sitemaps, JSON-LD,
redirects, the theme's promises, and no broken internal link.

The fixture archive (tests/fixtures/archive) is copied under tmp_path with the
packaged theme and built with `--no-cache`, so nothing is written elsewhere; most
tests read the session's search-off build of it (`fixture_build`, also the golden
output's). Expected listings below are written out by hand from the fixture's
front matter.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import feedparser
import lxml.html
import pytest

from browser import static_host
from conftest import REPO, article, build_fixture_archive, make_project, run_build, write_tree
from dateline.authors import parse_authors
from dateline.sitemap import MAX_URLS_PER_SITEMAP, SitemapEntry, sitemap_files

PER_PAGE, FEED_ITEMS = 2, 3
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"

# Article slug -> URL; the one total order is newest first, then slug.
URLS = {
    "market-rally": "/2025/05/22/market-rally/",
    "summit-closes": "/2025/05/21/summit-closes/",
    "summit-opens": "/2025/05/20/summit-opens/",
    "flood-warning": "/2025/02/14/flood-warning/",
    "year-end-review": "/2024/12/31/year-end-review/",
    "port-strike": "/2024/06/01/port-strike/",
    "tie-apple": "/2024/06/01/tie-apple/",      # same minute as tie-banana: slug breaks the tie
    "tie-banana": "/2024/06/01/tie-banana/",
    "cafe-zurich": "/2024/01/15/cafe-zurich/",
    "election-count": "/2023/11/05/election-count/",
    "bridge-reopens": "/2023/03/22/bridge-reopens/",
    "alpha-budget": "/2023/03/10/alpha-budget/",
}
ORDER = list(URLS)

# Every listing's first-page path -> its articles, newest first.
LISTINGS = {
    "/": ORDER,
    "/2025/": ["market-rally", "summit-closes", "summit-opens", "flood-warning"],
    "/2025/05/": ["market-rally", "summit-closes", "summit-opens"],
    "/2025/05/22/": ["market-rally"],
    "/2025/05/21/": ["summit-closes"],
    "/2025/05/20/": ["summit-opens"],
    "/2025/02/": ["flood-warning"],
    "/2025/02/14/": ["flood-warning"],
    "/2024/": ["year-end-review", "port-strike", "tie-apple", "tie-banana", "cafe-zurich"],
    "/2024/12/": ["year-end-review"],
    "/2024/12/31/": ["year-end-review"],
    "/2024/06/": ["port-strike", "tie-apple", "tie-banana"],
    "/2024/06/01/": ["port-strike", "tie-apple", "tie-banana"],
    "/2024/01/": ["cafe-zurich"],
    "/2024/01/15/": ["cafe-zurich"],
    "/2023/": ["election-count", "bridge-reopens", "alpha-budget"],
    "/2023/11/": ["election-count"],
    "/2023/11/05/": ["election-count"],
    "/2023/03/": ["bridge-reopens", "alpha-budget"],
    "/2023/03/22/": ["bridge-reopens"],
    "/2023/03/10/": ["alpha-budget"],
    "/authors/ana-souza/": ["market-rally", "summit-opens", "year-end-review", "tie-banana", "cafe-zurich",
                            "alpha-budget"],
    "/authors/bo-chen/": ["flood-warning", "tie-apple", "tie-banana", "bridge-reopens"],
    "/authors/chidi-okafor/": ["summit-closes", "summit-opens", "port-strike", "election-count"],
    "/tags/budget/": ["alpha-budget"],
    "/tags/culture/": ["cafe-zurich"],
    "/tags/economy/": ["market-rally", "year-end-review", "tie-apple", "alpha-budget"],
    "/tags/elections/": ["summit-opens", "election-count"],
    "/tags/labour/": ["port-strike"],
    "/tags/markets/": ["market-rally"],
    "/tags/trade/": ["summit-closes", "summit-opens", "port-strike", "tie-apple", "tie-banana"],
    "/tags/transport/": ["bridge-reopens"],
    "/tags/weather/": ["flood-warning"],   # the draft (also weather) is left out
    "/sections/business/": ["market-rally", "year-end-review", "port-strike", "tie-apple", "tie-banana",
                            "alpha-budget"],
    "/sections/culture/": ["cafe-zurich"],
    "/sections/local/": ["flood-warning", "bridge-reopens"],
    "/sections/politics/": ["summit-closes", "summit-opens", "election-count"],
    # "U.S." and "US" are one place.
    "/locations/us/": ["market-rally", "year-end-review", "election-count"],
    "/locations/lagos/": ["flood-warning", "port-strike", "bridge-reopens"],
    "/locations/london/": ["tie-apple", "tie-banana", "alpha-budget"],
    "/locations/zurich/": ["summit-closes", "summit-opens", "cafe-zurich"],
}

INDEX_COUNTS = {
    "/authors/": {"Ana Souza": 6, "Bo Chen": 4, "Chidi Okafor": 4},
    "/tags/": {"budget": 1, "culture": 1, "economy": 4, "elections": 2, "labour": 1, "markets": 1, "trade": 5,
               "transport": 1, "weather": 1},
    "/sections/": {"Business": 6, "Culture": 1, "Local": 2, "Politics": 3},
    "/locations/": {"Lagos": 3, "London": 3, "US": 3, "Zürich": 3},
}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


# When each article last changed (published, updated or corrected).
LAST_MODIFIED = {slug: None for slug in ORDER}
LAST_MODIFIED.update({
    "market-rally": utc("2025-05-22T08:00:00+00:00"), "summit-closes": utc("2025-05-21T09:00:00+00:00"),
    "summit-opens": utc("2025-05-20T16:00:00+00:00"),
    "flood-warning": utc("2025-02-15T09:00:00+00:00"),       # its correction
    "year-end-review": utc("2025-01-02T10:00:00+00:00"),     # its `updated`
    "port-strike": utc("2024-06-01T14:00:00+00:00"), "tie-apple": utc("2024-06-01T09:00:00+00:00"),
    "tie-banana": utc("2024-06-01T09:00:00+00:00"), "cafe-zurich": utc("2024-01-15T10:00:00+00:00"),
    "election-count": utc("2023-11-05T08:00:00+00:00"), "bridge-reopens": utc("2023-03-22T12:00:00+00:00"),
    "alpha-budget": utc("2023-03-10T09:00:00+00:00"),
})


def expected_pages(path: str, slugs: list[str]) -> dict[str, list[str]]:
    """The documented stable scheme: the first page holds the newest PER_PAGE;
    page/N/ holds the Nth group of PER_PAGE counted from the oldest."""
    total = len(slugs)
    if total <= PER_PAGE:
        return {path: slugs}
    pages = {path: slugs[:PER_PAGE]}
    last = (total - PER_PAGE - 1) // PER_PAGE + 1
    for number in range(1, last + 1):
        pages[f"{path}page/{number}/"] = slugs[total - number * PER_PAGE: total - (number - 1) * PER_PAGE]
    return pages


ALL_LIST_PAGES = {page: slugs for path, slugs in LISTINGS.items()
                  for page, slugs in expected_pages(path, slugs).items()}


@pytest.fixture
def site(fixture_build) -> Path:
    """The fixture archive, built once per session with search off."""
    return fixture_build


def html_of(site: Path, path: str):
    file = site / (path.lstrip("/") + "index.html" if path.endswith("/") else path.lstrip("/"))
    return lxml.html.fromstring(file.read_bytes())


def story_links(doc) -> list[str]:
    return [a.get("href") for a in doc.xpath("//main/ol[@class='story-list']//h2/a")]


def folder_url(site: Path, file: Path) -> str:
    """The URL path of the folder holding a built file: "/" or "/tags/trade/"."""
    folder = file.parent.relative_to(site).as_posix()
    return "/" if folder == "." else f"/{folder}/"


# -- listings ---------------------------------------------------------------------

def test_every_list_page_shows_exactly_its_articles_in_order(site):
    for page, slugs in ALL_LIST_PAGES.items():
        assert story_links(html_of(site, page)) == [URLS[s] for s in slugs], page


def test_page_counts_match_and_no_stray_pages(site):
    built = {folder_url(site, p) for p in site.rglob("page/*/index.html")}
    expected = {p for p in ALL_LIST_PAGES if "/page/" in p}
    assert built == expected
    # 12 stories, 2 a page: the front page and page/1..5; 5 stories in 2024: page/1..2.
    assert sorted(p for p in built if p.startswith("/page/")) == [f"/page/{n}/" for n in range(1, 6)]
    assert sorted(p for p in built if p.startswith("/2024/page/")) == ["/2024/page/1/", "/2024/page/2/"]


def test_front_page_pagination_is_the_stable_scheme(site):
    assert story_links(html_of(site, "/page/1/")) == [URLS["bridge-reopens"], URLS["alpha-budget"]]
    assert story_links(html_of(site, "/page/5/")) == [URLS["summit-opens"], URLS["flood-warning"]]
    pager = html_of(site, "/page/3/").xpath("//nav[@class='pager']//a")
    assert [(a.text_content(), a.get("href")) for a in pager] == [
        ("Newer stories", "/page/4/"), ("Older stories", "/page/2/")]


def test_list_pages_not_built_for_drafts(site):
    assert not list(site.rglob("*secret-plan*"))
    assert "secret-plan" not in (site / "sitemap.xml").read_text()


def test_index_pages_list_every_term_with_its_count(site):
    for path, counts in INDEX_COUNTS.items():
        doc = html_of(site, path)
        rows = {li.xpath("a")[0].text_content(): li.xpath("span[@class='count']")[0].text_content()
                for li in doc.xpath("//ul[@class='term-index']/li")}
        assert rows == {name: f"({n} {'story' if n == 1 else 'stories'})" for name, n in counts.items()}, path
        links = {a.get("href") for a in doc.xpath("//ul[@class='term-index']/li/a")}
        assert links == {p for p in LISTINGS if p.startswith(path) and p != path}


def test_archive_index_counts_years_and_months(site):
    doc = html_of(site, "/archive/")
    years = [(h.xpath("a")[0].get("href"), h.xpath("span")[0].text_content()) for h in doc.xpath("//main//h2")]
    assert years == [("/2025/", "(4)"), ("/2024/", "(5)"), ("/2023/", "(3)")]
    months = [(a.get("href"), a.getnext().text_content()) for a in doc.xpath("//ul[@class='term-index']/li/a")]
    assert months == [("/2025/05/", "(3 stories)"), ("/2025/02/", "(1 story)"), ("/2024/12/", "(1 story)"),
                      ("/2024/06/", "(3 stories)"), ("/2024/01/", "(1 story)"), ("/2023/11/", "(1 story)"),
                      ("/2023/03/", "(2 stories)")]


def test_day_archives_only_when_the_permalink_has_a_day(tmp_path):
    site_yaml = "title: T\nbase_url: https://example.org/\ntimezone: UTC\npermalink: /{year}/{month}/{slug}/\n"
    root = make_project(tmp_path / "p", {"a.md": article(published="2025-05-20T10:00:00Z")}, site_yaml)
    result = run_build(root, "--no-cache", out=tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/2025/05/index.html").exists()
    assert not (tmp_path / "out/2025/05/20").exists()
    assert "/2025/05/20/" not in (tmp_path / "out/archive/index.html").read_text()


# -- articles ------------------------------------------------------------------------

def test_article_links_to_its_author_tag_section_and_location_pages(site):
    doc = html_of(site, URLS["tie-banana"])
    hrefs = {a.get("href") for a in doc.xpath("//article[@class='article']//a")}
    assert {"/authors/ana-souza/", "/authors/bo-chen/", "/tags/trade/", "/sections/business/",
            "/locations/london/"} <= hrefs


def test_previous_and_next_follow_the_total_order(site):
    for index, slug in enumerate(ORDER):
        doc = html_of(site, URLS[slug])
        prev = doc.xpath("//nav[@class='pager']//a[@rel='prev']/@href")
        nxt = doc.xpath("//nav[@class='pager']//a[@rel='next']/@href")
        assert prev == ([URLS[ORDER[index + 1]]] if index + 1 < len(ORDER) else []), slug
        assert nxt == ([URLS[ORDER[index - 1]]] if index > 0 else []), slug


def test_related_articles_rank_shared_tags_then_section_then_time(site):
    doc = html_of(site, URLS["tie-apple"])
    related = [a.get("href") for a in doc.xpath("//section[@class='related']//h3/a")]
    # All four share a tag and the section (the summits share only a tag); ties go to the
    # closest in time: tie-banana the same minute, port-strike 5 hours, year-end-review
    # 7 months, market-rally 12 months (alpha-budget, 15 months, misses the cut).
    assert related == [URLS["tie-banana"], URLS["port-strike"], URLS["year-end-review"], URLS["market-rally"]]


def test_corrections_shown_in_a_dated_box(site):
    box = html_of(site, URLS["flood-warning"]).xpath("//aside[@class='corrections']")[0]
    assert box.xpath(".//time/@datetime") == ["2025-02-15T09:00:00+00:00"]
    assert "named the wrong district" in box.text_content()


def test_article_json_ld_carries_the_article_values(site):
    doc = html_of(site, URLS["flood-warning"])
    data = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Flood warning issued for lagoon districts"
    assert data["description"] == "Residents were told to move to higher ground."
    assert data["datePublished"] == "2025-02-14T07:00:00+00:00"
    assert data["dateModified"] == "2025-02-15T09:00:00+00:00"
    assert data["author"] == [{"@type": "Person", "name": "Bo Chen", "url": "https://example.org/authors/bo-chen/",
                               "description": "Local reporter in Lagos."}]
    assert data["image"] == [{"@type": "ImageObject", "url": "https://example.org/media/flood.svg",
                              "width": 200, "height": 100, "caption": "Water levels in the lagoon since January."}]
    assert data["dateline"] == "Lagos"
    assert data["publisher"]["@type"] == "Organization" and data["publisher"]["name"] == "Fixture Wire"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": "https://example.org/2025/02/14/flood-warning/"}


def test_author_profile_on_page_and_in_json_ld(site):
    doc = html_of(site, "/authors/ana-souza/")
    person = {"@type": "Person", "name": "Ana Souza", "url": "https://example.org/authors/ana-souza/",
              "description": "Covers markets and trade from London.",
              "image": "https://example.org/media/ana-souza.svg",
              "sameAs": ["https://example.social/@ana", "https://ana.example.net/"]}
    page_ld = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)
    assert page_ld["@type"] == "ProfilePage" and page_ld["mainEntity"] == person
    profile = doc.xpath("//section[@class='profile']")[0]
    assert "Covers markets and trade from London." in profile.text_content()
    img = profile.xpath(".//img")[0]
    assert (img.get("src"), img.get("width"), img.get("height"), img.get("loading")) == (
        "/media/ana-souza.svg", "120", "120", "lazy")
    assert profile.xpath(".//a/@href") == person["sameAs"]
    article_ld = json.loads(html_of(site, URLS["summit-opens"]).xpath("//script[@type='application/ld+json']")[0].text)
    assert article_ld["author"][1] == person
    assert article_ld["author"][0] == {"@type": "Person", "name": "Chidi Okafor",
                                       "url": "https://example.org/authors/chidi-okafor/"}
    assert not html_of(site, "/authors/chidi-okafor/").xpath("//section[@class='profile']")


def test_authors_yaml_problems_name_file_line_and_field():
    text = ("- name: Ana Souza\n  boi: Reporter.\n  photo: https://cdn.example.com/a.jpg\n"
            "  links:\n    - title: Site\n      ulr: https://a.example/\n- name: ana souza\n")
    profiles, problems = parse_authors(text)
    assert profiles == {}
    assert [str(p) for p in sorted(problems)] == [
        "authors.yaml:1: photo: 'https://cdn.example.com/a.jpg' is not a site path "
        "(use a path such as /media/photo.jpg (nothing loads from another host))",
        "authors.yaml:2: boi: unknown field (did you mean `bio`?)",
        "authors.yaml:5: links.url: is required",
        "authors.yaml:6: links.ulr: unknown field (did you mean `url`?)",
    ]
    _, problems = parse_authors("- name: Ana Souza\n- name: ana souza\n")
    assert [str(p) for p in problems] == [
        "authors.yaml:2: name: 'ana souza' and 'Ana Souza' (line 1) would share one author page "
        "(keep one entry per author)"]


def test_bad_authors_yaml_fails_the_build(tmp_path):
    root = make_project(tmp_path / "p", {"a.md": article()})
    write_tree(root, {"authors.yaml": "- name: Jane Doe\n  twitter: jd\n"})
    result = run_build(root, "--no-cache", out=tmp_path / "out")
    assert result.returncode == 1
    assert "authors.yaml:2: twitter: unknown field" in result.stderr
    assert not (tmp_path / "out").exists()


# -- terms that slugify alike, aliases ----------------------------------------------------

def test_names_slugifying_alike_but_spelt_differently_are_an_error_naming_both(tmp_path):
    root = make_project(tmp_path / "p", {
        "a.md": article(title="A", extra="tags: [Café]\n"),
        "b.md": article(title="B", published="2025-10-26T09:00:00Z", extra="tags: [Cafe]\n")})
    result = run_build(root, "--no-cache", out=tmp_path / "out")
    assert result.returncode == 1
    assert ("content/b.md:5: tags: 'Cafe' (content/b.md) and 'Café' (content/a.md) would share the page "
            "/tags/cafe/") in result.stderr


def test_alias_redirect_page_and_maps(site):
    doc = html_of(site, "/old/summit-opens/")
    assert doc.xpath("//link[@rel='canonical']/@href") == ["https://example.org/2025/05/20/summit-opens/"]
    assert doc.xpath("//meta[@http-equiv='refresh']/@content") == ["0; url=/2025/05/20/summit-opens/"]
    assert (site / "2025/05/summit.html").exists()
    assert (site / "_redirects").read_text() == (
        "/2025/05/summit.html /2025/05/20/summit-opens/ 301\n/old/summit-opens/ /2025/05/20/summit-opens/ 301\n")
    assert "    /old/summit-opens/ /2025/05/20/summit-opens/;\n" in (site / "nginx-redirects.conf").read_text()


@pytest.mark.parametrize("alias, message", [
    ("/2025/10/25/a/", "content/b.md:5: aliases: alias /2025/10/25/a/ is also the URL of content/a.md"),
    ("/2025/10/", "content/b.md:5: aliases: alias /2025/10/ is the address of the generated list page /2025/10/"),
    ("/tags/x/page/3/", "content/b.md:5: aliases: alias /tags/x/page/3/ is the address of the generated list page"),
    ("/feed.xml", "content/b.md:5: aliases: alias /feed.xml would need the folder /feed.xml/"),
])
def test_alias_on_a_live_page_is_an_error_naming_both(tmp_path, alias, message):
    root = make_project(tmp_path / "p", {
        "a.md": article(title="A", extra="tags: [x]\n"),
        "b.md": article(title="B", published="2025-10-26T09:00:00Z", extra=f"aliases: [{alias}]\n")})
    result = run_build(root, "--no-cache", out=tmp_path / "out")
    assert result.returncode == 1
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


# -- feeds ------------------------------------------------------------------------------

def is_date_archive(path: str) -> bool:
    return path[1:5].isdigit()


def test_every_listing_feed_parses_and_holds_its_newest_items(site):
    listings = [path for path in LISTINGS if not is_date_archive(path)]
    for name in ("feed.xml", "atom.xml"):
        # The front page, 3 authors, 9 tags, 4 sections and 4 places: no other feed.
        assert sorted(folder_url(site, file) for file in site.rglob(name)) == sorted(listings)
        for path in listings:
            parsed = feedparser.parse((site / path.lstrip("/") / name).read_bytes())
            assert not parsed.bozo, (path, name, parsed.get("bozo_exception"))
            assert [e.link for e in parsed.entries] == [
                "https://example.org" + URLS[s] for s in LISTINGS[path][:FEED_ITEMS]], (path, name)


def test_date_archives_have_no_feeds(site):
    """A feed of one past day or month never gets a new item: date archives link none."""
    assert not [p for p in site.rglob("*") if is_date_archive("/" + p.relative_to(site).as_posix())
                and p.name in ("feed.xml", "atom.xml", "feed.json")]
    for path in (path for path in LISTINGS if is_date_archive(path)):
        folder = site / path.lstrip("/")
        assert not (folder / "feed.xml").exists() and not (folder / "atom.xml").exists(), path
        html = (folder / "index.html").read_text(encoding="utf-8")
        alternates = re.findall(r'<link rel="alternate"[^>]*href="([^"]+)"', html)
        assert alternates == ["/feed.xml", "/atom.xml", "/feed.json"], (path, alternates)
        assert "list-feeds" not in html
    tag_page = (site / "tags/trade/index.html").read_text(encoding="utf-8")
    assert 'href="/tags/trade/feed.xml"' in tag_page and 'class="list-feeds"' in tag_page


def test_feed_item_updated_is_the_last_change(site):
    entries = {e.link: e for e in feedparser.parse((site / "tags/weather/atom.xml").read_bytes()).entries}
    flood = entries["https://example.org/2025/02/14/flood-warning/"]
    assert flood.updated == "2025-02-15T09:00:00+00:00"          # the correction
    assert flood.published == "2025-02-14T07:00:00+00:00"
    review = feedparser.parse((site / "sections/business/atom.xml").read_bytes()).entries
    review = {e.link: e for e in review}["https://example.org/2024/12/31/year-end-review/"]
    assert review.updated == "2025-01-02T10:00:00+00:00"         # `updated:`


def test_json_feed_has_the_1_1_essentials(site):
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"] == "Fixture Wire"
    assert feed["home_page_url"] == "https://example.org/"
    assert feed["feed_url"] == "https://example.org/feed.json"
    assert "author" not in feed and "author" not in feed["items"][0]   # 1.0's singular is gone in 1.1
    assert [item["url"] for item in feed["items"]] == ["https://example.org" + URLS[s] for s in ORDER[:FEED_ITEMS]]
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item.get("content_html") or item.get("content_text"), str)
        datetime.fromisoformat(item["date_published"])
        datetime.fromisoformat(item["date_modified"])
        assert all(set(author) <= {"name", "url", "avatar"} and author["name"] for author in item["authors"])
    assert feed["items"][0]["authors"] == [{"name": "Ana Souza"}]


# -- sitemaps, robots, 404 --------------------------------------------------------------------

def sitemap_urls(site: Path) -> dict[str, str | None]:
    root = ElementTree.fromstring((site / "sitemap.xml").read_bytes())
    assert root.tag == SM + "urlset"
    rows = [(u.findtext(SM + "loc"), u.findtext(SM + "lastmod")) for u in root.findall(SM + "url")]
    urls = dict(rows)
    assert len(urls) == len(rows), "a URL is listed twice"
    return urls


def test_sitemap_lists_every_page_with_lastmod(site):
    urls = sitemap_urls(site)
    expected = {*ALL_LIST_PAGES, *URLS.values(), "/archive/", "/authors/", "/tags/", "/sections/", "/locations/"}
    assert set(urls) == {"https://example.org" + p for p in expected}
    newest = lambda slugs: max(LAST_MODIFIED[s] for s in slugs)  # noqa: E731
    for page, slugs in ALL_LIST_PAGES.items():
        assert utc(urls["https://example.org" + page]) == newest(slugs), page
    for slug, url in URLS.items():
        assert utc(urls["https://example.org" + url]) == LAST_MODIFIED[slug]
    assert utc(urls["https://example.org/2025/02/"]) == utc("2025-02-15T09:00:00+00:00")
    assert utc(urls["https://example.org/archive/"]) == utc("2025-05-22T08:00:00+00:00")


def test_news_sitemap_lists_the_two_days_before_the_newest(site):
    root = ElementTree.fromstring((site / "news-sitemap.xml").read_bytes())
    rows = [(u.findtext(SM + "loc"), u.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}name"),
             u.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}language"),
             u.findtext(f"{NEWS}news/{NEWS}publication_date"), u.findtext(f"{NEWS}news/{NEWS}title"))
            for u in root.findall(SM + "url")]
    assert rows == [
        ("https://example.org/2025/05/22/market-rally/", "Fixture Wire", "en", "2025-05-22T08:00:00+00:00",
         "Markets rally on summit hopes"),
        ("https://example.org/2025/05/21/summit-closes/", "Fixture Wire", "en", "2025-05-21T09:00:00+00:00",
         "Trade summit closes without a deal"),
        ("https://example.org/2025/05/20/summit-opens/", "Fixture Wire", "en", "2025-05-20T16:00:00+00:00",
         "Trade summit opens with tariff talks"),
    ]


def test_sitemap_index_past_50000_urls():
    moment = datetime(2025, 1, 1, tzinfo=timezone.utc)
    entries = [SitemapEntry(f"https://example.org/p/{n}/", moment) for n in range(MAX_URLS_PER_SITEMAP + 1)]
    files = dict(sitemap_files(entries, lambda path: "https://example.org" + path))
    assert sorted(files) == ["/sitemap-1.xml", "/sitemap-2.xml", "/sitemap.xml"]
    index = ElementTree.fromstring(files["/sitemap.xml"])
    assert index.tag == SM + "sitemapindex"
    assert [s.findtext(SM + "loc") for s in index] == ["https://example.org/sitemap-1.xml",
                                                        "https://example.org/sitemap-2.xml"]
    counts = [len(ElementTree.fromstring(files[p]).findall(SM + "url")) for p in ("/sitemap-1.xml", "/sitemap-2.xml")]
    assert counts == [50_000, 1]
    assert ElementTree.fromstring(files["/sitemap-2.xml"])[0].findtext(SM + "loc") == "https://example.org/p/50000/"
    assert len(sitemap_files(entries[:-1], str)) == 1


def test_robots_names_both_sitemaps(site):
    assert (site / "robots.txt").read_text() == (
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/sitemap.xml\n"
        "Sitemap: https://example.org/news-sitemap.xml\n")


# -- the theme ----------------------------------------------------------------------------------

def test_pages_have_landmarks_skip_link_and_no_scripts_or_foreign_assets(site):
    for file in sorted(site.rglob("*.html")):
        doc = lxml.html.fromstring(file.read_bytes())
        if doc.xpath("//meta[@http-equiv='refresh']"):
            continue
        name = file.relative_to(site).as_posix()
        assert doc.xpath("//a[@class='skip-link']/@href") == ["#main"], name
        assert doc.xpath("//main[@id='main']") and doc.xpath("//header") and doc.xpath("//footer"), name
        # Pages work without JavaScript: the only scripts are JSON-LD and, for search, our own files.
        for script in doc.xpath("//script"):
            assert script.get("type") == "application/ld+json" or (
                script.get("src") in ("/js/search.js", "/pagefind/pagefind-ui.js") and script.get("defer") is not None
            ), name
        assets = doc.xpath("//img/@src | //link[@rel='stylesheet' or @rel='icon']/@href | //script/@src")
        assert all(a.startswith("/") and not a.startswith("//") for a in assets), name
        for nav in doc.xpath("//nav"):
            assert nav.get("aria-label"), name
            assert all(a.text_content().strip() for a in nav.xpath(".//a")), name


def test_hero_image_eager_body_images_lazy(site):
    doc = html_of(site, URLS["flood-warning"])
    hero = doc.xpath("//figure[@class='hero']/img")[0]
    assert (hero.get("width"), hero.get("height"), hero.get("loading")) == ("200", "100", None)
    body_img = html_of(site, URLS["market-rally"]).xpath("//div[@class='article-body']//img")[0]
    assert body_img.get("loading") == "lazy"


def test_stylesheet_has_focus_dark_mode_print_and_no_remote_fonts():
    css = (REPO / "dateline/theme/static/css/site.css").read_text()
    assert ":focus-visible" in css and "prefers-color-scheme: dark" in css and "@media print" in css
    assert "@import" not in css and "url(" not in css and "system-ui" in css


# -- links: a crawler over a local static server ----------------------------------------------------

def crawl(site: Path, prefix: str) -> tuple[set[str], list[str]]:
    """Serve `site` at `prefix` and follow every href/src from the front page, 404.html,
    the sitemap and the redirect pages; returns (files reached, broken URLs)."""
    with static_host(site, prefix) as (base, _):
        origin = base[: -len(prefix)]
        redirects = (site / "_redirects").read_text().splitlines()
        queue = [base, base + "404.html", base + "sitemap.xml", *(origin + line.split()[0] for line in redirects)]
        seen, broken = set(queue), []
        while queue:
            url = queue.pop()
            try:
                with urllib.request.urlopen(url) as response:
                    body, kind = response.read(), response.headers.get_content_type()
            except urllib.error.HTTPError as error:
                broken.append(f"{url}: {error.code}")
                continue
            links: list[str] = []
            if kind == "text/html":
                doc = lxml.html.fromstring(body)
                links = doc.xpath("//a/@href | //link/@href | //img/@src | //script/@src"
                                  " | //meta[@property='og:image']/@content")
                links += [c.split("url=", 1)[1] for c in doc.xpath("//meta[@http-equiv='refresh']/@content")]
            elif url.endswith("sitemap.xml"):
                links = [loc.text for loc in ElementTree.fromstring(body).iter(SM + "loc")]
            for link in links:
                link = link.replace("https://example.org/news/", base).replace("https://example.org/", base)
                target = urljoin(url, link).split("#", 1)[0]
                if target.startswith(origin) and target not in seen:
                    seen.add(target)
                    queue.append(target)
    reached = {urlsplit(url).path[len(prefix):] for url in seen}
    return {path + "index.html" if path.endswith("/") or not path else path for path in reached}, broken


# Files only machines ask for: redirect maps, robots, the news sitemap, the marker
# that says the build owns the folder.
MACHINE_FILES = {"_redirects", "nginx-redirects.conf", "robots.txt", "news-sitemap.xml", ".dateline-site"}


def test_no_broken_internal_link_at_the_root(site):
    reached, broken = crawl(site, "/")
    assert broken == []
    built = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    # Every file is linked from somewhere except the ones only machines ask for.
    assert built - reached == MACHINE_FILES


def test_no_broken_internal_link_under_a_sub_path_with_search(tmp_path):
    out = build_fixture_archive(tmp_path / "project", tmp_path / "out", "--base-url", "https://example.org/news/")
    reached, broken = crawl(out, "/news/")
    assert broken == []
    built = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    # The search bundle's index files are fetched by Pagefind's script as it needs them.
    assert {name for name in built - reached if not name.startswith("pagefind/")} == MACHINE_FILES
    assert {"search/index.html", "pagefind/pagefind-ui.js", "pagefind/pagefind-ui.css", "js/search.js"} <= reached
    not_found = lxml.html.fromstring((out / "404.html").read_bytes())
    hrefs = not_found.xpath("//a/@href | //link/@href")
    assert hrefs and all(h.startswith("/news/") or h.startswith("#") for h in hrefs)


def test_sample_archive_has_no_broken_internal_link(sample_build):
    reached, broken = crawl(sample_build, "/")
    assert broken == [] and len(reached) > 150
