"""Markdown -> HTML, with links between articles resolved, in bounded work.

Bodies are rendered once and cached by `body_key` (a hash of the body, its
source path and this module's settings). To keep that HTML independent of
other articles, internal references are written with placeholder schemes and
resolved when a page or feed is rendered (`resolve_links`):

- `[talks](../10/kl-talks.md)`  -> `dateline:article:2025/10/kl-talks.md`
- `![map](/media/map.png)`      -> `dateline:root:/media/map.png`

Python-Markdown does more than linear work on some shapes of text: brackets
nested in thousands of links, thousands of unclosed `<tag`s, lists nested
hundreds deep (a RecursionError). A body is measured before and while it is
converted (`body_limit_problem`, `_InlineBudget`), and one past a limit is a
`MarkupError` naming its line: deterministic, so a body fails or passes the
same way on every machine. A CPU-time guard is only a backstop for shapes
the measures miss. See "Limits" in README.md.
"""
from __future__ import annotations

import contextlib
import hashlib
import posixpath
import re
import signal
import threading
from dataclasses import dataclass
from html.parser import locatestarttagend_tolerant
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from . import __version__
from .errors import Problem
from .urls import SiteUrls

EXTENSIONS = ["extra", "sane_lists", "smarty"]
# Bump when the rendering changes, so cached HTML is not reused across versions.
MARKUP_VERSION = f"{__version__}-2"
ARTICLE_SCHEME = "dateline:article:"
ROOT_SCHEME = "dateline:root:"


@dataclass(frozen=True)
class RenderedBody:
    html: str
    links: tuple[str, ...]      # content-relative paths of the articles it links to
    escapes: tuple[str, ...]    # hrefs that leave content/ (an error for the caller)


def body_key(source_path: str, body: str, sanitize: bool = False) -> str:
    digest = hashlib.sha256()
    for part in (MARKUP_VERSION, source_path, body, "sanitize" if sanitize else "trusted"):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


class _LinkRewriter(Treeprocessor):
    def __init__(self, md, content_path_holder):
        super().__init__(md)
        self.holder = content_path_holder

    def run(self, root: Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None:
                    element.set(attribute, self.holder.rewrite(value))


class _LinkState:
    """Per-conversion state: which file is being rendered and what it links to."""

    def __init__(self):
        self.content_path = ""
        self.links: list[str] = []
        self.escapes: list[str] = []

    def rewrite(self, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or value.startswith("#") or not value:
            return value
        if value.startswith("/"):
            return ROOT_SCHEME + value
        if parts.path.endswith(".md"):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(self.content_path), parts.path))
            if target.startswith("../") or target == "..":
                self.escapes.append(value)
                return value
            self.links.append(target)
            return ARTICLE_SCHEME + target + (f"#{parts.fragment}" if parts.fragment else "")
        return value


class _LinkExtension(Extension):
    def __init__(self, state: _LinkState):
        super().__init__()
        self.state = state

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's API name
        md.treeprocessors.register(_LinkRewriter(md, self.state), "dateline_links", 0)


class MarkdownRenderer:
    """One configured Python-Markdown instance, reset between articles."""

    def __init__(self):
        self._state = _LinkState()
        self._md = markdown.Markdown(extensions=EXTENSIONS + [_LinkExtension(self._state), _BudgetExtension()],
                                     output_format="html")
        # Typographic quotes before line breaks are added between blocks, not
        # after (its default): with a break after every block, its pass looked
        # each block up among all the others, and 20,000 one-line paragraphs
        # took ~50 s. The HTML is the same, as it leaves line breaks alone.
        self._md.treeprocessors.register(self._md.treeprocessors["smarty"], "smarty", 15)

    def render(self, content_path: str, body: str, sanitize: bool = False) -> RenderedBody:
        """The body's HTML; raises MarkupError for a body past the limits (see `body_limit_problem`)."""
        problem = body_limit_problem(body)
        if problem is not None:
            raise problem
        self._md.reset()
        self._state.content_path = content_path
        self._state.links = []
        self._state.escapes = []
        try:
            with cpu_budget(backstop_seconds(body)):
                html = self._md.convert(body)
        except _InlineTooComplex as error:
            raise MarkupError(line_of(body, error.text), error.message, error.hint) from None
        except RecursionError:
            raise MarkupError(1, "is nested too deeply to convert", _NESTING_HINT) from None
        except _OutOfTime:
            raise MarkupError(1, f"took more than {backstop_seconds(body):.0f} s of CPU time to convert",
                              "simplify its markup: it has a shape Markdown handles slowly") from None
        finally:
            self._md.reset()
        if sanitize:
            html = sanitize_html(html)
        return RenderedBody(html, tuple(dict.fromkeys(self._state.links)), tuple(self._state.escapes))


