"""`dateline init`: the files of a new project, as text. Nothing here writes;
the CLI checks that none of them exists and writes them all, or none.

The project builds as it is (`dateline init news && cd news && dateline`): the
theme comes from the package, and the example story is a real article with
no placeholder text. The deploy files install dateline from requirements.txt,
so the version that built the site locally is the one that builds it there.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from . import __version__
from .urls import slugify

DEFAULT_BASE_URL = "https://example.org/"
DEFAULT_TIMEZONE = "UTC"
# The Python the deploy files ask for: dateline needs 3.11 or later.
DEPLOY_PYTHON = "3.12"
EXAMPLE_AUTHOR = "Newsroom staff"


@dataclass(frozen=True)
class ProjectSettings:
    title: str
    base_url: str       # already checked and normalised (ends with "/")
    timezone: str       # an IANA zone, already checked
    now: datetime       # the example story's publication time, read at the CLI edge


def default_title(folder_name: str) -> str:
    """`harbour-news` -> "Harbour News"; a folder with no usable name -> "Newsroom archive"."""
    words = [word for word in folder_name.replace("_", "-").split("-") if word]
    return " ".join(word[:1].upper() + word[1:] for word in words) or "Newsroom archive"


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML): a title
    with a colon, a quote or a leading `-` stays the text typed."""
    return json.dumps(text, ensure_ascii=False)


def project_files(settings: ProjectSettings) -> dict[str, str]:
    """Project-relative path -> text of every file `init` writes."""
    story_path, story_text = example_story(settings)
    return {
        "site.yaml": site_yaml(settings),
        "authors.yaml": AUTHORS_YAML,
        story_path: story_text,
        "static/.gitkeep": "",
        ".gitignore": GITIGNORE,
        "requirements.txt": f"# The site generator, pinned: the version that builds the site everywhere.\n"
                            f"dateline=={__version__}\n",
        ".github/workflows/pages.yml": GITHUB_PAGES_WORKFLOW,
        "netlify.toml": NETLIFY_TOML,
    }


def site_yaml(settings: ProjectSettings) -> str:
    return f"""\
# The site's settings. Unknown keys are errors; every key is described in
# dateline's documentation (docs/configuration.md).
title: {quoted(settings.title)}
description: {quoted(f"News and reporting from {settings.title}.")}
# Where the site will be served: a domain root (https://news.example.org/) or a
# sub-path (https://example.org/news/). The deploy workflow for GitHub Pages
# passes the Pages address with --base-url, so this is the address you build
# for by hand.
base_url: {quoted(settings.base_url)}
language: en
# Naive dates in front matter are read in this IANA zone, and times are shown in it.
timezone: {settings.timezone}
per_page: 10
feed_items: 20
permalink: /{{year}}/{{month}}/{{day}}/{{slug}}/
"""


AUTHORS_YAML = f"""\
# Author profiles, by byline as written in articles. Each author's page shows
# the bio, photo (a file under static/) and links. Every field but name is optional.
- name: {EXAMPLE_AUTHOR}
  bio: Reporting by the newsroom's own staff.
"""


EXAMPLE_TITLE = "Newsroom opens its story archive to readers"


def example_story(settings: ProjectSettings) -> tuple[str, str]:
    """(path, text) of one complete article, published at `settings.now`."""
    published = settings.now.replace(microsecond=0)
    path = f"content/{published.year:04d}/{published.month:02d}/{slugify(EXAMPLE_TITLE)}.md"
    text = f"""\
---
title: {EXAMPLE_TITLE}
summary: Every story the newsroom publishes now has a permanent address, a feed and a place in a searchable archive.
author: {EXAMPLE_AUTHOR}
published: {published.isoformat()}
section: Newsroom
tags: [archive, announcements]
---

The newsroom put its first story online in a new public archive, where every
report it publishes will keep a permanent address and can be found by date,
topic, place and reporter.

Readers can follow the archive through RSS, Atom and JSON feeds, and search the
full text of every story from the search page. The archive is a set of plain
files, so it can be served from almost any web host and costs little to keep.

## How stories are added

Each story is one text file in the `content` folder, with a short block of
details at the top: the headline, the reporter, the time of publication and,
where it applies, the dateline, section and topics.

> "A story published today should still be at the same address in ten years,"
> the newsroom said in a note to readers.

## What comes next

Reporters start a new story with `dateline new "Headline"`, preview the site
with `dateline serve`, and publish by building it with `dateline`.
"""
    return path, text


GITIGNORE = """\
# Made by `dateline`: the built site, the build's staging folder, its lock and its cache.
/site/
/.site.staging/
/.site.lock
/.dateline-cache/
"""


GITHUB_PAGES_WORKFLOW = f"""\
# Builds the site with dateline and publishes it to GitHub Pages on every push
# to main. In the repository's settings, under Pages, set the source to
# "GitHub Actions". The Pages address (https://USER.github.io/REPO/, or your
# own domain) is passed to the build as --base-url.
name: Publish to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "{DEPLOY_PYTHON}"
          cache: pip
      - id: pages
        uses: actions/configure-pages@v5
      - run: pip install -r requirements.txt
      - run: dateline check
      - run: dateline --base-url "${{{{ steps.pages.outputs.base_url }}}}"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


NETLIFY_TOML = f"""\
# Netlify builds the site with dateline and publishes the site/ folder.
[build]
  command = "pip install -r requirements.txt && dateline"
  publish = "site"

[build.environment]
  PYTHON_VERSION = "{DEPLOY_PYTHON}"

# Deploy previews are built for their own address, so their links work.
[context.deploy-preview]
  command = "pip install -r requirements.txt && dateline --base-url \\"$DEPLOY_PRIME_URL\\""
"""
