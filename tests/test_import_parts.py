"""The importers' parts on plain values: addresses, pictures, slugs, formats, shortcodes, HTML."""
from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path

import lxml.html
import markdown
import pytest

from dateline.importers.addresses import alias_for, url_key
from dateline.importers.batch import story_slug
from dateline.importers.convert import html_to_markdown
from dateline.importers.detect import detect_format
from dateline.importers.media import find_media
from dateline.importers.page import read_tree
from dateline.importers.shortcodes import wordpress_html
from dateline.importers.story import Image, ReadOptions, Story

IMPORTS = Path(__file__).parent / "fixtures/import"


@pytest.mark.parametrize(("url", "base_path", "alias", "why"), [
    ("https://old.example/2019/05/rota/", "/", "/2019/05/rota/", ""),
    ("https://old.example/news/2019/05/rota", "/news/", "/2019/05/rota", ""),     # under the new base path too
    ("https://old.example/blog/rota/", "/news/", "/blog/rota/", ""),
    ("https://old.example/story.html", "/", "/story.html", ""),
    ("https://old.example/caf%C3%A9/", "/", "/caf%C3%A9/", ""),
    ("https://old.example/a b/x;y{z}/", "/", "/a%20b/x%3By%7Bz%7D/", ""),           # one clean path, always
    ("https://old.example/?p=12", "/", "", "has a query"),
    ("https://old.example/", "/", "", "is a front page"),
    ("https://old.example/story.php", "/", "", "names a file (story.php)"),
    ("https://old.example/a/../../etc/", "/", "", "is not a clean path"),
    ("https://old.example/" + "x" * 300 + "/", "/", "", "too long"),
])
def test_alias_for(url, base_path, alias, why):
    made, reason = alias_for(url, base_path)
    assert made == alias
    assert why in reason and (reason == "") == (why == "")


def test_url_key_matches_the_forms_links_take():
    assert url_key("https://www.old.example/2019/05/rota/") == url_key("http://old.example/2019/05/rota")
    assert url_key("https://old.example/?p=12&utm_source=x") == "old.example/?p=12"
    assert url_key("https://old.example/caf%C3%A9/") == url_key("https://old.example/café")


def test_find_media_looks_up_the_longest_tail_and_never_leaves_the_folder(tmp_path):
    media = tmp_path / "uploads"
    (media / "2019/05").mkdir(parents=True)
    (media / "2019/05/crane.png").write_bytes(b"png")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (media / "2019/05/link.png").symlink_to(tmp_path / "secret.txt")
    found = find_media("https://old.example/wp-content/uploads/2019/05/crane.png", media)
    assert (found.target, found.site_path) == ("static/media/2019/05/crane.png", "/media/2019/05/crane.png")
    assert found.source == (media / "2019/05/crane.png").resolve()
    for url in ("https://old.example/wp-content/uploads/../secret.txt", "https://old.example/uploads/%2e%2e/secret.txt",
                "https://old.example/2019/05/link.png", "https://old.example/.hidden/crane.png", "https://old.example/"):
        assert find_media(url, media) is None, url
    assert find_media("https://old.example/2019/05/crane.png", None) is None


def story(slug: str, title: str = "Night market reopens") -> Story:
    return Story(origin="x", title=title, authors=("A",), published=datetime(2025, 1, 1, tzinfo=timezone.utc),
                 body="", body_format="html", slug=slug)


@pytest.mark.parametrize(("slug", "title", "expected"), [
    ("night-market", "Night market reopens", "night-market"),
    ("..%2F..%2Fescape", "Night market reopens", "escape"),
    ("../../etc/passwd", "Night market reopens", "etc-passwd"),
    ("%e0%a4%a8%e0%a4%ae%e0%a4%b8%e0%a5%8d%e0%a4%a4%e0%a5%87", "Night market reopens", "nmste"),
    ("", "Zürich opens a new quay", "zurich-opens-a-new-quay"),
    ("", "!!!", ""),
])
def test_story_slug_is_one_clean_path_segment(slug, title, expected):
    assert story_slug(story(slug, title)) == expected


