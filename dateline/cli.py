"""The command line: the only module that prints or exits.

Exit status: 0 ok, 1 content errors, 2 usage errors.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import os
import signal
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from . import __version__
from .config import is_valid_zone, load_config
from .errors import BuildError, DatelineError, Problem, UsageError, sorted_problems
from .importers.detect import FORMATS, detect_format
from .init import DEFAULT_BASE_URL, DEFAULT_TIMEZONE
from .urls import base_url_problem, normalise_base_url

# Each command imports what only it needs when it runs (the build, the
# importers, the server, Pillow, feedgen, Markdown): `build.py --help`, `new`
# and a build that renders nothing do not pay for the others. The tests start
# hundreds of these processes.

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130      # the shell's convention for a command stopped by SIGINT
COMMANDS = ("build", "check", "new", "import", "serve", "init", "help")
COMMAND_SUMMARIES = """\
commands (each has --help; `PROG help COMMAND` says the same):
  build     build content/ into site/ (the default: `PROG` alone builds)
  check     check the archive and the templates without writing site/
  new       start a new article (a draft) in content/
  import    turn stories pasted from a news page into articles
  serve     build, preview on http://127.0.0.1:8000/ and rebuild on change
  init      start a new project in a folder: settings, an example story, deploy files
  help      show this help, or a command's"""


def program_name(argv0: str) -> str:
    """What usage lines call the program: `build.py` when run as that script,
    else `dateline` (the installed command)."""
    return "build.py" if Path(argv0).name == "build.py" else "dateline"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."), help="project folder holding site.yaml (default: .)")


def _build_options(parser: argparse.ArgumentParser, out: bool = True) -> None:
    if out:
        parser.add_argument("--out", type=Path, help="output folder (default: ROOT/site)")
    parser.add_argument("--drafts", action="store_true",
                        help="include articles marked draft: true and scheduled ones (a preview)")
    parser.add_argument("--now", metavar="ISO",
                        help="the build's time, e.g. 2025-10-25T09:30:00+05:30: articles published later wait "
                             "(default: SOURCE_DATE_EPOCH when set, else the clock)")
    parser.add_argument("--base-url", help="override site.yaml's base_url, e.g. for a preview host")
    parser.add_argument("--jobs", "-j", type=int, default=None,
                        help="worker processes (default: all cores)")
    parser.add_argument("--no-wait", dest="wait", action="store_false",
                        help="when another build of this project is running, fail at once instead of waiting")


def _build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, formatter_class=argparse.RawDescriptionHelpFormatter,
        usage=f"{prog} [build] [options]\n       {prog} COMMAND [options]",
        description="Build the news archive in content/ into a static site (site/ by default).",
        epilog=COMMAND_SUMMARIES.replace("PROG", prog),
    )
    parser.add_argument("--version", action="version", version=f"dateline {__version__}")
    _common(parser)
    _build_options(parser)
    parser.add_argument("--no-cache", "--clean", dest="use_cache", action="store_false",
                        help="ignore the incremental cache: a cold build")
    parser.add_argument("--no-search", dest="search", action="store_false",
                        help="skip the search index and /search/ (also `search: false` in site.yaml)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    return parser


def _check_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"{prog} check", description=(
        "Check the archive without writing site/: everything the build would reject (templates included: "
        "a sample page of each kind is rendered in memory; missing or broken images too), plus duplicate "
        "headlines, articles with no summary, placeholder text left from `new` and theme words missing in a "
        "language's catalogue (warnings). "
        "Exit 0 only when clean."))
    _common(parser)
    _build_options(parser, out=False)
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    return parser


def _new_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"{prog} new", description=(
        "Create content/YEAR/MONTH/SLUG.md with complete front matter (published = now in the site's "
        "time zone, draft: true) and a body skeleton. Never overwrites a file."))
    _common(parser)
    parser.add_argument("title", help="the headline")
    parser.add_argument("--author", default="Staff reporter", help="byline (default: Staff reporter)")
    parser.add_argument("--location", default="", help="the dateline city")
    parser.add_argument("--section", default="", help="section name")
    parser.add_argument("--tags", default="", help="comma-separated tags")
    return parser


