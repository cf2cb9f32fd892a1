"""The Jinja environment's own parts: the `{% cache %}` tag, dict lookups and
the site helpers' fast calls must behave exactly as plain Jinja would."""
from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from dateline.config import parse_config
from dateline.pages import make_environment
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


def test_cache_starts_afresh_when_full(tmp_path, monkeypatch):
    env = environment(tmp_path, {"page.html": "{% for i in items %}{% cache i %}{{ count(i) }}{% endcache %}{% endfor %}"})
    extension = next(iter(env.extensions.values()))
    monkeypatch.setattr(extension, "LIMIT", 2)
    count = Counter()
    env.get_template("page.html").render(items=[1, 2, 3, 1], count=count)
    assert count.calls == 4     # the third key cleared the cache, so 1 rendered again
    assert len(env.fragment_cache) == 2


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
