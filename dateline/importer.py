"""Plain-text stories copied from a news site's article page -> dateline Markdown articles.

Pure: `import_story` takes the copied text and returns an `ImportedStory` (or None) plus
problems. It never writes, prints or reads the clock; the CLI decides where the file goes.

The input is what you get by selecting an article page and pasting it as plain text:

    <headline>
    <dek: one or two sentences>            -> summary
    Post Published By: <author>            -> author ("Published By :" and spacing vary)
    Updated : 25 October 2025, 9:28 AM IST -> updated (optional)
    <stray page words: "Trending", ...>    -> dropped, reported
    New Delhi: <first paragraph>           -> dateline taken out -> location
    <paragraphs, headings, captions, read-also lines ...>
    Location :                             -> location (wins over the dateline)
      • New Delhi
    Published :                            -> published
      • 25 October 2025, 9:28 AM IST

Every line of the paste is one block: sites put each paragraph on its own line and
blank lines between them come and go, so blank lines carry no meaning here.

Heuristics (everything not certain goes into `ImportedStory.report`, by line):
- Whitespace inside a line (tabs, no-break spaces, U+2028 ...) collapses to one space;
  lines are split on \\n, \\r\\n and \\r only, so line numbers match an editor's.
- Header: the headline is the first non-blank line; the dek is every line between it
  and the "Published By" line; an "Updated" line may sit just before or just after it.
- Footer: the first "Location :" / "Published :" / "Updated :" / "Tags :" / "Topics :"
  label after which every non-blank line is another label or a value (a bulleted line
  or one of at most 8 words). A value may also follow its label on the same line.
- Stray lines: short lines (at most 6 words, no final . ! ?) between the header and
  the first paragraph are page furniture ("Trending", "Listen to this article").
  A few known phrases ("Advertisement", ...) are dropped wherever they appear.
- Dateline: up to four capitalised words opening the first paragraph, optionally with
  ", Region" and/or ", Oct 25", then ":" or a dash: "New Delhi:", "NEW DELHI:",
  "New Delhi, Oct 25:", "London -". The footer's Location wins when both exist.
- Each later line is, in this order of tests:
  1. a read-also link, if its normalised text (after an optional "Also Read:" prefix)
     is the title of an archived article in `titles`;
  2. an image caption, if it comes right under a heading, has at most 15 words and
     another block follows it (captions sit between a heading and its text);
  3. a `## ` heading, if it has at most 10 words, no final . ! ? : ; , and another
     block follows it (a short line at the very end stays a paragraph, reported);
     a title-case line of 7+ words is not a heading but rule 4;
  4. an unmatched read-also candidate, kept as a paragraph and reported, if it looks
     like another story's headline: no final full stop and either title case with
     7+ words or 11+ words, or it carries an "Also Read:" prefix;
  5. a paragraph.
- Dates: "25 October 2025, 9:28 AM IST", "Oct 25, 2025 09:28 IST", "25 Oct 2025 9:28 am
  IST", with an optional weekday, "at" or "|" before the time, seconds, "a.m.", and the
  zone in parentheses. Numeric offsets ("GMT+5:30") are not read. The abbreviation maps
  to an IANA zone and the offset is the one that zone had at that instant. When the
  abbreviation names one season of that zone ("EST" in July) the zone's real offset is
  used and the mismatch reported; in a repeated hour the abbreviation picks the side.
- Abbreviations (DEFAULT_ZONE_ABBREVIATIONS): "GMT" and "UTC" mean +00:00 all year, so
  they map to Etc/GMT and UTC, not Europe/London; "IST" is India (the sites this was
  written for), not Irish or Israel time; "BST" is British Summer Time, not Bangladesh;
  "PST" is US Pacific, not Pakistan or Philippines; "CST", "AST", "SST" and "ECT" are
  ambiguous (US Central or China; Atlantic or Arabia; Samoa or Singapore; Ecuador or
  Eastern Caribbean) and map to None. An unknown or ambiguous abbreviation is a problem
  unless the caller passes `timezone`, which is then used and reported.
"""
from __future__ import annotations

import re
import string
import unicodedata
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from slugify import slugify

from dateline.errors import Problem, sorted_problems

