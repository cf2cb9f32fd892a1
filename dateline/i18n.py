"""The theme's words and the dates and numbers of each language.

Words: one YAML catalogue per language, `dateline/theme/messages/<tag>.yaml`
in the theme and `messages/<tag>.yaml` in a project (whose entries win). A key
is the English text (or, for a long passage, a short id); a value is the text
in that language, `{name}` marking what the page fills in, or for a count a
mapping of CLDR plural categories (`one`, `few`, `other`...). A word missing
in a language is shown in English, and `check` lists it (an error with
`--strict`).

Dates and numbers follow CLDR through Babel: each language's long date, short
time and the way it joins them, its month names and (where its locale's
default numbering system says so) its digits. English keeps the house style
the site has always shown ("25 October 2025, 9:28 AM IST"), which is CLDR's
English with the day first; every language shows the zone the way the site
always has (timefmt.zone_label).
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from markupsafe import Markup, escape

from .errors import Problem
from .languages import babel_locale, site_languages
from .timefmt import MONTH_NAMES, display_date, display_datetime, in_zone, zone_label
from .yamltext import YamlProblem, load_text_yaml

THEME_MESSAGES = Path(__file__).resolve().parent / "theme" / "messages"
MESSAGES_FOLDER = "messages"
FALLBACK = "en"
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


@dataclass(frozen=True)
class Words:
    """One language's catalogue, English filled in where it has no word."""

    tag: str
    entries: dict = field(hash=False, compare=True)     # key -> text | {plural category: text}
    missing: tuple[str, ...] = ()                        # keys shown in English
    digest: str = ""                                     # of `entries`: part of every page's key
    # Words without values, escaped once: a page asks for about twenty.
    escaped: dict = field(default_factory=dict, hash=False, compare=False, repr=False)

    def text(self, key: str, **values) -> str:
        """The word for `key` with `values` filled in (plain text; templates use `markup`)."""
        entry = self.entries.get(key, key)
        if isinstance(entry, dict):
            entry = entry.get(plural_category(self.tag, values.get("count", 0))) or entry.get("other", key)
        # Numbers (a count, a page number) in the language's digits.
        values = {name: format_number(value, self.tag) if type(value) is int else value
                  for name, value in values.items()}
        return entry.format(**values) if values else entry

    def markup(self, key: str, **values) -> Markup:
        """The same for a template: the word escaped, values escaped unless markup already."""
        if not values:
            found = self.escaped.get(key)
            if found is None:
                found = self.escaped[key] = Markup(escape(self.text(key)))
            return found
        # The count picks the plural form; the other values go in after escaping.
        entry = self.text(key, **{name: value if name == "count" else "{" + name + "}"
                                  for name, value in values.items()})
        others = {name: format_number(value, self.tag) if type(value) is int else value
                  for name, value in values.items() if name != "count"}
        return Markup(escape(entry)).format(**others) if others else Markup(escape(entry))


def plural_category(tag: str, count) -> str:
    if is_english(tag):
        return "one" if count == 1 else "other"     # CLDR's rule for English, without loading Babel
    locale = babel_locale(tag)
    return locale.plural_form(count) if locale is not None else ("one" if count == 1 else "other")


# -- catalogues ---------------------------------------------------------------------

