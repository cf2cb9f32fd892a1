"""Hostile and broken input: a clear error naming the file, or safe output."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import feedparser
import html5lib
import pytest

from conftest import BUILD_PY, article, make_project, read_tree, run_build
from dateline.config import parse_config
from dateline.content import split_front_matter
from dateline.schema import parse_article

NS = {"h": "http://www.w3.org/1999/xhtml"}
EVIL = '<script>alert(1)</script> & "quotes" </script>'


def build_ok(root, *args):
    result = run_build(root, *args)
    assert result.returncode == 0, result.stderr
    return root / "site"


def run_bounded(root, *args, seconds: float = 60) -> subprocess.CompletedProcess:
    """build.py on a project, stopped after `seconds` (raising TimeoutExpired) if it hangs."""
    command = [sys.executable, str(BUILD_PY), *args[:1], "--root", str(root), *args[1:]] if args and \
        args[0] in ("check", "serve") else [sys.executable, str(BUILD_PY), "--root", str(root), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=root, timeout=seconds)


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
     "content/2025/10/bad.md:5: image: '../../etc/passwd' points outside the site: it must not contain . or .. folders "
     "(use a path such as /media/photo.jpg or an https:// URL)"),
    ("title: T\nauthor: A\npublished: 2025-10-01\naliases: [/../../outside/]\n",
     "content/2025/10/bad.md:5: aliases: '/../../outside/' must not contain . or .. folders "
     "(write old URLs as /2019/05/old-slug/)"),
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


def tiny_jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image
    data = BytesIO()
    Image.new("RGB", (4, 3), (30, 30, 200)).save(data, "JPEG")
    return data.getvalue()


def with_image(root):
    """The raw HTML's <img> shows /media/a.png: a missing image is an error, so it is there."""
    from io import BytesIO

    from PIL import Image
    data = BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(data, "PNG")
    (root / "static/media").mkdir(parents=True)
    (root / "static/media/a.png").write_bytes(data.getvalue())
    return root


def test_raw_html_is_trusted_by_default(tmp_path):
    root = with_image(make_project(tmp_path, {"2025/10/raw.md": article("Raw", body=RAW_HTML_BODY),
                                              "2025/10/other.md": article("Other", "2025-10-01T10:00:00Z")}))
    page = (build_ok(root) / "2025/10/25/raw/index.html").read_text(encoding="utf-8")
    assert '<script>alert(' in page and 'onclick="steal()"' in page


@pytest.mark.parametrize("where", ["site.yaml", "front matter"])
def test_sanitize_strips_scripts_handlers_and_javascript_urls(tmp_path, where):
    extra = "sanitize: true\n" if where == "front matter" else ""
    site_yaml = "title: T\nbase_url: https://example.org/\n" + ("sanitize: true\n" if where == "site.yaml" else "")
    root = with_image(make_project(tmp_path, {"2025/10/raw.md": article("Raw", extra=extra, body=RAW_HTML_BODY),
                                              "2025/10/other.md": article("Other", "2025-10-01T10:00:00Z")},
                                   site_yaml=site_yaml))
    site = build_ok(root)
    page = (site / "2025/10/25/raw/index.html").read_text(encoding="utf-8")
    body = page.split('<div class="article-body">', 1)[1].split("</div>\n  <footer", 1)[0]
    assert "<script" not in body and "alert" not in body and "onerror" not in body and "onclick" not in body
    assert "javascript:" not in body and "<style" not in body
    assert '<a href="/2025/10/01/other/">ok</a>' in body          # links between articles survive
    assert 'src="/media/a.png"' in body and 'id="fn:1"' in body   # so do images and footnotes
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "onclick" not in feed and "&lt;script" not in feed


# -- aliases: one clean path each, one line of a redirect map each ----------------------

def article_problems(front: str, body: str = "Body.\n") -> list[str]:
    """Problems of one article, parsed in process (no build): `front` is the YAML after line 1."""
    config, problems = parse_config("title: T\nbase_url: https://example.org/\n", Path("/nowhere"))
    assert config is not None, problems
    source, problems = split_front_matter(f"---\n{front}---\n{body}", "content/x.md")
    assert source is not None, problems
    _, problems = parse_article(source, config, "key")
    return [str(problem) for problem in sorted(problems)]