# -- bounded work per body ------------------------------------------------------------
#
# Documented in README.md ("Limits") and docs/decisions.md. Each limit sits far
# above what an article needs and far below what stalls the converter; the
# comments give the measured cost at the limit (Python-Markdown 3.11, one core).

# Quote markers, list markers and indentation levels (4 columns) in front of one
# line's text. Lists nested 300 deep overflow Python's stack; 32 converts at once.
MAX_NESTING = 32
# Raw HTML elements with a `markdown` attribute (Markdown inside HTML) open at once.
MAX_HTML_NESTING = 32
# Characters the raw-HTML reader scans for unclosed `<tag`s. Each one makes it
# read on to the end of the text: 3,000 `<a ` take ~3 s; the limit ~0.2 s.
MAX_TAG_SCAN = 500_000
# Per paragraph (or list item, table cell, heading): characters scanned to pair
# each `[` with its `]` and each `](` with its `)`. The brackets of thousands of
# nested links, or thousands of unmatched `[`, cost ~1.5 us each: 3,000 nested
# links are ~22 million and ~10 s; the limit ~0.4 s.
MAX_BRACKET_SCAN = 250_000
# Per paragraph: markup characters (` * _ [ ] ! < & \ ' ") times the paragraph's
# length. Every match rebuilds the paragraph's text; 12,000 nested `*a ` take ~8 s
# (1.7 billion); the limit ~0.3 s, and a 50 KB paragraph may hold 1,000 of them.
MAX_INLINE_WORK = 50_000_000
# Per paragraph: emphasis marks (* and _) times the paragraph's length. Emphasis
# nested in emphasis is read again at each level: 4,000 nested `*a ` take ~3 s
# (190 million); the limit ~0.2 s, and a 100 KB paragraph may hold 100 of them.
MAX_EMPHASIS_WORK = 10_000_000
# Blocks (runs of lines between blank lines). Python-Markdown's passes over the
# blocks are quadratic in their number: 40,000 take ~18 s; 20,000 ~4 s. A 20 MB
# article of ordinary paragraphs has ~13,000.
MAX_BLOCKS = 20_000
# Raw HTML blocks and fenced code blocks: each is set aside and put back, at a
# quadratic cost too (25,000 take ~25 s; 2,000 ~0.4 s).
MAX_RAW_BLOCKS = 2_000
# Per block: lines that start an element of their own inside it (headings,
# rules, definitions of references, footnotes, abbreviations and terms) times
# the block's lines. The block is split off one such line at a time, each time
# re-read whole: 4,000 rules in one block take ~11 s; the limit ~0.3 s.
MAX_SPLIT_WORK = 250_000
# Columns of a table: rows are split cell by cell in quadratic time (4,000
# columns ~7 s).
MAX_TABLE_COLUMNS = 100
_NESTING_HINT = f"nest quotes, lists and indented blocks at most {MAX_NESTING} deep"


class MarkupError(Exception):
    """A body past one of the limits; `line` is 1-based within the body."""

    def __init__(self, line: int, message: str, hint: str = ""):
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint

    def problem(self, path: str, body_line: int) -> Problem:
        """As a Problem of the file whose body starts on `body_line`."""
        return Problem(path, body_line + self.line - 1, "body", self.message, self.hint)


