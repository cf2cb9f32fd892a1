"""The command line: the only module that prints or exits.

Exit status: 0 ok, 1 content errors, 2 usage errors.
"""
from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from datetime import datetime

from .cache import open_store
from .config import is_valid_zone, load_config
from .errors import BuildError, Problem, sorted_problems
from .newsroom import (archive_titles, archive_warnings, import_file, imported_markdown, imported_path, new_article,
                       write_new_file)
from .pipeline import BuildOptions, build, check, default_jobs
from .render import RenderError
from .search import SearchError
from .urls import base_url_problem, normalise_base_url

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
COMMANDS = ("build", "check", "new", "import", "serve")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."), help="project folder holding site.yaml (default: .)")


def _build_options(parser: argparse.ArgumentParser, out: bool = True) -> None:
    if out:
        parser.add_argument("--out", type=Path, help="output folder (default: ROOT/site)")
    parser.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    parser.add_argument("--base-url", help="override site.yaml's base_url, e.g. for a preview host")
    parser.add_argument("--jobs", "-j", type=int, default=default_jobs(),
                        help="worker processes (default: all cores)")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build the news archive in content/ into a static site (site/ by default). "
                    "Other commands: check, new, import, serve (each has --help).",
    )
    _common(parser)
    _build_options(parser)
    parser.add_argument("--no-cache", "--clean", dest="use_cache", action="store_false",
                        help="ignore the incremental cache: a cold build")
    parser.add_argument("--no-search", dest="search", action="store_false",
                        help="skip the search index and /search/ (also `search: false` in site.yaml)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    return parser


def _check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py check", description=(
        "Check the archive without writing site/: everything the build would reject, plus missing image "
        "files, duplicate headlines and articles with no summary (warnings). Exit 0 only when clean."))
    _common(parser)
    _build_options(parser, out=False)
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    return parser


def _new_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py new", description=(
        "Create content/YEAR/MONTH/SLUG.md with complete front matter (published = now in the site's "
        "time zone) and a body skeleton. Never overwrites a file."))
    _common(parser)
    parser.add_argument("title", help="the headline")
    parser.add_argument("--author", default="Staff reporter", help="byline (default: Staff reporter)")
    parser.add_argument("--location", default="", help="the dateline city")
    parser.add_argument("--section", default="", help="section name")
    parser.add_argument("--tags", default="", help="comma-separated tags")
    return parser


