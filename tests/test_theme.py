"""The packaged theme: a project with no templates builds with it, layouts/
overrides it file by file, static/ overrides its static files by path, and a
broken template is reported by its file and line, by `check` as by the build."""
from __future__ import annotations

import pickle
from pathlib import Path

import jinja2

from conftest import THEME, article, make_project, override_template, read_tree, run_build, write_tree
from dateline.config import parse_config
from dateline.errors import BuildError, Problem
from dateline.pages import template_fingerprints, template_loader
from dateline.render import RenderError

STORY = {"2025/10/a.md": article("Alpha", "2025-10-01T10:00:00Z", extra="summary: A dek.\n")}
ARTICLE_PAGE = "site/2025/10/01/a/index.html"


def page(root: Path, path: str = ARTICLE_PAGE) -> str:
    return (root / path).read_text(encoding="utf-8")


def test_a_project_without_layouts_builds_with_the_packaged_theme(tmp_path):
    root = make_project(tmp_path, STORY)
    assert not (root / "layouts").exists()
    result = run_build(root, "--no-search")
    assert result.returncode == 0, result.stderr
    html = page(root)
    assert '<nav class="site-nav" aria-label="Sections of the site">' in html
    assert "<h1>Alpha</h1>" in html
    assert (root / "site/css/site.css").read_bytes() == (THEME / "static/css/site.css").read_bytes()
    assert (root / "site/favicon.svg").read_bytes() == (THEME / "static/favicon.svg").read_bytes()


def test_one_partial_in_layouts_replaces_only_that_partial(tmp_path):
    root = make_project(tmp_path, STORY)
    write_tree(root, {"layouts/partials/site-nav.html": '<nav aria-label="Ours"><a href="{{ link(\'/x/\') }}">X</a></nav>\n'})
    assert run_build(root, "--no-search").returncode == 0
    html = page(root)
    assert '<nav aria-label="Ours"><a href="/x/">X</a></nav>' in html
    assert 'class="site-nav"' not in html
    assert "<h1>Alpha</h1>" in html and 'class="site-title"' in html     # the rest is still the theme's


def test_an_override_can_extend_the_theme_file_it_replaces(tmp_path):
    root = make_project(tmp_path, STORY)
    write_tree(root, {"layouts/base.html": (
        '{% extends "theme/base.html" %}\n'
        '{% block head_extra %}<meta name="x-ours" content="1">{% endblock %}\n')})
    assert run_build(root, "--no-search").returncode == 0
    html = page(root)
    assert '<meta name="x-ours" content="1">' in html
    assert "<h1>Alpha</h1>" in html and html.count("<header") == 2   # site header and article header


def test_static_files_override_the_theme_by_path(tmp_path):
    root = make_project(tmp_path, STORY)
    write_tree(root, {"static/css/site.css": "body { color: black; }\n"})
    assert run_build(root, "--no-search").returncode == 0
    assert (root / "site/css/site.css").read_text() == "body { color: black; }\n"
    assert (root / "site/favicon.svg").read_bytes() == (THEME / "static/favicon.svg").read_bytes()


def test_adding_editing_and_removing_an_override_rerenders(tmp_path):
    root = make_project(tmp_path, STORY)
    assert run_build(root, "--no-search").returncode == 0
    theme_bytes = read_tree(root / "site")
    override = override_template(root, "partials/byline.html", lambda text: "<p>BYLINE ONE</p>\n")
    assert run_build(root, "--no-search").returncode == 0
    assert "BYLINE ONE" in page(root) and "BYLINE ONE" in page(root, "site/index.html")
    override.write_text("<p>BYLINE TWO</p>\n")
    assert run_build(root, "--no-search").returncode == 0
    assert "BYLINE TWO" in page(root) and "BYLINE ONE" not in page(root, "site/index.html")
    override.unlink()
    assert run_build(root, "--no-search").returncode == 0
    assert read_tree(root / "site") == theme_bytes


