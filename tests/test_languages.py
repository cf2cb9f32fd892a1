"""Archives in several languages: tests/fixtures/languages (English, Hindi and
Arabic, stories linked to their translations by `translation_key`) built and
read back: hreflang sets complete and symmetric on every page and in the
sitemap, each language's listings and feeds holding only its own stories,
dates and listing names as Babel (CLDR) writes them, Arabic right to left,
the theme's words from the catalogues; and the errors a site can make."""
from __future__ import annotations

import json
import os
import re
import shutil
import time
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

import html5lib
import pytest
from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format

from browser import driver, save_full_page_screenshot, static_host  # noqa: F401 - driver is a fixture
from conftest import REPO, read_tree, run_build, write_tree
from dateline.i18n import format_number, local_datetime
from dateline.timefmt import in_zone, zone_label

FIXTURE = REPO / "tests" / "fixtures" / "languages"
ARTIFACTS = REPO / "tests" / "artifacts"
PREFIXES = {"en": "", "hi": "/hi", "ar": "/ar"}
# Every story of the fixture: its language, translation key ("" for none) and URL.
STORIES = {
    "content/en/port-reopens.md": ("en", "port-reopens", "/2025/10/25/port-reopens/"),
    "content/hi/port-reopens.md": ("hi", "port-reopens", "/hi/2025/10/25/port-reopens/"),
    "content/ar/port-reopens.md": ("ar", "port-reopens", "/ar/2025/10/25/port-reopens/"),
    "content/en/budget-vote.md": ("en", "budget-vote", "/2025/09/03/budget-vote/"),
    "content/hi/budget-vote.md": ("hi", "budget-vote", "/hi/2025/09/03/budget-vote/"),
    "content/en/lighthouse.md": ("en", "", "/2024/12/30/lighthouse/"),
    "content/hi/fishing-season.md": ("hi", "", "/hi/2025/08/01/fishing-season/"),
    "content/ar/desert-rain.md": ("ar", "", "/ar/2025/03/12/desert-rain/"),
}
BASE = "https://example.org"
RSS = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("languages") / "project"
    shutil.copytree(FIXTURE, root)
    result = run_build(root, "--jobs", "1")
    assert result.returncode == 0, result.stderr
    return root / "site"


def parse(path: Path):
    return html5lib.parse(path.read_text(encoding="utf-8"), namespaceHTMLElements=False)


def pages(site: Path) -> dict[str, Path]:
    """Site path -> file of every page (folder URLs)."""
    return {"/" + path.parent.relative_to(site).as_posix().strip(".") + ("/" if path.parent != site else ""):
            path for path in site.rglob("index.html") if "pagefind" not in path.parts}


def site_path(url: str) -> str:
    assert url.startswith(BASE), url
    return url[len(BASE):]


def alternates(document) -> dict[str, str]:
    return {link.get("hreflang"): site_path(link.get("href"))
            for link in document.iter("link") if link.get("rel") == "alternate" and link.get("hreflang")}


def language_of_path(path: str) -> str:
    return next((tag for tag, prefix in PREFIXES.items() if prefix and path.startswith(prefix + "/")), "en")


# -- hreflang ------------------------------------------------------------------------

def test_every_page_lists_all_its_versions_symmetrically(site):
    found = {path: alternates(parse(file)) for path, file in pages(site).items()}
    groups = {}
    for source, (tag, key, url) in STORIES.items():
        if key:
            groups.setdefault(key, {})[tag] = url
    for key, versions in groups.items():
        expected = {**versions, "x-default": versions["en"]}
        for url in versions.values():
            assert found[url] == expected, (key, url)
    for source, (tag, key, url) in STORIES.items():
        if not key:
            assert found[url] == {}, url
    # Front pages, listings and indexes that exist in several languages list theirs.
    assert found["/"] == {"en": "/", "hi": "/hi/", "ar": "/ar/", "x-default": "/"}
    assert found["/authors/priya-raman/"] == {"en": "/authors/priya-raman/", "hi": "/hi/authors/priya-raman/",
                                              "ar": "/ar/authors/priya-raman/", "x-default": "/authors/priya-raman/"}
    assert set(found["/hi/archive/"]) == {"en", "hi", "ar", "x-default"}
    assert found["/hi/page/1/"] == {}       # a numbered page holds other stories in each language
    checked = 0
    for path, links in found.items():
        if not links:
            continue
        checked += 1
        document = parse(pages(site)[path])
        own = document.get("lang")
        assert links[own] == path, f"{path} does not list itself under {own}"
        assert "x-default" in links and links["x-default"] in links.values(), path
        for tag, other in links.items():
            assert found[other] == links, f"{path} lists {other} ({tag}), which lists {found[other]}"
            assert language_of_path(other) == tag or tag == "x-default", (path, tag, other)
    assert checked > 30