INJECTED = "/x/\n}\nserver { root /; autoindex on; }\nmap $a $b {"


@pytest.mark.parametrize("alias, message", [
    (INJECTED, r"'/x/\n}\nserver { root /; autoindex on; }\nmap $a $b {' must not contain a line break"),
    ("/a b/", "'/a b/' must not contain a space"),
    ("/a\tb/", r"'/a\tb/' must not contain a tab"),
    ("/a;b/", "'/a;b/' must not contain ';'"),
    ("/a'b/", "\"/a'b/\" must not contain \"'\""),
    ('/a"b/', "'/a\"b/' must not contain '\"'"),
    ("/{x}/", "'/{x}/' must not contain '{'"),
    ("/a}/", "'/a}/' must not contain '}'"),
    ("/$host/", "'/$host/' must not contain '$'"),
    ("/a\\b/", r"'/a\\b/' must not contain '\\'"),
    ("/a\u202eb/", r"'/a\u202eb/' must not contain U+202E (right-to-left override)"),
    ("/a%0Ab/", "'/a%0Ab/' must not contain a line break"),
    ("/a%3Bb/", "'/a%3Bb/' must not contain ';'"),
    ("/%2e%2e/x/", "'/%2e%2e/x/' must not contain . or .. folders"),
    ("/a%zz/", "'/a%zz/' has a % that is not a percent escape such as %C3%A9"),
    ("/a//b/", "'/a//b/' must not contain an empty folder name (//)"),
    ("old/slug/", "'old/slug/' must start with /"),
    ("https://example.com/x/", "'https://example.com/x/' is a full URL; give only its path"),
    ("/x/?p=1", "'/x/?p=1' must not contain ? or #: a redirect matches the path only"),
    ("/pagefind/old/", "'/pagefind/old/' is under /pagefind/, which the build writes itself"),
    ("/js/old/", "'/js/old/' is under /js/, which the build writes itself"),
    ("/css/", "'/css/' is under /css/, which the build writes itself"),
    ("/search/", "'/search/' is under /search/, which the build writes itself"),
    ("/" + "b" * 300 + "/", "'/" + "b" * 59 + "...' the name bbbbbbbbbbbb... is 300 bytes long; "
                            "a folder or file name can be at most 200"),
])
def test_an_alias_that_is_not_a_clean_path_is_one_error_line(alias, message):
    front = f"title: T\nauthor: A\npublished: 2025-10-01\naliases:\n  - /fine/\n  - {json.dumps(alias)}\n"
    problems = article_problems(front)
    assert problems == [f"content/x.md:7: aliases: {message} (write old URLs as /2019/05/old-slug/)"]
    assert "\n" not in problems[0]


def test_each_rejected_alias_is_named_on_its_own_line(tmp_path):
    front = "title: T\nauthor: A\npublished: 2025-10-01\naliases:\n  - /a b/\n  - /ok/\n  - /c;d/\n"
    assert article_problems(front) == [
        "content/x.md:6: aliases: '/a b/' must not contain a space (write old URLs as /2019/05/old-slug/)",
        "content/x.md:8: aliases: '/c;d/' must not contain ';' (write old URLs as /2019/05/old-slug/)"]