DEFAULT_ZONE_ABBREVIATIONS: dict[str, str | None] = {
    # +00:00 all year: literal offsets, not a city that changes its clocks.
    "UTC": "UTC",
    "GMT": "Etc/GMT",
    "Z": "UTC",
    # South and East Asia.
    "IST": "Asia/Kolkata",
    "PKT": "Asia/Karachi",
    "NPT": "Asia/Kathmandu",
    "SLST": "Asia/Colombo",
    "BDT": "Asia/Dhaka",
    "ICT": "Asia/Bangkok",
    "WIB": "Asia/Jakarta",
    "SGT": "Asia/Singapore",
    "MYT": "Asia/Kuala_Lumpur",
    "PHT": "Asia/Manila",
    "HKT": "Asia/Hong_Kong",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    # West and Central Asia, Africa.
    "GST": "Asia/Dubai",
    "AFT": "Asia/Kabul",
    "IRST": "Asia/Tehran",
    "MSK": "Europe/Moscow",
    "WAT": "Africa/Lagos",
    "CAT": "Africa/Maputo",
    "EAT": "Africa/Nairobi",
    "SAST": "Africa/Johannesburg",
    # Europe.
    "BST": "Europe/London",
    "WET": "Europe/Lisbon",
    "WEST": "Europe/Lisbon",
    "CET": "Europe/Paris",
    "CEST": "Europe/Paris",
    "EET": "Europe/Athens",
    "EEST": "Europe/Athens",
    # Americas.
    "ET": "America/New_York",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CT": "America/Chicago",
    "CDT": "America/Chicago",
    "MT": "America/Denver",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PT": "America/Los_Angeles",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "AKDT": "America/Anchorage",
    "HST": "Pacific/Honolulu",
    "ADT": "America/Halifax",
    "NST": "America/St_Johns",
    "NDT": "America/St_Johns",
    # Oceania.
    "AWST": "Australia/Perth",
    "ACST": "Australia/Adelaide",
    "ACDT": "Australia/Adelaide",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "NZST": "Pacific/Auckland",
    "NZDT": "Pacific/Auckland",
    # Used for more than one zone by newsrooms: the caller must say which.
    "CST": None,  # US Central Standard Time or China Standard Time
    "AST": None,  # Atlantic Standard Time or Arabia Standard Time
    "SST": None,  # Samoa Standard Time or Singapore Standard Time
    "ECT": None,  # Ecuador Time or Eastern Caribbean Time
}

FRONT_MATTER_KEYS = ("title", "summary", "author", "published", "updated", "location", "timezone")


@dataclass(frozen=True)
class ImportedStory:
    slug: str  # from the title
    published: datetime  # aware
    front_matter: dict  # keys in FRONT_MATTER_KEYS order; summary/updated/location may be absent
    markdown: str  # "---\n" + YAML front matter + "---\n\n" + body
    report: tuple[str, ...]  # every decision the importer was unsure of, by line


_STRAIGHT_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})


def normalise_title(title: str) -> str:
    """The form titles are compared in: "‘Talks’ Resume…" and "'talks' resume" are equal."""
    text = unicodedata.normalize("NFKC", title)
    text = " ".join(text.translate(_STRAIGHT_QUOTES).casefold().split())
    start, end = 0, len(text)
    while start < end and is_edge_punctuation(text[start]):
        start += 1
    while end > start and is_edge_punctuation(text[end - 1]):
        end -= 1
    return text[start:end]


def is_edge_punctuation(char: str) -> bool:
    return char in string.punctuation or char.isspace() or unicodedata.category(char).startswith("P")


def import_story(
    text: str,
    source: str,
    *,
    zone_abbreviations: dict[str, str | None],
    titles: dict[str, str],
    timezone: str | None = None,
) -> tuple[ImportedStory | None, list[Problem]]:
    """Turn a pasted story into a Markdown article, or say why it cannot.

    `source` is the path shown in problems. `titles` maps the normalised title of each
    archived article to its path relative to content/ ("2025/10/kl-talks.md"), for
    read-also links. `timezone` (an IANA name) stands in for an unknown or ambiguous
    zone abbreviation. Returns (story, []) or (None, problems).
    """
    lines = split_lines(text)
    if not any(line.text for line in lines):
        return None, [Problem(source, 1, "title", "empty story: no headline, author or date")]

    zones = ZoneRules(
        {key.upper(): value for key, value in zone_abbreviations.items()}, timezone or None
    )
    header, problems = read_header(lines, source)
    footer = find_footer(lines, header.body_start)
    dates, date_problems = read_dates(header, footer, lines, source, zones)
    problems += date_problems + zone_option_problems(zones, source)
    if header.title is None or header.author is None or dates is None:
        return None, sorted_problems(problems)

    body = read_body(lines[header.body_start : footer.start])
    if not body.blocks:
        line = lines[min(header.body_start, len(lines) - 1)].number
        problems.append(Problem(source, line, "body", "no article text between the header and the footer"))
    slug = slugify(header.title.text, max_length=80, word_boundary=True)
    if not slug:
        problems.append(
            Problem(source, header.title.number, "title", "the headline has no letters or digits to make a slug from")
        )
    if problems:
        return None, sorted_problems(problems)

    published = dates.published.when
    article_folder = f"{published.year:04d}/{published.month:02d}"
    placed = place_story(body.blocks[0], footer)
    rendered = render_blocks(body.blocks, placed.first_paragraph, titles, article_folder)
    front_matter = build_front_matter(header, dates, placed.location)
    notes = header.notes + footer.notes + dates.notes + body.notes + placed.notes + rendered.notes
    story = ImportedStory(
        slug=slug,
        published=published,
        front_matter=front_matter,
        markdown=render_markdown(front_matter, rendered.markdown_blocks),
        report=format_report(notes),
    )
    return story, []


