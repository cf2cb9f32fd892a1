"""`import` of whole archives: a WordPress export, RSS and Atom feeds, saved
article pages and pasted stories, run as a user would, then built and checked.

Every fixture under tests/fixtures/import/ was written for these tests: the
papers, people and places are invented.
"""
from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import html5lib
import pytest
import yaml

from conftest import REPO, make_project, read_tree, run_build

IMPORTS = Path(__file__).parent / "fixtures/import"
WXR = IMPORTS / "wordpress/export.xml"
UPLOADS = IMPORTS / "wordpress/uploads"
NS = {"h": "http://www.w3.org/1999/xhtml"}
SITE_YAML = "title: Harbour Gazette\nbase_url: https://news.example.org/\ntimezone: Asia/Kolkata\n"


def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "site-project", {}, site_yaml=SITE_YAML)
    (root / "content").mkdir(exist_ok=True)
    return root


def front_and_body(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n\n", 1)
    return yaml.safe_load(front), body


def page(path: Path):
    return html5lib.parse(path.read_bytes(), treebuilder="etree")


def text_of(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def imported_tree(root: Path) -> dict[str, bytes]:
    return {name: data for name, data in read_tree(root).items() if name.startswith(("content/", "static/"))}


# --- WordPress ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory):
    """The WordPress fixture imported (with its uploads) and built once."""
    root = project(tmp_path_factory.mktemp("wordpress"))
    result = run_build(root, "import", str(WXR), "--media", str(UPLOADS))
    built = run_build(root, "--no-search")
    checked = run_build(root, "check")
    return root, result, built, checked


def test_wordpress_posts_become_articles_with_their_front_matter(wordpress):
    root, result, _, _ = wordpress
    assert result.returncode == 0, result.stderr
    front, _ = front_and_body(root / "content/2019/05/ferry-crews-agree-new-rota.md")
    assert front == {
        "title": "Ferry crews agree new rota",
        "summary": "Crews will work four days on and three off.",
        "author": "Ananya Rao",                       # display name of the login "arao"
        "published": "2019-05-14T10:00:00+05:30",     # post_date_gmt 04:30, shown in the site's zone
        "updated": "2019-05-15T11:30:00+05:30",
        "section": "City",                            # the first category
        "tags": ["Transport", "ferries", "labour"],   # further categories, then tags
        "image": "/media/2019/05/crane.png",          # the featured image, copied from --media
        "image_alt": "A crane lifts a gangway onto the ferry",
        "image_caption": "The gangway goes back on at the north jetty.",
        "id": "https://harbour-gazette.example/?p=101",
        "aliases": ["/2019/05/ferry-crews-agree-new-rota/"],
        "sanitize": True,
    }
    dredging, _ = front_and_body(root / "content/2019/05/harbour-dredging-to-start-in-june.md")
    assert dredging["author"] == "Tomás Das" and "section" not in dredging  # "Uncategorized" is no section
    draft, _ = front_and_body(root / "content/2019/06/budget-talks-stall-over-overtime.md")
    assert draft["draft"] is True
    assert draft["published"] == "2019-06-01T09:00:00+05:30"  # a draft's local post_date, read in the site zone


def test_wordpress_body_keeps_captions_and_links_and_drops_editor_marks(wordpress):
    root, _, _, _ = wordpress
    _, body = front_and_body(root / "content/2019/05/ferry-crews-agree-new-rota.md")
    assert body.startswith("The ferry department and the crews' union signed the new rota on Monday after six weeks "
                           "of talks.  \nCrews will work four days on and three off.\n\n")
    assert ('<figure markdown="1">\n![A crane lifts a gangway onto the ferry](/media/2019/05/crane-300x200.png)\n\n'
            '<figcaption markdown="span">The gangway goes back on at the *north jetty*.</figcaption>\n</figure>'
            in body)
    assert "[due the same month](harbour-dredging-to-start-in-june.md)" in body   # both posts are in the import
    assert "[the budget story](https://harbour-gazette.example/?p=103)" in body   # a draft: kept at its old address
    assert "[its own site](https://union.example/statements/rota)" in body
    assert "\n## What the union says\n" in body
    for gone in ("more", "<!--", "[caption", "contact-form-7", "[/"):
        assert gone not in body
    _, dredging = front_and_body(root / "content/2019/05/harbour-dredging-to-start-in-june.md")
    assert "[the ferry crews agreed their rota](ferry-crews-agree-new-rota.md)" in dredging  # a ?p=101 link
    assert "\n## Which berths close?\n" in dredging and "wp:paragraph" not in dredging
    assert "berths 1 and 3 stay open. 1984. That was" in dredging


def test_wordpress_items_that_are_not_posts_are_skipped_and_counted(wordpress):
    root, result, _, _ = wordpress
    assert sorted(path.relative_to(root).as_posix() for path in (root / "content").rglob("*.md")) == [
        "content/2019/05/ferry-crews-agree-new-rota-2.md",
        "content/2019/05/ferry-crews-agree-new-rota.md",
        "content/2019/05/harbour-dredging-to-start-in-june.md",
        "content/2019/06/budget-talks-stall-over-overtime.md",
        "content/2019/07/escape.md",
    ]
    skipped = re.findall(r"^.*export\.xml:\d+: skipped \((.*?)\): '(.*)'$", result.stdout, re.M)
    assert skipped == [("private", "Notes for the newsroom only"), ("trashed", "An old test post"),
                       ("page", "About the Gazette"), ("nav menu item", "Home")]
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith("imported 5 stories; skipped 5: 1 attachment, 1 nav menu item, 1 page, 1 private, "
                              "1 trashed; notes: ")
    assert "1 numbered slug" in summary and "1 external image" in summary and "1 shortcode removed" in summary


def test_two_posts_for_one_file_are_both_kept_with_a_numbered_slug(wordpress):
    root, result, _, _ = wordpress
    first, _ = front_and_body(root / "content/2019/05/ferry-crews-agree-new-rota.md")
    second, body = front_and_body(root / "content/2019/05/ferry-crews-agree-new-rota-2.md")
    assert first["id"] != second["id"] and body.startswith("The rota was signed again on Friday")
    assert ("another story of this import has the file or URL of 'ferry-crews-agree-new-rota': numbered it "
            "'ferry-crews-agree-new-rota-2'") in result.stdout


def test_nothing_in_an_export_writes_or_reads_outside_the_project(wordpress):
    root, result, _, _ = wordpress
    # post_name "..%2F..%2F..%2Fescape" became a plain slug; the image path climbing out of the uploads stays a URL.
    _, body = front_and_body(root / "content/2019/07/escape.md")
    assert "(https://harbour-gazette.example/wp-content/uploads/../../../../etc/passwd)" in body
    assert sorted(path.relative_to(root).as_posix() for path in (root / "static").rglob("*") if path.is_file()) == [
        "static/media/2019/05/crane-300x200.png", "static/media/2019/05/crane.png"]
    assert (root / "static/media/2019/05/crane.png").read_bytes() == (UPLOADS / "2019/05/crane.png").read_bytes()


def test_wordpress_import_checks_builds_and_redirects_the_old_urls(wordpress):
    root, _, built, checked = wordpress
    assert checked.returncode == 0, checked.stderr
    assert built.returncode == 0, built.stderr
    site = root / "site"
    redirects = (site / "_redirects").read_text(encoding="utf-8").splitlines()
    assert "/2019/05/ferry-crews-agree-new-rota/ /2019/05/14/ferry-crews-agree-new-rota/ 301" in redirects
    assert "/2019/05/harbour-dredging-to-start-in-june/ /2019/05/20/harbour-dredging-to-start-in-june/ 301" in redirects
    assert "/2019/07/night-market-reopens/ /2019/07/06/escape/ 301" in redirects
    nginx = (site / "nginx-redirects.conf").read_text(encoding="utf-8")
    assert "    /2019/05/ferry-crews-agree-new-rota/ /2019/05/14/ferry-crews-agree-new-rota/;\n" in nginx
    moved = page(site / "2019/05/ferry-crews-agree-new-rota/index.html")
    refresh = moved.find(".//h:meta[@http-equiv='refresh']", NS)
    assert refresh.get("content") == "0; url=/2019/05/14/ferry-crews-agree-new-rota/"
    article = page(site / "2019/05/14/ferry-crews-agree-new-rota/index.html")
    body = article.find(".//h:div[@class='article-body']", NS)
    figure = body.find(".//h:figure", NS)
    assert figure.find(".//h:img", NS).get("src") == "/media/2019/05/crane-300x200.png"
    assert text_of(figure.find("h:figcaption", NS)) == "The gangway goes back on at the north jetty."
    link = body.find(".//h:a[@href='/2019/05/20/harbour-dredging-to-start-in-june/']", NS)
    assert text_of(link) == "due the same month"
    assert not (site / "2019/06").exists()   # the draft is left out of the build


def test_reimport_writes_nothing_and_force_overwrites(wordpress, tmp_path):
    root, _, _, _ = wordpress
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site", ".site.staging", ".dateline-cache"))
    before = imported_tree(copy)
    times = {path: path.stat().st_mtime_ns for path in copy.rglob("*") if path.is_file()}
    again = run_build(copy, "import", str(WXR), "--media", str(UPLOADS))
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1].startswith("imported 5 stories (5 unchanged);")
    assert imported_tree(copy) == before
    assert {path: path.stat().st_mtime_ns for path in copy.rglob("*") if path.is_file()} == times
    edited = copy / "content/2019/05/harbour-dredging-to-start-in-june.md"
    edited.write_text("---\ntitle: Mine now\n---\n", encoding="utf-8")
    refused = run_build(copy, "import", str(WXR), "--media", str(UPLOADS))
    assert refused.returncode == 1
    assert ("content/2019/05/harbour-dredging-to-start-in-june.md already exists (use --force to overwrite)"
            in refused.stderr)
    assert edited.read_text(encoding="utf-8") == "---\ntitle: Mine now\n---\n"
    forced = run_build(copy, "import", str(WXR), "--media", str(UPLOADS), "--force")
    assert forced.returncode == 0, forced.stderr
    assert imported_tree(copy) == before


def test_pages_are_imported_when_asked_for(tmp_path):
    root = project(tmp_path)
    result = run_build(root, "import", str(WXR), "--include-types", "page")
    assert result.returncode == 0, result.stderr
    front, body = front_and_body(root / "content/2019/01/about.md")
    assert front["title"] == "About the Gazette" and front["aliases"] == ["/about/"]
    assert body == "The Gazette has covered the waterfront since 1921.\n"
    assert "skipped (page)" not in result.stdout
    assert "3 external image" in result.stdout.splitlines()[-1]  # no --media: the pictures stay where they were
    _, rota = front_and_body(root / "content/2019/05/ferry-crews-agree-new-rota.md")
    assert "(https://harbour-gazette.example/wp-content/uploads/2019/05/crane-300x200.png)" in rota


# --- hostile XML ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["billion_laughs", "external_entity"])
@pytest.mark.parametrize("source_format", ["wxr", "feed"])
def test_hostile_xml_is_refused_with_one_clear_line(tmp_path, name, source_format):
    root = project(tmp_path)
    hostile = IMPORTS / "hostile" / f"{name}.xml"
    result = run_build(root, "import", str(hostile), "--from", source_format)
    assert result.returncode == 1
    entity = {"billion_laughs": "lol", "external_entity": "secret"}[name]
    assert re.search(rf"^\S*{name}\.xml:\d+: xml: refused: the file declares the entity '{entity}' ", result.stderr,
                     re.M), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert list((root / "content").rglob("*")) == []
    assert "root:" not in result.stdout  # nothing of /etc/passwd was read


# --- feeds ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def feeds(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("feeds"))
    result = run_build(root, "import", str(IMPORTS / "feeds/rss.xml"), str(IMPORTS / "feeds/atom.xml"))
    return root, result, run_build(root, "--no-search"), run_build(root, "check")


def test_rss_items_import_with_full_text_or_summary(feeds):
    root, result, _, _ = feeds
    assert result.returncode == 0, result.stderr
    front, body = front_and_body(root / "content/2025/10/bridge-on-the-river-road-reopens-after-repairs.md")
    assert front == {
        "title": "Bridge on the river road reopens after repairs",
        "summary": "The bridge closed in August after a lorry struck its railing.",
        "author": "Meera Thampi",
        "published": "2025-10-25T09:28:00+05:30",   # 03:58 GMT, shown in the site's zone
        "tags": ["Transport", "roads"],
        "id": "urn:uuid:4d3c2b1a-0f9e-4d8c-b7a6-111111111111",
        "aliases": ["/news/2025/10/bridge-reopens"],
        "sanitize": True,
    }
    assert body == ("The bridge on the river road reopened to traffic on Saturday morning, two months after a lorry "
                    "struck its railing.\n\nEngineers replaced 40 metres of railing. [School buses]"
                    "(school-buses-return-to-the-river-road.md) return to the route on Monday.\n")
    front, body = front_and_body(root / "content/2025/10/school-buses-return-to-the-river-road.md")
    assert front["summary"] == "Three routes are back on the river road from Monday."
    assert front["published"] == "2025-10-27T07:30:00+05:30"
    assert body == "Three routes are back on the river road from **Monday**.\n"
    assert "the feed carries only a summary: it is the body" in result.stdout


def test_atom_entries_keep_their_offset_authors_and_id(feeds):
    root, _, _, _ = feeds
    front, body = front_and_body(root / "content/2025/10/lifeboat-crew-rescues-two-kayakers-off-the-point.md")
    assert front == {
        "title": "Lifeboat crew rescues two kayakers off the point",
        "summary": "Both kayakers were brought ashore unhurt.",
        "authors": ["Dana O'Connell", "Tom Ashdown"],
        "published": "2025-10-26T08:15:00+01:00",
        "updated": "2025-10-26T10:00:00+01:00",
        "tags": ["Coast", "rescue"],
        "id": "tag:coastline-weekly.example,2025:lifeboat-rescue",
        "aliases": ["/2025/10/26/lifeboat-rescue/"],
        "sanitize": True,
    }
    assert body == ("The lifeboat launched at 7.40am after a walker saw two kayakers in difficulty off the point.\n\n"
                    "## Calm by noon\n\nThe wind dropped by midday, the coastguard said.\n")


def test_feed_imports_build_and_redirect(feeds):
    root, _, built, checked = feeds
    assert checked.returncode == 0, checked.stderr
    assert built.returncode == 0, built.stderr
    redirects = (root / "site/_redirects").read_text(encoding="utf-8").splitlines()
    assert "/news/2025/10/bridge-reopens/ /2025/10/25/bridge-on-the-river-road-reopens-after-repairs/ 301" in redirects
    assert ("/2025/10/26/lifeboat-rescue/ /2025/10/26/lifeboat-crew-rescues-two-kayakers-off-the-point/ 301"
            in redirects)
    article = page(root / "site/2025/10/25/bridge-on-the-river-road-reopens-after-repairs/index.html")
    link = article.find(".//h:div[@class='article-body']//h:a", NS)
    assert link.get("href") == "/2025/10/27/school-buses-return-to-the-river-road/"
    assert b"alert(" not in (root / "site/2025/10/25/bridge-on-the-river-road-reopens-after-repairs/index.html"
                             ).read_bytes()
    feed = (root / "site/feed.xml").read_text(encoding="utf-8")
    assert "<guid isPermaLink=\"false\">urn:uuid:4d3c2b1a-0f9e-4d8c-b7a6-111111111111</guid>" in feed


# --- saved article pages -------------------------------------------------------------------

FURNITURE = ("Advertisement", "Share on Social", "Email this story", "Read also", "Embankment repairs",
             "morning briefing", "Subscribe", "Related stories", "Tea gardens", "All rights reserved", "About us",
             "Also read", "Storm surge", "Sponsored", "Sign up", "More stories", "Ferry fares", "Sign in",
             "Read more", "Community orchard", "ADVERTISEMENT", "Tweet", "Contact", "What's on", "By Priya")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("pages"))
    result = run_build(root, "import", *sorted(str(path) for path in (IMPORTS / "pages").glob("*.html")))
    return root, result, run_build(root, "--no-search"), run_build(root, "check")