def body_limit_problem(body: str) -> MarkupError | None:
    """The first limit the body's block structure or raw HTML is past, or None.

    Linear in the body's length. Fenced code blocks are left out, as the
    converter stashes them before anything else reads the text."""
    text = _without_fenced_code(body)
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        prefix = _CONTAINER_PREFIX.match(line).group(0)
        # A prefix no longer than the limit cannot be deeper (each level takes a character).
        depth = _depth(prefix) if len(prefix) > MAX_NESTING and not _RULE.fullmatch(line) else 0
        if depth > MAX_NESTING:
            return MarkupError(number, f"is nested {depth} levels deep (quotes, lists and indentation); "
                                       f"at most {MAX_NESTING} are converted", _NESTING_HINT)
    problem = _block_problem(lines)
    if problem is not None:
        return problem
    if "<" not in text:
        return None
    depth, line = _markdown_in_html_depth(text)
    if depth > MAX_HTML_NESTING:
        return MarkupError(line, f"nests {depth} HTML elements with a markdown attribute; "
                                 f"at most {MAX_HTML_NESTING} are converted",
                           "remove markdown=\"1\" from the inner elements")
    position = _tag_scan_overrun(text)
    if position >= 0:
        return MarkupError(text.count("\n", 0, position) + 1,
                           "has too many unclosed HTML tags (`<` followed by a letter and no `>`) to convert",
                           "close each tag with >, or write &lt; for a < that starts no tag")
    return None


def _without_fenced_code(body: str) -> str:
    """The body with each fenced code block's lines blanked but its first, which
    holds FENCED_MARK (line numbers hold, and the block still counts as one)."""
    if "```" not in body and "~~~" not in body:
        return body
    return FencedBlockPreprocessor.FENCED_BLOCK_RE.sub(
        lambda match: FENCED_MARK + "\n" * match.group(0).count("\n"), body)


FENCED_MARK = "<fenced>"     # counts as a raw block below, as the converter sets the code aside too


_CONTAINER_PREFIX = re.compile(r"(?:[ \t]*(?:>|[*+-](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*")
_RULE = re.compile(r"[ \t]*(?:[-*_][ \t]*)+")


def _depth(prefix: str) -> int:
    """Quote and list markers and 4-column indentation levels in a line's prefix."""
    markers = prefix.count(">") + len(re.findall(r"[*+-](?=[ \t])|\d[.)]", prefix))
    columns = len(re.sub(r"[^ \t]", "", prefix).expandtabs(4))
    return markers + columns // 4


_SPLIT_LINE = re.compile(r" {0,3}(?:#{1,6}(?:[ \t]|$)|:[ \t]|\*\[[^\]]*\]:|\[[^\]]*\]:|(?:[-*_=][ \t]*){3,}$)")
_RAW_START = re.compile(r"<[A-Za-z!?/]")
_TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*")


def _block_problem(lines: list[str]) -> MarkupError | None:
    """The first limit on blocks (count, splitting, table width) the lines are past, or None."""
    blocks = raw = 0
    start = 0          # 0-based line where the current block starts
    splits = 0
    for index, line in enumerate(lines + [""]):
        if line.startswith("<") and _RAW_START.match(line):
            raw += 1
            if raw > MAX_RAW_BLOCKS:
                return MarkupError(index + 1, f"has more than {MAX_RAW_BLOCKS:,} raw HTML or fenced code blocks "
                                              "to convert", "split it into several articles")
        if line.strip():
            if index == start:
                blocks += 1
                if blocks > MAX_BLOCKS:
                    return MarkupError(index + 1, f"has more than {MAX_BLOCKS:,} blocks (paragraphs, headings, "
                                                  "lists, ...) to convert", "split it into several articles")
            elif _SPLIT_LINE.match(line):
                splits += 1
            if index == start + 1 and _TABLE_RULE.fullmatch(line):
                columns = max(line.count("|"), lines[start].count("|")) + 1
                if columns > MAX_TABLE_COLUMNS + 2:       # + the optional outer pipes
                    return MarkupError(index + 1, f"has a table with {columns - 2} or more columns; at most "
                                                  f"{MAX_TABLE_COLUMNS} are converted", "split the table")
            continue
        if splits and splits * (index - start) > MAX_SPLIT_WORK:
            return MarkupError(start + 1, f"has {splits:,} headings, rules or definitions in one block of "
                                          f"{index - start:,} lines; at most {MAX_SPLIT_WORK:,} lines' work "
                                          "(their number times the block's lines) are converted",
                               "put a blank line before each heading, rule or definition")
        start, splits = index + 1, 0
    return None


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
_MARKDOWN_ATTRIBUTE = re.compile(r"\smarkdown\s*=", re.IGNORECASE)