# --- lines -------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as an editor counts
    text: str  # whitespace collapsed, stripped


@dataclass(frozen=True, order=True)
class Note:
    """One uncertain decision, shown to the person importing as `line N: message`."""

    line: int
    message: str


def split_lines(text: str) -> list[Line]:
    """Number the lines; only \\n, \\r\\n and \\r end a line so numbers match an editor."""
    raw_lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    return [Line(number, collapse_whitespace(raw)) for number, raw in enumerate(raw_lines, start=1)]


def collapse_whitespace(text: str) -> str:
    # Pasted pages carry no-break spaces, tabs and U+2028; YAML would fold some of them.
    return " ".join(re.sub(r"[\u200b\u200c\u200d\u2060\ufeff]", "", text).split())


def quoted(text: str) -> str:
    return f"'{text}'"


def format_report(notes: tuple[Note, ...]) -> tuple[str, ...]:
    return tuple(f"line {note.line}: {note.message}" for note in sorted(set(notes)))


# --- header ------------------------------------------------------------------------

_AUTHOR_LINE = re.compile(r"^(?:post\s*)?published\s+by\s*:\s*(?P<value>.*)$", re.I)
# A header "Updated" line always carries its date; a bare "Updated :" is a footer label.
_UPDATED_LINE = re.compile(r"^(?:last\s+)?updated(?:\s+on)?\s*:\s*(?P<value>\S.*)$", re.I)


@dataclass(frozen=True)
class Header:
    title: Line | None  # None: the story starts with a label, not a headline
    summary: str  # "" when there is no dek
    author: Line | None  # the "Published By" line with only the name left; None when absent or empty
    updated: Line | None  # the "Updated" line with only the date left in its text
    body_start: int  # index into the lines where the body (or the footer) begins
    notes: tuple[Note, ...]


def read_header(lines: list[Line], source: str) -> tuple[Header, list[Problem]]:
    first = next(index for index, line in enumerate(lines) if line.text)
    author_index = next(
        (index for index in range(first, len(lines)) if _AUTHOR_LINE.match(lines[index].text)), None
    )
    updated_index = find_updated_line(lines, first, author_index)
    title = None if is_header_label(lines[first].text) else lines[first]
    author = None
    if author_index is not None:
        author = Line(lines[author_index].number, _AUTHOR_LINE.match(lines[author_index].text)["value"].strip())
    updated = None
    if updated_index is not None:
        updated = Line(lines[updated_index].number, _UPDATED_LINE.match(lines[updated_index].text)["value"])
    dek = [
        line for index, line in enumerate(lines[first + 1 : author_index or first], start=first + 1)
        if line.text and index != updated_index
    ]
    notes = ()
    if author is not None and not dek:
        notes = (Note(author.number, "no summary (dek) between the headline and the author line"),)
    header = Header(
        title=title,
        summary=" ".join(line.text for line in dek),
        author=author if author and author.text else None,
        updated=updated,
        body_start=max(first, author_index or first, updated_index or first) + 1,
        notes=notes,
    )
    return header, header_problems(lines[first], title, author, source)


def header_problems(first_line: Line, title: Line | None, author: Line | None, source: str) -> list[Problem]:
    problems = []
    if title is None:
        problems.append(
            Problem(
                source, first_line.number, "title", "no headline: the story starts with a label line",
                hint="put the headline on the first line",
            )
        )
    if author is None:
        problems.append(
            Problem(
                source, first_line.number, "author", "no 'Published By: <name>' line after the headline",
                hint="the author line goes between the summary and the date",
            )
        )
    elif not author.text:
        problems.append(Problem(source, author.number, "author", "'Published By:' has no name after it"))
    return problems