def test_page_with_json_ld(pages):
    root, result, _, _ = pages
    assert result.returncode == 0, result.stderr
    front, body = front_and_body(root / "content/2025/10/brahmaputra-crosses-danger-mark-at-guwahati-as-rain-continues.md")
    assert front == {
        "title": "Brahmaputra crosses danger mark at Guwahati as rain continues",  # not og:title
        "summary": "Water levels rose 40 cm overnight; three districts are on alert.",
        "authors": ["Ananya Rao", "Bikash Das"],
        "published": "2025-10-24T18:30:00+05:30",
        "updated": "2025-10-25T07:15:00+05:30",
        "location": "Guwahati",
        "section": "Environment",
        "tags": ["Northeast", "floods", "monsoon", "Brahmaputra"],
        "image": "https://cdn.northeast-ledger.example/photos/2025/10/ghat.jpg",
        "image_alt": "The flooded Uzan Bazar ghat on Friday evening.",
        "image_caption": "The flooded Uzan Bazar ghat on Friday evening.",
        "aliases": ["/environment/2025/10/24/brahmaputra-danger-mark.html"],
        "sanitize": True,
    }
    assert body.startswith("The Brahmaputra rose above the danger mark at Guwahati's Dighalipukhuri gauge")
    assert "<figcaption markdown=\"span\">The Dighalipukhuri gauge at 6 pm on Friday.</figcaption>" in body
    assert "\n## Districts on alert\n" in body
    assert "[relief camps](https://www.northeast-ledger.example/india/2025/10/22/relief-camps.html)" in body
    assert not [word for word in FURNITURE if word in body]


