"""Plain-text stories copied from a news site's article page -> stories.

Pure: `read_pasted_story` takes the copied text and returns a `Story` (or None) plus
problems. It never writes, prints or reads the clock; the writer decides where the
file goes.

The input is what you get by selecting an article page and pasting it as plain text:

    <headline>
    <dek: one or two sentences>            -> summary
    By Ananya Rao and Tom Ashdown          -> authors ("Post Published By:", "By:", "BY",
                                              "Written by" too)
    Updated : 25 October 2025, 9:28 AM IST -> updated (optional; "Published", "First
                                              published" lines give published)
    <stray page words: "Trending", ...>    -> dropped, reported
    New Delhi: <first paragraph>           -> dateline taken out -> location
    <paragraphs, headings, captions, read-also lines ...>
    Location :                             -> location (wins over the dateline)
      • New Delhi
    Published :                            -> published
      • 25 October 2025, 9:28 AM IST

Every line of the paste is one block: sites put each paragraph on its own line and
blank lines between them come and go, so blank lines carry no meaning here.

Heuristics (everything not certain goes into `Story.notes`, by line):
- Whitespace inside a line (tabs, no-break spaces, U+2028 ...) collapses to one space;
  lines are split on \\n, \\r\\n and \\r only, so line numbers match an editor's.
- Header: the headline is the first non-blank line; the byline is the first line after
  it that starts "Published By", "By", "By:", "BY" or "Written by" ("By" forms only
  within the first 8 lines and only when what follows reads as names: capitalised
  words joined by "and", "&" or commas; a role such as "Special Correspondent" is
  dropped). Date lines ("Updated", "Last updated", "Published", "First published",
  each with a date after ":", "-", "on" or nothing) sit just before or after the
  byline, or share its line after a "|". The dek is every line between the headline
  and the first of those lines.
- Footer: the first "Location :" / "Published :" / "Updated :" / "Tags :" / "Topics :"
  label after which every non-blank line is another label or a value (a bulleted line
  or one of at most 8 words). A value may also follow its label on the same line.
  A date in the header wins over the footer's.
- Stray lines: short lines (at most 6 words, no final . ! ?) between the header and
  the first paragraph are page furniture ("Trending", "Listen to this article").
  A few known phrases ("Advertisement", ...) are dropped wherever they appear.
- Dateline: up to four capitalised words opening the first paragraph, optionally with
  ", Region" and/or ", Oct 25", then ":" or a dash: "New Delhi:", "NEW DELHI:",
  "New Delhi, Oct 25:", "London -". The footer's Location wins when both exist.
- Each later line is, in this order of tests:
  1. a read-also link, if its normalised text (after an optional "Also Read:" prefix)
     is the title of an archived article in `titles`;
  2. an image caption, if it ends with a photo credit ("(Photo: PTI)", "| Photo
     Credit: ...", "(Reuters)") or opens with "File photo"; or if it comes right under
     a heading, has at most 15 words, another block follows it, and it is no quote
     (no quotation marks, no "said", "told" ...);
  3. a `## ` heading, if it has at most 10 words, no final . ! ? : ; , and another
     block follows it (a short line at the very end stays a paragraph, reported);
     or if it is a question of at most 10 words, capitalised and unquoted, between
     paragraphs ("What to expect from the meeting?"); a title-case line of 7+ words
     is not a heading but rule 4;
  4. an unmatched read-also candidate, kept as a paragraph and reported, if it looks
     like another story's headline: no final full stop and either title case with
     7+ words or 11+ words, or it carries an "Also Read:" prefix;
  5. a paragraph.
- Dates and zone abbreviations: see `dates`.
"""
from __future__ import annotations

import re
import string
import unicodedata
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from slugify import slugify

from dateline.errors import Problem, sorted_problems

from .dates import DEFAULT_ZONE_ABBREVIATIONS, Stamp, ZoneRules, looks_like_date, read_stamp, zone_option_problems
from .lines import Line, quoted, split_lines
from .story import Item, Note, ReadOptions, Story

__all__ = ["DEFAULT_ZONE_ABBREVIATIONS", "read_pasted_story", "read_text", "normalise_title", "read_dateline"]


