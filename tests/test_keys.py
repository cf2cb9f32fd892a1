"""Cache keys are derived from what a page is made from (keys.py, contexts.py):
a page whose bytes change must get a new key, or an incremental build would
keep the stale page.

Two ways in: every field of every page's inputs is changed one at a time and
the page rendered again; and the project's settings, authors and templates
are changed and the whole site planned and rendered again. Either way, any
path whose bytes differ must have a different key."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURE_ARCHIVE
from dateline.authors import AuthorProfile
from dateline.cache import open_store
from dateline.config import load_config
from dateline.contexts import ArticlePageInputs, PageSite
from dateline.keys import Keys
from dateline.model import Article
from dateline.pipeline import BuildOptions, check, gather_inputs, plan_jobs
from dateline.render import Renderer
from dateline.urls import SiteUrls


OPEN_STORES: list = []


def plan_and_render(root: Path):
    """{path: (key, bytes)} of every page and feed of the project; the jobs, the
    renderer (its cache stays open until the test ends) and the checked archive."""
    config, problems = load_config(root)
    assert config is not None and not problems
    store = open_store(config.cache_dir, True)
    OPEN_STORES.append(store)
    checked = check(config, BuildOptions(out_dir=root / "site"), store)
    urls = SiteUrls(config.base_url)
    jobs = plan_jobs(config, urls, checked, gather_inputs(config, urls, checked))
    renderer = Renderer.create(config, urls, store)
    rendered = {job.path: (job.key, renderer.render(job)) for job in jobs if job.kind in ("page", "feed")}
    return rendered, jobs, renderer, checked


@pytest.fixture()
def project(tmp_path: Path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE_ARCHIVE, root)
    yield root
    while OPEN_STORES:
        OPEN_STORES.pop().close()


@pytest.fixture(scope="module")
def unedited(tmp_path_factory) -> dict:
    """The fixture archive's pages and feeds as planned and rendered before any edit
    (where the project lies is in no page or key)."""
    root = tmp_path_factory.mktemp("unedited") / "project"
    shutil.copytree(FIXTURE_ARCHIVE, root)
    try:
        return plan_and_render(root)[0]
    finally:
        while OPEN_STORES:
            OPEN_STORES.pop().close()


def assert_keys_follow_bytes(before: dict, after: dict, change: str) -> int:
    """Every path whose bytes changed has a new key; returns how many changed."""
    changed = 0
    for path in sorted(before.keys() & after.keys()):
        (key_a, bytes_a), (key_b, bytes_b) = before[path], after[path]
        if bytes_a != bytes_b:
            changed += 1
            assert key_a != key_b, f"{change}: {path} changed but its key did not"
    return changed


# -- one field at a time -----------------------------------------------------------
def other_values(value, pool: dict):
    """Values of the same kind as `value` but different from it."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1]
    if isinstance(value, str):
        return [value + "x", ""] if value else ["/elsewhere/"]
    if isinstance(value, Article):
        return [next(a for a in pool["articles"] if a.source != value.source)]
    if value is None:
        return [pool["articles"][0], AuthorProfile("Someone Else", bio="A bio")]
    if isinstance(value, tuple):
        if value:
            return [value[:-1], value[1:] + value[:1]] if len(value) > 1 else [()]
        return [(("fr", "/fr/"), ("x-default", "/"))]
    if dataclasses.is_dataclass(value):
        return [dataclasses.replace(value, **{field.name: other}) for field in dataclasses.fields(value)
                if field.init for other in other_values(getattr(value, field.name), pool)[:1]
                if not isinstance(value, PageSite) or field.name != "words"] + extra_values(value)
    return []


def extra_values(value) -> list:
    if isinstance(value, PageSite):
        words = value.words
        reworded = dataclasses.replace(words, entries={**words.entries, "Front page": "Home"}, escaped={},
                                       digest=words.digest + "x")
        return [dataclasses.replace(value, words=reworded), dataclasses.replace(value, urls=SiteUrls(
            "https://example.net/news/"))]
    return []


def changed_inputs(inputs, pool: dict):
    for field in dataclasses.fields(inputs):
        for other in other_values(getattr(inputs, field.name), pool):
            yield field.name, dataclasses.replace(inputs, **{field.name: other})


def test_changing_any_input_of_any_page_changes_its_key(project: Path):
    rendered, jobs, renderer, checked = plan_and_render(project)
    pool = {"articles": checked.archive.articles}
    keys = Keys(renderer.urls.base_url, {}, checked.digests)
    # One page of each kind of inputs, and every article page (the richest inputs).
    chosen: dict = {}
    for job in jobs:
        if job.kind == "page":
            chosen.setdefault(type(job.data).__name__ + (job.path if isinstance(job.data, ArticlePageInputs) else ""),
                              job)
    kinds = {type(job.data).__name__ for job in chosen.values()}
    assert kinds >= {"ArticlePageInputs", "ListPageInputs", "TermsPageInputs", "ArchiveIndexInputs",
                     "SearchPageInputs", "NotFoundInputs", "ScriptInputs", "RedirectInputs"}
    tried = changed_output = 0
    for job in chosen.values():
        key = keys.page(job.template, job.data)
        original = renderer.render(job)
        for name, inputs in changed_inputs(job.data, pool):
            tried += 1
            other_key = keys.page(job.template, inputs)
            assert other_key != key, f"{job.path}: changing {name} left the key as it was"
            try:
                output = renderer.render(dataclasses.replace(job, data=inputs))
            except Exception:   # noqa: BLE001 - a nonsense value may not render; the key changed anyway
                continue
            changed_output += output != original
    # The perturbations are real: most of them show on the page.
    assert tried > 200 and changed_output > tried // 2, (tried, changed_output)