def test_an_injected_alias_builds_nothing_and_good_aliases_give_one_line_each(tmp_path):
    root = make_project(tmp_path, {"2025/10/a.md": article(extra=f"aliases: [{json.dumps(INJECTED)}]\n")})
    result = run_build(root, "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith("content/2025/10/a.md:5: aliases: '/x/\\n}\\nserver {")
    assert not (root / "site").exists()
    aliases = ["/2019/05/old-slug/", "/2019/05/old.html", "/caf%C3%A9/", "/Été/x/", "/~user/a_b-c/"]
    (root / "content/2025/10/a.md").write_text(article(extra=f"aliases: {json.dumps(aliases)}\n"), encoding="utf-8")
    site = build_ok(root, "--no-search")
    target = "/2025/10/25/a/"
    # sorted by the decoded path; non-ASCII percent-escaped in _redirects
    assert (site / "_redirects").read_text(encoding="utf-8").splitlines() == [
        f"/2019/05/old-slug/ {target} 301", f"/2019/05/old.html {target} 301", f"/caf%C3%A9/ {target} 301",
        f"/~user/a_b-c/ {target} 301", f"/%C3%89t%C3%A9/x/ {target} 301"]
    nginx = (site / "nginx-redirects.conf").read_text(encoding="utf-8").splitlines()
    assert nginx[1:3] == ["map $uri $dateline_redirect {", '    default "";'] and nginx[-1] == "}"
    # nginx matches the decoded $uri: keys are decoded paths, one `KEY VALUE;` per line
    assert nginx[3:-1] == [f"    {old} {target};" for old in sorted(
        ["/2019/05/old-slug/", "/2019/05/old.html", "/café/", "/Été/x/", "/~user/a_b-c/"])]
    assert all(re.fullmatch(r"    \S+ \S+;", line) for line in nginx[3:-1])
    for folder in ("2019/05/old-slug", "café", "Été/x", "~user/a_b-c"):
        assert (site / folder / "index.html").is_file(), folder
    assert (site / "2019/05/old.html").is_file()


def test_redirect_map_lines_cannot_hold_more_than_one_mapping():
    from dateline.sitemap import redirect_map_files
    assert redirect_map_files([("/old/", "/new/")])[0] == ("/_redirects", b"/old/ /new/ 301\n")
    for bad in ("/a b/", "/a\n/", "/a;/", "/a}/", "/a\"/", "/a'/", "/$x/", "/a#/", "relative/"):
        with pytest.raises(ValueError):
            redirect_map_files([(bad, "/new/")])
        with pytest.raises(ValueError):
            redirect_map_files([("/old/", bad)])


def test_an_over_long_slug_or_alias_name_is_an_error_not_a_traceback(tmp_path):
    long_name = "a" * 300
    assert article_problems(f"title: T\nauthor: A\npublished: 2025-10-01\nslug: {long_name}\n") == [
        "content/x.md:5: slug: is 300 bytes long; a slug can be at most 200 "
        "(use lowercase letters, digits and hyphens, e.g. " + "a" * 80 + ")"]
    root = make_project(tmp_path, {"2025/10/a.md": article(extra=f"aliases: [/{long_name}/]\n"),
                                   "2025/10/b.md": article(title="B", extra=f"slug: {long_name}\n")})
    result = run_build(root, "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert [line.split(":")[0:3] for line in result.stderr.splitlines()[:2]] == [
        ["content/2025/10/a.md", "5", " aliases"], ["content/2025/10/b.md", "5", " slug"]]


@pytest.mark.parametrize("permalink, message", [
    ("/news stories/{slug}/", "must not contain a space (in /news stories/x/)"),
    ("/{slug}/}\n", "must not contain '}' (in /x/})"),
    ("/" + "p" * 300 + "/{slug}/", "the name pppppppppppp... is 300 bytes long"),
])
def test_a_permalink_that_is_not_a_clean_path_is_an_error(permalink, message):
    _, problems = parse_config(f"title: T\nbase_url: https://example.org/\npermalink: {json.dumps(permalink)}\n",
                               Path("/nowhere"))
    assert len(problems) == 1 and str(problems[0]).startswith("site.yaml:3: permalink: " + message)


def test_a_base_url_whose_path_is_not_clean_is_an_error():
    _, problems = parse_config("title: T\nbase_url: \"https://example.org/my news/\"\n", Path("/nowhere"))
    assert [str(p) for p in problems] == ["site.yaml:2: base_url: its path must not contain a space"]


@pytest.mark.parametrize("image, ok", [("/media/a photo.jpg", True), ("media/a.jpg", True),
                                       ("https://cdn.example.org/a.jpg", True), ("javascript:alert(1)", False),
                                       ("//evil.example/a.jpg", False), ("/media/../../x", False),
                                       ("data:image/png;base64,AAAA", False)])
def test_image_is_a_path_inside_the_site_or_a_web_url(image, ok):
    problems = article_problems(f"title: T\nauthor: A\npublished: 2025-10-01\nimage: {json.dumps(image)}\n"
                                "image_alt: x\n")
    assert (problems == []) == ok, problems


# -- files under content/ that are not articles ---------------------------------------

def test_fifo_symlink_loops_and_devices_are_refused_without_waiting(tmp_path):
    root = make_project(tmp_path / "p", {"2025/10/a.md": article("Fine")})
    folder = root / "content/2025/10"
    os.mkfifo(folder / "pipe.md")
    os.symlink("loop-b.md", folder / "loop-a.md")
    os.symlink("loop-a.md", folder / "loop-b.md")
    os.symlink("..", folder / "up")                  # a folder loop
    os.symlink("/dev/zero", folder / "zero.md")      # a device (outside content/ too)
    result = run_bounded(root, "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "content/2025/10/loop-a.md: path: symlink loop; refusing it",
        "content/2025/10/loop-b.md: path: symlink loop; refusing it",
        "content/2025/10/pipe.md: path: is a FIFO (named pipe), not a regular file; refusing it "
        "(remove it from content/)",
        "content/2025/10/up: path: symlink loop: it leads to a folder already read; refusing it",
        "content/2025/10/zero.md: path: symlink leads outside content/; refusing it",
        "5 errors; nothing was written"]
    checked = run_bounded(root, "check")
    assert checked.returncode == 1 and "pipe.md: path: is a FIFO" in checked.stderr


def test_reading_a_fifo_in_place_of_a_file_fails_at_once(tmp_path):
    from dateline.content import read_regular_file, read_source
    os.mkfifo(tmp_path / "x.md")
    with pytest.raises(OSError):
        read_regular_file(tmp_path / "x.md")
    source, problems = read_source(tmp_path, "x.md")
    assert source is None and str(problems[0]) == (
        "x.md: file: cannot be read: a FIFO (named pipe), not a regular file")


@pytest.mark.parametrize("name", ["site.yaml", "authors.yaml"])
def test_a_fifo_in_place_of_site_or_authors_yaml_fails_at_once(tmp_path, name):
    root = make_project(tmp_path / "p", {"2025/10/a.md": article("Fine")})
    (root / name).unlink(missing_ok=True)
    os.mkfifo(root / name)
    result = run_bounded(root, "--no-search", seconds=30)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        f"{name}: {name}: cannot be read: a FIFO (named pipe), not a regular file")
    assert not (root / "site").exists()


