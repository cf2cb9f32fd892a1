"""Mistakes a new user makes get a message that says what to do: an unquoted
colon in a headline, a link to a story that has its own error, and placeholder
text left from `new`."""
from __future__ import annotations

from conftest import article, make_project, run_build


def test_an_unquoted_colon_in_a_title_says_to_quote_it(tmp_path):
    root = make_project(tmp_path, {"2025/10/a.md": article("Talks: day two", "2025-10-01T10:00:00Z")})
    result = run_build(root)
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith("content/2025/10/a.md:2: front matter: invalid YAML: mapping values are not allowed")
    assert first.endswith('(put the title in quotes: title: "Talks: day two")')


def test_other_yaml_errors_get_no_quoting_hint(tmp_path):
    root = make_project(tmp_path, {"2025/10/a.md": "---\ntitle: [A\nauthor: B\npublished: 2025-10-01\n---\nx\n"})
    first = run_build(root).stderr.splitlines()[0]
    assert first.startswith("content/2025/10/a.md:") and "invalid YAML" in first and "quotes" not in first


def test_a_link_to_a_story_with_its_own_error_names_that_error(tmp_path):
    root = make_project(tmp_path, {
        "2025/10/a.md": article("Talks: day two", "2025-10-01T10:00:00Z"),
        "2025/10/b.md": article("Beta", "2025-10-02T10:00:00Z", body="See [the talks](a.md).\n"),
        "2025/10/c.md": article("Gamma", "2025-10-02T10:00:00Z", body="See [nothing](missing.md).\n"),
    })
    lines = run_build(root).stderr.splitlines()
    assert lines[1].startswith("content/2025/10/b.md:6: body: link to content/2025/10/a.md, which has an error of "
                               "its own: content/2025/10/a.md:2: front matter: invalid YAML: mapping values are not")
    assert "(put" not in lines[1]      # the hint is on a.md's own line
    assert lines[2] == "content/2025/10/c.md:6: body: link to content/2025/10/missing.md, which does not exist"


def test_check_strict_fails_on_placeholder_text_from_new(tmp_path):
    root = make_project(tmp_path, {})
    created = run_build(root, "new", "Floods close schools", "--author", "Ana Souza")
    assert created.returncode == 0, created.stderr
    path = created.stdout.split()[1]
    assert run_build(root, "check", "--strict").returncode == 0      # a draft: never published as it is
    source = root / path
    source.write_text(source.read_text().replace("draft: true\n", ""))
    result = run_build(root, "check", "--strict")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"warning: {path}:3: summary: still the placeholder written by `new` (write the story's dek)",
        f"warning: {path}:8: body: placeholder text left from `new` on lines 8, 12, 16 and 18 "
        "(replace it with the story)",
        "0 errors, 2 warnings; site/ was not touched"]
    plain = run_build(root, "check")
    assert plain.returncode == 0 and "2 warnings" in plain.stdout