def is_header_label(text: str) -> bool:
    return bool(_AUTHOR_LINE.match(text) or _UPDATED_LINE.match(text) or _FOOTER_LABEL.match(text))


def find_updated_line(lines: list[Line], first: int, author_index: int | None) -> int | None:
    """The "Updated" line sits just before or just after the author line (anywhere without one)."""
    if author_index is None:
        candidates = list(range(first, len(lines)))
    else:
        after_author = next((index for index in range(author_index + 1, len(lines)) if lines[index].text), None)
        candidates = list(range(first, author_index)) + ([after_author] if after_author is not None else [])
    return next((index for index in candidates if _UPDATED_LINE.match(lines[index].text)), None)


# --- footer ------------------------------------------------------------------------

_FOOTER_LABEL = re.compile(r"^(?P<label>location|published|updated|tags|topics)\s*:\s*(?P<value>.*)$", re.I)
_BULLET = re.compile(r"^[•◦▪●·*\-–—]\s*")


@dataclass(frozen=True)
class Footer:
    start: int  # index of its first label; len(lines) when there is no footer
    values: dict  # label (lowercase) -> tuple of value Lines, in order
    label_lines: dict  # label (lowercase) -> the Line of the label itself
    notes: tuple[Note, ...]


def find_footer(lines: list[Line], body_start: int) -> Footer:
    start = footer_start(lines, body_start)
    values: dict[str, list[Line]] = {}
    label_lines: dict[str, Line] = {}
    notes = []
    label = ""
    for line in lines[start:]:
        match = _FOOTER_LABEL.match(line.text)
        if match:
            label = match["label"].lower()
            if label in label_lines:
                notes.append(Note(line.number, f"second footer label {quoted(match['label'])} ignored"))
                label = ""
                continue
            label_lines[label] = line
            values[label] = []
            if label in ("tags", "topics"):
                notes.append(Note(line.number, f"ignored footer {quoted(match['label'])}"))
            line = Line(line.number, match["value"])
        value = _BULLET.sub("", line.text).strip()
        if value and label:
            values[label].append(Line(line.number, value))
    for label in ("location", "published", "updated"):
        extra = values.get(label, [])[1:]
        for line in extra:
            notes.append(Note(line.number, f"more than one footer {label.title()}; ignored {quoted(line.text)}"))
    return Footer(start, {key: tuple(found) for key, found in values.items()}, label_lines, tuple(notes))


def footer_start(lines: list[Line], body_start: int) -> int:
    """The first footer label from which every following line is footer-like."""
    start = len(lines)
    for index in range(len(lines) - 1, body_start - 1, -1):
        text = lines[index].text
        if _FOOTER_LABEL.match(text):
            start = index
        elif text and not is_footer_value(text):
            break
    return start


def is_footer_value(text: str) -> bool:
    return bool(_BULLET.match(text)) or len(text.split()) <= 8


# --- dates -------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}
_DATE = re.compile(
    r"""^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?
    (?:(?P<day1>[0-9]{1,2})(?:st|nd|rd|th)?\s+(?P<month1>[a-z]{3,9})\.?
      |(?P<month2>[a-z]{3,9})\.?\s+(?P<day2>[0-9]{1,2})(?:st|nd|rd|th)?)
    ,?\s+(?P<year>[0-9]{4})
    \s*(?:,|\||\bat\b|-|–|—)?\s*
    (?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?
    (?:\s*(?P<meridiem>[ap])\.?\s?m\.?(?![a-z]))?
    (?:\s*\(?(?P<zone>[a-z]{2,5})\)?)?$""",
    re.I | re.X,
)
_DATE_EXAMPLE = "write it like '25 October 2025, 9:28 AM IST'"
_EARLIEST_YEAR, _LATEST_YEAR = 1000, 9000  # far enough from datetime's limits to convert


@dataclass(frozen=True)
class ZoneRules:
    abbreviations: dict  # upper-case abbreviation -> IANA name, or None when ambiguous
    fallback: str | None  # the --timezone option


@dataclass(frozen=True)
class Stamp:
    when: datetime  # aware, in `zone`
    zone: str  # IANA name