def test_the_sitemap_carries_the_same_alternates(site):
    tree = ET.parse(site / "sitemap.xml")
    in_sitemap = {}
    for url in tree.getroot().iter(SITEMAP + "url"):
        path = site_path(url.find(SITEMAP + "loc").text)
        in_sitemap[path] = {link.get("hreflang"): site_path(link.get("href")) for link in url.iter(XHTML + "link")}
    for path, file in pages(site).items():
        if path in in_sitemap:
            assert in_sitemap[path] == alternates(parse(file)), path
    assert set(in_sitemap["/hi/2025/10/25/port-reopens/"]) == {"en", "hi", "ar", "x-default"}


def test_article_pages_link_to_their_other_versions_by_name(site):
    document = parse(site / "hi/2025/10/25/port-reopens/index.html")
    versions = next(nav for nav in document.iter("nav") if nav.get("class") == "translations")
    links = [(a.get("hreflang"), a.get("href"), a.text) for a in versions.iter("a")]
    assert links == [("en", "/2025/10/25/port-reopens/", "English"),
                     ("ar", "/ar/2025/10/25/port-reopens/", "العربية")]
    lighthouse = parse(site / "2024/12/30/lighthouse/index.html")
    assert not [nav for nav in lighthouse.iter("nav") if nav.get("class") == "translations"]


def test_every_link_of_every_language_leads_to_a_published_file(site):
    broken, count = [], 0
    for file in site.rglob("*.html"):
        if "pagefind" in file.parts:
            continue
        for link in re.findall(r'(?:href|src)="(/[^"#?]*)', file.read_text(encoding="utf-8")):
            count += 1
            target = site / link.lstrip("/")
            if not (target / "index.html" if link.endswith("/") else target).is_file():
                broken.append(f"{file.relative_to(site)}: {link}")
    assert count > 2000 and broken == []


# -- each language's own stories -------------------------------------------------------

def story_links(document) -> list[str]:
    """The headline links of a page's story lists."""
    return [a.get("href") for article in document.iter("article") if article.get("class") == "story-summary"
            for heading in article if heading.tag in ("h2", "h3") for a in heading.iter("a")]


def test_each_language_lists_only_its_own_stories(site):
    own = {tag: {url for tag_, _, url in STORIES.values() if tag_ == tag} for tag in PREFIXES}
    listed = {tag: set() for tag in PREFIXES}
    for path, file in pages(site).items():
        document = parse(file)
        if document.get("lang") is None or path in {url for _, _, url in STORIES.values()}:
            continue
        tag = language_of_path(path)
        assert document.get("lang") == tag, path
        links = story_links(document)
        assert set(links) <= own[tag], f"{path} ({tag}) lists {set(links) - own[tag]}"
        listed[tag] |= set(links)
    assert listed == own
    # The front page and its older pages hold every story of the language, once.
    for tag, prefix in PREFIXES.items():
        front = story_links(parse(site / prefix.lstrip("/") / "index.html"))
        older = [link for file in sorted((site / prefix.lstrip("/") / "page").glob("*/index.html"))
                 for link in story_links(parse(file))] if (site / prefix.lstrip("/") / "page").is_dir() else []
        assert set(front + older) == own[tag], tag


