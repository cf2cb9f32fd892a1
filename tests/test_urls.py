"""urls.py: the builders of every site path, and the one check that a path stays inside the site."""
import pytest

from dateline.urls import (NOT_FOUND_PATH, SiteUrls, alias_path, archive_path, build_folder, clean_path_problem,
                           date_path, feed_path, home_path, image_site_path, numbered_page_base, output_path,
                           outside_site_problem, page_path, parse_alias, search_path, slug_problem, term_index_path,
                           term_path)

ROOT = SiteUrls("https://example.org/")
SUB = SiteUrls("https://example.org/news/")


@pytest.mark.parametrize(("path", "prefix", "expected"), [
    (lambda p: home_path(p), "", "/"),
    (lambda p: home_path(p), "/hi", "/hi/"),
    (lambda p: term_path("tag", "trade", p), "", "/tags/trade/"),
    (lambda p: term_path("author", "jane-doe", p), "/hi", "/hi/authors/jane-doe/"),
    (lambda p: term_path("section", "business", p), "", "/sections/business/"),
    (lambda p: term_path("location", "lagos", p), "/hi", "/hi/locations/lagos/"),
    (lambda p: term_index_path("tag", p), "", "/tags/"),
    (lambda p: term_index_path("location", p), "/hi", "/hi/locations/"),
    (lambda p: date_path(2025, prefix=p), "", "/2025/"),
    (lambda p: date_path(2025, 3, prefix=p), "/hi", "/hi/2025/03/"),
    (lambda p: date_path(2025, 3, 5, prefix=p), "", "/2025/03/05/"),
    (lambda p: archive_path(p), "", "/archive/"),
    (lambda p: archive_path(p), "/hi", "/hi/archive/"),
    (lambda p: search_path(p), "", "/search/"),
    (lambda p: search_path(p), "/hi", "/hi/search/"),
    (lambda p: page_path(term_path("tag", "trade", p), 3), "/hi", "/hi/tags/trade/page/3/"),
    (lambda p: page_path(home_path(p), 1), "", "/page/1/"),
    (lambda p: feed_path(home_path(p), "rss"), "", "/feed.xml"),
    (lambda p: feed_path(home_path(p), "atom"), "/hi", "/hi/atom.xml"),
    (lambda p: feed_path(home_path(p), "json"), "", "/feed.json"),
    (lambda p: feed_path(term_path("tag", "trade", p), "rss"), "/hi", "/hi/tags/trade/feed.xml"),
])
def test_each_builder_gives_the_path_and_the_link_at_root_and_under_a_sub_path(path, prefix, expected):
    site_path = path(prefix)
    assert site_path == expected
    assert ROOT.link(site_path) == expected
    assert SUB.link(site_path) == "/news" + expected
    assert SUB.absolute(site_path) == "https://example.org/news" + expected
    assert outside_site_problem(site_path) == ""


def test_the_404_page_is_one_file_at_the_root():
    assert NOT_FOUND_PATH == "/404.html"
    assert output_path(NOT_FOUND_PATH) == "404.html"
    assert SUB.link(NOT_FOUND_PATH) == "/news/404.html"


def test_an_unknown_term_kind_or_feed_format_is_an_error_not_a_guess():
    with pytest.raises(KeyError):
        term_path("category", "x")
    with pytest.raises(KeyError):
        feed_path("/", "opml")


@pytest.mark.parametrize(("path", "base"), [
    ("/page/3/", "/"), ("/tags/trade/page/12/", "/tags/trade/"), ("/hi/2025/03/page/1/", "/hi/2025/03/"),
    ("/tags/trade/", ""), ("/page/x/", ""), ("/page/3", ""), ("/tags/page/3/extra/", ""),
])
def test_a_numbered_page_is_known_by_its_listing(path, base):
    assert numbered_page_base(path) == base


def test_numbered_pages_round_trip_through_page_path():
    for listing in ("/", "/hi/", "/tags/trade/", "/2025/03/"):
        assert numbered_page_base(page_path(listing, 7)) == listing


