"""The command line: the only module that prints or exits.

Exit status: 0 ok, 1 content errors, 2 usage errors.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from .config import load_config
from .errors import BuildError, Problem, sorted_problems
from .pipeline import BuildOptions, build, default_jobs
from .render import RenderError
from .urls import base_url_problem, normalise_base_url

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
COMMANDS = ("build",)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build the news archive in content/ into a static site (site/ by default).",
    )
    parser.add_argument("--root", type=Path, default=Path("."), help="project folder holding site.yaml (default: .)")
    parser.add_argument("--out", type=Path, help="output folder (default: ROOT/site)")
    parser.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    parser.add_argument("--base-url", help="override site.yaml's base_url, e.g. for a preview host")
    parser.add_argument("--jobs", "-j", type=int, default=default_jobs(),
                        help="worker processes (default: all cores)")
    parser.add_argument("--no-cache", "--clean", dest="use_cache", action="store_false",
                        help="ignore the incremental cache: a cold build")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    return parser


def print_problems(problems: list[Problem]) -> None:
    problems = sorted_problems(problems)
    for problem in problems:
        print(str(problem), file=sys.stderr)
    errors = sum(1 for p in problems if not p.warning)
    print(f"{errors:,} error{'s' if errors != 1 else ''}; nothing was written", file=sys.stderr)


def run_build(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    config, problems = load_config(root)
    if config is None:
        print_problems(problems)
        return EXIT_CONTENT
    if args.base_url:
        why = base_url_problem(args.base_url)
        if why:
            print(f"build.py: error: --base-url {why}", file=sys.stderr)
            return EXIT_USAGE
        config = replace(config, base_url=normalise_base_url(args.base_url))
    if args.jobs < 1:
        print("build.py: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    out_dir = (args.out if args.out else root / "site").absolute()
    options = BuildOptions(out_dir=out_dir, drafts=args.drafts, jobs=args.jobs, use_cache=args.use_cache)
    started = time.perf_counter()
    try:
        report = build(config, options)
    except BuildError as error:
        print_problems(error.problems)
        return EXIT_CONTENT
    except RenderError as error:
        print(f"render error: {error}", file=sys.stderr)
        print("the previous site was left as it was", file=sys.stderr)
        return EXIT_CONTENT
    seconds = time.perf_counter() - started
    if not args.quiet:
        print(f"built {report.pages + report.feeds:,} pages ({report.articles:,} articles, {report.feeds:,} feeds) "
              f"in {seconds:.1f} s: {report.rendered:,} rendered, {report.written:,} written, "
              f"{report.unchanged:,} unchanged, {report.removed:,} removed -> {_shown(out_dir)}")
    return EXIT_OK


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "build":
        argv = argv[1:]
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return run_build(args)