def test_each_language_has_its_own_feeds(site):
    for tag, prefix in PREFIXES.items():
        folder = site / prefix.lstrip("/")
        expected = {BASE + url for tag_, _, url in STORIES.values() if tag_ == tag}
        rss = ET.parse(folder / "feed.xml").getroot()
        assert rss.find("channel/language").text == tag
        assert {item.find("link").text for item in rss.iter("item")} == expected
        atom = ET.parse(folder / "atom.xml").getroot()
        assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == tag
        assert {entry.find(RSS + "link").get("href") for entry in atom.iter(RSS + "entry")} == expected
        feed = json.loads((folder / "feed.json").read_text(encoding="utf-8"))
        assert feed["language"] == tag
        assert {item["url"] for item in feed["items"]} == expected
        # A listing's own feed too: the author's, in this language.
        author = ET.parse(folder / "authors/priya-raman/feed.xml").getroot()
        assert author.find("channel/language").text == tag
        assert {item.find("link").text for item in author.iter("item")} <= expected
    news = ET.parse(site / "news-sitemap.xml").getroot()
    languages = {site_path(url.find(SITEMAP + "loc").text):
                 url.find(".//{http://www.google.com/schemas/sitemap-news/0.9}language").text
                 for url in news.iter(SITEMAP + "url")}
    assert languages == {url: tag for tag, _, url in STORIES.values() if url in languages} and len(languages) == 3


# -- dates, numbers and words -----------------------------------------------------------

def babel_datetime(moment: datetime, zone: str, tag: str) -> str:
    """What the byline should say, from Babel's own formatting: CLDR's long date
    and short time joined as the locale joins them (English: the site's house
    order, day first), then the zone as the site has always shown it."""
    local = in_zone(moment, zone)
    if tag == "en":
        text = f"{format_date(local, 'd MMMM y', locale='en')}, {format_time(local, 'h:mm a', locale='en')}"
    else:
        text = str(get_datetime_format("long", locale=tag)).replace("{1}", format_date(local, "long", locale=tag)) \
            .replace("{0}", format_time(local, "short", locale=tag))
    return f"{text} {zone_label(local)}"


def test_dates_read_as_babel_writes_them_in_each_language(site):
    checked = 0
    for source, (tag, _, url) in STORIES.items():
        text = (FIXTURE / source).read_text(encoding="utf-8")
        published = datetime.fromisoformat(re.search(r"^published: (.+)$", text, re.M).group(1))
        zone_match = re.search(r"^timezone: (.+)$", text, re.M)
        zone = zone_match.group(1) if zone_match else "Asia/Kolkata"
        document = parse(site / url.lstrip("/") / "index.html")
        byline = next(p for p in document.iter("p") if p.get("class") == "byline")
        shown = byline.find("time").text
        assert shown == babel_datetime(published, zone, tag), (url, shown)
        checked += 1
    assert checked == len(STORIES)
    hindi = parse(site / "hi/2025/10/25/port-reopens/index.html")
    assert next(p for p in hindi.iter("p") if p.get("class") == "byline").find("time").text \
        == "25 अक्टूबर 2025, 9:28 am IST"    # the issue's own example, as Babel writes it


def test_listing_names_and_counts_follow_the_language(site):
    month = parse(site / "hi/2025/10/index.html").find(".//h1").text
    assert format_skeleton("yMMMM", date(2025, 10, 1), locale="hi") in month
    assert month == f"{format_skeleton('yMMMM', date(2025, 10, 1), locale='hi')} की ख़बरें"
    day = parse(site / "ar/2025/03/12/index.html").find(".//h1").text
    assert format_date(date(2025, 3, 12), "long", locale="ar") in day
    assert parse(site / "2025/10/index.html").find(".//h1").text == "Stories from October 2025"
    # Arabic counts take CLDR's plural forms: one story, two stories.
    counts = [span.text for span in parse(site / "ar/authors/index.html").iter("span")
              if span.get("class") == "count"]
    assert counts == ["(قصة واحدة)", "(قصتان)"]


