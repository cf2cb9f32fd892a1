"""Whole builds of the bundled sample archive: parse what was written and compare."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import html5lib
import pytest

from conftest import SAMPLE_BUILD_ENV, copy_sample_project, run_build, stable_tree

NS = {"h": "http://www.w3.org/1999/xhtml"}
ARTICLES = {  # slug -> (published URL path, headline)
    "veteran-crews-dominate-tokyo-masters-regatta": "/2025/11/08/",
    "lagos-observers-urge-faster-results-upload": "/2025/11/01/",
    "regional-cholera-vaccine-stockpile-launched": "/2025/10/21/",
    "boundary-review-proposes-new-constituency-map": "/2025/10/14/",
    "tariff-truce-extension-lifts-shipping-stocks": "/2025/10/14/",
    "sao-paulo-solar-storage-auction": "/2025/10/07/",
    "swiss-glacier-survey-records-steep-loss": "/2025/09/30/",
    "trade-envoys-meet-in-kuala-lumpur": "/2025/09/09/",
    "banks-insurers-climate-disclosure-rules": "/2025/08/28/",
    "monsoon-late-surge-lifts-kharif-sowing": "/2025/08/12/",
}
NEWEST_FIRST = list(ARTICLES)


def parse_html(path: Path):
    return html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=True)


def text_of(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def find(document, xpath: str):
    return document.findall(xpath, NS)


def article_file(site: Path, slug: str) -> Path:
    return site / ARTICLES[slug].strip("/") / slug / "index.html"


def test_one_page_per_published_article_and_no_draft(sample_build):
    pages = sorted(p.parent.name for p in sample_build.glob("2025/*/*/*/index.html"))
    assert pages == sorted(ARTICLES)
    assert not list(sample_build.rglob("leaders-summit-ends-with-tariff-framework*"))


def test_article_page_shows_headline_byline_dateline_and_times(sample_build):
    page = parse_html(article_file(sample_build, "trade-envoys-meet-in-kuala-lumpur"))
    assert text_of(find(page, ".//h:h1")[0]) == "Trade envoys meet in Kuala Lumpur ahead of leaders' summit"
    byline = find(page, ".//h:article[@class='article']//h:p[@class='byline']")[0]
    assert [text_of(a) for a in find(byline, "h:a[@rel='author']")] == ["Siti Rahimah Yusof", "Daniel Hartley"]
    assert text_of(find(byline, ".//h:span[@class='dateline']")[0]) == "Kuala Lumpur"
    published = find(byline, "h:time")[0]
    assert published.get("datetime") == "2025-09-09T09:40:00+08:00"
    assert text_of(published) == "9 September 2025, 9:40 AM MYT"
    updated = find(page, ".//h:p[@class='updated']/h:time")[0]
    assert updated.get("datetime") == "2025-09-09T16:20:00+08:00"
    assert find(page, ".//h:figure[@class='hero']/h:img")[0].get("width") == "1200"
    assert "Envoys gathered" in text_of(find(page, ".//h:figcaption")[0])
    assert [a.get("href") for a in find(page, ".//h:ul[@class='tags']//h:a")] == [
        "/tags/trade/", "/tags/tariffs/", "/tags/diplomacy/"]
    assert find(page, ".//h:li[@class='home']/h:a")[0].get("href") == "/"


def test_times_use_the_zone_abbreviation(sample_build):
    page = parse_html(article_file(sample_build, "monsoon-late-surge-lifts-kharif-sowing"))
    time = find(page, ".//h:p[@class='byline']/h:time")[0]
    assert (time.get("datetime"), text_of(time)) == ("2025-08-12T10:15:00+05:30", "12 August 2025, 10:15 AM IST")
    page = parse_html(article_file(sample_build, "tariff-truce-extension-lifts-shipping-stocks"))
    assert text_of(find(page, ".//h:p[@class='byline']/h:time")[0]) == "14 October 2025, 8:30 AM EDT"


def test_links_between_articles_become_their_urls(sample_build):
    page = parse_html(article_file(sample_build, "trade-envoys-meet-in-kuala-lumpur"))
    hrefs = [a.get("href") for a in find(page, ".//h:div[@class='article-body']//h:a")]
    assert "/2025/10/14/tariff-truce-extension-lifts-shipping-stocks/" in hrefs
    assert not [h for h in hrefs if h.endswith(".md") or h.startswith("dateline:")]


def test_front_page_is_paginated_newest_first(sample_build):
    # per_page is 5: the front page has the newest five, page/1/ the oldest five.
    front = parse_html(sample_build / "index.html")
    listed = [a.get("href") for a in find(front, ".//h:main//h:ol[@class='story-list']/h:li//h:h2/h:a")]
    assert listed == [ARTICLES[s] + s + "/" for s in NEWEST_FIRST[:5]]
    assert find(front, ".//h:nav[@class='pager']//h:a[@rel='next']")[0].get("href") == "/page/1/"
    older = parse_html(sample_build / "page/1/index.html")
    listed = [a.get("href") for a in find(older, ".//h:main//h:ol[@class='story-list']/h:li//h:h2/h:a")]
    assert listed == [ARTICLES[s] + s + "/" for s in NEWEST_FIRST[5:]]
    assert find(older, ".//h:nav[@class='pager']//h:a[@rel='prev']")[0].get("href") == "/"
    assert not (sample_build / "page/2").exists()


def test_front_page_entries_carry_dek_byline_dateline_and_time(sample_build):
    front = parse_html(sample_build / "index.html")
    first = find(front, ".//h:ol[@class='story-list']/h:li")[0]
    assert text_of(find(first, ".//h:p[@class='dek']")[0]).startswith("A record 1,400 rowers")
    assert text_of(find(first, ".//h:a[@rel='author']")[0]) == "Kenji Morita"
    assert text_of(find(first, ".//h:span[@class='dateline']")[0]) == "Tokyo"
    assert find(first, ".//h:time")[0].get("datetime") == "2025-11-08T19:20:00+09:00"


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_feeds_parse_newest_first_with_ids_authors_and_dates(sample_build, name):
    feed = feedparser.parse((sample_build / name).read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    links = [entry.link for entry in feed.entries]
    assert links == [f"https://example.org{ARTICLES[s]}{s}/" for s in NEWEST_FIRST]
    by_link = {entry.link: entry for entry in feed.entries}
    glacier = by_link["https://example.org/2025/09/30/swiss-glacier-survey-records-steep-loss/"]
    assert glacier.id == "urn:uuid:0cc0e1a0-e940-4330-ae99-a6e2cbd62c42"
    tokyo = by_link["https://example.org/2025/11/08/veteran-crews-dominate-tokyo-masters-regatta/"]
    assert tokyo.id == tokyo.link
    kl = by_link["https://example.org/2025/09/09/trade-envoys-meet-in-kuala-lumpur/"]
    assert [a.get("name") for a in kl.authors] == ["Siti Rahimah Yusof", "Daniel Hartley"]
    assert datetime(*kl.published_parsed[:6], tzinfo=timezone.utc) == datetime(2025, 9, 9, 1, 40, tzinfo=timezone.utc)
    if name == "atom.xml":
        assert datetime(*kl.updated_parsed[:6], tzinfo=timezone.utc) == datetime(2025, 9, 9, 8, 20, tzinfo=timezone.utc)
    # The feed's own updated time is the newest change in the content, never the clock.
    assert datetime(*feed.feed.updated_parsed[:6], tzinfo=timezone.utc) == datetime(2025, 11, 8, 10, 20, tzinfo=timezone.utc)
    assert {t.term for t in kl.tags} >= {"trade", "tariffs", "World"}
    assert kl.summary.startswith("Negotiators from eleven")


def test_feed_content_has_only_absolute_urls(sample_build):
    raw = (sample_build / "feed.xml").read_text(encoding="utf-8")
    feed = feedparser.parse(raw)
    for entry in feed.entries:
        html = entry.content[0].value
        for url in re.findall(r'(?:href|src)="([^"]*)"', html):
            assert url.startswith("https://example.org/"), (entry.link, url)
    assert 'xmlns:dc="http://purl.org/dc/elements/1.1/"' in raw
    assert "<dc:creator>Kenji Morita</dc:creator>" in raw


def test_every_page_links_feeds_for_autodiscovery(sample_build):
    for path in [sample_build / "index.html", article_file(sample_build, "sao-paulo-solar-storage-auction")]:
        page = parse_html(path)
        alternates = {link.get("type"): link.get("href") for link in find(page, ".//h:link[@rel='alternate']")}
        assert alternates["application/rss+xml"] == "/feed.xml"
        assert alternates["application/atom+xml"] == "/atom.xml"


def test_static_files_are_copied(sample_build):
    assert (sample_build / "media/kl-talks.svg").read_bytes() == (Path(__file__).parents[1] / "static/media/kl-talks.svg").read_bytes()
    assert (sample_build / "css/site.css").is_file()


def test_sub_path_base_url_keeps_every_link_inside_it(sample_build_under_sub_path):
    out = sample_build_under_sub_path
    checked = 0
    for path in out.rglob("*"):
        if path.suffix not in (".html", ".xml", ".json", ".txt") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        for url in re.findall(r'(?:href|src|content)="([^"]*)"', text) + re.findall(r"<(?:loc|link|id)>([^<]*)<", text):
            checked += 1
            if url.startswith("/"):
                assert url.startswith("/news/"), (path, url)
            elif url.startswith("https://example.org"):
                assert url.startswith("https://example.org/news/"), (path, url)
    assert checked > 500
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert all(e.link.startswith("https://example.org/news/") for e in feed.entries)


def test_two_builds_are_byte_identical_across_jobs_seeds_and_zones(sample_build, tmp_path):
    # sample_build ran with --jobs 1 in SAMPLE_BUILD_ENV; this one differs in all of them.
    root = copy_sample_project(tmp_path / "project")
    other = {"PYTHONHASHSEED": "2", "TZ": "Asia/Tokyo", "LC_ALL": "C.UTF-8", "SOURCE_DATE_EPOCH": "1900000000"}
    assert all(other[name] != value for name, value in SAMPLE_BUILD_ENV.items())
    result = run_build(root, "--jobs", "2", "--no-cache", env=other)
    assert result.returncode == 0, result.stderr
    assert stable_tree(root / "site") == stable_tree(sample_build)


def test_closing_line_says_what_was_built(tmp_path):
    root = copy_sample_project(tmp_path / "project")
    result = run_build(root)
    assert re.fullmatch(r"built [\d,]+ pages \(10 articles, [\d,]+ feeds\) in \d+\.\d s: .* -> site\n", result.stdout)
    again = run_build(root)
    assert ", 0 written," in again.stdout


def test_drafts_flag_includes_drafts(tmp_path):
    root = copy_sample_project(tmp_path / "project")
    result = run_build(root, "--drafts", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/2025/11/18/leaders-summit-ends-with-tariff-framework/index.html").is_file()


def test_help_and_usage_errors(tmp_path):
    assert run_build(tmp_path, "--help").returncode == 0
    assert run_build(tmp_path, "--no-such-flag").returncode == 2
    root = copy_sample_project(tmp_path / "project")
    assert run_build(root, "--base-url", "not a url").returncode == 2