@dataclass(frozen=True)
class Dates:
    published: Stamp
    updated: Stamp | None  # None when absent or the same instant as published
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class WrittenDate:
    """A date as the page wrote it, before any zone is applied."""

    naive: datetime
    abbreviation: str  # "" when the text names no zone


def read_dates(header: Header, footer: Footer, lines: list[Line], source: str, zones: ZoneRules):
    """published from the footer, updated from the header (or footer) "Updated" line."""
    problems: list[Problem] = []
    notes: list[Note] = []

    def stamp_from(line: Line | None, field: str) -> Stamp | None:
        if line is None:
            return None
        stamp, line_notes, line_problems = read_stamp(line, field, source, zones)
        notes.extend(line_notes)
        problems.extend(line_problems)
        return stamp

    published_line = first_value(footer, "published")
    footer_updated = first_value(footer, "updated")
    updated_line = header.updated or footer_updated
    if header.updated and footer_updated:
        notes.append(Note(footer_updated.number, "footer Updated ignored; used the one under the author line"))
    if "published" in footer.label_lines and published_line is None:
        label = footer.label_lines["published"]
        problems.append(Problem(source, label.number, "published", "'Published :' has no date after it"))
    if published_line is None and updated_line is None:
        if "published" not in footer.label_lines:
            problems.append(
                Problem(
                    source, last_text_line(lines).number, "published",
                    "no date: no 'Published :' footer and no 'Updated :' line",
                    hint="add 'Published :' with a date like '25 October 2025, 9:28 AM IST' at the end",
                )
            )
        return None, problems

    published = stamp_from(published_line, "published")
    updated = stamp_from(updated_line, "updated")
    if published_line is None and updated_line is not None:
        notes.append(Note(updated_line.number, "no footer Published; used the Updated time as published"))
        published, updated = updated, None
    if published is None or problems:
        return None, problems
    if updated is not None and updated.when == published.when:
        updated = None
    if updated is not None and updated.when < published.when:
        notes.append(Note(updated_line.number, "updated is earlier than published"))
    return Dates(published, updated, tuple(notes)), problems


def first_value(footer: Footer, label: str) -> Line | None:
    found = footer.values.get(label, ())
    return found[0] if found else None


def last_text_line(lines: list[Line]) -> Line:
    return next(line for line in reversed(lines) if line.text)


def read_stamp(line: Line, field: str, source: str, zones: ZoneRules):
    """(Stamp or None, notes, problems) for one date line."""
    written, problem = read_written_date(line, field, source)
    if problem:
        return None, [], [problem]
    zone_name, notes, problems = resolve_zone(written.abbreviation, line, field, source, zones)
    if problems:
        return None, notes, problems
    when, zone_notes, problem = localise(written, zone_name, line, field, source)
    if problem:
        return None, notes + zone_notes, [problem]
    return Stamp(when, zone_name), notes + zone_notes, []


def read_written_date(line: Line, field: str, source: str) -> tuple[WrittenDate | None, Problem | None]:
    match = _DATE.match(line.text)
    month = _MONTHS.get((match["month1"] or match["month2"] or "").lower()) if match else None
    if month is None:
        return None, Problem(source, line.number, field, f"cannot read the date {quoted(line.text)}", hint=_DATE_EXAMPLE)
    year, day = int(match["year"]), int(match["day1"] or match["day2"])
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    if match["meridiem"]:
        if not 1 <= hour <= 12:
            return None, Problem(source, line.number, field, f"{quoted(line.text)}: hour {hour} with AM/PM")
        hour = hour % 12 + (12 if match["meridiem"].lower() == "p" else 0)
    if not _EARLIEST_YEAR <= year <= _LATEST_YEAR:
        return None, Problem(source, line.number, field, f"{quoted(line.text)}: year {year} is out of range")
    try:
        naive = datetime(year, month, day, hour, minute, second)
    except ValueError as error:
        return None, Problem(source, line.number, field, f"{quoted(line.text)} is not a real time: {error}")
    return WrittenDate(naive, (match["zone"] or "").upper()), None


