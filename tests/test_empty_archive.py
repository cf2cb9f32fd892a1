"""An archive with no stories yet builds: the front page and the search page say
so, the feeds are valid and empty, and every page is valid HTML. Search comes
and goes with the first and the last story."""
from __future__ import annotations

import json

import feedparser
import html5lib

from conftest import article, make_project, run_build
from test_html_valid import run_vnu

SITE_YAML = "title: Empty Wire\nbase_url: https://example.org/news/\ntimezone: UTC\n"
BASE = "https://example.org/news/"


def text_of(path) -> str:
    document = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
    return " ".join(" ".join(document.find("body").itertext()).split())


def test_an_empty_archive_builds_a_valid_site(tmp_path):
    root = make_project(tmp_path, {}, site_yaml=SITE_YAML)
    (root / "content").mkdir()
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert "(0 articles, 3 feeds)" in result.stdout
    site = root / "site"
    assert "Latest stories There are no stories yet." in text_of(site / "index.html")
    search = text_of(site / "search/index.html")
    assert "Search the archive There are no stories to search yet." in search
    assert "pagefind" not in (site / "search/index.html").read_text()
    assert not (site / "pagefind").exists()
    for name in ("archive", "authors", "tags", "sections", "locations"):
        assert "There are no stories yet." in text_of(site / name / "index.html"), name
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((site / name).read_bytes())
        assert not parsed.bozo, (name, parsed.bozo_exception)
        assert parsed.entries == [] and parsed.feed.title == "Empty Wire" and parsed.feed.link == BASE
    feed = json.loads((site / "feed.json").read_text())
    assert feed["items"] == [] and feed["home_page_url"] == BASE
    errors = run_vnu(site)
    assert errors == [], "\n".join(f"{e.get('url')}:{e.get('lastLine')}: {e.get('message')}" for e in errors)


def test_search_appears_with_the_first_story_and_goes_with_the_last(tmp_path):
    root = make_project(tmp_path, {}, site_yaml=SITE_YAML)
    (root / "content").mkdir()
    assert run_build(root).returncode == 0
    story = root / "content/2025/10/a.md"
    story.parent.mkdir(parents=True)
    story.write_text(article("Alpha", "2025-10-01T10:00:00Z"))
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert "search index rebuilt" in result.stdout
    assert (root / "site/pagefind/pagefind-ui.js").is_file()
    assert 'id="search"' in (root / "site/search/index.html").read_text()
    story.unlink()
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert not (root / "site/pagefind").exists()
    assert "There are no stories to search yet." in text_of(root / "site/search/index.html")
    assert "There are no stories yet." in text_of(root / "site/index.html")