def test_page_with_opengraph_only(pages):
    root, _, _, _ = pages
    front, body = front_and_body(root / "content/2025/10/tide-gauge-network-gets-six-new-stations.md")
    assert front == {
        "title": "Tide gauge network gets six new stations",
        "summary": "The network will report water levels every five minutes.",
        "author": "Lim Wei Ling",        # article:author is a profile URL, not a name
        "published": "2025-10-25T09:28:00+01:00",
        "updated": "2025-10-25T16:05:00+01:00",
        "location": "Southport",        # from the dateline, taken out of the first paragraph
        "section": "Science",
        "tags": ["tides", "climate"],
        "image": "https://estuary-post.example/media/gauge-station.jpg",
        "image_alt": "A tide gauge station on a concrete pier",
        "aliases": ["/science/tide-gauges-six-new-stations/"],
        "sanitize": True,
    }
    assert body == (
        "Six new tide gauges went live along the estuary on Saturday, filling gaps in a network that dates from the "
        "1950s.\n\nThe stations report water levels every five minutes, against once an hour before, and the data is "
        "free to download.\n\n## Why it matters\n\nHarbour masters said the finer readings would help them time the "
        "dredging of the main channel.\n\nThe network is run by the estuary trust with money from the regional "
        "council.\n")


def test_page_with_neither_is_read_from_its_text(pages):
    root, result, _, _ = pages
    front, body = front_and_body(root / "content/2025/10/allotment-waiting-list-falls-for-the-first-time-in-a-decade.md")
    assert front == {
        "title": "Allotment waiting list falls for the first time in a decade",
        "author": "Priya Raghavan",
        "published": "2025-10-24T14:10:00+01:00",
        "sanitize": True,
    }
    assert body.startswith("The council's allotment waiting list has fallen for the first time in ten years")
    assert body.endswith("Councillors will vote on the fee in November.\n")
    assert not [word for word in FURNITURE if word in body]
    assert "no JSON-LD or OpenGraph for some fields: found them in the page text" in result.stdout


