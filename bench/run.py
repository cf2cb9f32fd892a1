"""Benchmark the build on a synthetic archive: `python bench/run.py --articles 10000`.

Generates the archive (bench/generate.py) in a temp folder, then runs each
scenario as its own `build.py` subprocess, timing it and reading its peak RSS
from os.wait4, and prints one table with the ratios bench/README.md records.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

BUILD = HERE.parent / "build.py"
SUMMARY = re.compile(r"([\d,]+) rendered, ([\d,]+) written, ([\d,]+) unchanged, ([\d,]+) removed")
SEARCH = re.compile(r"search index (\w+) in ([\d.]+) s \(([\d,]+) files, ([\d.]+) MB\)")
PHOTOS = re.compile(r"([\d,]+) photos? resized")


def run_measured(args: list[str]) -> tuple[float, int, str]:
    """(seconds, peak RSS in bytes, stdout) of one subprocess."""
    # Each measurement pays for its own disk work only: write back what the
    # previous step left dirty (and the discards of a deleted site) first.
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{out.decode()}{err.decode()}")
    # Linux fills wait4's ru_maxrss (kB) with the larger of the child's own peak
    # and that of every descendant it waited for: the biggest single process of
    # the build (parent or a pool worker), not their sum.
    return seconds, usage.ru_maxrss * 1024, out.decode()


def build(root: Path, jobs: int, *extra: str) -> dict:
    seconds, rss, out = run_measured([sys.executable, str(BUILD), "--root", str(root), "--jobs", str(jobs), *extra])
    match = SUMMARY.search(out)
    rendered, written, unchanged, removed = (int(g.replace(",", "")) for g in match.groups())
    search = SEARCH.search(out)
    photos = PHOTOS.search(out)
    return {"seconds": seconds, "rss": rss, "rendered": rendered, "written": written,
            "unchanged": unchanged, "removed": removed, "photos": int(photos.group(1).replace(",", "")) if photos else 0,
            "search": (float(search.group(2)), int(search.group(3).replace(",", "")), float(search.group(4)))
            if search else None}


def floor(root: Path) -> dict:
    out = root.parent / "floor-out"
    shutil.rmtree(out, ignore_errors=True)
    seconds, rss, _ = run_measured([sys.executable, str(HERE / "floor.py"), str(root), str(out)])
    shutil.rmtree(out, ignore_errors=True)
    return {"seconds": seconds, "rss": rss, "rendered": 0, "written": 0, "unchanged": 0, "removed": 0, "photos": 0}


def clean(root: Path) -> None:
    shutil.rmtree(root / "site", ignore_errors=True)
    shutil.rmtree(root / ".dateline-cache", ignore_errors=True)


FLOOR = "floor (read+yaml+markdown+jinja+write)"


def cold_builds(root: Path, cores: int, repeat: int):
    """The floor and both cold builds, `repeat` times interleaved; the fastest
    of each (with every time, in "runs"). On a shared machine other work only
    ever adds time, so the fastest run is the truest, and interleaving keeps a
    slow minute from landing on one side of a ratio. Ends on a cold --jobs
    `cores` build, the state the incremental scenarios start from."""
    runs = {FLOOR: lambda: floor(root), "cold, --jobs 1": lambda: build(root, 1, "--no-search"),
            f"cold, --jobs {cores}": lambda: build(root, cores, "--no-search")}
    best: dict[str, dict] = {}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            clean(root)
            result = run()
            times[name].append(result["seconds"])
            if name not in best or result["seconds"] < best[name]["seconds"]:
                best[name] = result
    for name in runs:
        best[name]["runs"] = times[name]
    return best


def scenarios(root: Path, count: int, cores: int, search: bool = True, repeat: int = 1, photos_every: int = 0):
    """(name, result) for every scenario, in order; each builds on the state the previous left.

    The scale scenarios run with --no-search: the search index is Pagefind's own
    work, measured on its own at the end (with search, as a site is built by default)."""
    yield from cold_builds(root, cores, repeat).items()
    yield "no-change rebuild", build(root, cores, "--no-search")
    middle = count // 2
    generate.write_article(root, middle, count, body_edit="An added closing line for the benchmark.",
                           photos_every=photos_every)
    # The first incremental build after a cold one also stages the whole tree
    # once (hard links, see dateline/output.py); later builds reuse that tree.
    yield "first build after a cold one (one body edit)", build(root, cores, "--no-search")
    generate.write_article(root, middle - 1, count, body_edit="An added closing line for the benchmark.",
                           photos_every=photos_every)
    yield "one article's body edited", build(root, cores, "--no-search")
    generate.write_article(root, middle + 1, count, tags=["bench edited tag", "port crisis"],
                           photos_every=photos_every)
    yield "one article's tags edited", build(root, cores, "--no-search")
    generate.write_article(root, count, count + 1, photos_every=photos_every)
    if generate.has_photo(count, photos_every):
        generate.write_photo(root, count)
    yield "one article added (newest)", build(root, cores, "--no-search")
    if photos_every:
        generate.write_photo(root, photos_every * (middle // photos_every), edit=1)
        yield "one photo replaced", build(root, cores, "--no-search")
    (root / "content" / generate.article_meta(generate.deletable(middle + 2))["path"]).unlink()
    yield "one article deleted", build(root, cores, "--no-search")
    with open(root / "layouts" / "terms.html", "a", encoding="utf-8") as handle:
        handle.write("{# benchmark edit #}\n")
    yield "template edited (terms.html)", build(root, cores, "--no-search")
    generate.write_site_yaml(root, description="An edited description")
    yield "site.yaml edited (description)", build(root, cores, "--no-search")
    if not search:
        return
    clean(root)
    yield f"search: cold build with search, --jobs {cores}", build(root, cores)
    yield "search: no-change rebuild", build(root, cores)
    generate.write_article(root, middle, count, body_edit="A second added line, indexed by search.",
                           photos_every=photos_every)
    yield "search: one article's body edited", build(root, cores)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the floor and the cold builds this many times, interleaved, and keep the fastest")
    parser.add_argument("--skip-search", action="store_true",
                        help="leave out the search scenarios (Pagefind holds the whole index in memory)")
    parser.add_argument("--photos-every", type=int, default=5,
                        help="a hero photo (2000 x 1333 JPEG) on every Nth article; 0 for none (default: 5)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dateline-bench-"))
    root = work / "project"
    started = time.perf_counter()
    generate.generate_project(root, args.articles, photos_every=args.photos_every)
    photos = sum(1 for index in range(args.articles) if generate.has_photo(index, args.photos_every))
    print(f"# {args.articles:,} articles ({photos:,} with a photo) generated in {time.perf_counter() - started:.1f} s "
          f"under {work}")
    print(f"# {date.today()} {platform.node()} {platform.processor() or platform.machine()} "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    results = {}
    print("| scenario | seconds | / cold | peak RSS MiB | rendered | written | unchanged | removed | photos resized |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    cold_key = f"cold, --jobs {args.jobs}"
    try:
        for name, result in scenarios(root, args.articles, args.jobs, search=not args.skip_search,
                                      repeat=args.repeat, photos_every=args.photos_every):
            results[name] = result
            cold = results.get(cold_key)
            ratio = f"{result['seconds'] / cold['seconds']:.1%}" if cold and name != cold_key else ""
            print(f"| {name} | {result['seconds']:.2f} | {ratio} | {result['rss'] / 2**20:.0f} | "
                  f"{result['rendered']:,} | {result['written']:,} | {result['unchanged']:,} | "
                  f"{result['removed']:,} | {result['photos']:,} |", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    one, many, base = results["cold, --jobs 1"], results[cold_key], results[FLOOR]
    print()
    if args.repeat > 1:
        for name in (FLOOR, "cold, --jobs 1", cold_key):
            print(f"{name}: fastest of {', '.join(f'{t:.2f}' for t in results[name]['runs'])} s")
    for name, result in results.items():
        if result.get("search"):
            seconds, files, megabytes = result["search"]
            print(f"{name}: search index {seconds:.1f} s, {files:,} files, {megabytes:.1f} MB on disk")
    print(f"cold --jobs 1 / floor: {one['seconds'] / base['seconds']:.2f}x (target <= 1.3)")
    print(f"cold --jobs {args.jobs} / --jobs 1: {many['seconds'] / one['seconds']:.2f}x (target <= 0.6 on 2 cores)")
    print(f"peak RSS max without search: "
          f"{max(r['rss'] for n, r in results.items() if not n.startswith('search')) / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