def test_fingerprints_follow_the_override_and_the_theme(tmp_path):
    """The digest is of the file the loader picks: an override, else the theme's."""
    theme, layouts = tmp_path / "theme", tmp_path / "layouts"
    write_tree(theme, {"page.html": "{% include 'part.html' %}", "part.html": "theme part", "other.html": "x"})
    layouts.mkdir()
    config, _ = parse_config("title: T\nbase_url: https://example.org/\n", tmp_path)

    def fingerprints() -> dict[str, str]:
        env = jinja2.Environment(loader=template_loader(layouts, theme))
        return template_fingerprints(env, ["page.html", "other.html"], config)

    first = fingerprints()
    (theme / "part.html").write_text("theme part, new release")
    second = fingerprints()
    assert second["page.html"] != first["page.html"] and second["other.html"] == first["other.html"]
    write_tree(layouts, {"part.html": "our part"})
    third = fingerprints()
    assert third["page.html"] not in (first["page.html"], second["page.html"])
    assert third["other.html"] == first["other.html"]


def test_a_syntax_error_names_the_template_file_and_line(tmp_path):
    root = make_project(tmp_path, STORY)
    override_template(root, "article.html", lambda text: text.replace("<h1>{{ article.title }}</h1>",
                                                                        "<h1>{{ article.title( }}</h1>"))
    line = page_line(root / "layouts/article.html", "article.title(")
    for command in ((), ("check",)):
        result = run_build(root, *command)
        assert result.returncode == 1
        assert result.stderr.splitlines()[0] == f"layouts/article.html:{line}: template: unexpected '}}', expected ')'"
        assert "<unknown>" not in result.stderr and "Traceback" not in result.stderr
    assert not (root / "site").exists()


def test_an_undefined_variable_names_the_partial_and_line_and_check_fails_too(tmp_path):
    root = make_project(tmp_path, STORY)
    override_template(root, "partials/byline.html", lambda text: "<p>\n{{ story.no_such_field }}\n</p>\n")
    result = run_build(root, "check")
    assert result.returncode == 1, result.stdout
    assert result.stderr.splitlines()[0].startswith(
        "layouts/partials/byline.html:2: template: 'dateline.model.Article object' has no attribute 'no_such_field'")
    assert result.stderr.count("no_such_field") == 1        # one problem, however many pages it breaks
    build = run_build(root)
    assert build.returncode == 1
    assert build.stderr.splitlines()[0].startswith("error: layouts/partials/byline.html:2: template: ")
    assert "Traceback" not in build.stderr


def test_a_missing_include_names_the_template_that_includes_it(tmp_path):
    root = make_project(tmp_path, STORY)
    write_tree(root, {"layouts/list.html": '{% extends "base.html" %}\n{% block main %}\n'
                                           '{% include "partials/nope.html" %}\n{% endblock %}\n'})
    result = run_build(root, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "layouts/list.html:3: template: template 'partials/nope.html' not found in layouts/ or the theme")


def test_check_passes_a_good_archive_after_rendering_its_templates(tmp_path):
    root = make_project(tmp_path, STORY)
    result = run_build(root, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("checked 1 article in")
    assert not (root / "site").exists()


def test_a_render_error_survives_the_trip_from_a_worker_process():
    error = pickle.loads(pickle.dumps(RenderError(Problem("layouts/a.html", 3, "template", "boom", "page /"))))
    assert str(error) == "layouts/a.html:3: template: boom (page /)"
    assert error.problem.line == 3


def test_a_build_error_lists_every_broken_template(tmp_path):
    theme, layouts = tmp_path / "theme", tmp_path / "layouts"
    write_tree(theme, {"a.html": "{% if %}", "b.html": "{{ x }"})
    layouts.mkdir()
    config, _ = parse_config("title: T\nbase_url: https://example.org/\n", tmp_path)
    env = jinja2.Environment(loader=template_loader(layouts, theme))
    try:
        template_fingerprints(env, ["a.html", "b.html"], config)
    except BuildError as error:
        assert [(p.path, p.line, p.field) for p in error.problems] == [
            ("theme/a.html", 1, "template"), ("theme/b.html", 1, "template")]
    else:
        raise AssertionError("no BuildError")


def page_line(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)