def test_page_imports_build_and_redirect(pages):
    root, _, built, checked = pages
    assert checked.returncode == 0, checked.stderr
    assert built.returncode == 0, built.stderr
    redirects = (root / "site/_redirects").read_text(encoding="utf-8").splitlines()
    assert ("/environment/2025/10/24/brahmaputra-danger-mark.html "
            "/2025/10/24/brahmaputra-crosses-danger-mark-at-guwahati-as-rain-continues/ 301") in redirects
    assert ("/science/tide-gauges-six-new-stations/ /2025/10/25/tide-gauge-network-gets-six-new-stations/ 301"
            in redirects)
    moved = page(root / "site/environment/2025/10/24/brahmaputra-danger-mark.html")
    assert moved.find(".//h:meta[@http-equiv='refresh']", NS).get("content") == (
        "0; url=/2025/10/24/brahmaputra-crosses-danger-mark-at-guwahati-as-rain-continues/")


# --- pasted stories ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pasted(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("pasted"))
    result = run_build(root, "import", *sorted(str(path) for path in (IMPORTS / "pasted").glob("*.txt")))
    return root, result, run_build(root, "--no-search"), run_build(root, "check")


@pytest.mark.parametrize(("path", "expected"), [
    ("2025/10/monsoon-session-to-open-with-water-bill.md", {      # "By Ananya Rao", "Updated -", "First published:"
        "title": "Monsoon session to open with water bill",
        "summary": "The bill would create one authority for the state's rivers and reservoirs.",
        "author": "Ananya Rao", "published": "2025-10-24T23:05:00+05:30", "updated": "2025-10-25T09:28:00+05:30",
        "location": "Guwahati", "timezone": "Asia/Kolkata", "sanitize": True}),
    ("2025/10/ferry-fares-frozen-for-another-year.md", {           # "By: ..., Transport Correspondent", "Published on"
        "title": "Ferry fares frozen for another year", "summary": "Commuters will pay the same until next October.",
        "author": "Tom Ashdown", "published": "2025-10-25T09:28:00+01:00", "location": "London",
        "timezone": "Europe/London", "sanitize": True}),
    ("2025/10/seal-pups-counted-on-the-sandbanks.md", {            # "BY ... AND ...", "Published: ... | Updated: ..."
        "title": "Seal pups counted on the sandbanks",
        "summary": "Volunteers logged 212 pups, the most since counts began.",
        "authors": ["Dana O'Connell", "Bikash Das"], "published": "2025-10-26T08:15:00+01:00",
        "updated": "2025-10-26T10:00:00+01:00", "sanitize": True}),
    ("2025/10/night-market-returns-to-the-quay.md", {               # "Written by", "Last updated on", "Published"
        "title": "Night market returns to the quay", "summary": "Forty stalls and two bands drew crowds on Saturday.",
        "author": "Lim Wei Ling", "published": "2025-10-25T21:30:00+08:00", "updated": "2025-10-26T07:00:00+08:00",
        "location": "Singapore", "timezone": "Asia/Singapore", "sanitize": True}),
])
def test_each_byline_form_imports(pasted, path, expected):
    root, result, _, _ = pasted
    assert result.returncode == 0, result.stderr
    front, _ = front_and_body(root / "content" / path)
    assert front == expected


