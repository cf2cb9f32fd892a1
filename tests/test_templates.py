"""The Jinja environment's own parts: the `{% cache %}` tag, dict lookups and
the site helpers' fast calls must behave exactly as plain Jinja would."""
from __future__ import annotations

import inspect
import re
from datetime import datetime, timezone
from pathlib import Path

import jinja2
import pytest

from dateline.config import parse_config
from dateline.pages import DictFirstEnvironment, FragmentCache, make_environment
from dateline.urls import SiteUrls


def environment(tmp_path: Path, templates: dict[str, str]) -> jinja2.Environment:
    layouts = tmp_path / "layouts"
    for name, text in templates.items():
        (layouts / name).parent.mkdir(parents=True, exist_ok=True)
        (layouts / name).write_text(text, encoding="utf-8")
    config, problems = parse_config("title: Test\nbase_url: https://example.org/news/\n", tmp_path)
    assert not problems
    return make_environment(layouts, config, SiteUrls("https://example.org/news/"))


class Counter:
    """A template-visible callable that counts how often a block really rendered."""

    def __init__(self):
        self.calls = 0

    def __call__(self, value):
        self.calls += 1
        return f"<{value}>"


def test_cache_renders_each_key_once_and_reuses_it(tmp_path):
    env = environment(tmp_path, {"list.html": (
        "{% for item in items %}{% cache item %}[{{ count(item) }}]{% endcache %}{% endfor %}")})
    count = Counter()
    first = env.get_template("list.html").render(items=["a", "b", "a"], count=count)
    second = env.get_template("list.html").render(items=["b", "c"], count=count)
    assert first == "[&lt;a&gt;][&lt;b&gt;][&lt;a&gt;]"
    assert second == "[&lt;b&gt;][&lt;c&gt;]"
    assert count.calls == 3     # a, b, c: each rendered once across both pages


def test_cache_blocks_in_different_places_do_not_share(tmp_path):
    env = environment(tmp_path, {"page.html": "{% cache key %}one{% endcache %}|{% cache key %}two{% endcache %}",
                                 "other.html": "{% cache key %}three{% endcache %}"})
    assert env.get_template("page.html").render(key="k") == "one|two"
    assert env.get_template("other.html").render(key="k") == "three"


def test_cache_keys_by_every_expression_and_keeps_markup(tmp_path):
    env = environment(tmp_path, {"page.html": (
        "{% for story in stories %}{% cache story.id, level %}<h{{ level }}>{{ story.title }}</h{{ level }}>"
        "{% endcache %}{% endfor %}")})
    stories = [{"id": 1, "title": "Tom & Jerry"}]
    template = env.get_template("page.html")
    assert template.render(stories=stories, level=2) == "<h2>Tom &amp; Jerry</h2>"
    assert template.render(stories=stories, level=3) == "<h3>Tom &amp; Jerry</h3>"


def test_cache_starts_afresh_when_full(tmp_path):
    env = environment(tmp_path, {"page.html": "{% for i in items %}{% cache i %}{{ count(i) }}{% endcache %}{% endfor %}"})
    keep = env.filters["_dateline_keep"]     # what every rendered block calls to store itself
    for number in range(FragmentCache.LIMIT):
        keep(f"fragment {number}", ("another block", number))
    count = Counter()
    assert env.get_template("page.html").render(items=[1, 2, 1], count=count) == "&lt;1&gt;&lt;2&gt;&lt;1&gt;"
    assert count.calls == 2     # the full cache was emptied for 1, which was then reused
    assert len(env.fragment_cache) == 2 and ("another block", 0) not in env.fragment_cache


def test_dict_attributes_read_keys_but_methods_stay_methods(tmp_path):
    env = environment(tmp_path, {"page.html": "{{ meta.title }}|{{ meta.items() | list | length }}|{{ meta.keys }}"})
    text = env.get_template("page.html").render(meta={"title": "Hello", "keys": "shadowed?"})
    title, length, keys = text.split("|")
    assert (title, length) == ("Hello", "2")
    assert keys.startswith("&lt;built-in method keys")     # Jinja's rule: the attribute wins