# -- YAML: keys given twice, type tags ------------------------------------------------------

def test_a_front_matter_key_given_twice_names_both_lines():
    assert article_problems("title: First\nauthor: A\npublished: 2025-10-01\ntitle: Second\n"
                            "extra:\n  source: x\n  source: y\n") == [
        "content/x.md:5: title: is given twice, on lines 2 and 5 (keep one: YAML would silently use the last)",
        "content/x.md:8: extra.source: is given twice, on lines 7 and 8 "
        "(keep one: YAML would silently use the last)"]


def test_site_yaml_and_authors_yaml_keys_given_twice_name_both_lines():
    from dateline.authors import parse_authors
    _, problems = parse_config("title: T\nbase_url: https://example.org/\ntitle: U\n", Path("/nowhere"))
    assert [str(p) for p in problems] == [
        "site.yaml:3: title: is given twice, on lines 1 and 3 (keep one: YAML would silently use the last)"]
    _, problems = parse_authors("- name: Ana\n  bio: One.\n  bio: Two.\n")
    assert [str(p) for p in problems] == [
        "authors.yaml:3: bio: is given twice, on lines 2 and 3 (keep one: YAML would silently use the last)"]


@pytest.mark.parametrize("value, tag", [("!!timestamp 2025-10-01", "timestamp"),
                                        ("!!timestamp 2025-10-01T10:00:00Z", "timestamp"),
                                        ("!!str 2025-10-01", "")])
def test_a_timestamp_tag_says_what_to_write_instead(value, tag):
    problems = article_problems(f"title: T\nauthor: A\npublished: {value}\n")
    if not tag:
        assert problems == []
        return
    written = value.split(" ", 1)[1]
    assert problems == [f"content/x.md:4: published: the YAML tag !!{tag} is not read here "
                        f"(write the value as plain text without the tag: `published: {written}`)"]


def test_type_tags_in_site_yaml_are_named():
    _, problems = parse_config("title: T\nbase_url: https://example.org/\nper_page: !!int 5\n", Path("/nowhere"))
    assert [str(p) for p in problems] == ["site.yaml:3: per_page: the YAML tag !!int is not read here "
                                          "(write the value as plain text without the tag: `per_page: 5`)"]


# -- site.yaml language, serve --port ----------------------------------------------------------

