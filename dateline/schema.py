"""Raw front matter -> a complete `Article`, or every problem with it."""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .config import SiteConfig, did_you_mean, is_valid_zone
from .content import Source, strip_invisible_controls
from .errors import Problem
from .languages import Language, is_language_tag, language_of, site_languages
from .model import Article, Correction
from .timefmt import fixed_zone_name, zone_for
from .urls import format_permalink, image_problem, is_valid_slug, language_path, parse_alias, slug_problem, slugify
from .yamltext import YamlProblem, load_text_yaml
from .zones import place_wall_time

TEXT_KEYS = ("title", "summary", "location", "section", "image", "image_alt", "image_caption", "image_credit", "id",
             "slug", "timezone", "language", "translation_key")
KNOWN_KEYS = TEXT_KEYS + ("author", "authors", "published", "updated", "tags", "draft", "sanitize", "aliases",
                          "corrections", "extra")

# Keys other generators use, pointed at ours.
COMMON_MISTAKES = {
    "date": "published", "pubdate": "published", "publish_date": "published",
    "modified": "updated", "lastmod": "updated", "last_modified": "updated",
    "headline": "title", "dek": "summary", "standfirst": "summary", "description": "summary",
    "byline": "author", "dateline": "location", "category": "section", "categories": "section",
    "tag": "tags", "keywords": "tags", "alias": "aliases", "tz": "timezone",
    "lang": "language", "locale": "language", "inlanguage": "language",
    "translationkey": "translation_key", "translation_of": "translation_key", "translations": "translation_key",
}
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def unknown_key_hint(key: str) -> str:
    if key.lower() in COMMON_MISTAKES:
        return f"did you mean `{COMMON_MISTAKES[key.lower()]}`?"
    hint = did_you_mean(key, KNOWN_KEYS)
    return hint or "custom fields go under `extra:`"


def parse_datetime(value: str, zone: ZoneInfo) -> tuple[datetime | None, str]:
    """An aware datetime from ISO text; naive values are read in `zone`.

    Rule for wall-clock times the zone skips or repeats (daylight saving): they
    are an error asking for an explicit offset, never a silent guess.
    """
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError:
        return None, f"expected a date like 2025-10-25 or 2025-10-25T09:28:00+05:30, got {value!r}"
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        return None, f"year {parsed.year} is outside {EARLIEST_YEAR}-{LATEST_YEAR}"
    if parsed.tzinfo is not None:
        return parsed, ""
    wall = place_wall_time(parsed, zone)
    if not wall.exists:
        return None, (f"{text} does not exist in {zone.key} (the clocks skip it); "
                      "give the offset, e.g. " + wall.later.isoformat())
    if wall.repeated:
        return None, (f"{text} happens twice in {zone.key} (the clocks go back); "
                      f"give the offset: {wall.earlier.isoformat()} or {wall.later.isoformat()}")
    return wall.earlier, ""


class _Fields:
    """Collects problems for one file while its fields are converted."""

    def __init__(self, source: Source, data: dict, key_lines: dict[str, int], item_lines: dict[str, tuple[int, ...]]):
        self.source = source
        self.data = data
        self.key_lines = key_lines
        self.item_lines = item_lines
        self.problems: list[Problem] = []

    def line(self, key: str) -> int:
        return self.source.front_matter_line + self.key_lines.get(key, 1) - 1

    def item_line(self, key: str, index: int) -> int:
        """The line of a list's item (a list written one item a line), else of its key."""
        lines = self.item_lines.get(key, ())
        if index < len(lines):
            return self.source.front_matter_line + lines[index] - 1
        return self.line(key)

    def problem(self, key: str, message: str, hint: str = "", line: int = 0) -> None:
        self.problems.append(Problem(self.source.path, line or self.line(key), key, message, hint))

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.append(Problem(self.source.path, self.source.front_matter_line, key, "is required"))
            elif key in self.data:
                self.problem(key, "is empty", "remove the line or give a value")
            return ""
        if not isinstance(value, str):
            self.problem(key, f"expected text, got a {_kind(value)}")
            return ""
        value = value.strip()
        if not value:
            if required:
                self.problem(key, "is empty")
            return ""
        return value

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(key, f"expected a list, got a {_kind(value)}", f"write it as {key}: [first, second]")
            return ()
        items: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.problem(key, f"expected text items, got {item!r}")
                continue
            if item.strip() not in items:
                items.append(item.strip())
        return tuple(items)


