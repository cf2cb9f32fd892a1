"""Scheduled (embargoed) stories: an article whose `published` is after the
build's "now" is left out of everything until it is due, and the build that
runs after that moment publishes it and rewrites only what it touches."""
from __future__ import annotations

import gzip
import json
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import article, copy_sample_project, make_project, read_tree, run_build
from dateline.config import load_config
from dateline.pipeline import BuildOptions, build

DUE = "2025-11-20T06:00:00+00:00"
BEFORE = "2025-11-20T05:59:59+00:00"
AFTER = "2025-11-20T06:00:00+00:00"      # "due at" is inclusive: published == now is out
TOKEN = "Zanzibarquay"                    # appears only in the embargoed story
EMBARGOED = f"""---
title: {TOKEN} port deal signed
summary: The {TOKEN} dek.
author: Ottoline {TOKEN}
published: {DUE}
location: {TOKEN} City
tags: [{TOKEN.lower()} talks]
section: {TOKEN} Desk
aliases: [/2019/05/{TOKEN.lower()}-old/]
---
The {TOKEN} body.
"""
EMBARGOED_PATH = "content/2025/11/port-deal.md"
EMBARGOED_URL = "2025/11/20/port-deal/index.html"


def sample_with_embargo(root: Path) -> Path:
    copy_sample_project(root)
    (root / EMBARGOED_PATH).write_text(EMBARGOED, encoding="utf-8")
    return root


def mentions(tree: dict[str, bytes], token: str) -> list[str]:
    """Output files whose path or bytes (gzip-unpacked, for Pagefind's index) name the token."""
    found = []
    needle = token.lower().encode()
    for name, data in tree.items():
        if name.startswith("pagefind/") and data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        if needle in data.lower() or token.lower() in name.lower():
            found.append(name)
    return found


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory):
    """The sample with one embargoed story, built with search just before and at its moment."""
    root = sample_with_embargo(tmp_path_factory.mktemp("embargo") / "project")
    before = run_build(root, "--jobs", "1", "--now", BEFORE, out=root / "before")
    after = run_build(root, "--jobs", "1", "--now", AFTER, out=root / "after")
    assert before.returncode == 0 and after.returncode == 0, before.stderr + after.stderr
    return root, before, after


def test_an_embargoed_story_is_absent_from_every_file(before_and_after):
    root, _, _ = before_and_after
    site = read_tree(root / "before")
    assert mentions(site, TOKEN) == []
    assert mentions(site, "port-deal") == []
    assert EMBARGOED_URL not in site
    for name in ("feed.xml", "atom.xml", "feed.json", "sitemap.xml", "news-sitemap.xml", "_redirects",
                 "nginx-redirects.conf"):
        assert name in site, name     # each exists, and names nothing of the story (above)
    assert json.loads(site["feed.json"])["items"][0]["title"].startswith("Veteran crews")


def test_the_story_is_everywhere_once_due(before_and_after):
    root, _, _ = before_and_after
    site = read_tree(root / "after")
    named = set(mentions(site, TOKEN))
    assert {EMBARGOED_URL, "index.html", "feed.xml", "atom.xml", "feed.json", "news-sitemap.xml"} <= named
    assert any(name.startswith("tags/zanzibarquay-talks/") for name in named)
    assert any(name.startswith("locations/zanzibarquay-city/") for name in named)
    assert any(name.startswith("pagefind/") and "/fragment/" in name for name in named)    # indexed for search
    assert b"/2025/11/20/port-deal/" in site["sitemap.xml"]
    assert b"/2019/05/zanzibarquay-old/ /2025/11/20/port-deal/ 301" in site["_redirects"]
    assert b"/2025/11/20/port-deal/" in site["nginx-redirects.conf"]
    assert json.loads(site["feed.json"])["items"][0]["title"] == f"{TOKEN} port deal signed"


