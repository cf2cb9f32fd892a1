"""SiteConfig: the site's settings from site.yaml, every problem named."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .content import read_regular_file
from .errors import Problem
from .languages import Language, is_language_tag, parse_languages  # noqa: F401 - is_language_tag: imported from here too
from .urls import base_url_problem, image_problem, image_site_path, normalise_base_url, permalink_problem
from .yamltext import YamlProblem, load_text_yaml

CONFIG_FILE = "site.yaml"
DEFAULT_PERMALINK = "/{year}/{month}/{day}/{slug}/"
DEFAULT_IMAGE = "/logo.png"     # the theme's logo (contexts.PUBLISHER_LOGO), in its static files
# The default theme ships inside the package: a project's layouts/ overrides
# it file by file, so a site with no templates of its own still builds.
THEME_DIR = Path(__file__).resolve().parent / "theme"


@dataclass(frozen=True)
class SiteConfig:
    root: Path                      # the project folder holding site.yaml
    title: str
    base_url: str                   # absolute, ends with "/"
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"           # IANA name
    per_page: int = 10
    feed_items: int = 20
    feed_content: str = "main"      # "main": full text in the main feeds only; "all": in every feed
    permalink: str = DEFAULT_PERMALINK
    copyright: str = ""
    # The picture link previews show for pages without one of their own
    # (og:image): a site path or an http(s) URL. The theme's logo by default.
    image: str = DEFAULT_IMAGE
    search: bool = True             # build the Pagefind search index and /search/
    sanitize: bool = False          # strip scripts, event handlers, javascript: URLs from every body
    timezones: dict = field(default_factory=dict, hash=False, compare=True)  # importer: abbreviation -> IANA zone
    # `languages:`: every language the site publishes in, the default first; ()
    # for a site in one language (languages.site_languages gives it as one).
    languages: tuple[Language, ...] = ()
    extra: dict = field(default_factory=dict, hash=False, compare=True)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    @property
    def static_dirs(self) -> tuple[Path, ...]:
        """Folders copied as they are: the packaged theme's first, then the site's (which wins)."""
        return (THEME_DIR / "static", self.root / "static")

    @property
    def cache_dir(self) -> Path:
        return self.root / ".dateline-cache"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# key -> (kind, required)
_KEYS = {
    "title": ("text", True),
    "base_url": ("text", True),
    "description": ("text", False),
    "language": ("text", False),
    "timezone": ("text", False),
    "per_page": ("int", False),
    "feed_items": ("int", False),
    "feed_content": ("text", False),
    "permalink": ("text", False),
    "copyright": ("text", False),
    "image": ("text", False),
    "search": ("bool", False),
    "sanitize": ("bool", False),
    "timezones": ("mapping", False),
    "languages": ("mapping", False),
    "extra": ("mapping", False),
}


def did_you_mean(name: str, choices) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def is_valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_config(text: str, root: Path, path_label: str = CONFIG_FILE) -> tuple[SiteConfig | None, list[Problem]]:
    """Turn site.yaml text into a SiteConfig, or the list of what is wrong with it."""
    try:
        loaded = load_text_yaml(text)
    except YamlProblem as error:
        return None, [Problem(path_label, error.line, "site.yaml", error.message)]
    if loaded.problems:
        return None, [problem.problem(path_label) for problem in loaded.problems]
    data = loaded.value
    if not isinstance(data, dict):
        return None, [Problem(path_label, 1, "site.yaml", "expected a mapping of settings such as `title: My news`")]
    problems: list[Problem] = []
    values: dict = {}
    for key, value in data.items():
        line = loaded.key_lines.get(str(key), 1)
        if key not in _KEYS:
            problems.append(Problem(path_label, line, str(key), "unknown setting", did_you_mean(str(key), _KEYS)))
            continue
        kind, _ = _KEYS[key]
        if value is None:
            problems.append(Problem(path_label, line, key, "is empty"))
        elif kind == "text":
            if not isinstance(value, str):
                problems.append(Problem(path_label, line, key, "expected text"))
            else:
                values[key] = value.strip()
        elif kind == "int":
            if not (isinstance(value, str) and value.strip().isdigit() and int(value) > 0):
                problems.append(Problem(path_label, line, key, f"expected a whole number above 0, got {value!r}"))
            else:
                values[key] = int(value)
        elif kind == "bool":
            if not (isinstance(value, str) and value.strip().lower() in ("true", "false")):
                problems.append(Problem(path_label, line, key, f"expected true or false, got {value!r}"))
            else:
                values[key] = value.strip().lower() == "true"
        elif kind == "mapping":
            if not isinstance(value, dict):
                problems.append(Problem(path_label, line, key, "expected a mapping"))
            else:
                values[key] = value
    for key, (_, required) in _KEYS.items():
        if required and key not in data:
            problems.append(Problem(path_label, 1, key, "is required"))

    line_of = lambda key: loaded.key_lines.get(key, 1)  # noqa: E731
    if "base_url" in values:
        why = base_url_problem(values["base_url"])
        if why:
            problems.append(Problem(path_label, line_of("base_url"), "base_url", why))
        values["base_url"] = normalise_base_url(values["base_url"])
    if "language" in values and not is_language_tag(values["language"]):
        problems.append(Problem(path_label, line_of("language"), "language",
                                f"{values['language']!r} is not a BCP 47 language tag",
                                "use e.g. en, en-GB, pt-BR or zh-Hant"))
    if "languages" in values:
        values["languages"], found = parse_languages(
            values["languages"], values.get("language", "en"), values.get("title", ""),
            values.get("description", ""), path_label, loaded.key_lines)
        problems += found
    if "timezone" in values and not is_valid_zone(values["timezone"]):
        problems.append(Problem(path_label, line_of("timezone"), "timezone",
                                f"unknown time zone {values['timezone']!r}", "use an IANA name such as Europe/London"))
    for abbreviation, zone in values.get("timezones", {}).items():
        if not isinstance(zone, str) or not is_valid_zone(zone):
            problems.append(Problem(path_label, line_of("timezones"), "timezones",
                                    f"{abbreviation}: {zone!r} is not an IANA time zone"))
    if "image" in values:
        why = image_problem(values["image"])
        if why:
            problems.append(Problem(path_label, line_of("image"), "image", f"{values['image']!r} {why}",
                                    "use a path such as /media/share.png or an https:// URL"))
        elif image_site_path(values["image"]):
            values["image"] = image_site_path(values["image"])   # a site path, as articles' images are read
    if values.get("feed_content", "main") not in ("main", "all"):
        problems.append(Problem(path_label, line_of("feed_content"), "feed_content",
                                f"expected main or all, got {values['feed_content']!r}"))
    if "permalink" in values:
        why = permalink_problem(values["permalink"])
        if why:
            problems.append(Problem(path_label, line_of("permalink"), "permalink", why))
    if problems:
        return None, problems
    return SiteConfig(root=root, **values), []


def load_config(root: Path) -> tuple[SiteConfig | None, list[Problem]]:
    path = root / CONFIG_FILE
    try:
        # Not path.read_text: a FIFO put in its place would block the build forever.
        text = read_regular_file(path).decode("utf-8-sig")
    except FileNotFoundError:
        return None, [Problem(CONFIG_FILE, 0, "file", f"not found in {root}",
                              "run in the project's folder, point to it with --root DIR, "
                              "or start a new project there with `dateline init`")]
    except OSError as error:
        return None, [Problem(CONFIG_FILE, 0, "site.yaml", f"cannot be read: {error.strerror or error}")]
    except UnicodeDecodeError as error:
        return None, [Problem(CONFIG_FILE, 0, "site.yaml", f"cannot be read: {error}", "save the file as UTF-8")]
    return parse_config(text, root)
