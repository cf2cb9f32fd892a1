"""Property-based tests: generated front matter and Markdown, hostile cases
included. The build either succeeds with well-formed output or fails with
problems naming the file; never a traceback, never a file outside the output."""
from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import feedparser
import html5lib
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_project
from dateline.config import load_config
from dateline.errors import BuildError
from dateline.pipeline import BuildOptions, build

HOSTILE = st.sampled_from(["<script>alert(1)</script>", "</script>", "\"'&<>", "NO", "on", "1.10", "~", "null",
                           "\u202eevil", "\x00\x01\x1b", "🎉", "北京", "مرحبا", "../../etc", "a: b", "- x", "{x}",
                           "%s%n", "\\", "\ufeff", "\u2028", "javascript:alert(1)", "*" * 30])
TEXT = st.one_of(HOSTILE, st.text(min_size=0, max_size=40))
DATES = st.one_of(st.sampled_from(["2025-10-01", "2025-03-30T01:30:00", "2025-10-26T01:30:00", "1899-01-01",
                                   "2201-01-01", "2025-02-30", "soon", "2025-10-01T10:00:00+05:30"]),
                  st.datetimes(min_value=__import__("datetime").datetime(1890, 1, 1),
                               max_value=__import__("datetime").datetime(2210, 1, 1)).map(lambda d: d.isoformat()))
FIELDS = st.fixed_dictionaries(
    {"title": TEXT, "author": TEXT, "published": DATES},
    optional={"summary": TEXT, "location": TEXT, "section": TEXT, "tags": st.lists(TEXT, max_size=4),
              "updated": DATES, "slug": TEXT, "id": TEXT, "draft": st.sampled_from(["true", "false", "yes"]),
              "image": TEXT, "image_alt": TEXT, "aliases": st.lists(TEXT, max_size=2), "bogus": TEXT})
MARKDOWN = st.lists(st.one_of(
    st.text(max_size=80), HOSTILE, st.just("## Heading"), st.just("> quote"), st.just("- item\n- item"),
    st.just("[link](other.md)"), st.just("[gone](../nowhere.md)"), st.just("<div onclick='x()'>raw</div>"),
    st.just("| a | b |\n|---|---|\n| 1 | 2 |"), st.just("text[^1]\n\n[^1]: note"), st.just("![img](/media/x.png)"),
), max_size=6).map("\n\n".join)


def front_matter(fields: dict, raw: bool) -> str:
    if raw:   # hand-written YAML, quoting what needs it the way authors do (or don't)
        return "".join(f"{key}: {value}\n" for key, value in fields.items() if not isinstance(value, list))
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles=st.lists(st.tuples(FIELDS, MARKDOWN, st.booleans()), min_size=1, max_size=3))
def test_generated_archives_build_or_fail_cleanly(articles):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        files = {"2025/10/other.md": "---\ntitle: Other\nauthor: A\npublished: 2025-10-01\n---\nText\n"}
        for number, (fields, body, raw) in enumerate(articles):
            files[f"2025/10/story-{number}.md"] = f"---\n{front_matter(fields, raw)}---\n{body}\n"
        make_project(root, files)
        config, problems = load_config(root)
        assert config is not None, problems
        out = Path(folder) / "out"
        before = set(Path(folder).rglob("*"))
        try:
            build(config, BuildOptions(out_dir=out, jobs=1))
        except BuildError as error:
            assert error.problems
            for problem in error.problems:
                source = root / problem.path
                assert source.is_file(), str(problem)
                # One line naming a field and what is wrong with it, at a line of that file.
                assert "\n" not in str(problem) and problem.field and problem.message, repr(problem)
                lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
                assert 0 <= problem.line <= len(lines) + 1, str(problem)
            assert not out.exists()
            return
        created = set(Path(folder).rglob("*")) - before
        # site, spare tree, the output folder's lock, cache
        allowed = (out, Path(folder) / ".out.staging", Path(folder) / ".out.lock", root / ".dateline-cache")
        assert all(any(p == a or a in p.parents for a in allowed) for p in created)
        for path in out.rglob("*.xml"):
            ElementTree.fromstring(path.read_bytes())
        for name in ("feed.xml", "atom.xml"):
            assert not feedparser.parse((out / name).read_bytes()).bozo
        for path in out.rglob("*.html"):
            document = html5lib.parse(path.read_bytes(), treebuilder="etree")
            assert document.find(".//{http://www.w3.org/1999/xhtml}title") is not None