def _markdown_in_html_depth(text: str) -> tuple[int, int]:
    """(deepest nesting of elements carrying a `markdown` attribute, its line)."""
    if "markdown" not in text.lower():
        return 0, 0
    open_names: list[str] = []
    deepest, deepest_at = 0, 0
    for match in _TAG.finditer(text):
        closing, name = match.group(1), match.group(2).lower()
        if not closing and _MARKDOWN_ATTRIBUTE.search(match.group(3)):
            open_names.append(name)
            if len(open_names) > deepest:
                deepest, deepest_at = len(open_names), match.start()
        elif closing and name in open_names:
            while open_names.pop() != name:
                pass
    return deepest, text.count("\n", 0, deepest_at) + 1


_TAG_START = re.compile(r"<[A-Za-z]")


def _tag_scan_overrun(text: str) -> int:
    """Where the raw-HTML reader's rescanning passes MAX_TAG_SCAN, or -1.

    Runs the reader's own start-tag pattern (html.parser) from each `<tag`.
    A tag closed by `>` is read once and skipped, as the reader does; one
    that is not is read on as far as the pattern goes and read again from
    the next `<`: those reads are what make unclosed tags cost the square of
    their number, and they are what is counted."""
    budget = MAX_TAG_SCAN
    position = 0
    end = len(text)
    while True:
        start = _TAG_START.search(text, position)
        if start is None:
            return -1
        begin = start.start()
        match = locatestarttagend_tolerant.match(text, begin, min(end, begin + budget + 1))
        stop = match.end() if match else begin + 1
        if text.startswith(">", stop) or text.startswith("/>", stop):
            position = stop + 1
            continue
        budget -= stop - begin
        if budget < 0:
            return begin
        position = begin + 1


class _InlineTooComplex(Exception):
    def __init__(self, text: str, message: str, hint: str):
        super().__init__(message)
        self.text = text
        self.message = message
        self.hint = hint


_BRACKETS = re.compile(r"[\[\]()]")
_INLINE_MARKS = tuple("`*_[]!<&\\'\"")


def inline_limit_problem(text: str) -> tuple[str, str]:
    """(message, hint) for one paragraph (or other inline run) past the inline limits, else ("", "")."""
    scanned = bracket_scan(text)
    if scanned > MAX_BRACKET_SCAN:
        return (f"has brackets nested or left open so that pairing them means scanning {scanned:,} characters; "
                f"at most {MAX_BRACKET_SCAN:,} per paragraph are converted",
                "close each [ with ] and each ]( with ), and nest links at most a few deep")
    if len(text) > 2_000:
        emphasis = (text.count("*") + text.count("_")) * len(text)
        if emphasis > MAX_EMPHASIS_WORK:
            return (f"has too much emphasis in one paragraph to convert ({emphasis:,} characters of work; "
                    f"at most {MAX_EMPHASIS_WORK:,})", "split the paragraph, or write fewer * and _ in it")
        work = sum(map(text.count, _INLINE_MARKS)) * len(text)
        if work > MAX_INLINE_WORK:
            return (f"has too much markup in one paragraph to convert ({work:,} characters of work; "
                    f"at most {MAX_INLINE_WORK:,})",
                    "split the paragraph, or write fewer * _ ` [ ] < & \\ and quote marks in it")
    return "", ""


def bracket_scan(text: str) -> int:
    """Characters the converter scans to pair brackets: from each `[` to its `]`
    (or the end), and from each `](` to its `)` (or the end)."""
    if "[" not in text:
        return 0
    end = len(text)
    scanned = 0
    squares: list[int] = []
    rounds: list[int] = []
    for match in _BRACKETS.finditer(text):
        character, at = match.group(0), match.start()
        if character == "[":
            squares.append(at)
        elif character == "]":
            if squares:
                scanned += at - squares.pop()
        elif character == "(":
            if at > 0 and text[at - 1] == "]" or rounds:
                rounds.append(at)
        elif rounds:
            scanned += at - rounds.pop()
    scanned += sum(end - at for at in squares) + sum(end - at for at in rounds)
    return scanned


