"""What a page tells machines about itself: OpenGraph, the link-preview picture,
the publisher's logo and the 404 page's description. Parsed from built pages."""
from __future__ import annotations

import json
import re
from pathlib import Path

import imagesize
import lxml.html
import yaml
from PIL import Image

from conftest import REPO, article, make_project, run_build, write_tree

SAMPLE_ARTICLES = sorted((REPO / "content").rglob("*.md"))


def head_of(path: Path) -> tuple[list[tuple[str, str]], dict]:
    """(OpenGraph/Twitter (property or name, content) pairs in order, JSON-LD) of a page."""
    doc = lxml.html.fromstring(path.read_bytes())
    pairs = [(meta.get("property") or meta.get("name"), meta.get("content"))
             for meta in doc.xpath("//head/meta[@property or @name]")]
    scripts = doc.xpath("//script[@type='application/ld+json']/text()")
    return pairs, json.loads(scripts[0]) if scripts else {}


def values(pairs, key: str) -> list[str]:
    return [content for name, content in pairs if name == key]


def front_matter(source: Path) -> dict:
    return yaml.safe_load(source.read_text(encoding="utf-8").split("---\n")[1])


def test_every_article_page_has_its_opengraph_article_tags(sample_build):
    pages = sorted(sample_build.glob("2025/*/*/*/index.html"))
    assert len(pages) == 10
    by_title = {front_matter(source)["title"]: front_matter(source) for source in SAMPLE_ARTICLES}
    for page in pages:
        pairs, ld = head_of(page)
        source = by_title[ld["headline"]]
        assert values(pairs, "og:type") == ["article"], page
        assert values(pairs, "article:published_time") == [ld["datePublished"]], page
        assert values(pairs, "article:modified_time") == [ld["dateModified"]], page
        assert values(pairs, "article:section") == ([source["section"]] if source.get("section") else []), page
        assert values(pairs, "article:tag") == list(source.get("tags", [])), page
        assert len(values(pairs, "article:author")) == len(ld["author"]), page
        assert values(pairs, "og:image") and values(pairs, "og:image:alt"), page
    # One page written out by hand, so the test does not only compare the page with itself.
    pairs, _ = head_of(sample_build / "2025/09/09/trade-envoys-meet-in-kuala-lumpur/index.html")
    assert [pair for pair in pairs if pair[0].startswith("article:")] == [
        ("article:published_time", "2025-09-09T09:40:00+08:00"),
        ("article:modified_time", "2025-09-09T16:20:00+08:00"),
        ("article:author", "https://example.org/authors/siti-rahimah-yusof/"),
        ("article:author", "https://example.org/authors/daniel-hartley/"),
        ("article:section", "World"),
        ("article:tag", "trade"), ("article:tag", "tariffs"), ("article:tag", "diplomacy"),
    ]


def test_pages_without_a_raster_picture_show_the_site_logo(sample_build):
    # The sample's heroes are SVGs, which link previews do not draw: the logo stands in.
    for page in [sample_build / "index.html", sample_build / "404.html",
                 sample_build / "2025/09/09/trade-envoys-meet-in-kuala-lumpur/index.html"]:
        pairs, _ = head_of(page)
        assert values(pairs, "og:image") == ["https://example.org/logo.png"], page
        assert values(pairs, "og:image:alt") == ["Dateline Wire"], page
        assert values(pairs, "twitter:card") == ["summary"], page


def test_publisher_logo_is_a_raster_image_at_least_112_px_wide(sample_build):
    _, ld = head_of(sample_build / "2025/09/09/trade-envoys-meet-in-kuala-lumpur/index.html")
    url = ld["publisher"]["logo"]["url"]
    assert url == "https://example.org/logo.png"
    logo = sample_build / "logo.png"
    assert logo.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = imagesize.get(logo)
    assert width >= 112 and height >= 112


def test_404_page_has_a_description(sample_build):
    pairs, _ = head_of(sample_build / "404.html")
    assert values(pairs, "description") == ["There is no page at this address on Dateline Wire."]
    assert values(pairs, "robots") == ["noindex"]


SITE = "title: Test Wire\nbase_url: https://example.org/news/\n"


def test_a_raster_hero_is_the_preview_and_the_site_image_fills_in(tmp_path):
    root = make_project(tmp_path / "p", {
        "photo.md": article("With a photo", extra="image: /media/photo.jpg\nimage_alt: Boats at dawn\n"),
        "plain.md": article("Without one", published="2025-10-24T09:00:00+05:30"),
    }, site_yaml=SITE + "image: /media/share.png\n")
    # The hero is a photo (resized: its 1200-pixel copy is the preview); the site's
    # image is published as it is, never decoded.
    from io import BytesIO

    from PIL import Image
    photo_jpeg = BytesIO()
    Image.new("RGB", (1600, 1000), (20, 90, 160)).save(photo_jpeg, "JPEG")
    write_tree(root, {"static/media/photo.jpg": photo_jpeg.getvalue(), "static/media/share.png": b"not decoded"})
    result = run_build(root, "--no-search")
    assert result.returncode == 0, result.stderr
    photo, _ = head_of(next((root / "site").rglob("photo/index.html")))
    [preview] = values(photo, "og:image")
    assert re.fullmatch(r"https://example\.org/news/media/photo-1200w-[0-9a-f]{10}\.jpg", preview), preview
    assert (values(photo, "og:image:width"), values(photo, "og:image:height")) == (["1200"], ["750"])
    assert values(photo, "og:image:alt") == ["Boats at dawn"]
    assert values(photo, "twitter:card") == ["summary_large_image"]
    plain, _ = head_of(next((root / "site").rglob("plain/index.html")))
    assert values(plain, "og:image") == ["https://example.org/news/media/share.png"]
    assert values(plain, "og:image:alt") == ["Test Wire"]
    assert values(plain, "twitter:card") == ["summary"]
    front, _ = head_of(root / "site/index.html")
    assert values(front, "og:image") == ["https://example.org/news/media/share.png"]


def test_site_image_must_be_a_site_path_or_a_url(tmp_path):
    root = make_project(tmp_path / "p", {"a.md": article()}, site_yaml=SITE + "image: ftp://example.org/a.png\n")
    result = run_build(root)
    assert result.returncode == 1
    assert ("site.yaml:3: image: 'ftp://example.org/a.png' must be a site path or an http(s) URL "
            "(use a path such as /media/share.png or an https:// URL)") in result.stderr


def test_site_image_path_is_read_as_a_site_path(tmp_path):
    root = make_project(tmp_path / "p", {"a.md": article()}, site_yaml=SITE + "image: media/share.png\n")
    write_tree(root, {"static/media/share.png": b"not decoded"})
    assert run_build(root, "--no-search").returncode == 0
    pairs, _ = head_of(root / "site/index.html")
    assert values(pairs, "og:image") == ["https://example.org/news/media/share.png"]


def test_check_warns_when_the_site_image_is_missing(tmp_path):
    root = make_project(tmp_path / "p", {"a.md": article(extra="summary: A dek.\n")},
                        site_yaml=SITE + "image: /media/nowhere.png\n")
    result = run_build(root, "check")
    assert result.returncode == 0
    assert ("site.yaml: image: /media/nowhere.png is not in static/ or the theme's static files"
            in result.stdout + result.stderr)
    assert run_build(root, "check", "--strict").returncode == 1