@pytest.mark.parametrize(("path", "expected"), [
    ("wordpress/export.xml", "wxr"), ("feeds/rss.xml", "feed"), ("feeds/atom.xml", "feed"),
    ("pages/jsonld_newsarticle.html", "html"), ("pages/plain_page.html", "html"), ("pasted/by_plain.txt", "text"),
    ("full_story_ist.txt", "text"), ("hostile/billion_laughs.xml", "wxr"),
])
def test_detect_format(path, expected):
    assert detect_format(IMPORTS / path) == expected


def test_shortcodes_become_html_and_bracketed_text_stays():
    content = ('First line\nsecond line\n\n[caption id="a" caption="From the attribute"]<img src="x.png" alt="X">'
               '[/caption]\n\nSee [see map] and [[caption]] and [pullquote]kept words[/pullquote] '
               '[contact-form-7 id="3"].\n\n[gallery ids="7,8"]\n\n[embed]https://video.example/1[/embed]')
    pictures = {"7": Image("https://old.example/7.png", "Seven", "Cap 7")}
    body, notes = wordpress_html(content, pictures, "1", {})
    assert body == (
        "<p>First line<br>\nsecond line</p>\n\n"
        '<figure><img src="x.png" alt="X"><figcaption>From the attribute</figcaption></figure>\n\n'
        "<p>See [see map] and [caption] and kept words .</p>\n\n"
        '<figure><img src="https://old.example/7.png" alt="Seven"><figcaption>Cap 7</figcaption></figure>\n\n'
        '<p><a href="https://video.example/1">https://video.example/1</a></p>'
    )
    assert [note.kind for note in notes] == ["shortcode removed", "shortcode removed", "gallery incomplete",
                                            "embed kept as a link"]


@pytest.mark.parametrize("text", [
    "The *Harbor* Lab and Ruiz_Park [see map] `code` back\\slash",
    "1984. That year",
    "12) twelve",
    "# of tanks",
    "- a dash",
    "+ a plus",
    "> not a quote",
    "<b>bold</b> & AT&amp;T &copy;",
    "![not an image](x.png)",
])
def test_converted_text_renders_as_written(text):
    converted = html_to_markdown(f"<p>{html.escape(text)}</p>", page_url="", link_for=lambda u: (u, None),
                                 image_for=lambda u: (u, None))
    rendered = markdown.markdown(converted.markdown, extensions=["extra", "sane_lists", "smarty"])
    assert html.unescape(rendered.removeprefix("<p>").removesuffix("</p>")) == text


def test_converter_drops_scripts_and_keeps_embeds_as_links():
    converted = html_to_markdown('<p>A</p><script>alert(1)</script><iframe src="/embed/1"></iframe>'
                                 '<p><a href="javascript:alert(1)">B</a></p>', page_url="https://old.example/x/",
                                 link_for=lambda u: (u, None), image_for=lambda u: (u, None))
    assert converted.markdown == ("A\n\n[Embedded content: https://old.example/embed/1]"
                                  "(https://old.example/embed/1)\n\nB\n")
    assert [note.kind for note in converted.notes] == ["embed kept as a link"]


def test_a_page_without_date_metadata_is_dated_from_its_text():
    tree = lxml.html.document_fromstring(
        "<html><head><title>Quay lights switched on</title></head><body><main><h1>Quay lights switched on</h1>"
        "<p class='byline'>By Tom Ashdown</p><p>Published 25 October 2025</p>"
        "<p>The new lights along the quay were switched on on Saturday evening by the harbour master, after two "
        "years of work on the old lamp posts.</p><p>They use a third of the power of the old lamps, the council "
        "said in a statement on Friday.</p></main></body></html>")
    story = read_tree(tree, "lights.html", ReadOptions("Europe/London", False))
    assert (story.title, story.authors) == ("Quay lights switched on", ("Tom Ashdown",))
    assert story.published.isoformat() == "2025-10-25T00:00:00+01:00"
    assert "published has no time of day: read as midnight in Europe/London" in [note.message for note in story.notes]
