"""Hostile and broken input: a clear error naming the file, or safe output."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ElementTree

import feedparser
import html5lib
import pytest

from conftest import article, make_project, read_tree, run_build

NS = {"h": "http://www.w3.org/1999/xhtml"}
EVIL = '<script>alert(1)</script> & "quotes" </script>'


def build_ok(root):
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    return root / "site"


def first_error(root) -> str:
    result = run_build(root)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    return result.stderr.splitlines()[0]


def test_markup_in_metadata_is_escaped_everywhere(tmp_path):
    root = make_project(tmp_path, {"2025/10/evil.md": (
        "---\n"
        f"title: '{EVIL}'\n"
        "summary: 'Dek </script><b>bold</b> & more'\n"
        "author: 'Eve <img src=x onerror=alert(1)>'\n"
        "published: 2025-10-01T10:00:00Z\n"
        "tags: ['<tag>', 'a&b']\n"
        "location: 'Paris</title>'\n"
        "section: '\"><svg onload=alert(1)>'\n"
        "---\nBody.\n")})
    site = build_ok(root)
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text and "<svg onload" not in text, path
        assert "</title>\"" not in text
    page_path = site / "2025/10/01/evil/index.html"
    page = html5lib.parse(page_path.read_bytes(), treebuilder="etree")
    assert "".join(page.find(".//h:h1", NS).itertext()) == EVIL
    assert page.find(".//h:meta[@property='og:title']", NS).get("content") == EVIL
    scripts = [s for s in page.findall(".//h:script", NS) if s.get("src") is None]
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    data = json.loads(scripts[0].text)
    assert data["headline"] == EVIL and data["author"][0]["name"] == "Eve <img src=x onerror=alert(1)>"
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((site / name).read_bytes())
        assert not feed.bozo and feed.entries[0].title == EVIL
    assert json.loads((site / "feed.json").read_text(encoding="utf-8"))["items"][0]["title"] == EVIL
    for name in ("sitemap.xml", "news-sitemap.xml"):
        ElementTree.fromstring((site / name).read_bytes())
    news = (site / "news-sitemap.xml").read_text(encoding="utf-8")
    assert "<news:title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quotes\" &lt;/script&gt;</news:title>" in news


def test_controls_bom_crlf_rtl_cjk_and_emoji(tmp_path):
    root = make_project(tmp_path, {
        "2025/10/bom.md": "\ufeff---\r\ntitle: \"Controls \x01 and \\x0b gone\"\r\nauthor: A\r\n"
                          "published: 2025-10-01\r\n---\r\nBody \x02 text 🎉\r\n",
        "2025/10/rtl.md": article("مفاوضات التجارة في القاهرة", "2025-10-02T10:00:00+02:00",
                                  extra="slug: cairo-trade-talks\n", body="نص عربي 中文 😀\n"),
        "2025/10/北京会谈.md": article("北京会谈", "2025-10-03T10:00:00+08:00"),
    })
    site = build_ok(root)
    assert (site / "2025/10/03/bei-jing-hui-tan/index.html").is_file()  # transliterated slug
    page = (site / "2025/10/01/bom/index.html").read_text(encoding="utf-8")
    assert "<h1>Controls  and  gone</h1>" in page and "Body  text 🎉" in page
    assert "\x01" not in page and "\x02" not in page
    assert "نص عربي 中文 😀" in (site / "2025/10/02/cairo-trade-talks/index.html").read_text(encoding="utf-8")
    for name in ("feed.xml", "atom.xml"):
        assert not feedparser.parse((site / name).read_bytes()).bozo


def test_title_with_nothing_to_slug_asks_for_slug(tmp_path):
    root = make_project(tmp_path, {"2025/10/---.md": article("🎉🎉", "2025-10-02T10:00:00Z")})
    assert first_error(root) == ("content/2025/10/---.md:2: slug: cannot make a slug from the file name '---' "
                                 "(add `slug:` with latin letters)")


def test_invalid_utf8_names_the_byte_offset(tmp_path):
    root = make_project(tmp_path, {"2025/10/bad.md": b"---\ntitle: Caf\xe9\nauthor: A\npublished: 2025-10-01\n---\n"})
    assert first_error(root) == "content/2025/10/bad.md:2: encoding: invalid UTF-8 at byte offset 14 (save the file as UTF-8)"


@pytest.mark.parametrize("front, expected", [
    ("title: !!python/object/apply:os.system ['echo hi']\nauthor: A\npublished: 2025-10-01\n",
     "content/2025/10/bad.md:2: front matter: invalid YAML: could not determine a constructor for the tag "
     "'tag:yaml.org,2002:python/object/apply:os.system'"),
    ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
     "content/2025/10/bad.md:2: front matter: too many nested aliases (refusing to expand)"),
    ("- just\n- a list\n",
     "content/2025/10/bad.md:2: front matter: expected a mapping of fields such as `title: ...`, got a list"),
    ("title: T\nauthor: A\npublished: 2025-02-30\n",
     "content/2025/10/bad.md:4: published: expected a date like 2025-10-25 or 2025-10-25T09:28:00+05:30, "
     "got '2025-02-30'"),
    ("title: T\nauthor: A\npublished: 1899-12-31\n", "content/2025/10/bad.md:4: published: year 1899 is outside 1900-2200"),
    ("title: T\nauthor: A\npublished: 2201-01-01\n", "content/2025/10/bad.md:4: published: year 2201 is outside 1900-2200"),
    ("title: T\nauthor: A\npublished: 2025-10-26T01:30:00\n",
     "content/2025/10/bad.md:4: published: 2025-10-26T01:30:00 happens twice in Europe/London (the clocks go back); "
     "give the offset: 2025-10-26T01:30:00+01:00 or 2025-10-26T01:30:00+00:00"),
    ("title: T\nauthor: A\npublished: 2025-10-01\nimage: ../../etc/passwd\nimage_alt: x\n",
     "content/2025/10/bad.md:5: image: '../../etc/passwd' points outside the site (use a path such as /media/photo.jpg)"),
    ("title: T\nauthor: A\npublished: 2025-10-01\naliases: [/../../outside/]\n",
     "content/2025/10/bad.md:5: aliases: '/../../outside/' is not a site path (write old URLs as /2019/05/old-slug/)"),
])
def test_broken_front_matter_is_an_error_naming_the_file(tmp_path, front, expected):
    root = make_project(tmp_path, {"2025/10/bad.md": f"---\n{front}---\nBody\n"})
    assert first_error(root) == expected


def test_empty_files_and_front_matter_without_body(tmp_path):
    root = make_project(tmp_path, {"2025/10/empty.md": "", "2025/10/nobody.md": article(body="")})
    assert first_error(root) == ("content/2025/10/empty.md:1: front matter: file is empty "
                                 "(start the file with ---, the front matter, then ---)")
    (root / "content/2025/10/empty.md").unlink()
    assert build_ok(root).is_dir()


def test_link_outside_content_is_an_error(tmp_path):
    root = make_project(tmp_path, {"2025/10/a.md": article(body="See [x](../../../secrets.md).\n")})
    assert first_error(root) == "content/2025/10/a.md:6: body: link to ../../../secrets.md points outside content/"


def test_symlinks_leading_outside_the_archive_are_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.md").write_text(article("Leaked"), encoding="utf-8")
    root = make_project(tmp_path / "project", {"2025/10/a.md": article("Fine")})
    os.symlink(outside / "leak.md", root / "content/2025/10/leak.md")
    os.symlink(outside, root / "content/elsewhere")
    result = run_build(root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "content/2025/10/leak.md: path: symlink leads outside content/; refusing it",
        "content/elsewhere: path: symlink leads outside content/; refusing it",
    ] or sorted(result.stderr.splitlines()[:2]) == sorted([
        "content/2025/10/leak.md: path: symlink leads outside content/; refusing it",
        "content/elsewhere: path: symlink leads outside content/; refusing it",
    ])


def test_a_20_mb_article_builds(tmp_path):
    paragraph = "The committee met again on Tuesday and agreed to publish its findings next month. " * 20
    body = ("## Part\n\n" + (paragraph + "\n\n") * 50) * 250
    assert len(body.encode()) > 20_000_000
    root = make_project(tmp_path, {"2025/10/huge.md": article("Huge", body=body)})
    site = build_ok(root)
    assert (site / "2025/10/25/huge/index.html").stat().st_size > 20_000_000
    assert not feedparser.parse((site / "feed.xml").read_bytes()).bozo


def test_nothing_is_written_outside_the_output_folder(tmp_path):
    root = make_project(tmp_path / "project", {"2025/10/a.md": article(extra="slug: a\naliases: [/old/a/]\n")})
    before = {p for p in tmp_path.rglob("*")}
    site = build_ok(root)
    after = {p for p in tmp_path.rglob("*")} - before
    # the cache, a later build's staging tree, and the output folder's lock
    allowed = (site, root / ".dateline-cache", root / ".site.staging", root / ".site.lock")
    assert all(any(p == a or a in p.parents for a in allowed) for p in after), sorted(map(str, after))
    assert set(read_tree(site)) >= {"old/a/index.html", "_redirects"}


RAW_HTML_BODY = ('Text <script>alert("x")</script> <img src="/media/a.png" alt="a" onerror="alert(1)"> '
                 '<a href="javascript:alert(2)">bad</a> [ok](other.md) '
                 '<span onclick="steal()">click</span>\n\n<style>body{display:none}</style>\n\nFootnote[^1].\n\n'
                 '[^1]: The note.\n')


def test_raw_html_is_trusted_by_default(tmp_path):
    root = make_project(tmp_path, {"2025/10/raw.md": article("Raw", body=RAW_HTML_BODY),
                                   "2025/10/other.md": article("Other", "2025-10-01T10:00:00Z")})
    page = (build_ok(root) / "2025/10/25/raw/index.html").read_text(encoding="utf-8")
    assert '<script>alert(' in page and 'onclick="steal()"' in page


@pytest.mark.parametrize("where", ["site.yaml", "front matter"])
def test_sanitize_strips_scripts_handlers_and_javascript_urls(tmp_path, where):
    extra = "sanitize: true\n" if where == "front matter" else ""
    site_yaml = "title: T\nbase_url: https://example.org/\n" + ("sanitize: true\n" if where == "site.yaml" else "")
    root = make_project(tmp_path, {"2025/10/raw.md": article("Raw", extra=extra, body=RAW_HTML_BODY),
                                   "2025/10/other.md": article("Other", "2025-10-01T10:00:00Z")}, site_yaml=site_yaml)
    site = build_ok(root)
    page = (site / "2025/10/25/raw/index.html").read_text(encoding="utf-8")
    body = page.split('<div class="article-body">', 1)[1].split("</div>\n  <footer", 1)[0]
    assert "<script" not in body and "alert" not in body and "onerror" not in body and "onclick" not in body
    assert "javascript:" not in body and "<style" not in body
    assert '<a href="/2025/10/01/other/">ok</a>' in body          # links between articles survive
    assert 'src="/media/a.png"' in body and 'id="fn:1"' in body   # so do images and footnotes
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "onclick" not in feed and "&lt;script" not in feed
