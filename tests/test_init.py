"""`init` starts a project that builds with no other step, with deploy files
that say what they must, and never overwrites a file."""
from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import yaml

from conftest import BUILD_PY, read_tree
from dateline.config import load_config
from dateline.init import ProjectSettings, default_title, project_files
from test_html_valid import run_vnu

EXPECTED_FILES = {"site.yaml", "authors.yaml", "static/.gitkeep", ".gitignore", "requirements.txt",
                  ".github/workflows/pages.yml", "netlify.toml"}


def dateline(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BUILD_PY), *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ})


def test_init_then_build_makes_a_valid_site(tmp_path):
    result = dateline(tmp_path, "init", "harbour-news", "--title", "Harbour: News & Notes",
                      "--base-url", "https://example.org/harbour", "--timezone", "Asia/Kolkata")
    assert result.returncode == 0, result.stderr
    project = tmp_path / "harbour-news"
    written = {path.relative_to(project).as_posix() for path in project.rglob("*") if path.is_file()}
    stories = [name for name in written if name.startswith("content/")]
    assert written - set(stories) == EXPECTED_FILES and len(stories) == 1
    assert result.stdout.splitlines()[0] == "created harbour-news/site.yaml"
    assert result.stdout.splitlines()[-1] == "next: cd harbour-news && build.py serve, then open http://127.0.0.1:8000/"

    config, problems = load_config(project)
    assert problems == []
    assert (config.title, config.base_url, config.timezone) == (
        "Harbour: News & Notes", "https://example.org/harbour/", "Asia/Kolkata")

    build = dateline(project)
    assert build.returncode == 0, build.stderr
    assert "(1 article, " in build.stdout and "search index rebuilt" in build.stdout
    site = project / "site"
    front = (site / "index.html").read_text()
    assert "Newsroom opens its story archive to readers" in front
    assert "<title>Harbour: News &amp; Notes</title>" in front
    assert (site / "authors/newsroom-staff/index.html").is_file()
    rss = feedparser.parse((site / "feed.xml").read_bytes())
    assert not rss.bozo and rss.feed.link == "https://example.org/harbour/" and len(rss.entries) == 1
    errors = run_vnu(site)
    assert errors == [], "\n".join(f"{e.get('url')}:{e.get('lastLine')}: {e.get('message')}" for e in errors)

    check = dateline(project, "check", "--strict")
    assert check.returncode == 0, check.stderr       # the example story has no placeholder text
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    status = subprocess.run(["git", "check-ignore", "--no-index", "site/index.html", ".site.staging/x", ".site.lock",
                             ".dateline-cache/x", "content/a.md"], cwd=project, capture_output=True, text=True)
    assert status.stdout.split() == ["site/index.html", ".site.staging/x", ".site.lock", ".dateline-cache/x"]


def test_init_defaults_and_the_current_folder(tmp_path):
    project = tmp_path / "city-desk"
    project.mkdir()
    result = dateline(project, "init")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "created site.yaml"
    assert result.stdout.splitlines()[-1] == "next: build.py serve, then open http://127.0.0.1:8000/"
    config, problems = load_config(project)
    assert problems == []
    assert (config.title, config.base_url, config.timezone) == ("City Desk", "https://example.org/", "UTC")
    assert default_title("") == "Newsroom archive" and default_title("the_daily-wire") == "The Daily Wire"


def test_init_never_overwrites_and_then_writes_nothing(tmp_path):
    project = tmp_path / "news"
    (project / "static").mkdir(parents=True)
    (project / "site.yaml").write_text("title: Mine\n")
    (project / "netlify.toml").write_text("# mine\n")
    before = read_tree(project)
    result = dateline(tmp_path, "init", "news")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "news/site.yaml: already exists; init never overwrites a file",
        "news/netlify.toml: already exists; init never overwrites a file",
        "nothing was written (start the project in a new or empty folder)"]
    assert read_tree(project) == before and result.stdout == ""


def test_init_refuses_bad_values_as_usage_errors(tmp_path):
    for args, message in [(("--timezone", "Mars/Olympus"), "--timezone 'Mars/Olympus' is not an IANA time zone"),
                          (("--base-url", "example.org"), "--base-url must be an absolute http(s) URL"),
                          (("--title", " "), "--title must not be empty")]:
        result = dateline(tmp_path, "init", "x", *args)
        assert result.returncode == 2
        assert result.stderr.startswith(f"build.py init: error: {message}"), result.stderr
    assert not (tmp_path / "x").exists()


def test_the_github_workflow_builds_and_deploys_to_pages():
    files = files_for("My News")
    workflow = yaml.safe_load(files[".github/workflows/pages.yml"])
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [step.get("uses", "") for step in build["steps"]]
    runs = [step["run"] for step in build["steps"] if "run" in step]
    assert uses[0] == "actions/checkout@v4" and "actions/configure-pages@v5" in uses
    assert runs == ["pip install -r requirements.txt", "dateline check",
                    'dateline --base-url "${{ steps.pages.outputs.base_url }}"']
    upload = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"] == {"path": "site"}
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    python = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/setup-python"))
    assert float(python["with"]["python-version"]) >= 3.11


def test_netlify_builds_the_site_folder_with_a_pinned_dateline():
    from dateline import __version__

    files = files_for("My News")
    netlify = tomllib.loads(files["netlify.toml"])
    build = netlify["build"]
    assert (build["command"], build["publish"]) == ("pip install -r requirements.txt && dateline", "site")
    assert float(build["environment"]["PYTHON_VERSION"]) >= 3.11
    assert netlify["context"]["deploy-preview"]["command"].endswith('dateline --base-url "$DEPLOY_PRIME_URL"')
    assert f"dateline=={__version__}\n" in files["requirements.txt"]


def test_a_title_with_yaml_syntax_stays_the_text_typed(tmp_path):
    for title in ['Talks: day "two"', "- NO", "#1 news", "Zürich Zeitung"]:
        (tmp_path / "site.yaml").write_text(files_for(title)["site.yaml"], encoding="utf-8")
        config, problems = load_config(tmp_path)
        assert problems == [] and config.title == title


def files_for(title: str) -> dict[str, str]:
    now = datetime(2025, 10, 25, 9, 28, tzinfo=ZoneInfo("UTC"))
    return project_files(ProjectSettings(title, "https://example.org/", "UTC", now))


def test_the_example_story_is_published_now_in_the_newsroom_zone():
    now = datetime(2025, 1, 1, 2, 30, 15, 999, tzinfo=ZoneInfo("Asia/Kolkata"))
    files = project_files(ProjectSettings("T", "https://example.org/", "Asia/Kolkata", now))
    story = next(name for name in files if name.startswith("content/"))
    assert story == "content/2025/01/newsroom-opens-its-story-archive-to-readers.md"
    assert "\npublished: 2025-01-01T02:30:15+05:30\n" in files[story]