@pytest.mark.parametrize("language", ["en_US", "english language", "a" * 300, "../../x", "en-", "<b>", "i-klingon"])
def test_a_language_that_is_not_a_bcp47_tag_is_a_site_yaml_error(language):
    _, problems = parse_config(f"title: T\nbase_url: https://example.org/\nlanguage: {json.dumps(language)}\n",
                               Path("/nowhere"))
    assert [str(p) for p in problems] == [f"site.yaml:3: language: {language!r} is not a BCP 47 language tag "
                                          "(use e.g. en, en-GB, pt-BR or zh-Hant)"]


@pytest.mark.parametrize("language", ["en", "en-GB", "pt-BR", "zh-Hant-TW", "sr-Latn-RS", "es-419", "de-CH-1996",
                                      "x-private", "EN-gb"])
def test_bcp47_language_tags_are_accepted(language):
    config, problems = parse_config(f"title: T\nbase_url: https://example.org/\nlanguage: {language}\n",
                                    Path("/nowhere"))
    assert problems == [] and config.language == language


def test_a_language_pagefind_cannot_read_fails_the_build_naming_the_field(tmp_path):
    root = make_project(tmp_path, {"2025/10/a.md": article()},
                        site_yaml="title: T\nbase_url: https://example.org/\nlanguage: " + "a" * 300 + "\n")
    result = run_build(root)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "panic" not in result.stderr
    assert result.stderr.startswith("site.yaml:3: language: 'aaaa")


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "eighty"])
def test_serve_with_a_port_out_of_range_is_a_usage_error(tmp_path, port):
    root = make_project(tmp_path, {"2025/10/a.md": article()})
    result = run_bounded(root, "serve", "--port", port)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "OverflowError" not in result.stderr
    assert "argument --port:" in result.stderr.splitlines()[-1]
    assert not (root / "site").exists()


# -- bodies that would stall or overflow the Markdown converter ---------------------------

STALLS = {
    "nested_links": "[" * 4000 + "x" + "](y)" * 4000,                 # 43 s before, unbounded at 20,000
    "nested_links_20000": "[" * 20000 + "x" + "](y)" * 20000,
    "open_brackets": "[" * 5000,
    "open_images": "![" * 5000,
    "open_link_targets": "[](" * 5000,
    "nested_emphasis": "*a " * 4000 + "x" + " b*" * 4000,
    "nested_strong": "**a *" * 4000 + "x" + "* b**" * 4000,
    "unclosed_tags": "<a " * 6000,
    "backticks": "` " * 20000,
    "quote_marks": "'\"" * 20000,
    "blank_paragraphs": "x\n\n" * 30000,
    "rules_in_one_block": "x\n" + "---\nx\n" * 5000,
    "definitions_in_one_block": "t\n" + ": d\n" * 5000,
    "wide_table": "|" + "a|" * 3000 + "\n|" + "-|" * 3000 + "\n",
    "raw_html_blocks": "<p>x</p>\n\n" * 5000,
    "markdown_in_html": '<div markdown="1">\n' * 300 + "x\n" + "</div>\n" * 300,
    "lists_300_deep": "".join("    " * level + "- x\n" for level in range(300)),
    "quotes_300_deep": ">" * 300 + " x\n",
    "quoted_lists_300_deep": "".join("> " * level + "- x\n" for level in range(300)),
}


@pytest.mark.parametrize("name", sorted(STALLS))
def test_a_pathological_body_fails_its_article_fast_with_its_line(name):
    from dateline.markup import MarkdownRenderer, MarkupError
    renderer = MarkdownRenderer()
    started = time.process_time()
    with pytest.raises(MarkupError) as raised:
        renderer.render("2025/10/x.md", "Intro.\n\n" + STALLS[name])
    assert time.process_time() - started < 3, "the limits must stop it, not the CPU-time backstop"
    problem = raised.value.problem("content/2025/10/x.md", 7)
    assert str(problem).startswith("content/2025/10/x.md:") and ": body: " in str(problem)
    assert problem.line >= 9 and "\n" not in str(problem)       # the body's line 3 or later: past "Intro."