def test_question_heads_and_photo_captions_but_not_quotes(pasted):
    root, _, _, _ = pasted
    _, body = front_and_body(root / "content/2025/10/monsoon-session-to-open-with-water-bill.md")
    assert body == (
        "The state assembly's monsoon session opens on Monday with a bill that would bring every river and reservoir "
        "under one water authority.\n\n"
        "## What to expect from the meeting?\n\n"
        "Ministers will present the bill on the first day; opposition members have asked for it to go to a select "
        "committee.\n\n"
        "*Legislators walk past the assembly building in Dispur on Friday. (Photo: Special Arrangement)*\n\n"
        "The session runs for three weeks.\n\n"
        "## What the opposition wants\n\n"
        "\"We will not let this pass without a debate,\" the leader of the opposition said.\n\n"
        "The opposition has listed 40 amendments.\n"
    )


def test_pasted_imports_build(pasted):
    root, _, built, checked = pasted
    assert checked.returncode == 0, checked.stderr
    assert built.returncode == 0, built.stderr
    article = page(root / "site/2025/10/26/seal-pups-counted-on-the-sandbanks/index.html")
    assert [text_of(a) for a in article.findall(".//h:p[@class='byline']/h:a[@rel='author']", NS)] == [
        "Dana O'Connell", "Bikash Das"]


