"""The plan kept between builds (dateline/kept_plan.py) stands for exactly
the pages a content edit leaves alone.

The kept plan re-plans, after an edit to a story's content (every field
but its shape), only the pages whose record names that story. That is safe
only if no page reads a content field of a story its record does not name:
here each content field of each story is changed in turn, the site planned
again, and every page whose key or sitemap date moved must name the story.
After stories are added, removed or reshaped, it re-plans the listings and
story pages that reaches: random chains of such edits are planned both ways
and every job compared with the plan made from nothing.
(Whole builds after such edits are compared with cold builds in
tests/test_incremental.py.)"""
from __future__ import annotations

import dataclasses
import random
import shutil
from datetime import timedelta

import pytest

from conftest import FIXTURE_ARCHIVE
from dateline.archive import build_archive
from dateline.cache import open_store
from dateline.config import load_config
from dateline.cache import Store
from dateline.kept_plan import (CONTENT_FIELDS, SHAPE_FIELDS, is_kept, plan_to_keep, reusable_jobs, story_shape,
                                 story_shapes)
from dateline.model import Article, Correction
from dateline.pipeline import BuildOptions, check, gather_inputs, plan_jobs
from dateline.related import related_lists
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
                        None, list(before.values()), "related")
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
    """What the pipeline does after content edits: shapes (the kept plan's where it can), then the jobs."""
    archive, problems = build_archive(articles)
    assert not problems
    return reusable_jobs(kept, site, archive, digests, story_shapes(kept, site, archive.articles, digests), manifest)


def test_a_changed_story_re_plans_what_names_it_and_nothing_else(planned):
    config, urls, checked, inputs = planned
    jobs = plan_jobs(config, urls, checked, inputs)
    articles = checked.archive.articles
    kept = plan_to_keep("site", articles, checked.digests, story_shapes(None, "site", articles, checked.digests),
                        None, jobs, "related")
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


# -- structural edits ------------------------------------------------------------------

def structural_edit(rng: random.Random, articles: list[Article], digests: dict[str, str], serial: int) -> str:
    """One random edit of the stories' shape, in place (`digests` follow, as a
    changed file's would); its name."""
    action = rng.choice(["add", "add", "delete", "retag", "retime", "author", "section", "location", "slug",
                         "alias", "body"])
    if action == "add" or len(articles) < 6:
        model = rng.choice(articles)
        slug = f"added-{serial}"
        moment = model.published + timedelta(hours=rng.choice([-30, 0, 5]))
        added = dataclasses.replace(model, source=f"content/extra/{slug}.md", slug=slug, url=f"/extra/{slug}/",
                                    aliases=(), id="", published=moment,
                                    tags=tuple(rng.sample(["Budget", "Courts", "ports", "summit"], rng.randrange(3))))
        articles.append(added)
        digests[added.source] = f"added {serial}"
        return "add"
    index = rng.randrange(len(articles))
    old = articles[index]
    if action == "delete":
        del articles[index]
        return action
    if action == "retag":
        new = dataclasses.replace(old, tags=tuple(rng.sample(["Budget", "Courts", "ports", "summit", "weather"],
                                                             rng.randrange(4))))
    elif action == "retime":
        new = dataclasses.replace(old, published=old.published + timedelta(days=rng.choice([-400, -3, 2, 40])))
    elif action == "author":
        new = dataclasses.replace(old, authors=old.authors[:1] + ("Added Writer",))
    elif action == "section":
        new = dataclasses.replace(old, section=rng.choice(["", "World", "Business"]))
    elif action == "location":
        new = dataclasses.replace(old, location=rng.choice(["", "Oslo", "Lagos"]))
    elif action == "slug":
        new = dataclasses.replace(old, slug=old.slug + "-b", url=old.url.rstrip("/") + "-b/")
    elif action == "alias":
        new = dataclasses.replace(old, aliases=old.aliases + (f"/old/{old.slug}-{serial}/",))
    else:   # a content edit along with the others
        new = dataclasses.replace(old, title=old.title + " (updated)")
    articles[index] = new
    digests[new.source] = f"edited {serial}"
    return action


def with_articles(checked, articles: list[Article], digests: dict[str, str]):
    archive, problems = build_archive(articles, language=checked.editions[0].language.tag)
    assert not problems
    return dataclasses.replace(checked, archive=archive, digests=dict(digests),
                               editions=(dataclasses.replace(checked.editions[0], archive=archive),))


def compared(jobs) -> dict:
    return {job.path: (job.kind, job.key, job.lastmod, job.template) for job in jobs}


@pytest.mark.parametrize("seed", range(4))
def test_after_structural_edits_the_reused_plan_is_the_plan_made_afresh(planned, seed):
    config, urls, checked, inputs = planned
    rng = random.Random(seed)
    articles, digests = list(checked.archive.articles), dict(checked.digests)
    store = Store(None)
    related = related_lists(checked.archive, store)
    jobs = plan_jobs(config, urls, checked, inputs, related.lists)
    kept = plan_to_keep("site", checked.archive.articles, digests, story_shapes(None, "site", checked.archive.articles,
                                                                                 digests), None, jobs, related.key)
    taken = []
    for step in range(30):
        action = structural_edit(rng, articles, digests, step)
        now = with_articles(checked, articles, digests)
        ordered = now.archive.articles
        manifest = {output_path(job.path): _Entry(job.key) for job in jobs}
        shapes = story_shapes(kept, "site", ordered, digests)
        related = related_lists(now.archive, store)
        reuse = reusable_jobs(kept, "site", now.archive, digests, shapes, manifest, now.body_links, related)
        assert reuse is not None, (seed, step, action)
        jobs = plan_jobs(config, urls, now, inputs, related.lists, reuse.jobs)
        fresh = plan_jobs(config, urls, now, inputs)
        assert compared(jobs) == compared(fresh), (seed, step, action)
        kept = plan_to_keep("site", ordered, digests, shapes, reuse, jobs, related.key)
        taken.append(len(reuse.jobs))
    # The plan was reused: most kept jobs were taken as they were.
    assert sum(taken) > 0.5 * 30 * sum(1 for job in jobs if is_kept(job)), taken


def test_structural_reuse_needs_the_related_lists_it_was_planned_with(planned):
    config, urls, checked, inputs = planned
    articles, digests = list(checked.archive.articles), dict(checked.digests)
    store = Store(None)
    related = related_lists(checked.archive, store)
    jobs = plan_jobs(config, urls, checked, inputs, related.lists)
    kept = plan_to_keep("site", articles, digests, story_shapes(None, "site", articles, digests), None, jobs,
                        related.key)
    manifest = {output_path(job.path): _Entry(job.key) for job in jobs}
    structural_edit(random.Random(1), articles, digests, 99)
    now = with_articles(checked, articles, digests)
    shapes = story_shapes(kept, "site", now.archive.articles, digests)
    # Lists saved by a build whose plan was not kept (it failed after planning): not the kept plan's.
    other = Store(None)
    related_lists(with_articles(checked, articles[:-1], digests).archive, other)
    assert reusable_jobs(kept, "site", now.archive, digests, shapes, manifest, now.body_links,
                         related_lists(now.archive, other)) is None
    assert reusable_jobs(kept, "site", now.archive, digests, shapes, manifest, now.body_links, None) is None
    assert reusable_jobs(kept, "site", now.archive, digests, shapes, manifest, now.body_links,
                         related_lists(now.archive, store)) is not None