def test_ordinary_large_bodies_stay_within_the_limits():
    from dateline.markup import MarkdownRenderer
    renderer = MarkdownRenderer()
    rows = "".join(f"| [Seat {i}](../seats/{i}.md) | 1,234 | *held* | 'x' |\n" for i in range(2000))
    bodies = {
        "table": "| Seat | Votes | Result | Note |\n|---|---|---|---|\n" + rows,
        "list": "".join(f"- [Item {i}](/i/{i}/) with *emphasis*, `code` and \"quotes\"\n" for i in range(2000)),
        "paragraphs": ("A paragraph with a [link](/x/), *emphasis*, it's \"quoted\" & more.\n\n" * 5000),
        "long_paragraph": "It's a \"long\" paragraph [with](/links/) and _some_ emphasis. " * 200,
        "code": "```python\n" + "".join("    " * (i % 12) + "x = [(1, '[')]\n" for i in range(3000)) + "```\n",
        "nested": "".join("    " * level + "- level\n" for level in range(20)) + "\n" + "> " * 20 + "deep quote\n",
        "footnotes": "".join(f"Claim {i}.[^{i}]\n\n" for i in range(300)) + "".join(f"[^{i}]: Source {i}.\n"
                                                                                      for i in range(300)),
    }
    for name, body in bodies.items():
        assert renderer.render("2025/10/x.md", body).html, name


def test_a_stalling_body_fails_alone_and_quickly_in_a_build(tmp_path):
    files = {f"2025/10/fine-{n}.md": article(f"Fine {n}", f"2025-10-{n + 1:02d}T10:00:00Z") for n in range(3)}
    files["2025/10/stall.md"] = article("Stall", body="Intro.\n\n" + "[" * 20000 + "x" + "](y)" * 20000 + "\n")
    files["2025/10/deep.md"] = article("Deep", body="".join("    " * level + "- x\n" for level in range(300)))
    root = make_project(tmp_path, files)
    started = time.monotonic()
    result = run_bounded(root, "--no-search", "--jobs", "2", seconds=120)
    assert time.monotonic() - started < 60
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.splitlines() == [
        "content/2025/10/deep.md:38: body: is nested 33 levels deep (quotes, lists and indentation); "
        "at most 32 are converted (nest quotes, lists and indented blocks at most 32 deep)",
        "content/2025/10/stall.md:8: body: has brackets nested or left open so that pairing them means scanning "
        "1,000,030,000 characters; at most 250,000 per paragraph are converted "
        "(close each [ with ] and each ]( with ), and nest links at most a few deep)",
        "2 errors; nothing was written"]
    checked = run_bounded(root, "check", seconds=120)
    assert checked.returncode == 1 and "stall.md:8: body:" in checked.stderr


# -- the corpus: every hostile case through build and check --------------------------------

HOSTILE_TEXT = "<script>alert(1)</script> \"q\" 'a' & </title> ]]> \u202e 北京 🎉"
def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's, with non-ASCII kept: YAML has no surrogate escapes)."""
    return json.dumps(text, ensure_ascii=False)


IFRAME = '"><iframe src=javascript:alert(1)>'
GOOD_CORPUS = {
    "2025/10/evil-meta.md": (
        "---\n"
        f"title: {quoted(HOSTILE_TEXT)}\n"
        f"summary: {quoted('<img src=x onerror=alert(1)> ' + HOSTILE_TEXT)}\n"
        f"authors: [{quoted('Eve <b>' + HOSTILE_TEXT)}, \"O'Brien\"]\n"
        "published: 2025-10-01T10:00:00Z\n"
        f"location: {quoted('<svg onload=alert(1)>')}\n"
        f"section: {quoted(IFRAME)}\n"
        f"tags: [{quoted('<tag>')}, \"a&b\", {quoted(HOSTILE_TEXT)}]\n"
        f"image: /media/x.jpg\nimage_alt: {quoted(HOSTILE_TEXT)}\nimage_caption: {quoted(HOSTILE_TEXT)}\n"
        "aliases: [/2019/05/old-slug/, /caf%C3%A9/]\n"
        f"corrections:\n  - date: 2025-10-02T10:00:00Z\n    text: {quoted(HOSTILE_TEXT)}\n"
        f"extra:\n  note: {quoted(HOSTILE_TEXT)}\n"
        "---\nBody with <b>trusted</b> HTML and [a link](other.md).\n"),
    "2025/10/other.md": article("Other", "2025-10-02T10:00:00Z", body="Fine.\n"),
}
BAD_CORPUS = {
    "2025/10/injected-alias.md": article("Injected", extra=f"aliases: [{json.dumps(INJECTED)}]\n"),
    "2025/10/pagefind-alias.md": article("Pagefind", extra="aliases: [/pagefind/x/]\n"),
    "2025/10/long-alias.md": article("Long", extra="aliases: [/" + "b" * 300 + "/]\n"),
    "2025/10/long-slug.md": article("Slug", extra="slug: " + "s" * 300 + "\n"),
    "2025/10/duplicate-key.md": article("Twice", extra="title: Again\n"),
    "2025/10/timestamp.md": "---\ntitle: T\nauthor: A\npublished: !!timestamp 2025-10-01\n---\nx\n",
    "2025/10/deep.md": article("Deep", body="".join("    " * level + "- x\n" for level in range(300))),
    "2025/10/stall.md": article("Stall", body="[" * 20000 + "x" + "](y)" * 20000 + "\n"),
    "2025/10/emphasis.md": article("Emphasis", body="*a " * 4000 + "x" + " b*" * 4000 + "\n"),
    "2025/10/tags.md": article("Tags", body="<a " * 6000 + "\n"),
}