def test_digits_follow_the_locales_default_numbering_system():
    moment = datetime.fromisoformat("2025-10-25T09:28:00+04:00")
    # CLDR's "ar" writes Latin digits; "ar-EG" defaults to the Arabic-Indic system.
    assert Locale.parse("ar").default_numbering_system == "latn"
    assert local_datetime(moment, "Asia/Dubai", "ar") == babel_datetime(moment, "Asia/Dubai", "ar")
    assert Locale.parse("ar_EG").default_numbering_system == "arab"
    egyptian = local_datetime(moment, "Asia/Dubai", "ar-EG")
    digits = [character for character in egyptian if character.isdigit()]
    assert len(digits) == 9 and all(unicodedata.name(d).startswith("ARABIC-INDIC DIGIT") for d in digits)
    latin = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in egyptian)
    assert latin == babel_datetime(moment, "Asia/Dubai", "ar_EG")
    assert format_number(2025, "ar-EG") == "٢٠٢٥" and format_number(2025, "ar") == "2025"
    assert format_number(1234, "en") == "1234"      # counts as the site always showed them


def test_the_theme_speaks_each_language(site):
    arabic = parse(site / "ar/index.html")
    html = arabic
    assert (html.get("lang"), html.get("dir")) == ("ar", "rtl")
    nav = [a.text for a in arabic.find(".//nav[@class='site-nav']").iter("a")]
    assert nav == ["الأحدث", "الأقسام", "الموضوعات", "الأماكن", "الكتّاب", "الأرشيف"]
    assert [a.get("href") for a in arabic.find(".//nav[@class='site-nav']").iter("a")][1] == "/ar/sections/"
    hindi = parse(site / "hi/2025/10/25/port-reopens/index.html")
    assert hindi.find(".//title").text.endswith("हार्बर वायर")
    assert next(h for h in hindi.iter("h2") if h.get("id") == "related-heading").text == "संबंधित ख़बरें"
    assert hindi.find(".//a[@class='skip-link']").text == "मुख्य सामग्री पर जाएँ"
    # Every page's footer leads to the other editions' front pages, named in their own language.
    footer = next(p for p in arabic.iter("p") if p.get("class") == "other-languages")
    assert [(a.get("href"), a.text) for a in footer.iter("a")] == [("/", "English"), ("/hi/", "हिन्दी")]
    locales = [meta.get("content") for meta in hindi.iter("meta") if meta.get("property") == "og:locale:alternate"]
    assert locales == ["en", "ar"]
    english = parse(site / "index.html")
    assert english.get("dir") is None
    assert english.find(".//a[@class='skip-link']").text == "Skip to main content"


def test_every_arabic_page_is_right_to_left_and_no_other_is(site):
    for path, file in pages(site).items():
        html = parse(file)
        if path.startswith("/ar/"):
            assert (html.get("lang"), html.get("dir")) == ("ar", "rtl"), path
        else:
            assert html.get("dir") is None, path


# -- catalogues and check --strict -----------------------------------------------------

SITE_YAML = """\
title: Wire
base_url: https://example.org/
language: en
timezone: UTC
languages:
  en:
  de:
    title: Draht
"""


