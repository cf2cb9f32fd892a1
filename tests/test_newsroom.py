"""The newsroom's commands: new, check and import, run as a user would."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import html5lib

from conftest import article, copy_sample_project, make_project, run_build

IMPORTS = Path(__file__).parent / "fixtures/import"
NS = {"h": "http://www.w3.org/1999/xhtml"}


def test_new_creates_an_article_that_builds_and_refuses_to_overwrite(tmp_path):
    root = make_project(tmp_path, {})
    result = run_build(root, "new", "Port workers strike in Rotterdam", "--author", "Ana Souza",
                       "--location", "Rotterdam", "--section", "Business", "--tags", "labour, ports")
    assert result.returncode == 0, result.stderr
    created = re.fullmatch(r"created (content/\d{4}/\d\d/port-workers-strike-in-rotterdam\.md)\n", result.stdout)
    assert created
    text = (root / created.group(1)).read_text(encoding="utf-8")
    assert "author: Ana Souza\n" in text and "location: Rotterdam\n" in text and "## Background" in text
    assert re.search(r"published: '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[01]:00'", text)  # Europe/London
    assert "\ndraft: true\n---\n" in text     # nothing is published before its author says so
    assert run_build(root).returncode == 0
    assert not list((root / "site").glob("*/*/*/port-workers-strike-in-rotterdam/index.html"))   # a draft
    assert run_build(root, "--drafts").returncode == 0
    assert len(list((root / "site").glob("*/*/*/port-workers-strike-in-rotterdam/index.html"))) == 1
    again = run_build(root, "new", "Port workers strike in Rotterdam")
    assert again.returncode == 1
    assert "already exists; not overwritten" in again.stderr
    assert (root / created.group(1)).read_text(encoding="utf-8") == text


def test_check_is_clean_on_the_sample_and_writes_no_site(tmp_path):
    root = copy_sample_project(tmp_path)
    result = run_build(root, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("checked 10 articles")
    assert not (root / "site").exists()


def test_check_finds_each_planted_problem(tmp_path):
    root = make_project(tmp_path, {
        "2025/01/a.md": article("Same headline", "2025-01-01T10:00:00Z", extra="summary: A dek.\n"),
        "2025/01/b.md": article("Same headline", "2025-01-02T10:00:00Z",
                                extra="summary: A dek.\nimage: /media/missing.jpg\nimage_alt: A photo\n"),
        "2025/01/c.md": article("No dek here", "2025-01-03T10:00:00Z"),
    })
    result = run_build(root, "check")
    assert result.returncode == 1       # a missing image is an error (the build would stop on it)
    assert result.stderr.splitlines() == [
        "content/2025/01/b.md:6: image: /media/missing.jpg is not in static/ or the theme's static files "
        "(put the file there, or fix the path)",
        "1 error; site/ was not touched",
    ]
    (root / "content/2025/01/b.md").write_text(article("Same headline", "2025-01-02T10:00:00Z",
                                                       extra="summary: A dek.\n"), encoding="utf-8")
    result = run_build(root, "check")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "warning: content/2025/01/b.md:2: title: same headline as content/2025/01/a.md",
        "warning: content/2025/01/c.md:2: summary: missing: lists, feeds and search results show the dek",
        "0 errors, 2 warnings; site/ was not touched",
    ]
    assert run_build(root, "check", "--strict").returncode == 1
    (root / "content/2025/01/d.md").write_text(article("Broken", "2025-01-04T10:00:00Z", extra="summary: x\n",
                                                       body="See [gone](../02/gone.md).\n"), encoding="utf-8")
    broken = run_build(root, "check")
    assert broken.returncode == 1
    assert "content/2025/01/d.md:7: body: link to content/2025/02/gone.md, which does not exist" in broken.stderr
    assert not (root / "site").exists()


def import_project(tmp_path: Path) -> Path:
    root = make_project(tmp_path, {
        "2025/10/fishermen.md": article("Fishermen in Vypin Demand Compensation for Lost Catch During Strike",
                                        "2025-10-20T10:00:00+05:30", extra="summary: Earlier story.\n"),
    }, site_yaml="title: T\nbase_url: https://example.org/\ntimezone: Asia/Kolkata\n")
    return root


def test_import_then_build_shows_the_original_headline_byline_times_and_dateline(tmp_path):
    root = import_project(tmp_path)
    story = IMPORTS / "full_story_ist.txt"
    result = run_build(root, "import", str(story))
    assert result.returncode == 0, result.stderr
    target = "content/2025/10/kochi-harbour-workers-end-strike-after-wage-deal-with-port-trust.md"
    assert f"-> {target}" in result.stdout
    assert "dropped stray line 'Trending'" in result.stdout
    markdown = (root / target).read_text(encoding="utf-8")
    assert "\nsanitize: true" in markdown.split("\n---\n", 1)[0]   # copied text is not trusted with raw HTML
    assert "[Fishermen in Vypin Demand Compensation for Lost Catch During Strike](fishermen.md)" in markdown
    assert run_build(root).returncode == 0, run_build(root).stderr
    page_path = root / "site/2025/10/24/kochi-harbour-workers-end-strike-after-wage-deal-with-port-trust/index.html"
    page = html5lib.parse(page_path.read_bytes(), treebuilder="etree")
    text = lambda el: re.sub(r"\s+", " ", "".join(el.itertext())).strip()  # noqa: E731
    assert text(page.find(".//h:h1", NS)) == "Kochi Harbour Workers End Strike After Wage Deal With Port Trust"
    byline = page.find(".//h:p[@class='byline']", NS)
    assert text(byline.find("h:a[@rel='author']", NS)) == "Meera Thampi"
    assert text(byline.find(".//h:span[@class='dateline']", NS)) == "Kochi"
    published = byline.find("h:time", NS)
    assert (published.get("datetime"), text(published)) == ("2025-10-24T23:05:00+05:30",
                                                            "24 October 2025, 11:05 PM IST")
    updated = page.find(".//h:p[@class='updated']/h:time", NS)
    assert text(updated) == "25 October 2025, 9:28 AM IST"
    assert page.find(".//h:div[@class='article-body']//h:a[@href='/2025/10/20/fishermen/']", NS) is not None


def test_import_refuses_unknown_zones_and_overwrites(tmp_path):
    root = import_project(tmp_path)
    unknown = IMPORTS / "unknown_zone.txt"
    result = run_build(root, "import", str(unknown))
    assert result.returncode == 1
    assert "published" in result.stderr and "0 imported" in result.stderr
    assert sorted(p.name for p in (root / "content").rglob("*.md")) == ["fishermen.md"]
    assert run_build(root, "import", str(unknown), "--timezone", "Africa/Lagos").returncode == 0
    [written] = [p for p in (root / "content").rglob("*.md") if p.name != "fishermen.md"]
    imported = written.read_bytes()
    again = run_build(root, "import", str(unknown), "--timezone", "Africa/Lagos")
    assert again.returncode == 0 and "(unchanged)" in again.stdout and "1 unchanged" in again.stdout
    assert written.read_bytes() == imported
    written.write_text(imported.decode() + "An edit by hand.\n", encoding="utf-8")
    edited = run_build(root, "import", str(unknown), "--timezone", "Africa/Lagos")
    assert edited.returncode == 1 and "already exists (use --force to overwrite)" in edited.stderr
    assert written.read_text(encoding="utf-8").endswith("An edit by hand.\n")
    assert run_build(root, "import", str(unknown), "--timezone", "Africa/Lagos", "--force").returncode == 0
    assert written.read_bytes() == imported


def test_import_of_an_unparseable_story_writes_nothing(tmp_path):
    root = import_project(tmp_path)
    shutil.copy(IMPORTS / "unparseable_no_author.txt", tmp_path / "story.txt")
    result = run_build(root, "import", str(tmp_path / "story.txt"))
    assert result.returncode == 1
    assert re.search(r"story\.txt:\d+: author: ", result.stderr)
    assert sorted(p.name for p in (root / "content").rglob("*.md")) == ["fishermen.md"]