class _InlineBudget(Treeprocessor):
    """Measures every text the inline patterns will read, before they read it."""

    def run(self, root: Element) -> None:
        for element in root.iter():
            for text in (element.text, element.tail):
                if text and not isinstance(text, AtomicString) and ("[" in text or len(text) > 2_000):
                    message, hint = inline_limit_problem(text)
                    if message:
                        raise _InlineTooComplex(text, message, hint)


class _BudgetExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's API name
        md.treeprocessors.register(_InlineBudget(md), "dateline_budget", 25)   # before "inline" (20)


def line_of(body: str, text: str) -> int:
    """The body line where a converted text (a paragraph's) first appears; 1 when not found."""
    first = text.lstrip().split("\n", 1)[0][:80]
    at = body.find(first) if first else -1
    return body.count("\n", 0, at) + 1 if at >= 0 else 1


# -- the backstop: CPU time ------------------------------------------------------------------

class _OutOfTime(Exception):
    pass


def backstop_seconds(body: str) -> float:
    """CPU seconds a body may take: 10, plus 60 per megabyte (text dense with links and
    emphasis converts at ~0.1 MB/s, ordinary text at ~1 MB/s)."""
    return 10 + 60 * len(body) / 1_000_000


@contextlib.contextmanager
def cpu_budget(seconds: float):
    """Raise _OutOfTime in the block after `seconds` of this process's CPU time.

    A backstop only: the limits above are what bound the work, and give the
    same answer on every machine. Needs a POSIX interval timer and the main
    thread (where signals are delivered); elsewhere the block runs unguarded."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def out_of_time(signum, frame):
        raise _OutOfTime()

    previous = signal.signal(signal.SIGVTALRM, out_of_time)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


# What sanitized bodies keep: nh3's (ammonia's) safe defaults, plus what our
# Markdown produces (footnote ids and classes, image sizes, heading ids) and our
# own placeholder scheme for links between articles. Scripts, styles, event
# handlers and javascript: URLs go.
_SANITIZE_ATTRIBUTES = {**{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
                        "*": {"id", "class", "title", "lang", "dir"},
                        "img": {"src", "alt", "width", "height", "loading"}, "a": {"href", "hreflang", "rel"}}
_SANITIZE_SCHEMES = {"http", "https", "mailto", "tel", "dateline"}


def sanitize_html(html: str) -> str:
    """Body HTML with anything that could run script removed (site.yaml `sanitize: true`,
    or `sanitize: true` in the article, as imported stories have)."""
    return nh3.clean(html, tags=set(nh3.ALLOWED_TAGS) | {"div", "section"}, attributes=_SANITIZE_ATTRIBUTES,
                     url_schemes=_SANITIZE_SCHEMES, clean_content_tags={"script", "style"}, link_rel=None,
                     strip_comments=True)


_PLACEHOLDER = re.compile(r'(href|src)="dateline:(article|root):([^"#]*)(#[^"]*)?"')


def resolve_links(html: str, article_urls: dict[str, str], urls: SiteUrls, *, absolute: bool) -> str:
    """Replace placeholders with real links: root-relative for pages, absolute for feeds.

    `article_urls` maps content-relative source paths to site paths; the caller
    has already reported links to missing articles, which are left pointing at
    the site root here so no placeholder is ever published.
    """
    make = urls.absolute if absolute else urls.link

    def replace(match: re.Match) -> str:
        attribute, kind, target, fragment = match.group(1), match.group(2), match.group(3), match.group(4) or ""
        site_path = article_urls.get(target, "/") if kind == "article" else target
        return f'{attribute}="{make(site_path)}{fragment}"'

    return _PLACEHOLDER.sub(replace, html)


_RELATIVE_ATTRIBUTE = re.compile(r'(href|src)="([^"]*)"')


def absolutise_urls(html: str, page_url: str) -> str:
    """Make every remaining relative URL absolute against the page's own URL (for feeds)."""

    def replace(match: re.Match) -> str:
        value = match.group(2)
        if urlsplit(value).scheme or value.startswith("//"):
            return match.group(0)
        return f'{match.group(1)}="{urljoin(page_url, value)}"'

    return _RELATIVE_ATTRIBUTE.sub(replace, html)
