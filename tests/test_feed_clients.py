"""Feeds as readers' clients see them: every feed parses cleanly, every item
links to a page that was built, and an edit never makes a "new" item."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import urlsplit

import feedparser

from conftest import copy_sample_project, run_build

ARTICLE = "content/2025/09/trade-envoys-meet-in-kuala-lumpur.md"   # has an id
NO_ID = "content/2025/11/veteran-crews-dominate-tokyo-masters-regatta.md"


def built_page_for(site, url: str) -> bool:
    path = urlsplit(url).path.lstrip("/")
    return (site / path / "index.html").is_file() if path.endswith("/") or not path else (site / path).is_file()


def test_every_feed_parses_and_every_item_links_to_a_built_page(sample_build):
    site = sample_build
    feeds = sorted(site.rglob("feed.xml")) + sorted(site.rglob("atom.xml"))
    assert len(feeds) == 2 * 46    # the front page and 45 authors, tags, sections and places
    items = 0
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.entries, path
        for entry in feed.entries:
            assert built_page_for(site, entry.link), (path, entry.link)
            items += 1
    document = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert all(built_page_for(site, item["url"]) for item in document["items"])
    assert items == 142     # 2 x (10 on the front page + 61 article-term pairs)


def entry_for(site, name: str, link_end: str):
    feed = feedparser.parse((site / name).read_bytes())
    return next(entry for entry in feed.entries if entry.link.endswith(link_end))


def test_an_edited_article_keeps_its_guid_and_its_updated_time_moves(tmp_path):
    root = copy_sample_project(tmp_path)
    assert run_build(root).returncode == 0
    site = root / "site"
    before = {name: entry_for(site, name, "/trade-envoys-meet-in-kuala-lumpur/") for name in ("feed.xml", "atom.xml")}
    tokyo_before = entry_for(site, "feed.xml", "/veteran-crews-dominate-tokyo-masters-regatta/")
    text = (root / ARTICLE).read_text(encoding="utf-8")
    text = text.replace("updated: 2025-09-09T16:20:00+08:00", "updated: 2025-09-10T08:00:00+08:00")
    (root / ARTICLE).write_text(text + "\nA correction added after publication.\n", encoding="utf-8")
    tokyo = (root / NO_ID).read_text(encoding="utf-8")
    (root / NO_ID).write_text(tokyo.replace("published:", "updated: 2025-11-09T10:00:00+09:00\npublished:", 1)
                              + "\nAn added paragraph.\n", encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    after = {name: entry_for(site, name, "/trade-envoys-meet-in-kuala-lumpur/") for name in ("feed.xml", "atom.xml")}
    for name in ("feed.xml", "atom.xml"):
        assert after[name].id == before[name].id == "urn:uuid:a30f6f0c-6764-46a6-857f-da8c88da4765"
        assert "A correction added after publication." in after[name].content[0].value
    updated = datetime(*after["atom.xml"].updated_parsed[:6], tzinfo=timezone.utc)
    assert updated == datetime(2025, 9, 10, 0, 0, tzinfo=timezone.utc)
    assert updated > datetime(*before["atom.xml"].updated_parsed[:6], tzinfo=timezone.utc)
    tokyo_after = entry_for(site, "feed.xml", "/veteran-crews-dominate-tokyo-masters-regatta/")
    assert tokyo_after.id == tokyo_before.id == tokyo_before.link   # no id: the permalink, unchanged by an edit