def test_summary_and_check_name_the_next_scheduled_story(before_and_after):
    root, before, after = before_and_after
    assert re.search(r"; 1 scheduled, next: content/2025/11/port-deal\.md due 2025-11-20T06:00:00\+00:00 "
                     r"\(in 1 min\) -> before\n$", before.stdout), before.stdout
    assert "scheduled" not in after.stdout
    checked = run_build(root, "check", "--now", "2025-11-18T03:30:00+00:00")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.endswith(
        "; 1 scheduled, next: content/2025/11/port-deal.md due 2025-11-20T06:00:00+00:00 (in 2 d 2 h 30 min)\n")


def test_source_date_epoch_pins_now_and_drafts_preview_shows_it(tmp_path):
    root = sample_with_embargo(tmp_path / "project")
    due = int(datetime.fromisoformat(DUE).timestamp())
    waiting = run_build(root, "--no-search", env={"SOURCE_DATE_EPOCH": str(due - 1)}, out=tmp_path / "a")
    assert waiting.returncode == 0, waiting.stderr
    assert not (tmp_path / "a" / EMBARGOED_URL).exists()
    out = run_build(root, "--no-search", env={"SOURCE_DATE_EPOCH": str(due)}, out=tmp_path / "b")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "b" / EMBARGOED_URL).exists()
    # --now wins over SOURCE_DATE_EPOCH
    pinned = run_build(root, "--no-search", "--now", BEFORE, env={"SOURCE_DATE_EPOCH": str(due)},
                       out=tmp_path / "c")
    assert pinned.returncode == 0 and not (tmp_path / "c" / EMBARGOED_URL).exists()
    preview = run_build(root, "--no-search", "--drafts", "--now", BEFORE, out=tmp_path / "d")
    assert preview.returncode == 0, preview.stderr
    assert (tmp_path / "d" / EMBARGOED_URL).exists()
    assert "scheduled" not in preview.stdout


@pytest.mark.parametrize("args, env, message", [
    (["--now", "soon"], {}, "build.py: error: --now expected a date like"),
    (["--now", "2025-03-30T01:30:00"], {}, "does not exist in Europe/London"),
    ([], {"SOURCE_DATE_EPOCH": "yesterday"}, "SOURCE_DATE_EPOCH must be whole seconds"),
])
def test_unusable_now_is_a_usage_error(tmp_path, args, env, message):
    root = make_project(tmp_path, {"2025/a.md": article()})
    result = run_build(root, *args, env=env)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (root / "site").exists()


def test_a_naive_now_is_read_in_the_site_zone(tmp_path):
    # 09:00 in London on 20 November is 09:00 UTC: the story due at 09:00 UTC is out.
    root = make_project(tmp_path, {"2025/a.md": article(published="2025-11-20T09:00:00+00:00")})
    assert (root / "content/2025/a.md").exists()
    early = run_build(root, "--no-search", "--now", "2025-11-20T08:59", out=tmp_path / "early")
    late = run_build(root, "--no-search", "--now", "2025-11-20T09:00", out=tmp_path / "late")
    assert early.returncode == 0 and late.returncode == 0
    assert not (tmp_path / "early/2025/11/20/a/index.html").exists()
    assert (tmp_path / "late/2025/11/20/a/index.html").exists()


def linking(target: str, published: str = "2025-10-01T10:00:00+00:00", title: str = "Linker") -> str:
    return article(title=title, published=published, body=f"Intro.\n\nSee [the deal]({target}).\n")


def test_a_live_link_to_an_embargoed_story_names_both_files(tmp_path):
    root = make_project(tmp_path, {
        "2025/live.md": linking("later.md"),
        "2025/later.md": article(title="Later", published="2025-12-01T08:00:00+00:00"),
    })
    result = run_build(root, "--now", "2025-11-01T00:00:00+00:00")
    assert result.returncode == 1
    assert ("content/2025/live.md:8: body: link to content/2025/later.md, which is embargoed until "
            "2025-12-01T08:00:00+00:00 (publish the linked story first, or add the link once it is out)"
            in result.stderr), result.stderr
    assert not (root / "site").exists()
    checked = run_build(root, "check", "--now", "2025-11-01T00:00:00+00:00")
    assert checked.returncode == 1 and "content/2025/live.md:8: body: link to content/2025/later.md" in checked.stderr
    assert run_build(root, "--now", "2025-12-01T08:00:00+00:00", "--no-search").returncode == 0
    assert run_build(root, "--drafts", "--now", "2025-11-01T00:00:00+00:00", "--no-search",
                     out=tmp_path / "preview").returncode == 0