# --- where imports may go ------------------------------------------------------------------


@pytest.mark.parametrize("into", ["../elsewhere", "/tmp/dateline-outside", "."])
def test_into_outside_the_project_is_a_usage_error(tmp_path, into):
    root = project(tmp_path)
    result = run_build(root, "import", str(IMPORTS / "pasted/by_plain.txt"), "--into", into)
    assert result.returncode == 2
    assert result.stderr.startswith(f"build.py import: error: --into {into!r} is not a folder under the project root")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "elsewhere").exists() and not Path("/tmp/dateline-outside").exists()
    assert list((root / "content").rglob("*")) == []


def test_into_a_review_folder_inside_the_project(tmp_path):
    root = project(tmp_path)
    result = run_build(root, "import", str(IMPORTS / "pasted/by_plain.txt"), "--into", "review/batch-1")
    assert result.returncode == 0, result.stderr
    assert (root / "review/batch-1/2025/10/monsoon-session-to-open-with-water-bill.md").is_file()


# --- an archive's size ---------------------------------------------------------------------

PEAK_MEMORY = """
import resource, sys
from pathlib import Path
from dateline.importers.batch import plan_import
from dateline.importers.story import ReadOptions
from dateline.importers.wxr import read_wxr
ready = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
plan = plan_import((("x", item) for item in read_wxr(Path(sys.argv[1]), "x", ReadOptions("UTC", False))),
                   into="content", permalink="/{year}/{month}/{day}/{slug}/")
print(len(plan.placements), (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - ready) // 1024)
"""


