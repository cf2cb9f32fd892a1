"""PageJob -> bytes. Top-level functions so worker processes can run them:
each process keeps one Jinja environment, one Markdown store handle."""
from __future__ import annotations

from dataclasses import dataclass, field
import jinja2

from .cache import Store
from .config import SiteConfig
from .errors import DatelineError, Problem
from .feeds import Feed, FeedItem, atom_bytes, json_feed_bytes, rss_bytes
from .images import rewrite_body_images
from .markup import absolutise_urls, resolve_links
from .pages import body_markup, make_environment, template_location, template_message
from .contexts import FeedPlan, page_source
from .editions import edition_config
from .plan import PageJob
from .urls import SiteUrls, image_site_path


class RenderError(DatelineError):
    """A template or feed failed. `problem` names the template file and line
    when the error happened in one, else the page; the hint says which page
    (and which article) was being made."""

    def __init__(self, problem: Problem):
        super().__init__(problem)   # the only argument, so the error pickles from a worker intact
        self.problem = problem

    def __str__(self) -> str:
        return str(self.problem)


@dataclass
class Renderer:
    config: SiteConfig
    urls: SiteUrls
    store: Store
    env: jinja2.Environment
    # (body key, article url) -> feed content HTML: the RSS and Atom feeds of a
    # listing (adjacent in job order) and overlapping listings share items.
    feed_html: dict = field(default_factory=dict)

    @classmethod
    def create(cls, config: SiteConfig, urls: SiteUrls, store: Store) -> "Renderer":
        return cls(config, urls, store, make_environment(config.layouts_dir, config, urls, store.template_folder))

    def body_html(self, body_key: str, targets: dict[str, str], *, absolute: bool, pictures=None) -> str:
        """The body's HTML with its links made; with `pictures` (pages, not feeds)
        each local image shown as its resized copies, sized."""
        cached = self.store.get_markup(body_key)
        if cached is None:
            raise RenderError(Problem("site", 0, "cache", f"rendered body {body_key[:12]} missing from the cache",
                                      "build again with --no-cache"))
        html = rewrite_body_images(cached[0], pictures) if pictures else cached[0]
        return resolve_links(html, targets, self.urls, absolute=absolute)

    def render(self, job: PageJob) -> bytes:
        try:
            if job.kind == "page":
                return self.render_page(job)
            if job.kind == "feed":
                return self.render_feed(job.data)
            if job.kind == "bytes":
                return job.data
        except RenderError:
            raise
        except Exception as error:  # noqa: BLE001 - any template or renderer failure names the page
            raise RenderError(render_problem(error, job, self.config)) from error
        raise RenderError(Problem(job.path, 0, "job", f"unknown job kind {job.kind!r}"))

    def render_page(self, job: PageJob) -> bytes:
        page = page_source(job.data)
        context = page.context
        # `site`: the settings as the page's language sees them. What the
        # template reads of them is in the template's fingerprint, and the
        # language in the page's inputs: both in the job's key.
        context["site"] = edition_config(self.config, job.data.site.language)
        if page.body is not None:
            body_key, targets, pictures = page.body
            context["body"] = body_markup(self.body_html(body_key, targets, absolute=False, pictures=pictures))
        text = self.env.get_template(job.template).render(context)
        return text.encode("utf-8")

    def feed_content(self, body_key: str, url: str, targets: dict[str, str]) -> str:
        """An article's HTML for feeds. Cached per article: `targets` always holds
        every link target of the article, so the result does not depend on the feed."""
        key = (body_key, url)
        content = self.feed_html.get(key)
        if content is None:
            if len(self.feed_html) > 4096:
                self.feed_html.clear()
            content = absolutise_urls(self.body_html(body_key, targets, absolute=True), url)
            self.feed_html[key] = content
        return content

    def render_feed(self, plan: FeedPlan) -> bytes:
        items = []
        for article in plan.articles:
            url = self.urls.absolute(article.url)
            content = self.feed_content(article.body_key, url, plan.link_targets) if plan.full_content else ""
            image = ""
            if article.image:
                path = image_site_path(article.image)
                image = self.urls.absolute(path) if path else article.image
            items.append(FeedItem(
                id=article.id or url, id_is_permalink=not article.id, url=url, title=article.title,
                summary=article.summary, content_html=content,
                published=article.published, updated=article.last_modified, authors=article.authors,
                categories=tuple(dict.fromkeys((*((article.section,) if article.section else ()), *article.tags))),
                image=image))
        feed = Feed(title=plan.title, description=plan.description, language=plan.language or self.config.language,
                    home_url=self.urls.absolute(plan.home_path), rss_url=self.urls.absolute(plan.rss_path),
                    atom_url=self.urls.absolute(plan.atom_path), json_url=self.urls.absolute(plan.json_path),
                    items=tuple(items))
        if plan.format == "rss":
            return rss_bytes(feed)
        if plan.format == "atom":
            return atom_bytes(feed)
        return json_feed_bytes(feed)


def render_problem(error: BaseException, job: PageJob, config: SiteConfig) -> Problem:
    """`layouts/article.html:60: template: 'x' is undefined (page /2025/10/01/a/, from content/...)`:
    the template's file and line when the error happened in a template, else the page."""
    making = f"page {job.path}" + (f", from {job.origin}" if job.origin else "")
    where = template_location(error, config.root)
    if where is None:
        return Problem(job.origin or job.path, 0, job.kind, f"{type(error).__name__}: {error}", making)
    return Problem(where[0], where[1], "template", template_message(error), making)


def sample_problems(renderer: Renderer, jobs: list[PageJob]) -> list[Problem]:
    """Render, in memory, the first page of each kind: each template once per
    top folder (articles of each year, listings of each kind, the indexes) and
    each feed format once. A template that fails on any of them is a problem,
    reported once however many pages it breaks."""
    samples: dict[tuple, PageJob] = {}
    for job in sorted(jobs, key=lambda j: j.path):
        if job.kind == "page":
            samples.setdefault((job.template, job.path.strip("/").split("/")[0]), job)
        elif job.kind == "feed":
            samples.setdefault(("feed", job.data.format), job)
    problems: dict[tuple, Problem] = {}
    for job in samples.values():
        try:
            renderer.render(job)
        except RenderError as error:
            found = error.problem
            problems.setdefault((found.path, found.line, found.message), found)
    return list(problems.values())