def resolve_zone(abbreviation: str, line: Line, field: str, source: str, zones: ZoneRules):
    """(IANA name or None, notes, problems): the zone the abbreviation stands for here."""
    known = abbreviation in zones.abbreviations
    mapped = zones.abbreviations.get(abbreviation)
    if mapped is not None:
        if load_zone(mapped) is None:
            message = f"zone abbreviation {quoted(abbreviation)} maps to unknown IANA zone {quoted(mapped)}"
            return None, [], [Problem(source, line.number, field, message)]
        return mapped, [], []
    if not abbreviation:
        reason = "no time zone"
    elif known:
        reason = f"ambiguous time zone abbreviation {quoted(abbreviation)}"
    else:
        reason = f"unknown time zone abbreviation {quoted(abbreviation)}"
    if zones.fallback is not None and load_zone(zones.fallback) is not None:
        return zones.fallback, [Note(line.number, f"{reason}; used --timezone {zones.fallback}")], []
    hint = "pass --timezone with the IANA zone it means here, e.g. --timezone Asia/Kolkata"
    return None, [], [Problem(source, line.number, field, f"{reason} in {quoted(line.text)}", hint=hint)]


def zone_option_problems(zones: ZoneRules, source: str) -> list[Problem]:
    if zones.fallback is None or load_zone(zones.fallback) is not None:
        return []
    return [Problem(source, 0, "timezone", f"unknown IANA time zone {quoted(zones.fallback)}", hint="e.g. Asia/Kolkata")]


def load_zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def localise(written: WrittenDate, zone_name: str, line: Line, field: str, source: str):
    """(aware datetime or None, notes, problem): the wall time read in the zone's rules."""
    zone = load_zone(zone_name)
    earlier = written.naive.replace(tzinfo=zone, fold=0)
    later = written.naive.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return earlier, season_notes(earlier, written.abbreviation, zone_name, line), None
    round_trip = earlier.astimezone(dt_timezone.utc).astimezone(zone).replace(tzinfo=None)
    if round_trip != written.naive:
        message = f"{quoted(line.text)} does not exist in {zone_name}: the clocks skipped that hour"
        return None, [], Problem(source, line.number, field, message)
    # The hour happened twice; "EDT"/"EST" say which, "ET" cannot.
    if later.tzname() == written.abbreviation:
        return later, [], None
    if earlier.tzname() == written.abbreviation:
        return earlier, [], None
    message = f"{quoted(line.text)} happened twice in {zone_name}; used the earlier ({earlier.tzname()})"
    note = Note(line.number, message)
    return earlier, [note], None


def season_notes(when: datetime, abbreviation: str, zone_name: str, line: Line) -> list[Note]:
    """Report "EST" written in July: the zone's real offset is used, which the page may not mean."""
    names_that_year = {
        datetime(when.year, month, 1, tzinfo=when.tzinfo).tzname() for month in (1, 7)
    }
    actual = when.tzname()
    if abbreviation not in names_that_year or actual == abbreviation:
        return []
    offset = when.isoformat()[-6:]
    message = f"{abbreviation} written but {zone_name} is on {actual} then; used {offset}"
    return [Note(line.number, message)]


# --- body --------------------------------------------------------------------------

# Page furniture that can turn up anywhere in a paste.
_PAGE_NOISE = frozenset(
    {
        "advertisement", "advertisement scroll to continue", "story continues below this ad",
        "story continues below advertisement", "listen to this article", "continue reading",
        "trending", "premium", "subscribe", "follow us", "share", "share this article",
    }
)
_STRAY_MAX_WORDS = 6
_SENTENCE_END = ".!?"


@dataclass(frozen=True)
class Body:
    blocks: tuple[Line, ...]  # one per non-blank line kept; the first is the first paragraph
    notes: tuple[Note, ...]


def read_body(lines: list[Line]) -> Body:
    kept: list[Line] = []
    notes = []
    for line in lines:
        if not line.text:
            continue
        before_first_paragraph = not kept
        if is_page_noise(line.text) or (before_first_paragraph and is_stray(line.text)):
            notes.append(Note(line.number, f"dropped stray line {quoted(line.text)}"))
        else:
            kept.append(line)
    return Body(tuple(kept), tuple(notes))


def is_page_noise(text: str) -> bool:
    return normalise_title(text) in _PAGE_NOISE


def is_stray(text: str) -> bool:
    return (
        len(text.split()) <= _STRAY_MAX_WORDS
        and final_char(text) not in _SENTENCE_END
        and read_dateline(text) is None
    )


def final_char(text: str) -> str:
    """The last character that is not a closing quote or bracket."""
    trimmed = text.rstrip("\"'”’)]»")
    return trimmed[-1:] if trimmed else ""


# --- dateline and location ---------------------------------------------------------