def _import_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"{prog} import", description=(
        "Bring stories in as Markdown articles: a WordPress export (WXR), RSS or Atom feeds, saved "
        "article pages, or stories pasted as plain text. Each story keeps its old address as an alias; "
        "a report lists every decision the importer was unsure of."))
    _common(parser)
    parser.add_argument("files", nargs="+", type=Path, help="export, feed, saved page or plain-text story files")
    parser.add_argument("--from", dest="source_format", choices=FORMATS,
                        help="what the files are (default: detected from each file)")
    parser.add_argument("--into", default="content", help="folder under ROOT to write into (default: content)")
    parser.add_argument("--media", type=Path,
                        help="folder holding the export's pictures (e.g. wp-content/uploads): copied to static/media/")
    parser.add_argument("--include-types", default="",
                        help="WordPress post types to import besides posts, comma-separated: page,event")
    parser.add_argument("--timezone", help="IANA zone for times given without one (default: the site's)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only problems and the closing line")
    return parser


def port_number(text: str) -> int:
    """A TCP port, 0-65535 (0: the system picks a free one); anything else is a usage error."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 0-65535 (0 picks a free one)")
    return port


def _serve_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"{prog} serve", description=(
        "Build, serve site/ on 127.0.0.1 (or --bind ADDR), rebuild what changed when content/, layouts/, "
        "static/ or site.yaml change, and reload open browser tabs."))
    _common(parser)
    _build_options(parser)
    parser.add_argument("--port", type=port_number, default=8000, help="port (default: 8000; 0 picks a free one)")
    parser.add_argument("--bind", default="127.0.0.1", metavar="ADDR",
                        help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 or :: "
                             "lets other machines on the network see the preview)")
    return parser


def _init_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"{prog} init", description=(
        "Start a new project in DIR: site.yaml, authors.yaml, an example story, static/, .gitignore, "
        "requirements.txt and deploy files for GitHub Pages (.github/workflows/pages.yml) and Netlify "
        "(netlify.toml). Never overwrites a file: when any of them exists, nothing is written."))
    parser.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR",
                        help="the new project's folder (default: .); made when missing")
    parser.add_argument("--title", help="the site's name (default: from the folder's name)")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL,
                        help=f"where the site will be served (default: {DEFAULT_BASE_URL})")
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE,
                        help=f"IANA time zone of the newsroom, e.g. Asia/Kolkata (default: {DEFAULT_TIMEZONE})")
    return parser


def _help_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"{prog} help", description="Show the help of dateline or of a command.")
    parser.add_argument("command", nargs="?", choices=[c for c in COMMANDS if c != "help"],
                        help="a command (default: the overview)")
    return parser


def print_problems(problems: list[Problem], closing: str = "nothing was written") -> None:
    problems = sorted_problems(problems)
    for problem in problems:
        print(("warning: " if problem.warning else "") + str(problem), file=sys.stderr)
    errors = sum(1 for p in problems if not p.warning)
    warnings = len(problems) - errors
    counts = f"{errors:,} error{'s' if errors != 1 else ''}"
    if warnings:
        counts += f", {warnings:,} warning{'s' if warnings != 1 else ''}"
    print(f"{counts}; {closing}", file=sys.stderr)


def run_check(args: argparse.Namespace) -> int:
    from .cache import open_store
    from .lock import project_lock
    from .newsroom import archive_warnings
    from .pipeline import BuildOptions, check, scheduled_summary, template_problems

    config, status = _load(args)
    if config is None:
        return status
    clock, status = _clock(args, config)
    if clock is None:
        return status
    now = clock()
    started = time.perf_counter()
    try:
        with project_lock(config.cache_dir, wait=args.wait, on_wait=_say_waiting):
            store = open_store(config.cache_dir, enabled=True)
            options = BuildOptions(out_dir=config.root / "site", drafts=args.drafts, jobs=args.jobs,
                                   start_method=_start_method(), now=now)
            try:
                checked = check(config, options, store)
                problems = template_problems(config, options, store, checked)
            finally:
                store.close()
    except BuildError as error:
        print_problems(error.problems, closing="site/ was not touched")
        return EXIT_CONTENT
    except DatelineError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONTENT
    if problems:
        print_problems(problems, closing="site/ was not touched")
        return EXIT_CONTENT
    warnings = archive_warnings(checked.archive, config)
    if warnings:
        print_problems(warnings, closing="site/ was not touched")
        if args.strict:
            return EXIT_CONTENT
    scheduled = scheduled_summary(checked.scheduled, now)
    print(f"checked {_count(checked.articles_total, 'article')} in {time.perf_counter() - started:.1f} s: "
          f"{_count(len(warnings), 'warning')}{'; ' + scheduled if scheduled else ''}")
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    from .newsroom import new_article, write_new_file

    config, status = _load(args)
    if config is None:
        return status
    now = datetime.now(config.zone).replace(microsecond=0)   # the clock is read here, at the edge
    tags = tuple(tag.strip() for tag in args.tags.split(",") if tag.strip())
    created = new_article(args.title, now, author=args.author, location=args.location, section=args.section,
                          tags=tags)
    if created is None:
        print(f"{args.prog} new: error: the headline has no letters or digits to make a file name from",
              file=sys.stderr)
        return EXIT_USAGE
    if not write_new_file(config.root, created.path, created.text, force=False):
        print(f"{created.path}: already exists; not overwritten", file=sys.stderr)
        return EXIT_CONTENT
    print(f"created {created.path}")
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from .newsroom import ImportSettings, ImportSource, import_stories

    config, status = _load(args)
    if config is None:
        return status
    if args.timezone and not is_valid_zone(args.timezone):
        print(f"{args.prog} import: error: --timezone {args.timezone!r} is not an IANA time zone", file=sys.stderr)
        return EXIT_USAGE
    root = config.root.resolve()
    into = (root / args.into).resolve()
    if into == root or root not in into.parents:
        print(f"{args.prog} import: error: --into {args.into!r} is not a folder under the project root {root} "
              "(imports are written inside the project, e.g. --into content)", file=sys.stderr)
        return EXIT_USAGE
    if args.media is not None and not args.media.is_dir():
        print(f"{args.prog} import: error: --media {str(args.media)!r} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    sources, problems = [], []
    for file in args.files:
        label = _shown(file)
        try:
            source_format = args.source_format or detect_format(file)
        except OSError as error:
            problems.append(Problem(label, 0, "file", f"cannot be read: {error.strerror or error}"))
            continue
        sources.append(ImportSource(file, label, source_format))
    settings = ImportSettings(tuple(sources), into.relative_to(root).as_posix(), args.media, args.force,
                              args.timezone or "",
                              frozenset(name.strip() for name in args.include_types.split(",") if name.strip()))
    bar = progress_bar(quiet=args.quiet)
    tally = {"stories": Counter(), "skipped": Counter(), "notes": Counter()}
    try:
        for outcome in import_stories(config, settings, bar.update if bar else _no_progress):
            if isinstance(outcome, Problem):
                problems.append(outcome)
            else:
                _report_outcome(outcome, tally, quiet=args.quiet)
    finally:
        _close(bar)
    imported = sum(tally["stories"].values())
    print(_import_summary(imported, tally))
    if problems:
        print_problems(problems, closing=f"{imported:,} imported")
        return EXIT_CONTENT
    return EXIT_OK


def _report_outcome(outcome, tally: dict[str, Counter], quiet: bool) -> None:
    """Count one imported or skipped item, and print it unless quiet (attachments only count)."""
    from .importers.story import Media
    from .newsroom import Imported

    if isinstance(outcome, Imported):
        tally["stories"][outcome.state] += 1
        tally["notes"].update(note.kind for note in outcome.notes)
        if not quiet:
            print(f"{outcome.origin} -> {outcome.target}" + (" (unchanged)" if outcome.state == "unchanged" else ""))
            for note in outcome.notes:
                print(f"  {note}")
    elif isinstance(outcome, Media):
        tally["skipped"]["attachment"] += 1
    else:
        tally["skipped"][outcome.reason] += 1
        if not quiet:
            print(f"{outcome.origin}: skipped ({outcome.reason}): {outcome.title!r}")


def _no_progress(stage: str, done: int, total: int | None) -> None:
    return None


def _import_summary(imported: int, tally: dict[str, Counter]) -> str:
    """"imported 6 stories (1 unchanged); skipped 3: 1 page, 2 private; notes: 2 external image"."""

    def counted(counts: Counter) -> str:
        return ", ".join(f"{count:,} {kind}" for kind, count in sorted(counts.items()))

    line = f"imported {imported:,} stor{'y' if imported == 1 else 'ies'}"
    if tally["stories"]["unchanged"]:
        line += f" ({tally['stories']['unchanged']:,} unchanged)"
    if tally["skipped"]:
        line += f"; skipped {sum(tally['skipped'].values()):,}: {counted(tally['skipped'])}"
    if tally["notes"]:
        line += f"; notes: {counted(tally['notes'])}"
    return line


def run_serve(args: argparse.Namespace) -> int:
    from .server import serve   # imported here: only this command needs the watcher

    config, status = _load(args)   # checks --base-url; the server reloads site.yaml on every change
    if config is None:
        return status
    clock, status = _clock(args, config)
    if clock is None:
        return status
    out_dir = (args.out if args.out else config.root / "site").absolute()
    try:
        return serve(root=config.root, out_dir=out_dir, port=args.port, drafts=args.drafts, jobs=args.jobs,
                     base_url=args.base_url, report=functools.partial(print, flush=True), host=args.bind,
                     clock=clock)
    except KeyboardInterrupt:
        return EXIT_OK


def _load(args: argparse.Namespace):
    """(config, exit status): the config with --base-url applied, or None and the status."""
    root = args.root.resolve()
    config, problems = load_config(root)
    if config is None:
        print_problems(problems)
        return None, EXIT_CONTENT
    if getattr(args, "base_url", None):
        why = base_url_problem(args.base_url)
        if why:
            print(f"{args.prog}: error: --base-url {why}", file=sys.stderr)
            return None, EXIT_USAGE
        config = replace(config, base_url=normalise_base_url(args.base_url))
    if getattr(args, "jobs", 1) is None:
        from .workers import default_jobs
        args.jobs = default_jobs()
    if getattr(args, "jobs", 1) < 1:
        print(f"{args.prog}: error: --jobs must be at least 1", file=sys.stderr)
        return None, EXIT_USAGE
    return config, EXIT_OK


def run_init(args: argparse.Namespace) -> int:
    from .init import ProjectSettings, default_title, project_files
    from .newsroom import write_new_file

    folder: Path = args.dir
    usage_error = ""
    if args.title is not None and not args.title.strip():
        usage_error = "--title must not be empty"
    elif base_url_problem(args.base_url):
        usage_error = f"--base-url {base_url_problem(args.base_url)}"
    elif not is_valid_zone(args.timezone):
        usage_error = f"--timezone {args.timezone!r} is not an IANA time zone (e.g. Europe/London, Asia/Kolkata)"
    elif folder.exists() and not folder.is_dir():
        usage_error = f"{folder} is a file, not a folder"
    if usage_error:
        print(f"{args.prog} init: error: {usage_error}", file=sys.stderr)
        return EXIT_USAGE
    title = args.title.strip() if args.title else default_title(folder.resolve().name)
    now = datetime.now(ZoneInfo(args.timezone))   # the clock is read here, at the edge
    files = project_files(ProjectSettings(title, normalise_base_url(args.base_url), args.timezone, now))
    existing = [relative for relative in files if (folder / relative).exists()]
    if existing:
        for relative in existing:
            print(f"{_shown(folder / relative)}: already exists; init never overwrites a file", file=sys.stderr)
        print("nothing was written (start the project in a new or empty folder)", file=sys.stderr)
        return EXIT_CONTENT
    for relative, text in files.items():
        write_new_file(folder, relative, text, force=False)
        print(f"created {_shown(folder / relative)}")
    go = "" if folder.resolve() == Path.cwd().resolve() else f"cd {_shown(folder)} && "
    print(f"next: {go}{args.prog} serve, then open http://127.0.0.1:8000/")
    return EXIT_OK


def run_help(args: argparse.Namespace) -> int:
    make_parser = PARSERS[args.command or "build"][0]
    make_parser(args.prog).print_help()
    return EXIT_OK


def _clock(args: argparse.Namespace, config):
    """(clock, exit status): what tells the build its "now". `--now` wins, then
    SOURCE_DATE_EPOCH (both pin it, so a build can be repeated), else the
    wall clock, read here at the edge, never in the core. None and the status
    when the pinned time is unusable."""
    if args.now:
        from .schema import parse_datetime
        pinned, why = parse_datetime(args.now, config.zone)
        if pinned is None:
            print(f"{args.prog}: error: --now {why}", file=sys.stderr)
            return None, EXIT_USAGE
        return (lambda: pinned), EXIT_OK
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            pinned = datetime.fromtimestamp(int(epoch), timezone.utc)
        except (ValueError, OverflowError, OSError):
            print(f"{args.prog}: error: SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got {epoch!r}",
                  file=sys.stderr)
            return None, EXIT_USAGE
        return (lambda: pinned), EXIT_OK
    return (lambda: datetime.now(timezone.utc)), EXIT_OK


def run_build(args: argparse.Namespace) -> int:
    from .output import SWAP_VARIABLE
    from .pipeline import BuildOptions, build

    config, status = _load(args)
    if config is None:
        return status
    clock, status = _clock(args, config)
    if clock is None:
        return status
    now = clock()
    if not args.search:
        config = replace(config, search=False)
    root = config.root
    out_dir = (args.out if args.out else root / "site").absolute()
    bar = progress_bar(quiet=args.quiet)
    options = BuildOptions(out_dir=out_dir, drafts=args.drafts, jobs=args.jobs, use_cache=args.use_cache,
                           now=now, progress=bar.update if bar else None, wait=args.wait, on_wait=_say_waiting,
                           start_method=_start_method(), atomic_swap=os.environ.get(SWAP_VARIABLE) != "rename")
    started = time.perf_counter()
    try:
        with _terminate_as_interrupt():
            report = build(config, options)
    except BuildError as error:
        _close(bar)
        print_problems(error.problems)
        return EXIT_CONTENT
    except UsageError as error:
        _close(bar)
        print(f"{args.prog}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except DatelineError as error:
        _close(bar)
        print(f"error: {error}", file=sys.stderr)
        if _failed_while_staging(error):
            print("the previous site was left as it was", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        _close(bar)
        print("interrupted; the published site was left as it was", file=sys.stderr)
        return EXIT_INTERRUPTED
    _close(bar)
    seconds = time.perf_counter() - started
    if not args.quiet:
        print(f"built {_count(report.pages + report.feeds, 'page')} ({_count(report.articles, 'article')}, "
              f"{_count(report.feeds, 'feed')}) "
              f"in {seconds:.1f} s: {report.rendered:,} rendered, {report.written:,} written, "
              f"{report.unchanged:,} unchanged, {report.removed:,} removed{_photo_summary(report.photos_resized)}"
              f"{_search_summary(report.search)}"
              f"{_scheduled(report.scheduled, now)} -> {_shown(out_dir)}")
    return EXIT_OK


def _failed_while_staging(error: DatelineError) -> bool:
    """A template or Pagefind failed while the new site was being staged."""
    from .render import RenderError     # loaded already when it is one
    from .search import SearchError
    return isinstance(error, (RenderError, SearchError))


def _count(number: int, noun: str) -> str:
    """A counted noun, "1 article" or "2,341 articles": people read these lines."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _say_waiting(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _start_method() -> str:
    """The worker start method forced by the environment (tests force `spawn` on Linux)."""
    from .workers import START_METHOD_VARIABLE
    return os.environ.get(START_METHOD_VARIABLE, "")


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (a CI job cancelled, `kill`) unwinds the build like Ctrl-C, so the
    staging folder is removed and the workers are stopped before exiting.

    A worker forked while this is in place inherits the handler until it sets
    its own (workers._start_worker), and stopping the build terminates the
    workers: one just starting would have raised KeyboardInterrupt and logged
    a traceback. In any process but the build's, the handlers stop it as the
    signal's default would, silently."""
    build = os.getpid()

    def interrupt(number, _frame):
        if os.getpid() != build:
            signal.signal(number, signal.SIG_DFL)
            os.kill(os.getpid(), number)
            os._exit(128 + number)      # not reached: the default action ends the process
        raise KeyboardInterrupt
    try:
        previous = {number: signal.signal(number, interrupt) for number in (signal.SIGTERM, signal.SIGINT)}
    except ValueError:      # not the main thread
        yield
        return
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class ProgressBar:
    """A rich progress bar on stderr, one task per stage, shown only on a terminal."""

    def __init__(self):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        # Lines printed while the bar shows go above it only when stdout is that terminal too;
        # stdout sent to a file or pipe keeps them.
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), transient=True, console=Console(stderr=True),
                                 redirect_stdout=sys.stdout.isatty(), redirect_stderr=False)
        self.tasks: dict[str, int] = {}
        self.progress.start()

    def update(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)

    def close(self) -> None:
        self.progress.stop()


