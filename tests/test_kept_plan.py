"""The plan kept between builds (dateline/kept_plan.py) stands for exactly
the pages a content edit leaves alone.

The kept plan re-plans, after an edit to a story's content (every field
but its shape), only the pages whose record names that story. That is safe
only if no page reads a content field of a story its record does not name:
here each content field of each story is changed in turn, the site planned
again, and every page whose key or sitemap date moved must name the story.
(Whole builds after such edits are compared with cold builds in
tests/test_incremental.py.)"""
from __future__ import annotations

import dataclasses
import shutil
from datetime import timedelta

import pytest

from conftest import FIXTURE_ARCHIVE
from dateline.archive import build_archive
from dateline.cache import open_store
from dateline.config import load_config
from dateline.kept_plan import (CONTENT_FIELDS, SHAPE_FIELDS, is_kept, plan_to_keep, reusable_jobs, story_shape,
                                 story_shapes)
from dateline.model import Article, Correction
from dateline.pipeline import BuildOptions, check, gather_inputs, plan_jobs
from dateline.urls import SiteUrls, output_path


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The fixture archive checked, and what planning needs, with one store open for the module."""
    root = tmp_path_factory.mktemp("kept") / "project"
    shutil.copytree(FIXTURE_ARCHIVE, root)
    config, problems = load_config(root)
    assert config is not None and not problems
    store = open_store(config.cache_dir, True)
    checked = check(config, BuildOptions(out_dir=root / "site"), store)
    urls = SiteUrls(config.base_url)
    yield config, urls, checked, gather_inputs(config, urls, checked)
    store.close()


# Fields made from the others (changed with them, never on their own).
DERIVED = {field.name for field in dataclasses.fields(Article) if not field.init}


def changed_value(article: Article, name: str):
    value = getattr(article, name)
    if name == "updated":
        return article.published + timedelta(days=3)
    if name == "corrections":
        return value + (Correction(article.published + timedelta(days=2), "A date was wrong."),)
    if name == "extra":
        return {**value, "kicker": "Changed"}
    if isinstance(value, bool):
        return not value
    assert isinstance(value, str), name
    return value + "-changed"


def with_story(checked, story: Article):
    """`checked` with one story replaced (its digest left as it was, so that
    only a page copying a field out of the story can tell)."""
    articles = [story if a.source == story.source else a for a in checked.archive.articles]
    archive, problems = build_archive(articles, language=checked.editions[0].language.tag)
    assert not problems
    return dataclasses.replace(checked, archive=archive,
                               editions=(dataclasses.replace(checked.editions[0], archive=archive),))


def test_every_article_field_is_shape_or_content():
    names = {field.name for field in dataclasses.fields(Article)}
    assert set(SHAPE_FIELDS) | CONTENT_FIELDS == names
    assert not set(SHAPE_FIELDS) & CONTENT_FIELDS
    assert {"source", "url", "slug", "published", "tags", "section", "authors", "location", "aliases",
            "language", "draft"} <= set(SHAPE_FIELDS)


def test_a_content_field_reaches_only_the_pages_naming_the_story(planned):
    config, urls, checked, inputs = planned
    before = {job.path: job for job in plan_jobs(config, urls, checked, inputs)}
    articles = checked.archive.articles
    kept = plan_to_keep("site", articles, checked.digests, story_shapes(None, "site", articles, checked.digests),
                        None, list(before.values()))
    names = {record[0]: {kept.sources[index] for index in record[5]} for record in kept.jobs}
    assert any(job.template == "redirect.html" for job in before.values())     # the fixture has an alias
    tested = 0
    for story in articles:
        for field in sorted(CONTENT_FIELDS - {"key_lines"} - DERIVED):
            edited = dataclasses.replace(story, **{field: changed_value(story, field)})
            assert story_shape(edited) == story_shape(story)
            after = {job.path: job for job in plan_jobs(config, urls, with_story(checked, edited), inputs)}
            assert after.keys() == before.keys(), (story.source, field)
            moved = [path for path, job in after.items() if is_kept(job)
                     and (job.key, job.lastmod) != (before[path].key, before[path].lastmod)]
            unnamed = [path for path in moved if story.source not in names[path]]
            assert not unnamed, (story.source, field, unnamed)
            tested += len(moved)
    assert tested > 0    # some field is copied out of a story (a redirect's headline, a page's date)


def reuse_of(kept, site, articles, digests, manifest):
    """What the pipeline does: shapes (the kept plan's where it can), then the jobs."""
    return reusable_jobs(kept, site, articles, digests, story_shapes(kept, site, articles, digests), manifest)


def test_a_changed_story_re_plans_what_names_it_and_nothing_else(planned):
    config, urls, checked, inputs = planned
    jobs = plan_jobs(config, urls, checked, inputs)
    articles = checked.archive.articles
    kept = plan_to_keep("site", articles, checked.digests, story_shapes(None, "site", articles, checked.digests),
                        None, jobs)
    manifest = {output_path(job.path): _Entry(job.key) for job in jobs}
    story = articles[1]
    unchanged = reuse_of(kept, "site", articles, checked.digests, manifest)
    assert set(unchanged.jobs) == {record[0] for record in kept.jobs}
    assert all(job.key == manifest[output_path(path)].key for path, job in unchanged.jobs.items())

    edited_digests = {**checked.digests, story.source: "edited"}
    reuse = reuse_of(kept, "site", articles, edited_digests, manifest)
    index = kept.sources.index(story.source)
    naming = {record[0] for record in kept.jobs if index in record[5]}
    assert story.url in naming and "/" in naming
    assert set(reuse.jobs) == {record[0] for record in kept.jobs} - naming

    assert reuse_of(kept, "other settings", articles, edited_digests, manifest) is None
    assert reuse_of(kept, "site", articles[1:], checked.digests, manifest) is None
    moved = dataclasses.replace(story, tags=story.tags + ("new tag",))
    assert reuse_of(kept, "site", [moved if a is story else a for a in articles], edited_digests, manifest) is None
    # A story whose digest did not change is taken to have its kept shape (the same Article).
    assert story_shapes(kept, "site", [moved if a is story else a for a in articles], checked.digests) == kept.shapes
    assert story_shapes(kept, "other settings", [moved if a is story else a for a in articles],
                        checked.digests) != kept.shapes


@dataclasses.dataclass
class _Entry:
    key: str
