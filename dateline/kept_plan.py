"""The plan kept between builds, so that an edit plans again only what it touches.

Planning derives every page's inputs and key (plan.py, keys.py): work in
proportion to the archive, most of an incremental build's time once the
rest is cached. But which pages exist, and which stories each one shows,
follow from the stories' *shape* alone: every Article field but the
CONTENT_FIELDS (source, slug, URL, publication time, authors, tags, section,
location, language, aliases, ...), and from the site-wide inputs (settings,
templates, authors.yaml, static files, the code: `site_fingerprint`). A story's
content (its body, headline, dek, update time, photo caption ...) reaches only
the pages whose inputs hold that story: its own page and redirects, the
listing pages and feeds it is on, the pages naming it as a neighbour or a
related story. The key of every other page is what it was.

So each build keeps, per output folder, its jobs without their inputs: each
one's path, kind, template, sitemap date and the stories it was made from
(`keys.Keys.stories`, plus its `origin`), with the site fingerprint and each
story's digest and shape. The next build, when the site fingerprint, the
stories and their order are the same and every story whose digest changed
kept its shape, takes every job that holds no changed story as it was, its
key the one the published file was made with (the manifest), and plans the
rest. Anything else (a story added, removed or re-tagged, a setting or
template edited, a multilingual site) plans everything, as before.

A field added to Article is part of the shape until it is listed below, so
a field nobody thought about plans everything when it changes: slow, never
stale. tests/test_kept_plan.py checks each content field reaches other pages
only through the stories their inputs hold.
"""
from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass
from datetime import datetime

from .keys import digest
from .model import Article
from .plan import PageJob
from .urls import output_path

# A job kept: (path, kind, template, origin, sitemap date, indexes of the stories it holds).
Record = tuple[str, str, str, str, datetime | None, tuple[int, ...]]

# Article fields that change what a story's own pages and the listings showing
# it say, never which pages exist or what they list.
CONTENT_FIELDS = frozenset({"title", "summary", "updated", "corrections", "last_modified", "body_key", "sanitize",
                            "image", "image_alt", "image_caption", "image_credit", "id", "extra", "key_lines"})
SHAPE_FIELDS = tuple(field.name for field in dataclasses.fields(Article) if field.name not in CONTENT_FIELDS)
_shape_values = operator.attrgetter(*SHAPE_FIELDS)

# Jobs kept: what the planner makes per story and per listing (plan.Planner:
# story pages, redirects, listing pages, feeds); the few site-wide pages (term
# indexes, the archive index, 404, search) are planned every build.
KEPT_TEMPLATES = frozenset({"article.html", "redirect.html", "list.html"})


def is_kept(job: PageJob) -> bool:
    return job.kind == "feed" or (job.kind == "page" and job.template in KEPT_TEMPLATES)


def story_shape(article: Article) -> str:
    """A digest of everything about a story that other pages' existence and lists follow from."""
    return digest(repr(_shape_values(article)))


@dataclass(frozen=True)
class KeptPlan:
    site: str                       # `site_fingerprint` of the build that made it
    sources: tuple[str, ...]        # its stories, in the archive's order
    digests: tuple[str, ...]        # each story's digest (the load stage's)
    shapes: tuple[str, ...]         # each story's `story_shape`
    jobs: tuple[Record, ...]        # one per job that `is_kept`


@dataclass(frozen=True)
class Reuse:
    """What a build takes from the last one's plan."""
    jobs: dict[str, PageJob]        # site path -> the last build's job, still standing
    records: dict[str, Record]      # site path -> that job's record, kept again as it is


def story_shapes(kept: KeptPlan | None, site: str, articles, digests: dict[str, str]) -> tuple[str, ...]:
    """Each story's shape: the kept plan's for a story whose digest is the
    same under the same site-wide inputs (the same Article), else made."""
    known = {}
    if kept is not None and kept.site == site:
        known = {source: (digest_, shape) for source, digest_, shape in zip(kept.sources, kept.digests, kept.shapes)}
    shapes = []
    for article in articles:
        old = known.get(article.source)
        shapes.append(old[1] if old is not None and old[0] == digests.get(article.source) else story_shape(article))
    return tuple(shapes)


def reusable_jobs(kept: KeptPlan | None, site: str, articles, digests: dict[str, str], shapes: tuple[str, ...],
                  manifest: dict) -> Reuse | None:
    """The jobs of the last build's plan that this build can take as they
    were, or None when the plan does not apply (see the module's docstring).

    `articles`: this build's stories in the archive's order; `digests`: source
    -> digest; `shapes`: `story_shapes`; `manifest`: the published files'
    entries, whose keys the kept jobs take (a file missing from it is planned
    again)."""
    if kept is None or kept.site != site or shapes != kept.shapes \
            or tuple(article.source for article in articles) != kept.sources:
        return None
    changed = {index for index, (source, old) in enumerate(zip(kept.sources, kept.digests))
               if digests.get(source) != old}
    jobs, records = {}, {}
    for record in kept.jobs:
        path, kind, template, origin, lastmod, stories = record
        if changed and not changed.isdisjoint(stories):
            continue
        entry = manifest.get(output_path(path))
        if entry is not None:
            jobs[path] = PageJob(path, kind, entry.key, None, origin, lastmod, template)
            records[path] = record
    return Reuse(jobs, records)


def plan_to_keep(site: str, articles, digests: dict[str, str], shapes: tuple[str, ...], reuse: Reuse | None,
                 jobs: list[PageJob]) -> KeptPlan:
    """The plan this build leaves for the next one (`shapes`: `story_shapes`;
    `reuse`: what it took from the last one's, if anything)."""
    sources = tuple(article.source for article in articles)
    index = {source: number for number, source in enumerate(sources)}
    records = reuse.records if reuse else {}
    kept = []
    for job in jobs:
        if not is_kept(job):
            continue
        if job.data is None:    # taken from the last plan, whose stories are these (same order)
            kept.append(records[job.path])
            continue
        # A redirect holds its story's headline and URL, not the story: its origin.
        stories = {index[source] for source in job.stories if source in index}
        if job.origin in index:
            stories.add(index[job.origin])
        kept.append((job.path, job.kind, job.template, job.origin, job.lastmod, tuple(sorted(stories))))
    return KeptPlan(site, sources, tuple(digests.get(source, "") for source in sources), shapes, tuple(kept))