def assert_site_is_well_formed(site: Path) -> None:
    """Every feed parses (feedparser, lxml), every page parses (html5lib), and no
    hostile markup became an element anywhere."""
    from lxml import etree
    feeds = [path for path in site.rglob("*") if path.name in ("feed.xml", "atom.xml")]
    assert feeds
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        etree.fromstring(path.read_bytes())
    for path in site.rglob("*.xml"):
        etree.fromstring(path.read_bytes())
    for path in site.rglob("feed.json"):
        json.loads(path.read_text(encoding="utf-8"))
    for path in site.rglob("*.html"):
        document = html5lib.parse(path.read_bytes(), treebuilder="etree")
        for tag in ("iframe", "svg", "img[@onerror]", "script[@src='x']"):
            assert document.find(f".//h:{tag}", NS) is None, (path, tag)
        inline = [s.text or "" for s in document.findall(".//h:script", NS) if s.get("src") is None]
        assert all("alert(1)" not in text or text.lstrip().startswith("{") for text in inline), path
        assert not any(element.get("onerror") or element.get("onload") for element in document.iter()), path


def test_the_hostile_corpus_through_build_and_check(tmp_path):
    root = make_project(tmp_path / "project", {**GOOD_CORPUS, **BAD_CORPUS})
    (root / "static/media").mkdir(parents=True)
    (root / "static/media/x.jpg").write_bytes(tiny_jpeg())     # an image must be one: it is resized
    outside_before = {p for p in tmp_path.rglob("*") if root not in p.parents and p != root}
    for command in ([], ["check"]):
        result = run_bounded(root, *command, "--no-search", seconds=180) if not command else \
            run_bounded(root, "check", seconds=180)
        assert result.returncode == 1, result.stderr
        output = result.stdout + result.stderr
        assert "Traceback" not in output and "Error:" not in output
        lines = [line for line in result.stderr.splitlines() if not line.startswith("warning:")]
        named = {line.split(":", 1)[0] for line in lines[:-1]}
        assert named == {f"content/{name}" for name in BAD_CORPUS}, lines
        assert all(line.count("\n") == 0 and re.match(r"content/[^:]+:\d+: [\w. ]+: ", line) for line in lines[:-1])
        assert not (root / "site").exists()
    for name in BAD_CORPUS:
        (root / "content" / name).unlink()
    result = run_bounded(root, "--no-search", seconds=180)
    assert result.returncode == 0 and "Traceback" not in result.stdout + result.stderr, result.stderr
    site = root / "site"
    assert_site_is_well_formed(site)
    page = html5lib.parse((site / "2025/10/01/evil-meta/index.html").read_bytes(), treebuilder="etree")
    assert "".join(page.find(".//h:h1", NS).itertext()) == HOSTILE_TEXT
    assert (site / "café/index.html").is_file() and (site / "2019/05/old-slug/index.html").is_file()
    outside_after = {p for p in tmp_path.rglob("*") if root not in p.parents and p != root}
    assert outside_after == outside_before
    assert {p.name for p in root.iterdir()} <= {"site.yaml", "content", "layouts", "static", "site",
                                                ".dateline-cache", ".site.staging", ".site.lock"}
