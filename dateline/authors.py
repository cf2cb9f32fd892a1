"""Author profiles from the optional `authors.yaml` at the project root.

The file is a list of profiles; `name` is the byline as written in articles
(matched by its slug, so "Ana Souza" and "ana souza" meet):

    - name: Ana Souza
      bio: Covers energy and climate from São Paulo.
      photo: /media/ana-souza.jpg        # a site path: nothing loads from another host
      links:
        - title: Mastodon
          url: https://example.social/@ana

Every problem is collected and named `authors.yaml:LINE: field: message`;
unknown keys are errors with a did-you-mean hint.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .archive import term_slug
from .content import read_regular_file
from .errors import BuildError, Problem
from .urls import outside_site_problem
from .yamltext import TextLoader, YamlProblem, load_text_yaml

AUTHORS_FILE = "authors.yaml"
PROFILE_KEYS = ("name", "bio", "photo", "links")
LINK_KEYS = ("title", "url")


@dataclass(frozen=True)
class ProfileLink:
    title: str
    url: str                # absolute http(s) URL


@dataclass(frozen=True)
class AuthorProfile:
    name: str
    bio: str = ""
    photo: str = ""         # site path such as /media/ana.jpg, "" for none
    links: tuple[ProfileLink, ...] = ()


def _hint(key: str, choices) -> str:
    close = difflib.get_close_matches(key, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else f"use {', '.join('`' + c + '`' for c in choices)}"


def _line(node) -> int:
    return node.start_mark.line + 1


def _text(node, path: str, field: str, problems: list[Problem]) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null" or not node.value.strip():
        problems.append(Problem(path, _line(node), field, "expected text"))
        return ""
    return node.value.strip()


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _link(node, path: str, problems: list[Problem]) -> ProfileLink | None:
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(path, _line(node), "links", "each link needs `title` and `url`"))
        return None
    values = {}
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in LINK_KEYS:
            problems.append(Problem(path, _line(key_node), f"links.{key}", "unknown field", _hint(key, LINK_KEYS)))
            continue
        values[key] = _text(value_node, path, f"links.{key}", problems)
    for key in LINK_KEYS:
        if key not in values:
            problems.append(Problem(path, _line(node), f"links.{key}", "is required"))
    if values.get("url") and not _is_web_url(values["url"]):
        problems.append(Problem(path, _line(node), "links.url", f"{values['url']!r} is not an http(s) URL"))
        return None
    if len(values) != len(LINK_KEYS) or not all(values.values()):
        return None
    return ProfileLink(values["title"], values["url"])


def _profile(node, path: str, problems: list[Problem]) -> AuthorProfile | None:
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(path, _line(node), "authors.yaml", "each entry needs `name:` (and bio, photo, links)"))
        return None
    before = len(problems)
    values: dict = {}
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in PROFILE_KEYS:
            problems.append(Problem(path, _line(key_node), key, "unknown field", _hint(key, PROFILE_KEYS)))
        elif key == "links":
            if not isinstance(value_node, yaml.SequenceNode):
                problems.append(Problem(path, _line(value_node), "links", "expected a list of {title, url}"))
                continue
            links = (_link(item, path, problems) for item in value_node.value)
            values["links"] = tuple(link for link in links if link is not None)
        else:
            values[key] = _text(value_node, path, key, problems)
    if "name" not in values:
        problems.append(Problem(path, _line(node), "name", "is required"))
    photo = values.get("photo", "")
    if photo and outside_site_problem(photo):
        problems.append(Problem(path, _line(node), "photo", f"{photo!r} is not a site path",
                                "use a path such as /media/photo.jpg (nothing loads from another host)"))
    if len(problems) > before:
        return None
    return AuthorProfile(**values)


def parse_authors(text: str, path: str = AUTHORS_FILE) -> tuple[dict[str, AuthorProfile], list[Problem]]:
    """authors.yaml text -> {author slug: profile}, or every problem with it."""
    try:
        loaded = load_text_yaml(text)   # size limits and a clean error for broken YAML
    except YamlProblem as error:
        return {}, [Problem(path, error.line, "authors.yaml", error.message)]
    if loaded.problems:
        return {}, [problem.problem(path) for problem in loaded.problems]
    root = yaml.compose(text, Loader=TextLoader)
    if root is None:
        return {}, []
    if not isinstance(root, yaml.SequenceNode):
        return {}, [Problem(path, _line(root), "authors.yaml", "expected a list of authors such as `- name: Ana Souza`")]
    problems: list[Problem] = []
    profiles: dict[str, AuthorProfile] = {}
    first_line: dict[str, int] = {}
    for node in root.value:
        profile = _profile(node, path, problems)
        if profile is None:
            continue
        slug = term_slug(profile.name)
        if slug in profiles:
            problems.append(Problem(path, _line(node), "name",
                                    f"{profile.name!r} and {profiles[slug].name!r} (line {first_line[slug]}) "
                                    f"would share one author page", "keep one entry per author"))
            continue
        profiles[slug] = profile
        first_line[slug] = _line(node)
    return ({}, problems) if problems else (profiles, [])


def load_profiles(root: Path) -> dict[str, AuthorProfile]:
    """Profiles from ROOT/authors.yaml ({} when there is none); raises BuildError naming every problem."""
    path = root / AUTHORS_FILE
    try:
        # Not path.read_text: a FIFO put in its place would block the build forever.
        text = read_regular_file(path).decode("utf-8-sig")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise BuildError([Problem(AUTHORS_FILE, 0, "authors.yaml",
                                  f"cannot be read: {error.strerror or error}")]) from None
    except UnicodeDecodeError as error:
        raise BuildError([Problem(AUTHORS_FILE, 0, "authors.yaml", f"cannot be read: {error}",
                                  "save the file as UTF-8")]) from None
    profiles, problems = parse_authors(text)
    if problems:
        raise BuildError(problems)
    return profiles