def test_missing_dict_key_is_still_an_error(tmp_path):
    env = environment(tmp_path, {"page.html": "{{ meta.missing }}"})
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("page.html").render(meta={"title": "x"})


def test_site_helpers_work_in_loops_macros_and_call_blocks(tmp_path):
    env = environment(tmp_path, {"page.html": (
        "{% macro item(path) %}<a href=\"{{ link(path) }}\">{{ caller() }}</a>{% endmacro %}"
        "{% for tag in tags %}{% call item('/t/') %}{{ term_link('tag', tag) }}{% endcall %}{% endfor %}"
        "{{ absolute('/feed.xml') }}")})
    text = env.get_template("page.html").render(tags=["Climate talks"])
    assert text == ('<a href="/news/t/">/news/tags/climate-talks/</a>'
                    "https://example.org/news/feed.xml")


def test_context_taking_callables_still_get_the_context(tmp_path):
    env = environment(tmp_path, {"page.html": "{{ who() }}"})

    @jinja2.pass_context
    def who(context):
        return context["name"]

    assert env.get_template("page.html").render(who=who, name="Asha") == "Asha"


# -- the overrides against the Jinja they were written for ------------------------------
#
# pages.py reaches into Jinja in two places: HelperContext.call drops the private
# keyword arguments the compiler adds to calls made in loops and blocks, and
# DictFirstEnvironment.getattr inlines Environment.getattr. pyproject.toml pins
# jinja2 to the 3.1 series they were written against; these tests fail when an
# upgrade changes what the overrides rely on, or when their results stop
# matching plain Jinja's.

CALLS_IN_EVERY_FRAME = (
    '{% extends "base.html" %}{% block main %}{% set top = "/t/" %}{{ link(top) }}'
    "{% for tag in tags %}{% set path = '/' + tag + '/' %}{{ link(path) }}{{ term_link('tag', tag) }}{% endfor %}"
    "{% macro item(path) %}{{ absolute(path) }}{{ caller() }}{% endmacro %}"
    "{% call item('/m/') %}{{ link('/c/') }}{% endcall %}{% endblock %}")


def test_jinja_passes_only_the_private_arguments_the_override_drops(tmp_path):
    env = environment(tmp_path, {})
    code = env.compile(CALLS_IN_EVERY_FRAME, "page.html", raw=True)
    private = {keyword for line in code.splitlines() if "context.call(" in line
               for keyword in re.findall(r"\b(_\w+)=", line)}
    assert private == {"_loop_vars", "_block_vars"}, (
        "Jinja now passes other private arguments to Context.call: update HelperContext.call in "
        f"dateline/pages.py, then the jinja2 pin in pyproject.toml ({private})")
    dropped = set(re.findall(r'kwargs\.pop\("(\w+)"', inspect.getsource(jinja2.runtime.Context.call)))
    assert dropped == {"_loop_vars", "_block_vars"}, (
        f"Jinja's Context.call now drops {dropped}: HelperContext.call must drop the same")


def test_getattr_override_inlines_the_jinja_it_replaces():
    # The fallback of DictFirstEnvironment.getattr is Jinja's own method, copied
    # to save a call; when Jinja changes it, copy it again.
    def body(function) -> str:
        lines = inspect.getsource(function).splitlines()
        start = next(i for i, line in enumerate(lines) if line.strip() == "try:")
        return "\n".join(line.strip() for line in lines[start:] if line.strip() and not line.strip().startswith("#"))

    assert body(DictFirstEnvironment.getattr).endswith(body(jinja2.Environment.getattr)), (
        "jinja2.Environment.getattr changed: update DictFirstEnvironment.getattr in dateline/pages.py")


class Story:
    title = "An attribute"

    def __getitem__(self, key):
        return f"item {key}"


class DictWithAttribute(dict):
    title = "a subclass attribute"


def lookup_cases():
    return [({"title": "a key"}, "title"), ({"items": "a key"}, "items"), ({"keys": 1}, "keys"),
            ({}, "missing"), ({"get": None}, "get"), (DictWithAttribute(title="its key"), "title"),
            (Story(), "title"), (Story(), "anything"), ([1, 2], "append"), ("text", "upper"),
            (None, "title"), (3, "real"), ({1: "int key"}, "1")]