@pytest.mark.parametrize(("alias", "path"), [
    ("/2019/05/old-slug", "/2019/05/old-slug/"), ("/2019/05/old-slug/", "/2019/05/old-slug/"),
    ("/2019/05/old.html", "/2019/05/old.html"),
])
def test_an_alias_is_written_as_a_folder_unless_it_names_an_html_file(alias, path):
    assert alias_path(alias) == path


@pytest.mark.parametrize(("path", "why"), [
    ("relative/path/", "must start with /"),
    ("", "must start with /"),
    ("//evil.example/x", "must not start with // (that names another host)"),
    ("/a/../../etc/", "must not contain . or .. folders"),
    ("/..", "must not contain . or .. folders"),
    ("/./a/", "must not contain . or .. folders"),
    ("/a//b/", "must not contain an empty folder name (//)"),
    ("/a\\..\\b/", "must not contain '\\\\'"),
    ("/a\0b/", "must not contain U+0000"),
    ("/a\nb/", "must not contain a line break"),
    ("/a\u202eb/", "must not contain U+202E (right-to-left override)"),
])
def test_the_one_check_refuses_a_path_that_could_leave_the_site(path, why):
    assert outside_site_problem(path) == why
    with pytest.raises(ValueError) as raised:
        output_path(path)
    assert str(raised.value) == f"site path {path!r} {why}"


@pytest.mark.parametrize(("path", "file"), [
    ("/", "index.html"), ("/2025/03/kl-talks/", "2025/03/kl-talks/index.html"), ("/feed.xml", "feed.xml"),
    ("/café/", "café/index.html"),
])
def test_a_path_inside_the_site_maps_to_its_file(path, file):
    assert outside_site_problem(path) == ""
    assert output_path(path) == file


def test_a_clean_path_also_refuses_syntax_and_overlong_names():
    assert clean_path_problem("/a b/") == "must not contain a space"
    assert clean_path_problem("/a;b/") == "must not contain ';'"
    assert clean_path_problem("/" + "n" * 201 + "/").startswith("the name nnnnnnnnnnnn... is 201 bytes long")
    assert clean_path_problem("/x/../") == "must not contain . or .. folders"   # the one check comes first
    assert clean_path_problem("/2019/05/old-slug/") == ""


@pytest.mark.parametrize(("slug", "why"), [
    ("kl-talks", ""), ("a_b-2", ""),
    ("../../etc", "'../../etc' would leave its folder in site/"),
    ("a/b", "'a/b' would leave its folder in site/"),
    ("a\\b", "'a\\\\b' would leave its folder in site/"),
    ("Big Story", "'Big Story' is not a valid slug"),
    ("x" * 201, "is 201 bytes long; a slug can be at most 200"),
])
def test_a_slug_is_one_folder_name(slug, why):
    assert slug_problem(slug, repr(slug)) == why


@pytest.mark.parametrize(("path", "folder"), [
    ("/pagefind/x/", "/pagefind/"), ("/search", "/search/"), ("/js/", "/js/"), ("/css/a.css", "/css/"),
    ("/searching/", ""), ("/tags/", ""),
])
def test_the_folders_the_build_writes_itself(path, folder):
    assert build_folder(path) == folder


def test_an_alias_under_a_build_folder_or_outside_the_site_is_refused_with_the_reason():
    assert parse_alias("/search/old/") == ("", "is under /search/, which the build writes itself")
    assert parse_alias("/2019/../x/") == ("", "must not contain . or .. folders")
    assert parse_alias("https://example.org/x/") == ("", "is a full URL; give only its path")
    assert parse_alias("/caf%C3%A9/") == ("/café/", "")


@pytest.mark.parametrize("image, expected", [
    ("media/a.jpg", "/media/a.jpg"), ("/media/a.jpg", "/media/a.jpg"),
    ("https://cdn.example.org/a.jpg", ""), ("http://cdn.example.org/a.jpg", ""), ("", "")])
def test_an_image_as_written_is_a_site_path_or_none(image, expected):
    assert image_site_path(image) == expected