def _clean(value):
    """Front-matter text with control characters dropped and lone surrogates replaced."""
    if isinstance(value, str):
        return strip_invisible_controls(value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {_clean(key) if isinstance(key, str) else key: _clean(item) for key, item in value.items()}
    return value


def _kind(value) -> str:
    return {dict: "mapping", list: "list", str: "text"}.get(type(value), type(value).__name__)


def unquoted_colon_hint(front_matter: str, error: YamlProblem) -> str:
    """`title: Talks: day two` is the most common YAML error in a headline: a
    colon and a space inside unquoted text start a new field. Say how to quote it."""
    if "mapping values are not allowed" not in error.message:
        return ""
    lines = front_matter.split("\n")
    key, colon, value = lines[error.line - 1].partition(":") if 0 < error.line <= len(lines) else ("", "", "")
    key, value = key.strip(), value.strip()
    if not colon or not key or not value or value[0] in "\"'[{":
        return ""
    return f"put the {key} in quotes: {key}: {json.dumps(value, ensure_ascii=False)}"


def parse_article(source: Source, config: SiteConfig, body_key: str) -> tuple[Article | None, list[Problem]]:
    try:
        loaded = load_text_yaml(source.front_matter)
    except YamlProblem as error:
        line = source.front_matter_line + error.line - 1
        return None, [Problem(source.path, line, "front matter", error.message,
                              unquoted_colon_hint(source.front_matter, error))]
    if loaded.problems:
        return None, [problem.problem(source.path, source.front_matter_line) for problem in loaded.problems]
    # The file's text was cleaned when read; only YAML escapes ("\\x01") can add more.
    data = _clean(loaded.value) if "\\" in source.front_matter else loaded.value
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [Problem(source.path, source.front_matter_line, "front matter",
                              f"expected a mapping of fields such as `title: ...`, got a {_kind(data)}")]
    fields = _Fields(source, data, loaded.key_lines, loaded.item_lines)
    for key in data:
        if not isinstance(key, str) or key not in KNOWN_KEYS:
            fields.problem(str(key), "unknown field", unknown_key_hint(str(key)))

    title = fields.text("title", required=True)
    authors = _authors(fields)
    given_zone = fields.text("timezone")
    zone_name = given_zone or config.timezone
    if not is_valid_zone(zone_name):
        fields.problem("timezone", f"unknown time zone {zone_name!r}", "use an IANA name such as Asia/Kolkata")
        zone_name = config.timezone
    zone = ZoneInfo(zone_name)
    published = _datetime(fields, "published", zone, required=True)
    if published is not None and not given_zone and published.utcoffset() != published.astimezone(zone).utcoffset():
        # Written with an offset other than the site zone's and no `timezone`:
        # show the times as written (in that offset) rather than converted.
        zone_name = fixed_zone_name(published)
    updated = _datetime(fields, "updated", zone, required=False)
    if published and updated and updated < published:
        fields.problem("updated", f"{updated.isoformat()} is earlier than published {published.isoformat()}")

    slug = fields.text("slug")
    if slug and not is_valid_slug(slug):
        fields.problem("slug", slug_problem(slug, _shown(slug)), "use lowercase letters, digits and hyphens, e.g. " + (slugify(slug) or "kl-talks"))
        slug = ""
    elif not slug:
        stem = source.path.rsplit("/", 1)[-1][: -len(".md")]
        slug = stem if is_valid_slug(stem) else slugify(stem)
        if not slug:
            fields.problem("slug", f"cannot make a slug from the file name {stem!r}", "add `slug:` with latin letters")

    draft = _boolean(fields, "draft")
    sanitize = _boolean(fields, "sanitize")
    article_id = fields.text("id")
    if article_id and not ID_PATTERN.match(article_id):
        fields.problem("id", f"{article_id!r} is not a URI", "use e.g. urn:uuid:6f1c0b1e-... or a tag: URI")
    image = fields.text("image")
    why = image_problem(image) if image else ""
    if why:
        fields.problem("image", f"{_shown(image)} {why}", "use a path such as /media/photo.jpg or an https:// URL")
    image_alt = fields.text("image_alt")
    if image and not image_alt:
        fields.problems.append(Problem(source.path, fields.line("image"), "image_alt",
                                       "is required with image", "describe the picture for readers who cannot see it"))
    aliases = _aliases(fields)
    corrections = _corrections(fields, zone)
    extra = data.get("extra") or {}
    if not isinstance(extra, dict):
        fields.problem("extra", "expected a mapping")
        extra = {}
    summary = fields.text("summary")
    location = fields.text("location")
    section = fields.text("section")
    tags = fields.text_list("tags")
    image_caption = fields.text("image_caption")
    image_credit = fields.text("image_credit")
    language = _language(fields, config)
    translation_key = fields.text("translation_key")

    if fields.problems or published is None:
        return None, fields.problems
    local = published.astimezone(zone_for(zone_name))
    url = format_permalink(config.permalink, year=f"{local.year:04d}", month=f"{local.month:02d}",
                           day=f"{local.day:02d}", slug=slug, section=slugify(section) or "news")
    url = language_path(language.prefix, url)
    return Article(
        source=source.path, slug=slug, title=title, authors=authors, published=published,
        timezone=zone_name, url=url, body_key=body_key, summary=summary, updated=updated,
        location=location, tags=tags, section=section, image=image, image_alt=image_alt,
        image_caption=image_caption, image_credit=image_credit, id=article_id, draft=draft, sanitize=sanitize, aliases=aliases,
        corrections=corrections, extra=extra, language=language.tag, translation_key=translation_key,
        key_lines={key: fields.line(key) for key in loaded.key_lines},
    ), []



def _language(fields: _Fields, config: SiteConfig) -> Language:
    """The article's language: one the site lists (any case), else the site's own."""
    tag = fields.text("language")
    languages = site_languages(config)
    if not tag:
        return languages[0]
    if not is_language_tag(tag):
        fields.problem("language", f"{_shown(tag)} is not a BCP 47 language tag", "use e.g. en, hi, ar or pt-BR")
        return languages[0]
    try:
        return language_of(config, tag)
    except KeyError:
        fields.problem("language", f"{_shown(tag)} is not one of the site's languages "
                       f"({', '.join(language.tag for language in languages)})",
                       "add it under `languages:` in site.yaml")
        return languages[0]


def _authors(fields: _Fields) -> tuple[str, ...]:
    if "author" in fields.data and "authors" in fields.data:
        fields.problem("authors", "give either `author` or `authors`, not both")
        return ()
    if "authors" in fields.data:
        value = fields.data["authors"]
        if isinstance(value, str):
            names = (value.strip(),) if value.strip() else ()
        else:
            names = fields.text_list("authors")
        if not names and not fields.problems:
            fields.problem("authors", "is empty")
        return names
    if "author" in fields.data:
        value = fields.data["author"]
        if isinstance(value, list):
            fields.problem("author", "expected one name", "use `authors: [A, B]` for several")
            return ()
        name = fields.text("author", required=True)
        return (name,) if name else ()
    fields.problems.append(Problem(fields.source.path, fields.source.front_matter_line, "author",
                                   "is required", "add `author: Name` or `authors: [A, B]`"))
    return ()


def _datetime(fields: _Fields, key: str, zone: ZoneInfo, required: bool) -> datetime | None:
    value = fields.data.get(key)
    if value is None:
        if required:
            fields.problems.append(Problem(fields.source.path, fields.source.front_matter_line, key, "is required",
                                           "add e.g. `published: 2025-10-25T09:28:00+05:30`"))
        elif key in fields.data:
            fields.problem(key, "is empty", "remove the line or give a date")
        return None
    if not isinstance(value, str):
        fields.problem(key, f"expected a date, got a {_kind(value)}")
        return None
    parsed, why = parse_datetime(value, zone)
    if parsed is None:
        fields.problem(key, why)
    return parsed


def _boolean(fields: _Fields, key: str) -> bool:
    value = fields.data.get(key)
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    fields.problem(key, f"expected true or false, got {value!r}")
    return False


def _aliases(fields: _Fields) -> tuple[str, ...]:
    """Old addresses as clean site paths (percent escapes decoded); each bad one is its own problem."""
    if not fields.text_list("aliases"):     # reports a value that is not a list of text
        return ()
    good = []
    for index, alias in enumerate(fields.data["aliases"]):
        if not isinstance(alias, str) or not alias.strip():
            continue
        path, why = parse_alias(alias)
        if why:
            fields.problem("aliases", f"{_shown(alias)} {why}", "write old URLs as /2019/05/old-slug/",
                           line=fields.item_line("aliases", index))
        elif path not in good:
            good.append(path)
    return tuple(good)


def _shown(value: str, limit: int = 60) -> str:
    """A value quoted for a one-line message: escapes visible, long ones cut."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _corrections(fields: _Fields, zone: ZoneInfo) -> tuple[Correction, ...]:
    value = fields.data.get("corrections")
    if value is None:
        return ()
    if not isinstance(value, list):
        fields.problem("corrections", "expected a list of {date, text}")
        return ()
    corrections = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"date", "text"}:
            fields.problem("corrections", f"each correction needs exactly `date` and `text`, got {item!r}")
            continue
        if not isinstance(item["date"], str) or not isinstance(item["text"], str) or not item["text"].strip():
            fields.problem("corrections", "date and text must be text")
            continue
        when, why = parse_datetime(item["date"], zone)
        if when is None:
            fields.problem("corrections", why)
            continue
        corrections.append(Correction(when, item["text"].strip()))
    return tuple(sorted(corrections, key=lambda c: (c.date.timestamp(), c.text)))