_PLACE_WORD = r"[^\W\d_][\w.'’-]*"
_MONTH_WORD = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATELINE = re.compile(
    rf"""^(?P<place>{_PLACE_WORD}(?:\ {_PLACE_WORD}){{0,3}}
        (?:,\ ?{_PLACE_WORD}(?:\ {_PLACE_WORD}){{0,2}})?)
    (?:,\ ?(?:{_MONTH_WORD}\ [0-9]{{1,2}}|[0-9]{{1,2}}\ {_MONTH_WORD})(?:,?\ [0-9]{{4}})?)?
    (?:\s*:|\s*[—–]|\s+-)\s*(?P<rest>\S.*)$""",
    re.X,
)
_MONTH_ONLY = re.compile(rf"^{_MONTH_WORD}$", re.I)


@dataclass(frozen=True)
class Dateline:
    place: str
    rest: str  # the paragraph without its dateline


@dataclass(frozen=True)
class Placed:
    location: str  # "" when neither the footer nor a dateline names one
    first_paragraph: str
    notes: tuple[Note, ...]


def read_dateline(text: str) -> Dateline | None:
    match = _DATELINE.match(text)
    if not match:
        return None
    words = re.split(r"[ ,]+", match["place"])
    if not all(word[0].isupper() for word in words if word) or _MONTH_ONLY.match(words[-1]):
        return None
    return Dateline(match["place"], match["rest"])


def place_story(first_block: Line, footer: Footer) -> Placed:
    """The location, and the first paragraph with its dateline taken out."""
    dateline = read_dateline(first_block.text)
    footer_location = first_value(footer, "location")
    paragraph = dateline.rest if dateline else first_block.text
    notes = []
    if dateline is None:
        notes.append(Note(first_block.number, "no dateline at the start of the first paragraph"))
    if footer_location is not None:
        if dateline and comparable_place(dateline.place) != comparable_place(footer_location.text):
            message = (
                f"dateline {quoted(dateline.place)} differs from footer Location "
                f"{quoted(footer_location.text)}; used the footer"
            )
            notes.append(Note(first_block.number, message))
        return Placed(footer_location.text, paragraph, tuple(notes))
    if dateline is None:
        notes.append(Note(first_block.number, "no location: no footer Location and no dateline"))
        return Placed("", paragraph, tuple(notes))
    location = capitalise_place(dateline.place)
    notes.append(Note(first_block.number, f"no footer Location; took {quoted(location)} from the dateline"))
    return Placed(location, paragraph, tuple(notes))


def comparable_place(place: str) -> str:
    return normalise_title(place)


def capitalise_place(place: str) -> str:
    """ "NEW DELHI" -> "New Delhi"; a place already in mixed case keeps its spelling."""
    if not place.isupper():
        return place
    return re.sub(r"[^\W\d_]+(?:['’][^\W\d_]+)*", lambda word: word[0].capitalize(), place)


# --- blocks ------------------------------------------------------------------------

_READ_ALSO_PREFIX = re.compile(r"^(?:also\s+read|read\s+also|read\s+more|see\s+also)\s*[:|\-–—]\s*", re.I)
_MINOR_WORDS = frozenset(
    "a an and as at but by for from in into nor of off on onto or over per so than the to up via vs with yet".split()
)
_HEADING_MAX_WORDS = 10
_CAPTION_MAX_WORDS = 15
_HEADLINE_MIN_WORDS = 7  # a title-case line this long reads as another story's headline
_LONG_LINE_WORDS = 11  # an unpunctuated line this long is no heading


@dataclass(frozen=True)
class Rendered:
    markdown_blocks: tuple[str, ...]
    notes: tuple[Note, ...]


def render_blocks(blocks: tuple[Line, ...], first_paragraph: str, titles: dict, article_folder: str) -> Rendered:
    """Markdown for each body line, in order; the first is the (dateline-free) first paragraph."""
    known_titles = {normalise_title(title): path for title, path in sorted(titles.items())}
    rendered = [escape_markdown(first_paragraph)]
    notes = []
    previous_kind = "paragraph"
    for index, line in enumerate(blocks[1:], start=1):
        has_next = index + 1 < len(blocks)
        kind, markdown, note = render_block(line, previous_kind, has_next, known_titles, article_folder)
        rendered.append(markdown)
        if note:
            notes.append(Note(line.number, note))
        previous_kind = kind
    return Rendered(tuple(rendered), tuple(notes))


