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
rest.

When stories were added, removed or reshaped (re-tagged, re-timed, a new
slug...) under the same site-wide inputs, it also plans again, whole, every
listing such a story is or was on (its pages and feeds: their pagination
may shift), the pages of the stories whose neighbours changed or whose
related list was computed again (related.py says which), and every page
holding a story that moved, changed or links to one that moved (links show
the target's address). The rest is taken as it was. A setting or template
edited, or a multilingual site, plans everything, as before.

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
from .related import Related
from .urls import output_path

# A job kept: (path, kind, template, origin, sitemap date, indexes of the
# stories it holds, the path of the listing it belongs to or "").
Record = tuple[str, str, str, str, datetime | None, tuple[int, ...], str]
# The kept plan's form: a plan stored by code with another is planned anew.
PLAN_VERSION = 2

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
    related: str                    # the key of the related lists its story pages had (related.Related.key)
    version: int                    # PLAN_VERSION (no default: a plan pickled without one has none)


@dataclass(frozen=True)
class Reuse:
    """What a build takes from the last one's plan."""
    jobs: dict[str, PageJob]        # site path -> the last build's job, still standing
    records: dict[str, Record]      # site path -> that job's record, kept again as it is
    related: str                    # the kept plan's `related`


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


def usable(kept) -> bool:
    """Whether a stored plan is one this code wrote (an older one is planned anew, once)."""
    return isinstance(kept, KeptPlan) and getattr(kept, "version", None) == PLAN_VERSION


def same_stories(kept: KeptPlan, articles, shapes: tuple[str, ...]) -> bool:
    """Whether the kept plan was made from these stories, in this order and of these shapes."""
    return shapes == kept.shapes and len(articles) == len(kept.sources) \
        and all(article.source == source for article, source in zip(articles, kept.sources))


def reusable_jobs(kept: KeptPlan | None, site: str, archive, digests: dict[str, str], shapes: tuple[str, ...],
                  manifest: dict, body_links: dict[str, tuple[str, ...]] | None = None,
                  related: Related | None = None) -> Reuse | None:
    """The jobs of the last build's plan that this build can take as they
    were, or None when the plan does not apply (see the module's docstring).

    `archive`: this build's; `digests`: source -> digest; `shapes`:
    `story_shapes`; `manifest`: the published files' entries, whose keys the
    kept jobs take (a file missing from it is planned again). When stories
    were added, removed or reshaped, also `body_links` (body key -> the
    content paths it links to) and `related` (related.related_lists, this
    build's): without them, or when the related lists were not updated from
    the ones the kept plan was made with, None."""
    if not usable(kept) or kept.site != site:
        return None
    if same_stories(kept, archive.articles, shapes):
        changed = {index for index, (source, old) in enumerate(zip(kept.sources, kept.digests))
                   if digests.get(source) != old}
        return _taken(kept, manifest, changed, frozenset(), frozenset(), None)
    if related is None or related.again is None or related.base != kept.related or body_links is None:
        return None
    return _after_moves(kept, archive, digests, shapes, manifest, body_links, related)


def _after_moves(kept: KeptPlan, archive, digests: dict[str, str], shapes: tuple[str, ...], manifest: dict,
                 body_links: dict[str, tuple[str, ...]], related: Related) -> Reuse:
    """`reusable_jobs` when stories were added, removed or reshaped."""
    sources = tuple(article.source for article in archive.articles)
    old_index = {source: index for index, source in enumerate(kept.sources)}
    old_shapes = dict(zip(kept.sources, kept.shapes))
    # Stories added, removed or reshaped: what lists them, and in what order, may change.
    moved = {source for source, shape in zip(sources, shapes) if old_shapes.get(source) != shape}
    moved |= old_index.keys() - set(sources)
    moved_paths = {source.split("/", 1)[1] for source in moved}     # as body links name them
    # A story is stale when its page or a full-text feed showing it may say
    # something else: it moved, its content changed, or it links to a story
    # that moved (whose address it shows).
    stale = set(moved)
    for article in archive.articles:
        old = old_index.get(article.source)
        if (old is not None and digests.get(article.source) != kept.digests[old]) \
                or not moved_paths.isdisjoint(body_links.get(article.body_key, ())):
            stale.add(article.source)
    # Listings a moved story is on, or was on: planned again whole (pages and feeds).
    was_on = {old_index[source] for source in moved if source in old_index}
    listings = {record[6] for record in kept.jobs if record[6] and not was_on.isdisjoint(record[5])}
    every = (archive.home, *archive.dates, *(listing for kind in archive.terms for listing in archive.terms[kind]))
    for listing in every:
        if listing.path not in listings and any(article.source in moved for article in listing.articles):
            listings.add(listing.path)
    # Story pages whose neighbours or related stories are others now; each
    # story's old index -> its new one (-1: deleted).
    stories = set(related.again)
    renumber = [-1] * len(kept.sources)
    for number, source in enumerate(sources):
        old = old_index.get(source)
        if old is None:
            continue
        renumber[old] = number
        newer = sources[number - 1] if number > 0 else None
        older = sources[number + 1] if number + 1 < len(sources) else None
        if newer != (kept.sources[old - 1] if old > 0 else None) \
                or older != (kept.sources[old + 1] if old + 1 < len(kept.sources) else None):
            stories.add(source)
    changed = {old_index[source] for source in stale if source in old_index}
    return _taken(kept, manifest, changed, frozenset(listings), frozenset(stories), renumber)


def _taken(kept: KeptPlan, manifest: dict, changed: set[int], listings: frozenset[str], stories: frozenset[str],
           renumber: list[int] | None) -> Reuse:
    """The kept jobs holding no `changed` story (old indexes), on none of the
    `listings` (paths) and made for none of the `stories` (sources: their own
    pages and redirects), each record's story indexes `renumber`ed to this
    build's order when that moved. (A taken record holds no moved story,
    and the others keep their order: its renumbered indexes stay sorted.)"""
    jobs, records = {}, {}
    for record in kept.jobs:
        path, kind, template, origin, lastmod, held, listing = record
        if (changed and not changed.isdisjoint(held)) or (listing and listing in listings) or origin in stories:
            continue
        entry = manifest.get(output_path(path))
        if entry is None:
            continue
        jobs[path] = PageJob(path, kind, entry.key, None, origin, lastmod, template, listing=listing)
        if renumber is not None:
            record = (path, kind, template, origin, lastmod, tuple(map(renumber.__getitem__, held)), listing)
        records[path] = record
    return Reuse(jobs, records, kept.related)


def plan_to_keep(site: str, articles, digests: dict[str, str], shapes: tuple[str, ...], reuse: Reuse | None,
                 jobs: list[PageJob], related: str) -> KeptPlan:
    """The plan this build leaves for the next one (`shapes`: `story_shapes`;
    `reuse`: what it took from the last one's, if anything; `related`: the
    key of the related lists its story pages were planned with)."""
    sources = tuple(article.source for article in articles)
    index = {source: number for number, source in enumerate(sources)}
    records = reuse.records if reuse else {}
    kept = []
    for job in jobs:
        if not is_kept(job):
            continue
        if job.data is None:    # taken from the last plan, its stories numbered in this order
            kept.append(records[job.path])
            continue
        # A redirect holds its story's headline and URL, not the story: its origin.
        stories = {index[source] for source in job.stories if source in index}
        if job.origin in index:
            stories.add(index[job.origin])
        kept.append((job.path, job.kind, job.template, job.origin, job.lastmod, tuple(sorted(stories)), job.listing))
    return KeptPlan(site, sources, tuple(digests.get(source, "") for source in sources), shapes, tuple(kept),
                    related, PLAN_VERSION)
