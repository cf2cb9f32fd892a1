"""The site's languages: `languages:` in site.yaml read into `Language` values,
and the small lookups every stage shares (which language a tag names, which
way its text runs, what it calls itself).

A site without `languages:` has one language, the `language` setting, at the
root of the site: nothing about its URLs or pages changes.
"""
from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from .errors import Problem
from .urls import build_folder, clean_path_problem, listing_folder

# A well-formed BCP 47 language tag (RFC 5646, section 2.1): language, then
# optional script, region, variants, extensions and private use; or private
# use alone. Case does not matter. The value goes into <html lang>, the feeds
# and Pagefind, which stops with a panic on a tag it cannot read.
_LANGUAGE_TAG = re.compile(r"""
    (?:
      (?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})   # language (with extended subtags)
      (?:-[a-z]{4})?                                        # script
      (?:-(?:[a-z]{2}|[0-9]{3}))?                           # region
      (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*              # variants
      (?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*                   # extensions
      (?:-x(?:-[a-z0-9]{1,8})+)?                            # private use
    | x(?:-[a-z0-9]{1,8})+
    )""", re.VERBOSE | re.IGNORECASE)

LANGUAGE_KEYS = ("prefix", "title", "description")

# Scripts written right to left, for tags Babel has no locale for; a tag it
# knows takes its direction from CLDR.
_RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku-arab", "ps", "sd", "syr", "ug",
                            "ur", "yi"})


def is_language_tag(text: str) -> bool:
    return _LANGUAGE_TAG.fullmatch(text) is not None


@dataclass(frozen=True)
class Language:
    """One language of the site, as site.yaml lists it."""

    tag: str            # BCP 47, as written in site.yaml: "hi", "pt-BR"
    prefix: str         # put in front of every page path of this language: "" or "/hi"
    title: str          # the site's title in this language
    description: str = ""

    @property
    def direction(self) -> str:
        return text_direction(self.tag)

    @property
    def name(self) -> str:
        """What the language calls itself ("हिन्दी", "العربية"), for links between versions."""
        return native_name(self.tag)


@functools.lru_cache(maxsize=64)
def text_direction(tag: str) -> str:
    """"rtl" or "ltr": CLDR's character order for the tag's locale."""
    if tag.lower().split("-")[0] == "en":
        return "ltr"        # without loading Babel, for the many sites in English
    locale = babel_locale(tag)
    if locale is not None:
        return "rtl" if locale.character_order == "right-to-left" else "ltr"
    return "rtl" if tag.lower().split("-x-")[0] in _RTL_LANGUAGES or tag.lower().split("-")[0] in _RTL_LANGUAGES \
        else "ltr"


@functools.lru_cache(maxsize=64)
def native_name(tag: str) -> str:
    locale = babel_locale(tag)
    name = locale.get_display_name(locale) if locale is not None else ""
    return name or tag


@functools.lru_cache(maxsize=64)
def babel_locale(tag: str):
    """Babel's Locale for a BCP 47 tag, or None when CLDR has no data for it."""
    from babel import Locale, UnknownLocaleError     # imported when first asked: the CLI starts faster

    try:
        return Locale.parse(tag.replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        language = tag.split("-")[0]
        if language == tag:
            return None
        try:
            return Locale.parse(language)
        except (UnknownLocaleError, ValueError, TypeError):
            return None


def site_languages(config) -> tuple[Language, ...]:
    """The site's languages, its default (`language`) first: one language at the
    root for a site that lists none."""
    return config.languages or (Language(config.language, "", config.title, config.description),)


def language_of(config, tag: str) -> Language:
    """The site's Language for a tag as an article wrote it (any case)."""
    folded = tag.lower()
    for language in site_languages(config):
        if language.tag.lower() == folded:
            return language
    raise KeyError(tag)


def parse_languages(value, default: str, title: str, description: str, path: str,
                    lines: dict[str, int]) -> tuple[tuple[Language, ...], list[Problem]]:
    """`languages:` (tag -> {prefix, title, description}) as Language values,
    the default language first, then in the order written; or its problems.
    `lines`: the line of each key ("languages.hi.prefix")."""
    problems: list[Problem] = []

    def problem(field: str, message: str, hint: str = "") -> None:
        # The line of the field, else of the nearest key above it that has one.
        parts = field.split(".")
        line = next((lines[".".join(parts[:n])] for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in lines), 1)
        problems.append(Problem(path, line, field, message, hint))

    languages: list[Language] = []
    seen: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for tag, settings in value.items():
        tag = str(tag).strip()
        field = f"languages.{tag}"
        if not is_language_tag(tag):
            problem(field, f"{tag!r} is not a BCP 47 language tag", "use e.g. en, hi, ar, pt-BR")
            continue
        if tag.lower() in seen:
            problem(field, f"is given twice ({seen[tag.lower()]} and {tag})")
            continue
        seen[tag.lower()] = tag
        settings = {} if settings is None else settings
        if not isinstance(settings, dict):
            problem(field, "expected a mapping such as {prefix: /hi, title: ...}")
            continue
        for key in settings:
            if key not in LANGUAGE_KEYS:
                close = difflib.get_close_matches(str(key), LANGUAGE_KEYS, n=1, cutoff=0.6)
                problem(f"{field}.{key}", "unknown setting", f"did you mean `{close[0]}`?" if close else
                        "a language takes prefix, title and description")
        texts = {}
        for key in LANGUAGE_KEYS:
            if key in settings and not isinstance(settings[key], str):
                problem(f"{field}.{key}", "expected text")
            elif key in settings:
                texts[key] = settings[key].strip()
        is_default = tag.lower() == default.lower()
        prefix = texts.get("prefix", "" if is_default else "/" + tag.lower())
        prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        why = clean_path_problem(prefix + "/") if prefix else ""
        if not why and build_folder(prefix + "/"):
            why = "is a folder the build writes itself"
        if not why and prefix:
            why = listing_folder(prefix)
        if why:
            problem(f"{field}.prefix", f"{prefix!r} {why}", "use a short folder name such as /hi")
            continue
        if prefix in prefixes:
            problem(f"{field}.prefix", f"{prefix or '(none)'} is also the prefix of {prefixes[prefix]}",
                    "give every language its own prefix")
            continue
        prefixes[prefix] = tag
        languages.append(Language(tag, prefix, texts.get("title") or title,
                                  texts.get("description", description)))
    if not problems and default.lower() not in seen:
        problem("languages", f"does not list the site's language {default!r}",
                f"add `{default}:` under languages, or set `language:` to one of {', '.join(seen.values())}")
    if problems:
        return (), problems
    languages.sort(key=lambda language: language.tag.lower() != default.lower())
    return tuple(languages), []


def imported_language(config, tag: str) -> str:
    """What `import` writes as a story's `language`: "" for the site's default
    language, the tag as site.yaml spells it for another listed language
    (matched as written, else by its first subtag: "hi-IN" -> "hi"), and the
    source's own tag otherwise (the build then asks for it under `languages:`)."""
    if not tag:
        return ""
    languages = site_languages(config)
    for match in (lambda language: language.tag.lower() == tag.lower(),
                  lambda language: language.tag.lower().split("-")[0] == tag.lower().split("-")[0]):
        found = next((language for language in languages if match(language)), None)
        if found is not None:
            return "" if found is languages[0] else found.tag
    return tag
