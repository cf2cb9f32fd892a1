"""What feed readers see of a channel: its link is the HTML page the feed
follows (the front page, or the listing's page), and the feed's own URL is
only its rel="self" link. Read with feedparser, as a reader would."""
from __future__ import annotations

import feedparser

from conftest import article, make_project, run_build

SITE_YAML = "title: Test Wire\nbase_url: https://example.org/news/\ntimezone: UTC\n"
BASE = "https://example.org/news/"


def test_channel_link_is_the_page_and_self_is_the_feed(tmp_path):
    root = make_project(tmp_path, {
        "2025/10/a.md": article("Alpha", "2025-10-01T10:00:00Z", extra="tags: [floods]\n"),
        "2025/10/b.md": article("Beta", "2025-10-02T10:00:00Z", extra="tags: [floods]\n"),
    }, site_yaml=SITE_YAML)
    result = run_build(root, "--no-search")
    assert result.returncode == 0, result.stderr
    site = root / "site"
    feeds = {"feed.xml": "", "atom.xml": "", "tags/floods/feed.xml": "tags/floods/",
             "tags/floods/atom.xml": "tags/floods/", "authors/jane-doe/feed.xml": "authors/jane-doe/"}
    for name, page in feeds.items():
        parsed = feedparser.parse((site / name).read_bytes())
        assert not parsed.bozo, (name, parsed.bozo_exception)
        assert parsed.feed.link == BASE + page, name
        assert (site / page / "index.html").is_file(), name
        rels = {link.rel: link.href for link in parsed.feed.links}
        assert rels["self"] == BASE + name, name
        assert rels["alternate"] == BASE + page, name
        assert len(parsed.entries) == 2, name