def progress_bar(quiet: bool) -> ProgressBar | None:
    """A progress bar when a person watches a terminal; never in CI, pipes or with --quiet."""
    if quiet or not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    return ProgressBar()


def _close(bar: ProgressBar | None) -> None:
    if bar is not None:
        bar.close()


def _search_summary(search) -> str:
    if search is None:
        return ""
    shards = _count(search.shards, "shard")
    if search.rebuilt:
        shards = f"{search.shards_rebuilt} of {shards}"
    return (f"; search index {'rebuilt' if search.rebuilt else 'unchanged'} in {search.seconds:.1f} s "
            f"({shards}, {search.files:,} files, {search.bytes / 1e6:.1f} MB)")


def _photo_summary(resized: int) -> str:
    return f", {resized:,} photo{'s' if resized != 1 else ''} resized" if resized else ""


def _scheduled(scheduled, now: datetime) -> str:
    from .pipeline import scheduled_summary
    text = scheduled_summary(scheduled, now)
    return f"; {text}" if text else ""


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


PARSERS = {
    "build": (_build_parser, run_build), "check": (_check_parser, run_check), "new": (_new_parser, run_new),
    "import": (_import_parser, run_import), "serve": (_serve_parser, run_serve), "init": (_init_parser, run_init),
    "help": (_help_parser, run_help),
}


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = prog or program_name(sys.argv[0])
    command = "build"
    if argv and argv[0] in COMMANDS:
        command, argv = argv[0], argv[1:]
    make_parser, run = PARSERS[command]
    try:
        args = make_parser(prog).parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    args.prog = prog
    return run(args)
