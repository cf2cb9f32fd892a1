"""Bad input: every problem in one run as `path:line: field: message`, exit 1,
and the site already in the output folder left exactly as it was."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import article, make_project, override_template, read_tree, run_build

GOOD = {"2025/10/good.md": article("Good story", "2025-10-01T10:00:00+01:00", body="See [the other](other.md).\n"),
        "2025/10/other.md": article("Other story", "2025-10-02T10:00:00+01:00")}

CASES = {
    "malformed_yaml": ("2025/10/bad.md", "---\ntitle: [unclosed\nauthor: A\npublished: 2025-10-01\n---\nx\n",
                       "content/2025/10/bad.md:3: front matter: invalid YAML: while parsing a flow sequence, "
                       "did not find expected ',' or ']'"),
    "control_character": ("2025/10/bad.md", "---\ntitle: T\nauthor: A\npublished: 2025-10-01\nsummary: a\x80b\n---\nx\n",
                          "content/2025/10/bad.md:5: front matter: invalid YAML: unacceptable character #x0080: "
                          "control characters are not allowed"),
    "missing_title": ("2025/10/bad.md", "---\nauthor: A\npublished: 2025-10-01\n---\nx\n",
                      "content/2025/10/bad.md:2: title: is required"),
    "missing_author": ("2025/10/bad.md", "---\ntitle: T\npublished: 2025-10-01\n---\nx\n",
                       "content/2025/10/bad.md:2: author: is required (add `author: Name` or `authors: [A, B]`)"),
    "bad_date": ("2025/10/bad.md", "---\ntitle: T\nauthor: A\npublished: 5 March\n---\nx\n",
                 "content/2025/10/bad.md:4: published: expected a date like 2025-10-25 or "
                 "2025-10-25T09:28:00+05:30, got '5 March'"),
    "unknown_key": ("2025/10/bad.md", "---\ntitle: T\nauthor: A\npublished: 2025-10-01\ndateline: Paris\n---\nx\n",
                    "content/2025/10/bad.md:5: dateline: unknown field (did you mean `location`?)"),
    "misspelt_key": ("2025/10/bad.md", "---\ntitle: T\nauthor: A\npublished: 2025-10-01\nsumary: x\n---\nx\n",
                     "content/2025/10/bad.md:5: sumary: unknown field (did you mean `summary`?)"),
    "slug_leaves_site": ("2025/10/bad.md", "---\ntitle: T\nauthor: A\npublished: 2025-10-01\nslug: ../../etc\n---\nx\n",
                         "content/2025/10/bad.md:5: slug: '../../etc' would leave its folder in site/ "
                         "(use lowercase letters, digits and hyphens, e.g. etc)"),
    "broken_link": ("2025/10/bad.md", "---\ntitle: T\nauthor: A\npublished: 2025-10-03\n---\n\nSee [x](../09/gone.md).\n",
                    "content/2025/10/bad.md:7: body: link to content/2025/09/gone.md, which does not exist"),
    "updated_before_published": (
        "2025/10/bad.md", "---\ntitle: T\nauthor: A\npublished: 2025-10-04T10:00:00Z\nupdated: 2025-10-03T10:00:00Z\n---\nx\n",
        "content/2025/10/bad.md:5: updated: 2025-10-03T10:00:00+00:00 is earlier than published 2025-10-04T10:00:00+00:00"),
    "duplicate_url": ("2025/10/zzz.md", "---\ntitle: T\nauthor: A\npublished: 2025-10-01T10:00:00+01:00\nslug: good\n---\nx\n",
                      "content/2025/10/zzz.md:5: url: /2025/10/01/good/ is also the URL of content/2025/10/good.md "
                      "(give one of them another `slug:`)"),
    "no_front_matter": ("2025/10/bad.md", "Just text\n",
                        "content/2025/10/bad.md:1: front matter: missing: the file must start with a --- line "
                        "(start the file with ---, the front matter, then ---)"),
    "boolean_draft": ("2025/10/bad.md", "---\ntitle: T\nauthor: A\npublished: 2025-10-01\ndraft: yes\n---\nx\n",
                      "content/2025/10/bad.md:5: draft: expected true or false, got 'yes'"),
    "unknown_zone": ("2025/10/bad.md", "---\ntitle: T\nauthor: A\npublished: 2025-10-01\ntimezone: Mars/Olympus\n---\nx\n",
                     "content/2025/10/bad.md:5: timezone: unknown time zone 'Mars/Olympus' "
                     "(use an IANA name such as Asia/Kolkata)"),
}


def snapshot(folder: Path) -> dict:
    """Bytes, inode and mtime of every file: "untouched" means all three are unchanged."""
    return {path: (data, os.stat(folder / path).st_ino, os.stat(folder / path).st_mtime_ns)
            for path, data in read_tree(folder).items()}


@pytest.fixture(scope="module")
def good_project(tmp_path_factory) -> Path:
    """GOOD, built once (search on, as by default). Each bad-input case adds its
    file, builds, and takes the file away again: the site it finds is the one
    that build made, untouched by the failed builds before it (each checks that)."""
    root = make_project(tmp_path_factory.mktemp("errors") / "project", GOOD)
    first = run_build(root)
    assert first.returncode == 0, first.stderr
    return root


@pytest.mark.parametrize("scenario", sorted(CASES))
def test_bad_input_names_file_line_and_field_and_leaves_site_untouched(good_project, scenario):
    root = good_project
    before, beside = snapshot(root / "site"), sorted(root.iterdir())
    name, text, expected = CASES[scenario]
    bad = root / "content" / name
    assert not bad.exists()
    bad.write_text(text, encoding="utf-8")
    try:
        result = run_build(root)
    finally:
        bad.unlink()
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == expected
    assert lines[-1] == "1 error; nothing was written"
    assert snapshot(root / "site") == before
    assert sorted(root.iterdir()) == beside     # nothing staged or set aside beside it either


def test_every_problem_is_reported_in_one_run_sorted_by_path(tmp_path):
    files = dict(GOOD)
    for scenario in ("missing_title", "bad_date", "unknown_key"):
        name, text, _ = CASES[scenario]
        files[name.replace("bad", scenario)] = text
    root = make_project(tmp_path, files)
    result = run_build(root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/2025/10/bad_date.md:4: published: expected a date like 2025-10-25 or 2025-10-25T09:28:00+05:30, "
        "got '5 March'",
        "content/2025/10/missing_title.md:2: title: is required",
        "content/2025/10/unknown_key.md:5: dateline: unknown field (did you mean `location`?)",
        "3 errors; nothing was written",
    ]
    assert not (root / "site").exists()


def test_yaml_traps_stay_text(tmp_path):
    root = make_project(tmp_path, {"2025/10/no.md": article(
        "Oslo talks", "2025-10-01T10:00:00+02:00", extra="location: NO\ntags: [on, 1.10, yes]\nsection: Off\n")})
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    page = (root / "site/2025/10/01/no/index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="/locations/no/"[^>]*>NO</a>', page)
    for tag in ("on", "110", "yes"):  # dots are dropped from term slugs, so "U.S." meets "US"
        assert (root / f"site/tags/{tag}/index.html").is_file()


def test_bad_site_yaml_is_reported_with_a_hint(tmp_path):
    root = make_project(tmp_path, GOOD, site_yaml="title: T\nbase_url: https://example.org/\nper_pgae: 3\n")
    result = run_build(root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "site.yaml:3: per_pgae: unknown setting (did you mean `per_page`?)"


def test_naive_dates_use_the_site_zone_and_dst_gaps_are_errors(tmp_path):
    root = make_project(tmp_path, {
        "2025/03/gap.md": article("Gap", "2025-03-30T01:30:00"),
        "2025/07/summer.md": article("Summer", "2025-07-01 09:00"),
    })
    result = run_build(root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(
        "content/2025/03/gap.md:4: published: 2025-03-30T01:30:00 does not exist in Europe/London")
    (root / "content/2025/03/gap.md").unlink()
    assert run_build(root).returncode == 0
    page = (root / "site/2025/07/01/summer/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2025-07-01T09:00:00+01:00">1 July 2025, 9:00 AM BST</time>' in page


def test_a_template_crash_names_the_article_and_leaves_site_untouched(tmp_path):
    root = make_project(tmp_path, GOOD)
    assert run_build(root).returncode == 0
    before = snapshot(root / "site")
    override_template(root, "article.html", lambda text: text.replace("{{ article.title }}</h1>",
                                                                     "{{ article.no_such_field }}</h1>"))
    result = run_build(root)
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: layouts/article.html:") and "(page /2025/10/0" in first
    assert ", from content/2025/10/" in first
    assert "no_such_field" in first and "Traceback" not in result.stderr
    assert snapshot(root / "site") == before
    assert not (tmp_path / ".site.staging").exists()    # the half-staged site is thrown away