def _import_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py import", description=(
        "Turn plain-text stories copied from a news page into Markdown articles, with a report of "
        "every decision the importer was unsure of."))
    _common(parser)
    parser.add_argument("files", nargs="+", type=Path, help="plain-text story files")
    parser.add_argument("--into", default="content", help="folder under ROOT to write into (default: content)")
    parser.add_argument("--timezone", help="IANA zone for unknown or ambiguous zone abbreviations")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    return parser


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py serve", description=(
        "Build, serve site/ on 127.0.0.1, rebuild what changed when content/, layouts/, static/ or "
        "site.yaml change, and reload open browser tabs."))
    _common(parser)
    _build_options(parser)
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
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
    config, status = _load(args)
    if config is None:
        return status
    started = time.perf_counter()
    store = open_store(config.cache_dir, enabled=True)
    try:
        checked = check(config, BuildOptions(out_dir=config.root / "site", drafts=args.drafts, jobs=args.jobs), store)
    except BuildError as error:
        print_problems(error.problems, closing="site/ was not touched")
        return EXIT_CONTENT
    finally:
        store.close()
    warnings = archive_warnings(checked.archive, config)
    if warnings:
        print_problems(warnings, closing="site/ was not touched")
        if args.strict:
            return EXIT_CONTENT
    print(f"checked {checked.articles_total:,} articles in {time.perf_counter() - started:.1f} s: "
          f"{len(warnings):,} warning{'s' if len(warnings) != 1 else ''}")
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    config, status = _load(args)
    if config is None:
        return status
    now = datetime.now(config.zone).replace(microsecond=0)   # the clock is read here, at the edge
    tags = tuple(tag.strip() for tag in args.tags.split(",") if tag.strip())
    created = new_article(args.title, now, author=args.author, location=args.location, section=args.section,
                          tags=tags)
    if created is None:
        print("build.py new: error: the headline has no letters or digits to make a file name from", file=sys.stderr)
        return EXIT_USAGE
    if not write_new_file(config.root, created.path, created.text, force=False):
        print(f"{created.path}: already exists; not overwritten", file=sys.stderr)
        return EXIT_CONTENT
    print(f"created {created.path}")
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    config, status = _load(args)
    if config is None:
        return status
    if args.timezone and not is_valid_zone(args.timezone):
        print(f"build.py import: error: --timezone {args.timezone!r} is not an IANA time zone", file=sys.stderr)
        return EXIT_USAGE
    titles = archive_titles(config)
    problems: list[Problem] = []
    written = 0
    for file in args.files:
        label = _shown(file)
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(label, 0, "file", f"cannot be read: {error}"))
            continue
        story, story_problems = import_file(text, label, config, titles, args.timezone)
        if story is None:
            problems.extend(story_problems)
            continue
        target = imported_path(story, args.into)
        if not write_new_file(config.root, target, imported_markdown(story), force=args.force):
            problems.append(Problem(label, 0, "file", f"{target} already exists", "use --force to overwrite"))
            continue
        written += 1
        print(f"{label} -> {target}")
        for note in story.report:
            print(f"  {note}")
    if problems:
        print_problems(problems, closing=f"{written:,} imported")
        return EXIT_CONTENT
    print(f"imported {written:,} stor{'y' if written == 1 else 'ies'}")
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from .server import serve   # imported here: only this command needs the watcher

    config, status = _load(args)   # checks --base-url; the server reloads site.yaml on every change
    if config is None:
        return status
    out_dir = (args.out if args.out else config.root / "site").absolute()
    try:
        return serve(root=config.root, out_dir=out_dir, port=args.port, drafts=args.drafts, jobs=args.jobs,
                     base_url=args.base_url, report=functools.partial(print, flush=True))
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
            print(f"build.py: error: --base-url {why}", file=sys.stderr)
            return None, EXIT_USAGE
        config = replace(config, base_url=normalise_base_url(args.base_url))
    if getattr(args, "jobs", 1) < 1:
        print("build.py: error: --jobs must be at least 1", file=sys.stderr)
        return None, EXIT_USAGE
    return config, EXIT_OK


def run_build(args: argparse.Namespace) -> int:
    config, status = _load(args)
    if config is None:
        return status
    if not args.search:
        config = replace(config, search=False)
    root = config.root
    out_dir = (args.out if args.out else root / "site").absolute()
    bar = progress_bar(quiet=args.quiet)
    options = BuildOptions(out_dir=out_dir, drafts=args.drafts, jobs=args.jobs, use_cache=args.use_cache,
                           progress=bar.update if bar else None)
    started = time.perf_counter()
    try:
        report = build(config, options)
    except BuildError as error:
        _close(bar)
        print_problems(error.problems)
        return EXIT_CONTENT
    except (RenderError, SearchError) as error:
        _close(bar)
        print(f"error: {error}", file=sys.stderr)
        print("the previous site was left as it was", file=sys.stderr)
        return EXIT_CONTENT
    _close(bar)
    seconds = time.perf_counter() - started
    if not args.quiet:
        print(f"built {report.pages + report.feeds:,} pages ({report.articles:,} articles, {report.feeds:,} feeds) "
              f"in {seconds:.1f} s: {report.rendered:,} rendered, {report.written:,} written, "
              f"{report.unchanged:,} unchanged, {report.removed:,} removed{_search_summary(report.search)} "
              f"-> {_shown(out_dir)}")
    return EXIT_OK


class ProgressBar:
    """A rich progress bar on stderr, one task per stage, shown only on a terminal."""

    def __init__(self):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), transient=True, console=Console(stderr=True))
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
    shards = f"{search.shards_rebuilt} of {search.shards:,} shards" if search.rebuilt else f"{search.shards:,} shards"
    return (f"; search index {'rebuilt' if search.rebuilt else 'unchanged'} in {search.seconds:.1f} s "
            f"({shards}, {search.files:,} files, {search.bytes / 1e6:.1f} MB)")


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = "build"
    if argv and argv[0] in COMMANDS:
        command, argv = argv[0], argv[1:]
    parser, run = {
        "build": (_build_parser, run_build), "check": (_check_parser, run_check), "new": (_new_parser, run_new),
        "import": (_import_parser, run_import), "serve": (_serve_parser, run_serve),
    }[command]
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return run(args)
