"""The Jinja environment: its loader, filters, helpers and fragment cache, and
each template's fingerprint. Templates only display data: every list, order
and slice is decided in Python (contexts.py) before it reaches them."""
from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
from pathlib import Path

import jinja2
from jinja2 import meta, nodes
from jinja2.ext import Extension
from markupsafe import Markup

from .archive import term_slug
from .config import THEME_DIR, SiteConfig
from .errors import BuildError, Problem
from .i18n import english_words, format_number, local_date, local_datetime
from .languages import site_languages
from .timefmt import iso_datetime
from .urls import (TERM_FOLDERS, SiteUrls, archive_path, feed_path, home_path, search_path, term_index_path,
                   term_path)



class FragmentCache(Extension):
    """`{% cache key, ... %}...{% endcache %}`: the block is rendered once per
    build (per render process) for each distinct key, and reused after.

    A story's summary in a list (headline, dek, byline, time) is the same on
    every list page it appears on, about ten of them, and in other stories'
    "related" lists; rendering it once per story made list pages about three
    times faster. The key must name everything the block reads (besides site
    settings and the template's own source, which are the same for the whole
    build). Each environment is made for one build, so nothing outlives it."""

    tags = {"cache"}
    # Fragments kept per process: ~800 bytes each, so at most ~200 MB. List
    # pages render in path order, and the author, tag and place listings each
    # walk the whole archive, so a cache smaller than the stories it serves
    # (two heading levels each) renders them again on every pass: with a
    # limit a tenth of that, list pages took twice as long (measured).
    LIMIT = 250_000
    # The template variable holding a looked-up fragment. The block compiles to
    #   {% set v = key|cached %}{% if v is none %}{% set v %}body{% endset %}{{ v|keep(key) }}
    #   {% else %}{{ v }}{% endif %}
    # Filters and tests are plain function calls in compiled templates, where a
    # call block would build a macro and go through Context.call for every
    # story on every list page.
    VARIABLE = "_dateline_fragment"

    def __init__(self, environment: jinja2.Environment):
        super().__init__(environment)
        cache: dict = {}
        environment.extend(fragment_cache=cache)

        def keep(fragment, key: tuple):
            if len(cache) >= self.LIMIT:
                cache.clear()
            cache[key] = fragment
            return fragment

        self._blocks = itertools.count()
        environment.filters["_dateline_cached"] = cache.get
        environment.filters["_dateline_keep"] = keep

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        # The block itself is part of its key: two blocks keyed by the same
        # story (even on one line) must not share their output.
        keys = [nodes.Const(f"{parser.name}:{lineno}:{next(self._blocks)}"), parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)

        def key():
            return nodes.Tuple(list(keys), "load", lineno=lineno)

        def variable(ctx: str):
            return nodes.Name(self.VARIABLE, ctx, lineno=lineno)

        def apply(name: str, value, *args):
            return nodes.Filter(value, name, list(args), [], None, None, lineno=lineno)

        missing = nodes.Test(variable("load"), "none", [], [], None, None, lineno=lineno)
        render = [nodes.AssignBlock(variable("store"), None, body, lineno=lineno),
                  nodes.Output([apply("_dateline_keep", variable("load"), key())], lineno=lineno)]
        return [nodes.Assign(variable("store"), apply("_dateline_cached", key()), lineno=lineno),
                nodes.If(missing, render, [], [nodes.Output([variable("load")], lineno=lineno)], lineno=lineno)]


# Names a plain dict answers as attributes: for any other name, `d.name` can
# only mean the key, so it is looked up first (see DictFirstEnvironment).
_DICT_ATTRIBUTES = frozenset(dir(dict))


class DictFirstEnvironment(jinja2.Environment):
    """`meta.title` on a plain dict tries the key before the attribute.

    Jinja tries `getattr` first, and a dict has no `title` attribute, so every
    such lookup raised and caught an AttributeError: about a million times in
    a 10,000-article build, whose page contexts are dicts. For names that are
    not dict attributes the answer is the same either way."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and type(attribute) is str and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        # The rest is jinja2.Environment.getattr, inline: most other lookups are
        # on articles, and a call through super() cost them a frame (measured).
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


class HelperContext(jinja2.runtime.Context):
    """Calls to the site's own helpers (`link`, `absolute`, `term_link`) go
    straight to them. Jinja's `Context.call` first asks every callable whether
    it wants the context passed in, which costs more than `link` itself, and
    a page makes about 25 such calls. Anything else takes Jinja's way."""

    helpers: tuple = ()

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature (keeps `self` free for kwargs)
        for helper in __self.helpers:
            if __obj is helper:
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
                return __obj(*args, **kwargs)
        return super().call(__obj, *args, **kwargs)