def test_a_value_keys_cannot_key_is_an_error():
    keys = Keys("https://example.org/", {}, {})
    with pytest.raises(TypeError, match="no cache key for a object"):
        keys.text(object())


def test_feeds_keys_cover_their_plan(project: Path):
    rendered, jobs, renderer, checked = plan_and_render(project)
    keys = Keys(renderer.urls.base_url, {}, checked.digests)
    feed = next(job for job in jobs if job.kind == "feed" and job.path == "/feed.xml")
    for name in ("title", "description", "full_content", "language", "articles"):
        changed = dataclasses.replace(feed.data, **{name: other_values(getattr(feed.data, name), {
            "articles": checked.archive.articles})[0]})
        assert keys.feed(changed) != keys.feed(feed.data), name
        assert renderer.render(dataclasses.replace(feed, data=changed)) != renderer.render(feed), name


# -- the project's own files -------------------------------------------------------
def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def show_in_list_pages(project: Path, html: str) -> None:
    """A layouts/list.html of the project's own: the theme's, showing `html` too."""
    layouts = project / "layouts"
    layouts.mkdir(exist_ok=True)
    text = (Path(__file__).resolve().parents[1] / "dateline" / "theme" / "list.html").read_text(encoding="utf-8")
    assert "</h1>" in text
    (layouts / "list.html").write_text(text.replace("</h1>", "</h1>" + html, 1), encoding="utf-8")


SETTING_CHANGES = {
    "title": ("title: Fixture Wire", "title: Fixture Wire Daily"),
    "description": ("description: A small archive", "description: A tiny archive"),
    "base_url": ("base_url: https://example.org/", "base_url: https://example.org/news/"),
    "timezone": ("timezone: UTC", "timezone: Asia/Kolkata"),
    "per_page": ("per_page: 2", "per_page: 3"),
    "feed_items": ("feed_items: 3", "feed_items: 4"),
    "copyright": ("copyright: © 2025 Fixture Wire", "copyright: © 2026 Fixture Wire"),
    "language": ("language: en", "language: en-GB"),
    "image": ("copyright:", "image: /media/chart.svg\ncopyright:"),
    "extra": ("tagline: Fresh every hour", "tagline: Fresh every minute"),
    "feed_content": ("copyright:", "feed_content: all\ncopyright:"),
    "search": ("copyright:", "search: false\ncopyright:"),
}


@pytest.mark.parametrize("setting", sorted(SETTING_CHANGES))
def test_a_settings_edit_changes_the_key_of_every_page_it_changes(project: Path, setting: str, unedited: dict):
    before = unedited
    if setting == "extra":
        # The theme reads no `extra`; a project's template does.
        edit(project / "site.yaml", "copyright:", "extra:\n  tagline: Fresh every hour\ncopyright:")
        show_in_list_pages(project, "<p>{{ site.extra.tagline }}</p>")
        before, _, _, _ = plan_and_render(project)
    edit(project / "site.yaml", *SETTING_CHANGES[setting])
    after, _, _, _ = plan_and_render(project)
    assert assert_keys_follow_bytes(before, after, setting) > 0, f"{setting} changed no page: not a real test"


@pytest.mark.parametrize("change", ["authors", "template", "partial", "story"])
def test_an_edit_to_the_projects_files_changes_the_key_of_every_page_it_changes(project: Path, change: str,
                                                                               unedited: dict):
    before = unedited
    if change == "authors":
        edit(project / "authors.yaml", "Covers markets and trade from London.", "Covers markets from Paris.")
    elif change == "template":
        show_in_list_pages(project, "<p>edited</p>")
    elif change == "partial":
        partials = project / "layouts" / "partials"
        partials.mkdir(parents=True)
        theme = Path(__file__).resolve().parents[1] / "dateline" / "theme" / "partials"
        name = sorted(path.name for path in theme.glob("*.html") if "byline" in path.name)[0]
        (partials / name).write_text((theme / name).read_text(encoding="utf-8") + "<!-- edited -->\n",
                                     encoding="utf-8")
    else:
        edit(project / "content" / "2024" / "port-strike.md", "\n---\n", "\n---\n\nA new first paragraph.\n\n")
    after, _, _, _ = plan_and_render(project)
    assert assert_keys_follow_bytes(before, after, change) > 0, f"{change} changed no page: not a real test"