def test_scheduled_stories_may_link_only_to_stories_out_by_then(tmp_path):
    root = make_project(tmp_path, {
        "2025/first.md": article(title="First", published="2025-12-01T08:00:00+00:00"),
        "2025/second.md": linking("first.md", published="2025-12-02T08:00:00+00:00", title="Second"),
        "2025/third.md": linking("fourth.md", published="2025-12-03T08:00:00+00:00", title="Third"),
        "2025/fourth.md": article(title="Fourth", published="2025-12-04T08:00:00+00:00"),
        "2025/fifth.md": linking("missing.md", published="2025-12-05T08:00:00+00:00", title="Fifth"),
    })
    result = run_build(root, "check", "--now", "2025-11-01T00:00:00+00:00")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if ": body: " in line]
    assert lines == [
        "content/2025/fifth.md:8: body: link to content/2025/missing.md, which does not exist",
        "content/2025/third.md:8: body: link to content/2025/fourth.md, which is embargoed until "
        "2025-12-04T08:00:00+00:00, after this story goes live (2025-12-03T08:00:00+00:00) "
        "(publish the linked story first, or add the link once it is out)",
    ], result.stderr


# -- the moment a story becomes due, incrementally ------------------------------------

def build_at(root: Path, out: Path, now: str, *, use_cache: bool = True, jobs: int = 1):
    config, problems = load_config(root)
    assert config is not None, problems
    config = replace(config, search=False)
    return build(config, BuildOptions(out_dir=out, jobs=jobs, use_cache=use_cache,
                                      now=datetime.fromisoformat(now)))


def test_the_build_after_the_moment_publishes_it_and_only_what_it_touches(tmp_path):
    root = sample_with_embargo(tmp_path / "project")
    first = build_at(root, root / "site", BEFORE)
    assert [a.source for a in first.scheduled] == [EMBARGOED_PATH]
    published_before = read_tree(root / "site")
    again = build_at(root, root / "site", "2025-11-20T05:59:59.5+00:00")
    # Not due yet: nothing changed, and its body stayed converted in the cache.
    assert (again.rendered, again.written, again.markdown_rendered) == (0, 0, 0)

    report = build_at(root, root / "site", AFTER, jobs=2)
    assert report.scheduled == () and report.markdown_rendered == 0   # its body was converted already
    incremental = read_tree(root / "site")

    cold_root = sample_with_embargo(tmp_path / "cold")
    build_at(cold_root, cold_root / "site", AFTER, use_cache=False)
    cold = read_tree(cold_root / "site")
    assert sorted(incremental) == sorted(cold)
    assert [name for name in cold if incremental[name] != cold[name]] == []

    changed = {name for name in cold if published_before.get(name) != cold[name]}
    assert set(report.written_paths) == changed
    assert EMBARGOED_URL in changed and "index.html" in changed and "feed.xml" in changed
    assert len(changed) < len(cold) / 4, len(changed)


def test_serve_publishes_a_story_when_it_becomes_due(tmp_path):
    from test_serve import ServerProcess

    root = make_project(tmp_path, {"2025/now.md": article(title="Already out")})
    server = ServerProcess(root)
    try:
        # Written once the server runs, so its (slow) start cannot eat the wait.
        due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=8)
        (root / "content/2025/soon.md").write_text(article(title="Due in a moment", published=due.isoformat()))
        server.wait_for_output(r"1 scheduled, next: content/2025/soon\.md")
        path = f"/{due:%Y/%m/%d}/soon/"
        assert server.get(path)[0] == 404
        server.wait_for_page(path, "Due in a moment")
        assert "a scheduled story is due" in server.output
    finally:
        server.stop()