def template_loader(layouts_dir: Path, theme_dir: Path = THEME_DIR) -> jinja2.BaseLoader:
    """The project's layouts/ first, then the packaged theme, one file at a time:
    `layouts/partials/byline.html` replaces just that partial. `theme/NAME` is
    always the theme's own file, so an override can extend the one it replaces
    (`{% extends "theme/base.html" %}`) and change a single block."""
    theme = jinja2.FileSystemLoader(str(theme_dir))
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader([str(layouts_dir), str(theme_dir)]),
                               jinja2.PrefixLoader({"theme": theme})])


def shown_path(filename: str, root: Path) -> str:
    """A template's file as a person would open it: relative to the project
    (`layouts/article.html`, or `dateline/theme/...` in this repository), else
    the installed theme's full path."""
    try:
        return Path(filename).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(filename).as_posix()


def template_location(error: BaseException, root: Path) -> tuple[str, int] | None:
    """(file, line) of the template where `error` happened, innermost first.

    A syntax error carries its own; for any other error Jinja rewrites the
    traceback so that each template's frame names its file and line, and the
    last such frame is the template (or partial) that failed."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return shown_path(error.filename, root), error.lineno
    found = None
    frame = error.__traceback__
    while frame is not None:
        # Jinja's stand-in frames for template code (jinja2.debug.fake_traceback)
        # carry the exception in their globals and the template's file as their own.
        if "__jinja_exception__" in frame.tb_frame.f_globals:
            found = (shown_path(frame.tb_frame.f_code.co_filename, root), frame.tb_lineno)
        frame = frame.tb_next
    return found


def template_message(error: BaseException) -> str:
    """Jinja's own words for its errors (`'article' is undefined`); the type too for anything else."""
    if isinstance(error, jinja2.TemplateNotFound):
        return f"template {error.name!r} not found in layouts/ or the theme"
    if isinstance(error, jinja2.TemplateError):
        return error.message or type(error).__name__
    return f"{type(error).__name__}: {error}"


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between builds (Jinja's own bytecode cache, one
    file per template, checked against the template's source when loaded).
    Compiling the theme took 0.4 s in every process that renders; loading it,
    0.02 s. A folder that cannot be written is no cache, not a failed build."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        super().__init__(str(folder))

    def load_bytecode(self, bucket) -> None:
        # Jinja reads a damaged file's checksum with pickle, unguarded.
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - anything unreadable is compiled again
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def make_environment(layouts_dir: Path, config: SiteConfig, urls: SiteUrls,
                     compiled: Path | None = None) -> jinja2.Environment:
    """The site's Jinja environment; `compiled`: where compiled templates are
    kept between builds (None: compiled afresh)."""
    bytecode_cache = None
    if compiled is not None:
        try:
            bytecode_cache = CompiledTemplates(compiled)
        except OSError:
            pass
    env = DictFirstEnvironment(
        bytecode_cache=bytecode_cache,
        extensions=[FragmentCache],
        loader=template_loader(layouts_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    link, absolute = urls.link, urls.absolute
    # Memoised per environment (one build): every byline and tag list asks.
    term_link = functools.lru_cache(maxsize=None)(
        lambda kind, name, prefix="": link(term_path(kind, term_slug(name), prefix)))
    # `lang` and `words` are each page's own (editions.py); these stand in for a
    # context made without them, in the site's default language.
    env.globals.update(site=config, link=link, absolute=absolute, term_link=term_link, term_folders=TERM_FOLDERS,
                       lang=site_languages(config)[0], t=translate, **page_links(link))
    env.context_class = type("SiteContext", (HelperContext,), {"helpers": (link, absolute, term_link)})
    env.filters.update(
        display_datetime=local_datetime,
        display_date=local_date,
        number=format_number,
        iso_datetime=iso_datetime,
        lazy_images=lazy_images,
    )
    return env


def page_links(link) -> dict:
    """The links to the site's own pages, in the language of the page that
    asks (its `lang.prefix`, or the `prefix` given): `home_link()`,
    `archive_link()`, `search_link()`, `term_index_link('tag')`,
    `feed_link('rss')`. urls.py makes the paths; templates never spell them.
    They read the page's context, so they take Jinja's way, not HelperContext's
    (the header and footer that use them render once per build and language)."""
    def prefixed(make):
        @jinja2.pass_context
        def page_link(context, *args, prefix=None):
            return link(make(*args, context["lang"].prefix if prefix is None else prefix))
        return page_link

    return {"home_link": prefixed(home_path), "archive_link": prefixed(archive_path),
            "search_link": prefixed(search_path), "term_index_link": prefixed(term_index_path),
            "feed_link": prefixed(lambda fmt, prefix: feed_path(home_path(prefix), fmt))}


@jinja2.pass_context
def translate(context, key: str, **values) -> Markup:
    """`t("Related stories")`: the theme's word in the page's language, English
    where that language has none; `{name}` placeholders filled from `values`."""
    words = context.get("words") or english_words()
    return words.markup(key, **values)


def json_ld(data) -> Markup:
    """JSON for a <script type="application/ld+json"> block. `<`, `>` and `&` are
    written as \\u escapes so no value (say a headline with `</script>`) can end
    the block early."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


_IMG_WITHOUT_LOADING = re.compile(r"<img\b(?![^>]*\bloading=)", re.IGNORECASE)
_IMG_WITHOUT_DECODING = re.compile(r"<img\b(?![^>]*\bdecoding=)", re.IGNORECASE)


def lazy_images(html: Markup) -> Markup:
    """Article body images load lazily and decode off the main thread: they
    sit below the hero image and the headline, so the first screen never waits
    for them. An <img> that already says how is left alone."""
    text = _IMG_WITHOUT_LOADING.sub('<img loading="lazy"', str(html))
    return Markup(_IMG_WITHOUT_DECODING.sub('<img decoding="async"', text))


def body_markup(html: str) -> Markup:
    """The one place article HTML (rendered from the author's Markdown) is trusted."""
    return Markup(html)


def site_settings_used(tree: nodes.Template) -> set[str] | None:
    """The `site.X` settings a template reads; None when it uses `site` any other
    way (then every setting counts, to be safe)."""
    used: set[str] = set()
    attribute_names = set()
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name == "site":
            used.add(node.attr)
            attribute_names.add(id(node.node))
    for name in tree.find_all(nodes.Name):
        if name.name == "site" and id(name) not in attribute_names:
            return None
    return used


def template_fingerprints(env: jinja2.Environment, names, config: SiteConfig) -> dict[str, str]:
    """A digest per template of its own source, every template it extends or
    includes, and the values of the site settings those read, so that editing
    one template, or one setting, re-renders only the pages that use it. The
    source is whichever file the loader picks (the project's override, else
    the theme's), so adding, editing or removing an override re-renders too,
    and so does a new theme. A template that does not compile, or includes one
    that does not exist, is a problem (BuildError) naming its file and line."""
    sources: dict[str, str] = {}
    uses: dict[str, set[str]] = {}
    settings: dict[str, set[str] | None] = {}
    problems: list[Problem] = []

    def visit(name: str, parent: tuple[str, str] | None = None) -> None:
        """Read `name` and what it uses; `parent`: (file, source) of the template naming it."""
        if name in sources:
            return
        sources[name], uses[name], settings[name] = "", set(), None
        try:
            source, filename, _ = env.loader.get_source(env, name)
        except jinja2.TemplateNotFound as error:
            where, text = parent or (name, "")
            line = next((number for number, line in enumerate(text.split("\n"), 1) if name in line), 0)
            problems.append(Problem(where, line, "template", template_message(error)))
            return
        sources[name] = source
        try:
            tree = env.parse(source, name, filename)
        except jinja2.TemplateSyntaxError as error:
            problems.append(Problem(*template_location(error, config.root), "template", template_message(error)))
            return
        uses[name] = {ref for ref in meta.find_referenced_templates(tree) if ref}
        settings[name] = site_settings_used(tree)
        for ref in sorted(uses[name]):
            visit(ref, (shown_path(filename, config.root), source))

    def closure(name: str) -> list[str]:
        seen, stack = set(), [name]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(uses[current])
        return sorted(seen)

    for name in names:
        visit(name)
    if problems:
        raise BuildError(problems)
    fingerprints = {}
    for name in names:
        digest = hashlib.sha256()
        read: set[str] | None = set()
        for used in closure(name):
            digest.update(used.encode() + b"\0" + sources[used].encode() + b"\0")
            read = None if read is None or settings[used] is None else read | settings[used]
        fields = sorted(vars(config)) if read is None else sorted(read)
        digest.update(repr([(field, repr(getattr(config, field, None))) for field in fields]).encode())
        fingerprints[name] = digest.hexdigest()
    return fingerprints