def read_text(path: Path, label: str, options: ReadOptions) -> Iterator[Item]:
    """The reader for `import --from text`: one pasted story per file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        yield Problem(label, 0, "encoding", f"invalid UTF-8 at byte offset {error.start}", "save the file as UTF-8")
        return
    story, problems = read_pasted_story(text, label, zone_abbreviations=options.zone_abbreviations,
                                        titles=options.titles, timezone=options.zone if options.zone_given else None)
    yield from problems
    if story is not None:
        yield story


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


def read_pasted_story(
    text: str,
    source: str,
    *,
    zone_abbreviations: dict[str, str | None],
    titles: dict[str, str],
    timezone: str | None = None,
) -> tuple[Story | None, list[Problem]]:
    """Turn a pasted story into a Story with a Markdown body, or say why it cannot.

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
    if header.title is None or not header.authors or dates is None:
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
    notes = header.notes + footer.notes + dates.notes + body.notes + placed.notes + rendered.notes
    story = Story(
        origin=source,
        title=header.title.text,
        authors=header.authors,
        published=published,
        body="\n\n".join(rendered.markdown_blocks) + "\n",
        body_format="markdown",
        timezone=dates.published.zone,
        updated=dates.updated.when if dates.updated else None,
        summary=header.summary,
        location=placed.location,
        slug=slug,
        notes=tuple(sorted(set(notes))),
    )
    return story, []


# --- header ------------------------------------------------------------------------

_AUTHOR_LINE = re.compile(
    r"^(?:(?P<published_by>(?:post\s*)?published\s+by)|(?P<by>written\s+by|by(?=[\s:])))\s*:?\s*(?P<value>.*)$", re.I
)
_DATE_LINE = re.compile(
    r"^(?P<label>(?:last\s+)?updated|first\s+published|published|posted)(?:\s+(?:on|at))?\s*(?P<colon>:\s*)?"
    r"(?:[\-–—]\s*)?"
    r"(?P<value>\S.*)$",
    re.I,
)
_SEGMENT_BREAK = re.compile(
    r"\s+\|\s+(?=(?:last\s+updated|updated|first\s+published|published|posted|written\s+by|by)\b)", re.I
)
_BYLINES = ("author", "published_by")
_BYLINE_WINDOW = 8  # "By ..." is a byline only this close under the headline
_NAME_PARTICLES = frozenset("de da del della der den di du dos das van von la le bin binti al el ibn y e".split())
_ROLE_WORDS = frozenset(
    "correspondent reporter editor writer columnist journalist staff desk bureau contributor analyst".split()
)


@dataclass(frozen=True)
class Header:
    title: Line | None  # None: the story starts with a label, not a headline
    summary: str  # "" when there is no dek
    authors: tuple[str, ...]  # empty when there is no byline or it names nobody
    author_line: Line | None  # the byline, None when absent
    published: Line | None  # a header "Published" line with only the date left in its text
    updated: Line | None  # the "Updated" line with only the date left in its text
    body_start: int  # index into the lines where the body (or the footer) begins
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class Segment:
    index: int  # of the line it is on
    kind: str  # "author" | "published_by" | "published" | "updated" | "other"
    line: Line  # its text: the name(s) or the date, label taken off


def line_segments(lines: list[Line], index: int, title_index: int) -> list[Segment]:
    """A header line cut at " | " before a label: "By A | Updated: ..." is two segments."""
    line = lines[index]
    segments = []
    for part in _SEGMENT_BREAK.split(line.text):
        kind, value = classify_segment(part, within_window=index - title_index <= _BYLINE_WINDOW)
        segments.append(Segment(index, kind, Line(line.number, value)))
    return segments


def classify_segment(text: str, within_window: bool) -> tuple[str, str]:
    date = _DATE_LINE.match(text)
    # "Updated : yesterday" is a date line that fails to read (reported); "Updated daily" is text.
    if date and (date["colon"] or looks_like_date(date["value"])):
        label = date["label"].lower()
        return ("updated" if "updated" in label else "published"), date["value"]
    author = _AUTHOR_LINE.match(text)
    if author and author["published_by"]:
        return "published_by", author["value"].strip()
    if author and within_window and byline_names(author["value"])[0]:
        return "author", author["value"].strip()
    return "other", text


def read_header(lines: list[Line], source: str) -> tuple[Header, list[Problem]]:
    first = next(index for index, line in enumerate(lines) if line.text)
    title = None if is_header_label(lines[first].text) else lines[first]
    start = first + 1 if title else first
    author_index = next(
        (index for index in range(start, len(lines)) if lines[index].text
         and any(segment.kind in _BYLINES for segment in line_segments(lines, index, first))), None
    )
    header_indexes = header_line_indexes(lines, first, start, author_index)
    segments = [segment for index in header_indexes for segment in line_segments(lines, index, first)]
    byline = next((segment for segment in segments if segment.kind in _BYLINES), None)
    author = byline.line if byline else None
    published = next((segment.line for segment in segments if segment.kind == "published"), None)
    updated = next((segment.line for segment in segments if segment.kind == "updated"), None)
    top = min(header_indexes, default=start)
    dek = [line for line in lines[start:top] if line.text]
    notes: list[Note] = []
    authors: tuple[str, ...] = ()
    if author is not None and author.text:
        authors, dropped = byline_names(author.text)
        if not authors and byline.kind == "published_by":  # the page's own label: take what it names
            authors = (author.text,)
        for role in dropped:
            notes.append(Note(author.number, f"dropped {quoted(role)} from the byline", "byline"))
    if author is not None and not dek:
        notes.append(Note(author.number, "no summary (dek) between the headline and the author line", "no summary"))
    header = Header(
        title=title,
        summary=" ".join(line.text for line in dek),
        authors=authors,
        author_line=author,
        published=published,
        updated=updated,
        body_start=max(header_indexes, default=first) + 1,
        notes=tuple(notes),
    )
    return header, header_problems(lines[first], title, author, authors, source)