def story(title: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\nsummary: A dek.\nauthor: A B\npublished: 2025-01-02T10:00:00Z\n{extra}---\nText.\n"


def test_words_missing_in_a_language_fall_back_to_english_and_check_strict_lists_them(tmp_path):
    write_tree(tmp_path, {"site.yaml": SITE_YAML, "content/a.md": story("A"),
                          "content/b.md": story("B", "language: de\n"),
                          "messages/de.yaml": '"Latest": "Neueste"\n'})
    result = run_build(tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert "messages/de.yaml: messages: 67 word(s) of the theme have no de translation" in result.stderr
    strict = run_build(tmp_path, "check", "--strict")
    assert strict.returncode == 1
    assert run_build(tmp_path).returncode == 0
    german = parse(tmp_path / "site/de/index.html")
    nav = [a.text for a in german.find(".//nav[@class='site-nav']").iter("a")]
    assert nav[:2] == ["Neueste", "Sections"]       # its own word, then English
    assert german.find(".//a[@class='site-title']").text == "Draht"


def test_a_sites_own_catalogue_replaces_a_theme_word(tmp_path):
    write_tree(tmp_path, {"site.yaml": "title: W\nbase_url: https://example.org/\n", "content/a.md": story("A"),
                          "content/b.md": story("B", "tags: [x]\n"),
                          "content/c.md": story("C", "tags: [x]\n"),
                          "messages/en.yaml": '"Related stories": "More on this"\n'})
    assert run_build(tmp_path, "--no-search").returncode == 0
    page = (tmp_path / "site/2025/01/02/b/index.html").read_text(encoding="utf-8")
    assert "More on this" in page and "Related stories" not in page


def test_a_broken_catalogue_names_its_file_line_and_key(tmp_path):
    write_tree(tmp_path, {"site.yaml": "title: W\nbase_url: https://example.org/\n", "content/a.md": story("A"),
                          "messages/en.yaml": '"Latest": "Newest"\n"By": [a, b]\n'})
    result = run_build(tmp_path)
    assert result.returncode == 1
    assert "messages/en.yaml:2: By: expected the translated text" in result.stderr


# -- errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("files, expected", [
    ({"content/a.md": story("A", "language: fr\n")},
     "content/a.md:6: language: 'fr' is not one of the site's languages (en, de) (add it under `languages:`"),
    ({"content/a.md": story("A", "language: english\n")},
     "content/a.md:6: language: 'english' is not one of the site's languages"),
    ({"content/a.md": story("A", "language: de\ntranslation_key: k\n"),
      "content/b.md": story("B", "language: de\ntranslation_key: k\n")},
     "content/b.md:7: translation_key: 'k' is also the key of content/a.md, in the same language (de)"),
    ({"content/a.md": story("A", "translation_of: b\n")},
     "content/a.md:6: translation_of: unknown field (did you mean `translation_key`?)"),
])
def test_language_errors_name_file_line_and_field(tmp_path, files, expected):
    write_tree(tmp_path, {"site.yaml": SITE_YAML, **files})
    result = run_build(tmp_path)
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr


@pytest.mark.parametrize("languages, expected", [
    ("  en:\n  hi:\n    title: W\n    prefx: /h\n",
     "site.yaml:8: languages.hi.prefx: unknown setting (did you mean `prefix`?)"),
    ("  en:\n  hi: {prefix: /x}\n  ar: {prefix: x}\n", "site.yaml:7: languages.ar.prefix: /x is also the prefix of hi"),
    ("  hi:\n", "site.yaml:4: languages: does not list the site's language 'en'"),
    ("  en:\n  hi: {prefix: /search}\n",
     "site.yaml:6: languages.hi.prefix: '/search' is a folder the build writes itself"),
    ("  en:\n  hi: {prefix: /tags}\n",
     "site.yaml:6: languages.hi.prefix: '/tags' is where the site's /tags/ pages are"),
    ("  en:\n  hi: {prefix: /2025/}\n",
     "site.yaml:6: languages.hi.prefix: '/2025' looks like a year: the year archives are there"),
    ("  en:\n  'hindi language':\n",
     "site.yaml:6: languages.hindi language: 'hindi language' is not a BCP 47 language tag"),
])
def test_language_settings_errors(tmp_path, languages, expected):
    write_tree(tmp_path, {"site.yaml": f"title: W\nbase_url: https://example.org/\nlanguage: en\nlanguages:\n{languages}",
                          "content/a.md": story("A")})
    result = run_build(tmp_path)
    assert result.returncode == 2 or result.returncode == 1
    assert expected in result.stderr, result.stderr


# -- incremental builds ----------------------------------------------------------------