@pytest.mark.slow
def test_a_ten_thousand_post_export_streams_in_bounded_memory(tmp_path):
    """Reading a 10,000-post, 17 MB export grows the process by the few short strings
    kept per story, not by the file: a parsed tree of it would take hundreds of
    megabytes. The whole import (and its peak memory) is measured in bench/."""
    sys.path.insert(0, str(REPO / "bench"))
    from wxr import write_wxr

    export = tmp_path / "export.xml"
    with open(export, "w", encoding="utf-8") as out:
        write_wxr(out, 10_000)
    run = subprocess.run([sys.executable, "-c", PEAK_MEMORY, str(export)], capture_output=True, text=True, check=True)
    placed, grown_mib = map(int, run.stdout.split())
    assert placed == 10_000
    assert grown_mib < 25, f"reading the export grew the process by {grown_mib} MiB"


def test_a_terminal_gets_a_progress_bar_and_the_report_stays_on_stdout(tmp_path):
    root = project(tmp_path)
    export = tmp_path / "export.xml"
    sys.path.insert(0, str(REPO / "bench"))
    from wxr import write_wxr

    with open(export, "w", encoding="utf-8") as out:
        write_wxr(out, 200)
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    for ci, expected_bar in ((None, True), ("true", False)):
        for path in (root / "content").rglob("*.md"):
            path.unlink()
        master, slave = pty.openpty()
        process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "import", "--root", str(root), str(export)],
                                   stdout=subprocess.PIPE, stderr=slave, env={**env, **({"CI": ci} if ci else {})},
                                   cwd=root)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:   # the terminal closed with the process
                break
            if not data:
                break
            chunks.append(data)
        stdout = process.stdout.read().decode()
        process.wait(timeout=120)
        os.close(master)
        terminal = b"".join(chunks).decode(errors="replace")
        assert process.returncode == 0
        assert ("importing" in terminal and "200/200" in terminal) is expected_bar, terminal
        assert stdout.count(" -> content/") == 200 and stdout.splitlines()[-1].startswith("imported 200 stories")