def render_block(line: Line, previous_kind: str, has_next: bool, known_titles: dict, article_folder: str):
    """(kind, markdown, report note or "") for one body line after the first paragraph."""
    text = line.text
    headline = _READ_ALSO_PREFIX.sub("", text)
    key = normalise_title(headline)
    target = known_titles.get(key) if key else None
    if target is not None:
        link = relative_link(article_folder, target)
        markdown = f"Read also: [{escape_inline(headline)}]({link_destination(link)})"
        return "read_also", markdown, f"linked read-also {quoted(headline)} to {target}"
    if headline != text:
        return "paragraph", escape_markdown(text), unmatched_note(text)
    if previous_kind == "heading" and has_next and looks_like_caption(text):
        return "caption", f"*{escape_inline(text)}*", f"made an image caption: {quoted(text)}"
    if looks_like_heading(text):
        if has_next:
            return "heading", f"## {escape_heading(text)}", f"made a heading: {quoted(text)}"
        return "paragraph", escape_markdown(text), f"kept short last line as a paragraph: {quoted(text)}"
    if looks_like_headline(text):
        return "paragraph", escape_markdown(text), unmatched_note(text)
    return "paragraph", escape_markdown(text), ""


def unmatched_note(text: str) -> str:
    return f"unmatched read-also candidate kept as a paragraph: {quoted(text)}"


def word_count(text: str) -> int:
    return len(text.split())


def looks_like_heading(text: str) -> bool:
    return (
        word_count(text) <= _HEADING_MAX_WORDS
        and final_char(text) not in ".!?:;,"
        and any(char.isalpha() for char in text)
        and not looks_like_headline(text)
    )


def looks_like_headline(text: str) -> bool:
    words = word_count(text)
    if final_char(text) in ".:;,":
        return False
    return words >= _LONG_LINE_WORDS or (words >= _HEADLINE_MIN_WORDS and is_title_case(text))


def looks_like_caption(text: str) -> bool:
    return word_count(text) <= _CAPTION_MAX_WORDS and final_char(text) not in ":;,"


def is_title_case(text: str) -> bool:
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    major = [word for word in words if word.casefold() not in _MINOR_WORDS]
    capitalised = [word for word in major if word[0].isupper()]
    return len(major) >= 3 and len(capitalised) >= 0.75 * len(major)


def relative_link(from_folder: str, target: str) -> str:
    """Path from content/<from_folder>/ to content/<target>, with "/" separators."""
    start = from_folder.split("/")
    parts = [part for part in target.replace("\\", "/").split("/") if part not in ("", ".")]
    shared = 0
    while shared < min(len(start), len(parts) - 1) and start[shared] == parts[shared]:
        shared += 1
    return "/".join([".."] * (len(start) - shared) + parts[shared:])


def link_destination(path: str) -> str:
    # Spaces and parentheses would end a Markdown link destination early.
    return urllib.parse.quote(path, safe="/._-~")


# --- Markdown text -----------------------------------------------------------------

_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_BLOCK_START = re.compile(r"^(?:[#>+\-]|[0-9]+(?=[.)]))")


def escape_inline(text: str) -> str:
    """Text that renders as written inside a line: no emphasis, code, links, HTML or entities."""
    text = _INLINE_SPECIALS.sub(r"\\\1", text)
    text = _ENTITY.sub("&amp;", text)
    return text.replace("<", "&lt;")


def escape_heading(text: str) -> str:
    # Python-Markdown strips a heading's trailing "#"s even without a space before them.
    return escape_inline(text).replace("#", "\\#")


def escape_markdown(text: str) -> str:
    """A paragraph that renders as written: also no heading, quote or list at its start."""
    escaped = escape_inline(text)
    match = _BLOCK_START.match(escaped)
    if not match:
        return escaped
    if match[0][0].isdigit():  # "1984. That year" is not an ordered list
        end = match.end()
        return escaped[:end] + "\\" + escaped[end:]
    return "\\" + escaped


# --- output ------------------------------------------------------------------------


def build_front_matter(header: Header, dates: Dates, location: str) -> dict:
    values = {
        "title": header.title.text,
        "summary": header.summary,
        "author": header.author.text,
        "published": dates.published.when.isoformat(),
        "updated": dates.updated.when.isoformat() if dates.updated else "",
        "location": location,
        "timezone": dates.published.zone,
    }
    return {key: values[key] for key in FRONT_MATTER_KEYS if values[key]}


def render_markdown(front_matter: dict, markdown_blocks: tuple[str, ...]) -> str:
    # safe_dump quotes whatever YAML would misread: NO, 1.10, "a: b", ISO dates.
    front = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True, width=1000)
    return "---\n" + front + "---\n\n" + "\n\n".join(markdown_blocks) + "\n"