def test_an_edited_catalogue_or_translation_rebuilds_exactly_what_a_cold_build_makes(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    assert run_build(root, "--no-search").returncode == 0
    edits = [
        lambda: write_tree(root, {"messages/hi.yaml": '"Related stories": "और भी ख़बरें"\n"Latest": "नया"\n'}),
        lambda: (root / "content/ar/port-reopens.md").write_text(
            (root / "content/ar/port-reopens.md").read_text(encoding="utf-8").replace(
                "slug: port-reopens", "slug: port-opens-again"), encoding="utf-8"),
        lambda: (root / "content/en/lighthouse.md").write_text(
            (root / "content/en/lighthouse.md").read_text(encoding="utf-8").replace(
                "---\nThe", "translation_key: budget-vote-2\n---\nThe"), encoding="utf-8"),
    ]
    for number, edit in enumerate(edits):
        edit()
        assert run_build(root, "--no-search").returncode == 0
        cold = tmp_path / f"cold{number}"
        shutil.copytree(root, cold, ignore=shutil.ignore_patterns("site", ".site*", ".dateline-cache"))
        assert run_build(cold, "--no-search", "--no-cache").returncode == 0
        assert read_tree(root / "site") == read_tree(cold / "site"), number
    page = (root / "site/hi/2025/10/25/port-reopens/index.html").read_text(encoding="utf-8")
    assert 'hreflang="ar" href="https://example.org/ar/2025/10/25/port-opens-again/"' in page
    assert ">नया<" in (root / "site/hi/index.html").read_text(encoding="utf-8")


def test_a_site_in_one_language_publishes_no_language_files(tmp_path):
    write_tree(tmp_path, {"site.yaml": "title: W\nbase_url: https://example.org/\n", "content/a.md": story("A")})
    assert run_build(tmp_path, "--no-search").returncode == 0
    site = read_tree(tmp_path / "site")
    assert "css/languages.css" not in site
    assert b"hreflang" not in site["2025/01/02/a/index.html"]
    assert b"xhtml" not in site["sitemap.xml"]


# -- in the browser, and the Nu checker ---------------------------------------------------

ARABIC_PAGES = ["ar/", "ar/2025/03/12/desert-rain/", "ar/2025/10/25/port-reopens/", "ar/tags/", "ar/archive/",
                "ar/authors/priya-raman/", "ar/search/"]

# What sticks out of the viewport sideways: the page's own scroll width, how
# far it lets itself be scrolled either way, and every visible element outside
# [0, width] that no clipping or scrolling ancestor (the header's scrolling
# navigation, the one-line breadcrumbs) holds in.
OVERFLOW_JS = """
const width = document.documentElement.clientWidth;
const held = el => {
  for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
    if (getComputedStyle(up).overflowX !== 'visible') return true;
  }
  return false;
};
const outside = [];
for (const el of document.querySelectorAll('body *')) {
  if (el.closest('.visually-hidden, .skip-link, [hidden], noscript') || held(el)) continue;
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.left < -0.5 || r.right > width + 0.5) {
    outside.push(`${el.tagName}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
}
window.scrollTo(-2000, 0);
const left = window.scrollX;
window.scrollTo(2000, 0);
const right = window.scrollX;
const title = document.querySelector('.site-title').getBoundingClientRect();
const wrap = document.querySelector('.site-header .wrap').getBoundingClientRect();
const links = [...document.querySelectorAll('.site-nav a')].map(a => a.getBoundingClientRect().left);
return {width, scrollWidth: document.documentElement.scrollWidth, left, right, outside,
        dir: getComputedStyle(document.documentElement).direction,
        titleFromEnd: wrap.right - title.right, titleFromStart: title.left - wrap.left, navFirst: links[0], navSecond: links[1]};
"""


@pytest.mark.parametrize("width", (390, 1280))
def test_arabic_pages_mirror_and_never_overflow_sideways(site, driver, width):
    from test_reading import load

    with static_host(site) as (base, failures):
        load(driver, base, width)
        english = driver.execute_script(OVERFLOW_JS)
        assert english["dir"] == "ltr" and english["navFirst"] < english["navSecond"]
        for path in ARABIC_PAGES:
            load(driver, base + path, width)
            found = driver.execute_script(OVERFLOW_JS)
            assert found["dir"] == "rtl", path
            assert found["scrollWidth"] <= found["width"], (path, found)
            assert found["left"] == found["right"] == 0, (path, found)
            assert found["outside"] == [], (path, found["outside"])
            # Mirrored: the title as far from the header's right edge as the English
            # one is from its left, and the navigation running leftwards.
            assert found["titleFromEnd"] == pytest.approx(english["titleFromStart"], abs=1), (path, found)
            assert found["navFirst"] > found["navSecond"], (path, found)
            if path in ("ar/", "ar/2025/10/25/port-reopens/"):     # for a reviewer to look at
                name = "front" if path == "ar/" else "article"
                save_full_page_screenshot(driver, ARTIFACTS / f"arabic-{name}-{width}.png")
    assert failures == []


SETTLED_RESULTS = """
const message = document.querySelector('.pagefind-ui__message');
const links = [...document.querySelectorAll('.pagefind-ui__result-link')].map(a => a.getAttribute('href'));
return message && message.textContent.trim() ? links : null;"""


def search_in(driver, base: str, page: str, words: str) -> list[str]:
    driver.get(base + page)
    deadline = time.monotonic() + 20
    while not driver.execute_script("return document.querySelector('.pagefind-ui__search-input')"):
        assert time.monotonic() < deadline, f"no search box on {page}"
        time.sleep(0.1)
    box = driver.find_element("css selector", ".pagefind-ui__search-input")
    box.send_keys(words)
    seen, since = None, 0.0
    while time.monotonic() < deadline:
        links = driver.execute_script(SETTLED_RESULTS)
        if links is not None and links == seen and time.monotonic() - since >= 0.8:
            return links
        if links != seen:
            seen, since = links, time.monotonic()
        time.sleep(0.05)
    raise AssertionError(f"search on {page} did not settle: {seen}")


def test_search_in_one_language_finds_only_that_languages_stories(site, driver):
    # "Zenobia" is in every version of the port story.
    with static_host(site) as (base, failures):
        assert search_in(driver, base, "search/", "Zenobia") == ["/2025/10/25/port-reopens/"]
        assert search_in(driver, base, "hi/search/", "Zenobia") == ["/hi/2025/10/25/port-reopens/"]
        assert search_in(driver, base, "ar/search/", "Zenobia") == ["/ar/2025/10/25/port-reopens/"]
        # A word only the Hindi stories have finds nothing on the English page.
        assert search_in(driver, base, "hi/search/", "बंदरगाह") != []
        assert search_in(driver, base, "search/", "बंदरगाह") == []
        # The filters are named in the page's language.
        search_in(driver, base, "ar/search/", "Zenobia")
        names = driver.execute_script(
            "return [...document.querySelectorAll('.pagefind-ui__filter-name')].map(e => e.textContent.trim())")
        assert "الكاتب" in " ".join(names), names
    assert failures == []


@pytest.mark.slow
def test_the_nu_checker_finds_no_error_in_any_language(site):
    from test_html_valid import run_vnu

    assert len(list((site / "ar").rglob("*.html"))) > 20
    errors = run_vnu(site)
    assert errors == [], "\n".join(f"{e.get('url')}:{e.get('lastLine')}: {e.get('message')}" for e in errors[:20])


def test_an_edit_in_one_language_re_indexes_its_shard_and_keeps_the_others(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    assert run_build(root).returncode == 0
    story = root / "content/hi/fishing-season.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nनई पंक्ति।\n", encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0 and "(1 of 4 shards" in result.stdout, result.stdout
    cold = tmp_path / "cold"
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("site", ".site*", ".dateline-cache"))
    assert run_build(cold, "--no-cache").returncode == 0
    assert read_tree(root / "site") == read_tree(cold / "site")
    wasm = {path.name for path in (root / "site/pagefind").glob("wasm.*.pagefind")}
    assert {"wasm.ar.pagefind", "wasm.en.pagefind", "wasm.hi.pagefind"} <= wasm


# -- import ------------------------------------------------------------------------------

IMPORTS = REPO / "tests" / "fixtures" / "import"
IMPORT_SITE = "title: Wire\nbase_url: https://example.org/\ntimezone: Asia/Kolkata\nlanguage: en\n" \
              "languages:\n  en:\n  hi:\n  ar:\n"


def imported_languages(root: Path) -> dict[str, str]:
    """Imported file -> the `language` its front matter names ("" for none)."""
    found = {}
    for path in sorted((root / "content").rglob("*.md")):
        match = re.search(r"^language: (.+)$", path.read_text(encoding="utf-8").split("\n---\n")[0], re.M)
        found[path.relative_to(root).as_posix()] = match.group(1) if match else ""
    return found


def test_import_keeps_the_language_the_source_gives(tmp_path):
    sources = tmp_path / "sources"
    page = (IMPORTS / "pages/jsonld_newsarticle.html").read_text(encoding="utf-8")
    write_tree(sources, {
        # JSON-LD inLanguage wins over <html lang>; a regional tag meets the site's "hi".
        "inlanguage.html": page.replace('{"@type": "NewsArticle",', '{"@type": "NewsArticle", "inLanguage": "hi-IN",'),
        "html-lang.html": page.replace('<html lang="en">', '<html lang="ar">').replace(
            "Brahmaputra crosses", "Brahmaputra nears").replace("brahmaputra-danger-mark", "brahmaputra-nears"),
        # A WordPress post filed under Polylang's `language` taxonomy; the others take the export's en-GB.
        "export.xml": (IMPORTS / "wordpress/export.xml").read_text(encoding="utf-8").replace(
            "<title><![CDATA[Ferry crews agree new rota]]></title>",
            '<title><![CDATA[Ferry crews agree new rota]]></title>\n'
            '\t\t<category domain="language" nicename="hi"><![CDATA[हिन्दी]]></category>', 1),
        # An Atom feed in Arabic (xml:lang).
        "atom.xml": (IMPORTS / "feeds/atom.xml").read_text(encoding="utf-8").replace(
            '<feed xmlns="http://www.w3.org/2005/Atom">', '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">'),
    })
    root = write_tree(tmp_path / "project", {"site.yaml": IMPORT_SITE, "content/.keep": ""})
    for name in ("inlanguage.html", "html-lang.html", "export.xml", "atom.xml"):
        result = run_build(root, "import", str(sources / name))
        assert result.returncode == 0, result.stderr
    languages = imported_languages(root)
    brahmaputra = {name: tag for name, tag in languages.items() if "brahmaputra" in name}
    assert sorted(brahmaputra.values()) == ["ar", "hi"], brahmaputra
    assert languages["content/2019/05/ferry-crews-agree-new-rota.md"] == "hi"
    assert languages["content/2019/05/harbour-dredging-to-start-in-june.md"] == ""    # en-GB: the site's
    assert [tag for name, tag in languages.items() if "lifeboat" in name] == ["ar"]
    built = run_build(root, "--no-search")
    assert built.returncode == 0, built.stderr
    assert any((root / "site/hi").rglob("index.html")) and any((root / "site/ar").rglob("index.html"))


def test_a_default_language_with_a_prefix_leads_the_root_to_its_front_page(tmp_path):
    write_tree(tmp_path, {"site.yaml": "title: W\nbase_url: https://example.org/\nlanguage: en\nlanguages:\n"
                                       "  en: {prefix: /en}\n  hi:\n",
                          "content/a.md": story("A"), "content/b.md": story("B", "language: hi\n")})
    assert run_build(tmp_path, "--no-search").returncode == 0
    root = parse(tmp_path / "site/index.html")
    refresh = next(meta for meta in root.iter("meta") if meta.get("http-equiv") == "refresh")
    assert refresh.get("content") == "0; url=/en/"
    assert (tmp_path / "site/en/2025/01/02/a/index.html").is_file()
    assert (tmp_path / "site/hi/2025/01/02/b/index.html").is_file()


def test_workers_started_either_way_give_the_same_bytes(site, tmp_path):
    # Pages go to two workers started with spawn: every page's language travels pickled.
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    result = run_build(root, "--jobs", "2", env={"DATELINE_START_METHOD": "spawn"})
    assert result.returncode == 0, result.stderr
    assert read_tree(root / "site") == read_tree(site)


def test_an_edited_catalogue_is_never_taken_for_an_unchanged_site(tmp_path):
    # The unchanged-build path trusts file stats: the project's messages/ must be among them.
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    write_tree(root, {"messages/hi.yaml": '"Latest": "नया"\n'})
    os.utime(root / "messages/hi.yaml", (1_700_000_000, 1_700_000_000))     # old enough to be trusted
    assert run_build(root, "--no-search").returncode == 0
    assert run_build(root, "--no-search").returncode == 0      # records the inputs as unchanged
    write_tree(root, {"messages/hi.yaml": '"Latest": "ताज़ातरीन"\n'})
    os.utime(root / "messages/hi.yaml", (1_700_000_100, 1_700_000_100))
    assert run_build(root, "--no-search").returncode == 0
    assert ">ताज़ातरीन<" in (root / "site/hi/index.html").read_text(encoding="utf-8")