def test_getattr_gives_plain_jinja_results():
    ours, plain = DictFirstEnvironment(undefined=jinja2.StrictUndefined), jinja2.Environment(
        undefined=jinja2.StrictUndefined)
    for obj, name in lookup_cases():
        expected, got = plain.getattr(obj, name), ours.getattr(obj, name)
        if isinstance(expected, jinja2.Undefined):
            assert isinstance(got, jinja2.StrictUndefined) and got._undefined_name == name, (obj, name)
        else:
            assert got == expected, (obj, name)


TEMPLATES = {
    "base.html": "<main>{% block main %}{% endblock %}</main>{% include 'footer.html' %}",
    "footer.html": "<footer>{{ link('/about/') }} {{ site.title }}</footer>",
    "page.html": CALLS_IN_EVERY_FRAME,
    "dicts.html": ("{% for story in stories %}{{ story.title }}|{{ story.items() | list | length }}|"
                   "{{ story.get('title') }}|{{ story.keys is defined }}{% endfor %}"),
    "context.html": ("{% for name in names %}{% set greeting = 'Hello ' + name %}{{ who() }};{% endfor %}"
                     "{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}{{ who() }}{% endcall %}"),
    "filters.html": ("{% for story in stories %}{{ story.published | display_date('UTC') }} "
                     "{{ term_link('tag', story.title) }}{% endfor %}"),
}


def test_the_environment_renders_what_plain_jinja_renders(tmp_path):
    env = environment(tmp_path, TEMPLATES)
    plain = jinja2.Environment(loader=env.loader, autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    plain.globals.update(env.globals)
    plain.filters.update(env.filters)

    @jinja2.pass_context
    def who(context):
        return f"{context.get('name')}: {context.get('greeting')}"

    published = datetime(2025, 10, 25, 9, 28, tzinfo=timezone.utc)
    values = {"tags": ["Climate talks", "Zürich"], "names": ["Asha", "Bo"], "who": who,
              "stories": [{"title": "Tom & Jerry", "published": published}, {"title": "<b>", "published": published}]}
    for name in sorted(TEMPLATES):
        assert env.get_template(name).render(values) == plain.get_template(name).render(values), name
    assert "Hello Bo" in env.get_template("context.html").render(values)   # loop variables reach the context


PAGE_LINKS = ("{{ home_link() }} {{ archive_link() }} {{ search_link() }} {{ term_index_link('tag') }} "
              "{{ term_index_link('author') }} {{ feed_link('rss') }} {{ feed_link('json') }} "
              "{{ home_link(prefix='') }}")


def test_page_links_follow_the_base_path_and_the_page_language(tmp_path):
    from dateline.languages import Language
    env = environment(tmp_path, {"nav.html": PAGE_LINKS})
    default = env.get_template("nav.html").render().split()
    hindi = env.get_template("nav.html").render(lang=Language("hi", "/hi", "Test")).split()
    assert default == ["/news/", "/news/archive/", "/news/search/", "/news/tags/", "/news/authors/",
                       "/news/feed.xml", "/news/feed.json", "/news/"]
    assert hindi == ["/news/hi/", "/news/hi/archive/", "/news/hi/search/", "/news/hi/tags/", "/news/hi/authors/",
                     "/news/hi/feed.xml", "/news/hi/feed.json", "/news/"]


def test_page_links_inside_a_cached_block_and_a_macro_give_the_same_links(tmp_path):
    from dateline.languages import Language
    env = environment(tmp_path, {"nav.html": (
        "{% macro item(kind) %}{{ term_index_link(kind) }}{% endmacro %}"
        "{% cache 'nav', lang.tag %}{% for kind in ['section', 'location'] %}{{ item(kind) }} {% endfor %}"
        "{% endcache %}")})
    assert env.get_template("nav.html").render(lang=Language("ar", "/ar", "T")).split() == [
        "/news/ar/sections/", "/news/ar/locations/"]