def _catalogue_files(folder: Path, tag: str) -> list[Path]:
    """The files that hold a tag's words, the most general first: hi.yaml, then hi-in.yaml."""
    parts = tag.lower().split("-")
    names = ["-".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return [folder / f"{name}.yaml" for name in names if (folder / f"{name}.yaml").is_file()]


def read_catalogue(path: Path, shown: str) -> tuple[dict, list[Problem]]:
    """A catalogue file's entries, or its problems (each naming file, line and key)."""
    try:
        loaded = load_text_yaml(path.read_text(encoding="utf-8-sig"))
    except YamlProblem as error:
        return {}, [Problem(shown, error.line, "messages", error.message)]
    except (OSError, UnicodeDecodeError) as error:
        return {}, [Problem(shown, 0, "messages", f"cannot be read: {error}")]
    if loaded.problems:
        return {}, [problem.problem(shown) for problem in loaded.problems]
    data = loaded.value or {}
    if not isinstance(data, dict):
        return {}, [Problem(shown, 1, "messages", "expected a mapping of `English text: translation`")]
    entries, problems = {}, []
    for key, value in data.items():
        line = loaded.key_lines.get(str(key), 1)
        if isinstance(value, str) and value.strip():
            entries[str(key)] = value
        elif isinstance(value, dict) and value and all(
                category in PLURAL_CATEGORIES and isinstance(text, str) for category, text in value.items()):
            if "other" not in value:
                problems.append(Problem(shown, line, str(key), "a count needs at least its `other` form"))
            entries[str(key)] = dict(value)
        else:
            problems.append(Problem(shown, line, str(key),
                                    "expected the translated text, or its plural forms (one, few, other...)"))
    return entries, problems


def _merged(folders: list[tuple[Path, str]], tag: str) -> tuple[dict, list[Problem]]:
    entries, problems = {}, []
    for folder, shown_folder in folders:
        for path in _catalogue_files(folder, tag):
            found, found_problems = read_catalogue(path, f"{shown_folder}/{path.name}")
            entries.update(found)
            problems += found_problems
    return entries, problems


def load_words(config) -> tuple[dict[str, Words], list[Problem]]:
    """Every site language's Words (tag -> Words), or the catalogues' problems."""
    folders = [(THEME_MESSAGES, "dateline/theme/messages"), (config.root / MESSAGES_FOLDER, MESSAGES_FOLDER)]
    english, problems = _merged(folders, FALLBACK)
    words = {}
    for language in site_languages(config):
        own, own_problems = _merged(folders, language.tag)
        problems += own_problems
        is_english = language.tag.lower().split("-")[0] == FALLBACK
        missing = () if is_english else tuple(sorted(key for key in english if key not in own))
        entries = {**english, **own}
        text = repr(sorted(entries.items()))
        words[language.tag] = Words(language.tag, entries, missing, hashlib.sha256(text.encode()).hexdigest())
    return words, problems


def missing_word_warnings(config) -> list[Problem]:
    """For `check`: each language's words shown in English for want of a translation."""
    words, _ = load_words(config)
    warnings = []
    for tag, catalogue in words.items():
        if catalogue.missing:
            shown = ", ".join(repr(key) for key in catalogue.missing[:5])
            more = f" and {len(catalogue.missing) - 5} more" if len(catalogue.missing) > 5 else ""
            warnings.append(Problem(f"{MESSAGES_FOLDER}/{tag.lower()}.yaml", 0, "messages",
                                    f"{len(catalogue.missing)} word(s) of the theme have no {tag} translation and "
                                    f"are shown in English: {shown}{more}",
                                    f"add them to {MESSAGES_FOLDER}/{tag.lower()}.yaml", warning=True))
    return warnings


# -- dates and numbers ----------------------------------------------------------------

def is_english(tag: str) -> bool:
    return tag.lower().split("-")[0] == FALLBACK


# The digits of CLDR's decimal numbering systems (common/supplemental/numberingSystems.xml),
# by the code point of their zero: each is a run of ten Unicode decimal digits.
# Babel knows each locale's default system but writes Latin digits whatever it is.
_DIGIT_ZEROS = {"arab": 0x0660, "arabext": 0x06F0, "beng": 0x09E6, "deva": 0x0966, "gujr": 0x0AE6,
                "guru": 0x0A66, "knda": 0x0CE6, "khmr": 0x17E0, "laoo": 0x0ED0, "mlym": 0x0D66, "mymr": 0x1040,
                "mtei": 0xABF0, "nkoo": 0x07C0, "olck": 0x1C50, "orya": 0x0B66, "tamldec": 0x0BE6, "telu": 0x0C66,
                "thai": 0x0E50, "tibt": 0x0F20, "adlm": 0x1E950, "fullwide": 0xFF10}


@functools.lru_cache(maxsize=64)
def _digit_table(tag: str) -> dict | None:
    """0-9 -> the digits of the locale's default numbering system; None for Latin digits."""
    locale = babel_locale(tag)
    zero = _DIGIT_ZEROS.get(locale.default_numbering_system) if locale is not None else None
    if zero is None:
        return None
    return str.maketrans("0123456789", "".join(chr(zero + number) for number in range(10)))


def native_digits(text: str, tag: str) -> str:
    table = _digit_table(tag)
    return text.translate(table) if table else text


def format_number(number: int, tag: str = FALLBACK) -> str:
    """A count in the language's digits, without grouping (as the site always showed counts)."""
    if is_english(tag):
        return str(number)
    locale = babel_locale(tag)
    if locale is None:
        return str(number)
    from babel.numbers import format_decimal

    return native_digits(format_decimal(number, locale=locale, group_separator=False,
                                        numbering_system="default"), tag)


@functools.lru_cache(maxsize=64)
def _patterns(tag: str) -> tuple[str, str, str]:
    """(long date, short time, how the two are joined) in CLDR's patterns for the locale."""
    from babel.dates import get_date_format, get_datetime_format, get_time_format

    locale = babel_locale(tag)
    joined = str(get_datetime_format("long", locale=locale))
    return get_date_format("long", locale=locale).pattern, get_time_format("short", locale=locale).pattern, joined


def _format(local: datetime | date, pattern: str, tag: str) -> str:
    from babel.dates import format_date, format_time

    locale = babel_locale(tag)
    if isinstance(local, datetime) and any(letter in pattern for letter in "hHkKmsa"):
        return format_time(local, pattern, locale=locale)
    return format_date(local, pattern, locale=locale)


def _unquote(pattern: str) -> str:
    """A CLDR joining pattern's literal text: quotes dropped, '' kept as one quote."""
    return pattern.replace("''", "\0").replace("'", "").replace("\0", "'")


def local_datetime(moment: datetime, zone: str, tag: str = FALLBACK) -> str:
    """A date and time as the language writes it, in the article's zone:
    "25 October 2025, 9:28 AM IST", "25 अक्टूबर 2025, 9:28 am IST"."""
    if is_english(tag) or babel_locale(tag) is None:
        return display_datetime(moment, zone)
    local = in_zone(moment, zone)
    date_pattern, time_pattern, joined = _patterns(tag)
    text = _unquote(joined).replace("{1}", _format(local, date_pattern, tag)).replace(
        "{0}", _format(local, time_pattern, tag))
    return native_digits(f"{text} {zone_label(local)}", tag)


def local_date(moment: datetime, zone: str, tag: str = FALLBACK) -> str:
    """"25 October 2025", "25 अक्टूबर 2025"."""
    if is_english(tag) or babel_locale(tag) is None:
        return display_date(moment, zone)
    return native_digits(_format(in_zone(moment, zone), _patterns(tag)[0], tag), tag)


def period_name(year: int, month: int = 0, day: int = 0, tag: str = FALLBACK) -> str:
    """A date archive's name: "2025", "October 2025", "25 October 2025" in the language."""
    if is_english(tag) or babel_locale(tag) is None:
        if not month:
            return f"{year:04d}"
        return f"{day} {MONTH_NAMES[month - 1]} {year:04d}" if day else f"{MONTH_NAMES[month - 1]} {year:04d}"
    from babel.dates import format_date, format_skeleton

    locale = babel_locale(tag)
    if day:
        text = format_date(date(year, month, day), _patterns(tag)[0], locale=locale)
    elif month:
        text = format_skeleton("yMMMM", date(year, month, 1), locale=locale)
    else:
        text = format_skeleton("y", date(year, 1, 1), locale=locale)
    return native_digits(text, tag)


@functools.lru_cache(maxsize=1)
def english_words() -> Words:
    """The theme's English words alone (a Planner made without a site's catalogues)."""
    entries, _ = read_catalogue(THEME_MESSAGES / "en.yaml", "dateline/theme/messages/en.yaml")
    return Words(FALLBACK, entries, (), hashlib.sha256(repr(sorted(entries.items())).encode()).hexdigest())