def header_line_indexes(lines: list[Line], first: int, start: int, author_index: int | None) -> list[int]:
    """The byline and the date lines right before and after it (blank lines between allowed)."""

    def is_date_line(index: int) -> bool:
        segments = line_segments(lines, index, first)
        return all(segment.kind in ("published", "updated") for segment in segments)

    if author_index is None:
        dated = next((index for index in range(start, len(lines)) if lines[index].text and is_date_line(index)), None)
        if dated is None:
            return []
        indexes = [dated]
    else:
        indexes = [author_index]
        index = author_index - 1
        while index >= start:
            if lines[index].text:
                if not is_date_line(index):
                    break
                indexes.insert(0, index)
            index -= 1
    index = indexes[-1] + 1
    while index < len(lines):
        if lines[index].text:
            if not is_date_line(index):
                break
            indexes.append(index)
        index += 1
    return indexes


def byline_names(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names, dropped roles) of a byline; no names when it does not read as one."""
    if not text or final_char(text) in ".!?:;" and not text.endswith((" Jr.", " Sr.")):
        return (), ()
    pieces = [piece.strip() for piece in re.split(r",|&|\band\b", text, flags=re.I) if piece.strip()]
    if text.isupper():  # "BY DANA O'CONNELL" -> "Dana O'Connell"
        pieces = [re.sub(r"[^\W\d_]+", lambda word: word[0].capitalize(), piece) for piece in pieces]
    names = [piece for piece in pieces if looks_like_name(piece)]
    if len(names) != len(pieces) or len(pieces) > 6:
        return (), ()
    people = tuple(name for name in names if name.split()[-1].casefold() not in _ROLE_WORDS)
    if not people:
        return tuple(names), ()
    return people, tuple(name for name in names if name not in people)


def looks_like_name(piece: str) -> bool:
    words = piece.split()
    return (
        1 <= len(words) <= 5
        and words[0][0].isupper()
        and not any(char.isdigit() for char in piece)
        and all(word[0].isupper() or word.casefold() in _NAME_PARTICLES for word in words)
    )


def header_problems(first_line: Line, title: Line | None, author: Line | None, authors: tuple[str, ...],
                    source: str) -> list[Problem]:
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
                source, first_line.number, "author", "no byline ('By <name>' or 'Published By: <name>') after the headline",
                hint="the byline goes between the summary and the date",
            )
        )
    elif not author.text:
        problems.append(Problem(source, author.number, "author", "the byline has no name after it"))
    elif not authors:
        problems.append(Problem(source, author.number, "author", f"the byline {quoted(author.text)} names nobody"))
    return problems


def is_header_label(text: str) -> bool:
    date = _DATE_LINE.match(text)
    return bool(_AUTHOR_LINE.match(text) or (date and (date["colon"] or looks_like_date(date["value"])))
                or _FOOTER_LABEL.match(text))


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
                notes.append(Note(line.number, f"second footer label {quoted(match['label'])} ignored", "footer"))
                label = ""
                continue
            label_lines[label] = line
            values[label] = []
            if label in ("tags", "topics"):
                notes.append(Note(line.number, f"ignored footer {quoted(match['label'])}", "footer"))
            line = Line(line.number, match["value"])
        value = _BULLET.sub("", line.text).strip()
        if value and label:
            values[label].append(Line(line.number, value))
    for label in ("location", "published", "updated"):
        extra = values.get(label, [])[1:]
        for line in extra:
            notes.append(Note(line.number, f"more than one footer {label.title()}; ignored {quoted(line.text)}",
                              "footer"))
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


@dataclass(frozen=True)
class Dates:
    published: Stamp
    updated: Stamp | None  # None when absent, the same instant as published, or earlier
    notes: tuple[Note, ...]


def read_dates(header: Header, footer: Footer, lines: list[Line], source: str, zones: ZoneRules):
    """published from the header or footer "Published" line, updated from an "Updated" line."""
    problems: list[Problem] = []
    notes: list[Note] = []

    def stamp_from(line: Line | None, field: str) -> Stamp | None:
        if line is None:
            return None
        stamp, line_notes, line_problems = read_stamp(line, field, source, zones)
        notes.extend(line_notes)
        problems.extend(line_problems)
        return stamp

    footer_published = first_value(footer, "published")
    footer_updated = first_value(footer, "updated")
    published_line = header.published or footer_published
    updated_line = header.updated or footer_updated
    for label, in_header, in_footer in (("Published", header.published, footer_published),
                                        ("Updated", header.updated, footer_updated)):
        if in_header and in_footer:
            notes.append(Note(in_footer.number, f"footer {label} ignored; used the one under the author line",
                              "footer"))
    if "published" in footer.label_lines and footer_published is None and header.published is None:
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
        notes.append(Note(updated_line.number, "no footer Published; used the Updated time as published",
                          "updated used as published"))
        published, updated = updated, None
    if published is None or problems:
        return None, problems
    if updated is not None and updated.when == published.when:
        updated = None
    if updated is not None and updated.when < published.when:
        notes.append(Note(updated_line.number, "updated is earlier than published; left it out", "updated dropped"))
        updated = None
    return Dates(published, updated, tuple(notes)), problems


def first_value(footer: Footer, label: str) -> Line | None:
    found = footer.values.get(label, ())
    return found[0] if found else None


def last_text_line(lines: list[Line]) -> Line:
    return next(line for line in reversed(lines) if line.text)


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
            notes.append(Note(line.number, f"dropped stray line {quoted(line.text)}", "stray line dropped"))
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
        notes.append(Note(first_block.number, "no dateline at the start of the first paragraph", "location"))
    if footer_location is not None:
        if dateline and comparable_place(dateline.place) != comparable_place(footer_location.text):
            message = (
                f"dateline {quoted(dateline.place)} differs from footer Location "
                f"{quoted(footer_location.text)}; used the footer"
            )
            notes.append(Note(first_block.number, message, "location"))
        return Placed(footer_location.text, paragraph, tuple(notes))
    if dateline is None:
        notes.append(Note(first_block.number, "no location: no footer Location and no dateline", "location"))
        return Placed("", paragraph, tuple(notes))
    location = capitalise_place(dateline.place)
    notes.append(Note(first_block.number, f"no footer Location; took {quoted(location)} from the dateline",
                      "location"))
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
_CREDIT_CAPTION_MAX_WORDS = 40
_QUOTE_MARKS = re.compile(r"[\"“”„«»]|^['‘]|['’]$")
_SPEECH = re.compile(r"\b(?:said|says|told|asked|added|according to)\b", re.I)
_AGENCIES = r"pti|ani|ians|reuters|ap|afp|getty(?:\s+images)?|ap\s+photo[^)]*|file|representational(?:\s+image)?"
_PHOTO_CREDIT = re.compile(
    rf"""(?:\((?:(?:photo|image|picture|pic|credit)s?(?:\s+credit)?\s*[:/]\s*[^()]+|{_AGENCIES}|file\s+photo)\)
        |[|]\s*(?:photo|image|picture)(?:\s+credit)?\s*:?.*
        |\b(?:photo|image|picture)(?:\s+credit)?\s*:\s*[^\s.][^.]{{0,60}}
        )\s*$""",
    re.I | re.X,
)
_FILE_PHOTO = re.compile(r"^(?:a\s+)?file\s+(?:photo|picture|image)\b", re.I)


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
            notes.append(Note(line.number, note, _NOTE_KINDS[kind]))
        previous_kind = kind
    return Rendered(tuple(rendered), tuple(notes))


_NOTE_KINDS = {"read_also": "read-also link", "paragraph": "kept as a paragraph", "caption": "caption",
               "heading": "heading"}


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
    if has_credit(text) or (previous_kind == "heading" and has_next and looks_like_caption(text)):
        return "caption", f"*{escape_inline(text)}*", f"made an image caption: {quoted(text)}"
    if looks_like_heading(text) or (previous_kind != "heading" and has_next and looks_like_question_heading(text)):
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
    """A short line under a heading, unless it is a quote: captions describe, quotes are said."""
    return (
        word_count(text) <= _CAPTION_MAX_WORDS
        and final_char(text) not in ":;,"
        and not _QUOTE_MARKS.search(text)
        and not _SPEECH.search(text)
    )


def has_credit(text: str) -> bool:
    """A photo caption as pages print it: with a credit ("(Photo: PTI)", "| Photo Credit: ...")
    or opening with "File photo"."""
    return word_count(text) <= _CREDIT_CAPTION_MAX_WORDS and bool(_PHOTO_CREDIT.search(text) or _FILE_PHOTO.match(text))


def looks_like_question_heading(text: str) -> bool:
    """ "What to expect from the meeting?": a short question standing between paragraphs.
    A quoted question is speech, not a heading."""
    return (
        word_count(text) <= _HEADING_MAX_WORDS
        and text.endswith("?")
        and text[0].isupper()
        and not _QUOTE_MARKS.search(text)
    )


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
