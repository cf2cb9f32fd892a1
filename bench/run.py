"""Benchmark the build on a synthetic archive: `python bench/run.py --articles 10000`.

Generates the archive (bench/generate.py) in a temp folder, then runs each
scenario as its own `build.py` subprocess with the default settings (search
on), timing it and measuring its memory two ways: the peak of the whole
process tree (the sum of the resident memory of the build and every live
descendant, Pagefind and render workers included, sampled every 100 ms) and
the largest single process (ru_maxrss from os.wait4). Prints one table with
the ratios bench/README.md records.
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
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

BUILD = HERE.parent / "build.py"
SUMMARY = re.compile(r"([\d,]+) rendered, ([\d,]+) written, ([\d,]+) unchanged, ([\d,]+) removed")
# "search index rebuilt in 4.4 s (1 of 13 shards, 10,473 files, 33.8 MB)"; before shards: "(10,099 files, ...)"
SEARCH = re.compile(r"search index (\w+) in ([\d.]+) s \((?:(?:(\d+) of )?([\d,]+) shards?, )?([\d,]+) files, "
                    r"([\d.]+) MB\)")
PAGE = os.sysconf("SC_PAGE_SIZE")
PHOTOS = re.compile(r"([\d,]+) photos? resized")


class TreePeak:
    """The peak, over samples every `interval` seconds, of the summed memory
    of a process and all its live descendants (from /proc), two ways. The sum
    of resident memory (RSS) counts pages a forked worker still shares with
    its parent once per process, so it errs high; the sum of proportional
    memory (PSS, from smaps_rollup) splits each shared page between the
    processes that map it, so it is what the tree holds at that moment.

    Sampling costs the machine it measures: listing /proc and reading each
    process's stat is ~3 ms of CPU, a PSS pass over a 500 MB process ~20 ms
    (the kernel walks its page tables). So RSS is sampled every `interval`
    and PSS every `pss_every` samples and at each new high of the RSS sum:
    ~5% of one core in all."""

    def __init__(self, pid: int, interval: float = 0.1, pss_every: int = 10):
        self.pid = pid
        self.interval = interval
        self.pss_every = pss_every
        self.peak = 0
        self.peak_pss = 0
        self.largest = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        count = 0
        while not self._stop.is_set():
            total, largest, pids = self.sample()
            # PSS on schedule, and whenever the RSS sum reaches a new high:
            # the PSS peak comes with one, and a short build still gets one.
            if count % self.pss_every == 0 or total > self.peak:
                self.peak_pss = max(self.peak_pss, sum(proportional_bytes(pid) for pid in pids))
            self.peak = max(self.peak, total)
            self.largest = max(self.largest, largest)
            count += 1
            self._stop.wait(self.interval)

    def sample(self) -> tuple[int, int, list[int]]:
        """(RSS sum, largest RSS) in bytes of the tree now, and its pids."""
        children: dict[int, list[int]] = defaultdict(list)
        rss: dict[int, int] = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue    # ended between listing and reading
            fields = stat[stat.rindex(b")") + 2:].split()
            pid = int(name)
            children[int(fields[1])].append(pid)
            rss[pid] = int(fields[21]) * PAGE
        total = largest = 0
        pids = []
        stack = [self.pid]
        while stack:
            pid = stack.pop()
            pids.append(pid)
            total += rss.get(pid, 0)
            largest = max(largest, rss.get(pid, 0))
            stack.extend(children.get(pid, ()))
        return total, largest, pids

    def stop(self) -> tuple[int, int]:
        """(peak RSS sum, peak PSS sum)."""
        self._stop.set()
        self._thread.join()
        return self.peak, self.peak_pss


def proportional_bytes(pid: int) -> int:
    """A process's proportional set size (PSS); 0 once it has ended."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class Measured:
    seconds: float      # wall clock
    cpu: float          # user + system seconds of the process and every descendant it waited for
    tree: int           # peak RSS sum of the live tree, bytes
    tree_pss: int       # peak PSS sum of the live tree, bytes
    largest: int        # ru_maxrss: the largest single process, bytes
    load: float         # 1-minute load average as it ended
    out: str


def build_environment() -> dict[str, str]:
    """The environment a user's build runs in: Python keeps its compiled
    modules (an installed package has them from pip), whatever this shell
    says. With PYTHONDONTWRITEBYTECODE set, as on some CI machines, every
    build compiled the package's source again: ~0.15 s a process."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run_measured(args: list[str]) -> Measured:
    """Run one subprocess and measure it."""
    # Each measurement pays for its own disk work only: write back what the
    # previous step left dirty (and the discards of a deleted site) first.
    os.sync()
    started = time.perf_counter()
    # One pipe for both streams: reading two pipes one after the other blocks
    # for good once the unread one fills (a build's warnings go to stderr).
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=build_environment())
    tree = TreePeak(process.pid)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    tree_peak, tree_pss = tree.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{out.decode()}")
    # Linux fills wait4's ru_maxrss (kB) with the larger of the child's own peak
    # and that of every descendant it waited for: the biggest single process of
    # the build (parent, a pool worker or Pagefind). Its CPU times likewise add
    # up the waited-for descendants': on a shared machine, CPU seconds move far
    # less than wall seconds when others load it.
    return Measured(seconds=seconds, cpu=usage.ru_utime + usage.ru_stime,
                    tree=max(tree_peak, usage.ru_maxrss * 1024), tree_pss=tree_pss,
                    largest=usage.ru_maxrss * 1024, load=os.getloadavg()[0], out=out.decode())


def _row(measured: Measured) -> dict:
    return {"seconds": measured.seconds, "cpu": measured.cpu, "tree": measured.tree, "pss": measured.tree_pss,
            "rss": measured.largest, "load": measured.load}


def build(root: Path, jobs: int, *extra: str) -> dict:
    measured = run_measured([sys.executable, str(BUILD), "--root", str(root), "--jobs", str(jobs), *extra])
    match = SUMMARY.search(measured.out)
    rendered, written, unchanged, removed = (int(g.replace(",", "")) for g in match.groups())
    search = SEARCH.search(measured.out)
    photos = PHOTOS.search(measured.out)
    return {**_row(measured), "rendered": rendered, "written": written, "unchanged": unchanged, "removed": removed,
            "photos": int(photos.group(1).replace(",", "")) if photos else 0,
            "search": {"state": search.group(1), "seconds": float(search.group(2)),
                       "rebuilt": int(search.group(3) or (search.group(1) == "rebuilt")),
                       "shards": int((search.group(4) or "1").replace(",", "")),
                       "files": int(search.group(5).replace(",", "")), "megabytes": float(search.group(6))}
            if search else None}


def floor(root: Path) -> dict:
    out = root.parent / "floor-out"
    shutil.rmtree(out, ignore_errors=True)
    measured = run_measured([sys.executable, str(HERE / "floor.py"), str(root), str(out)])
    shutil.rmtree(out, ignore_errors=True)
    return {**_row(measured), "rendered": 0, "written": 0, "unchanged": 0, "removed": 0, "photos": 0,
            "search": None}


def clean(root: Path) -> None:
    shutil.rmtree(root / "site", ignore_errors=True)
    shutil.rmtree(root / ".dateline-cache", ignore_errors=True)


FLOOR = "floor (read+yaml+markdown+jinja+write)"


def cold_builds(root: Path, cores: int, repeat: int, search: bool, one_cold: bool, pinned: tuple[str, ...]):
    """The floor and the cold builds, `repeat` times interleaved; the fastest
    of each (with every time, in "runs"). On a shared machine other work only
    ever adds time, so the fastest run is the truest, and interleaving keeps a
    slow minute from landing on one side of a ratio. With search, a cold
    --no-search build runs too, for the search / no-search ratio. Ends on a
    cold --jobs `cores` build as configured, the state the incremental
    scenarios start from."""
    flags = pinned + (() if search else ("--no-search",))
    runs = {}
    if not one_cold:
        runs[FLOOR] = lambda: floor(root)
    if search:
        runs[f"cold, --jobs {cores}, --no-search"] = lambda: build(root, cores, *pinned, "--no-search")
    if not one_cold:
        runs["cold, --jobs 1"] = lambda: build(root, 1, *flags)
    runs[f"cold, --jobs {cores}"] = lambda: build(root, cores, *flags)
    best: dict[str, dict] = {}
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            clean(root)
            result = run()
            times[name].append(result["seconds"])
            cpu[name].append(result["cpu"])
            if name not in best or result["seconds"] < best[name]["seconds"]:
                best[name] = result
    for name in runs:
        best[name]["runs"] = times[name]
        best[name]["cpu_runs"] = cpu[name]
    return best


def edit_body(root: Path, index: int, count: int, line: str, photos_every: int = 0) -> None:
    generate.write_article(root, index, count, body_edit=line, photos_every=photos_every)


def scenarios(root: Path, count: int, cores: int, search: bool = True, repeat: int = 1, one_cold: bool = False,
              photos_every: int = 0, cold_only: bool = False):
    """(name, result) for every scenario, in order; each builds on the state the previous left."""
    # The archive's stories are 613 minutes apart from 2012 (an hour apart
    # past 150,000, generate.SPACED): from ~50,000 on they would lie in the
    # future, and the build holds back (and rejects links to) stories not yet
    # due. Every build runs at a pinned time a day after the newest story the
    # scenarios write, so every story is published.
    newest = generate.article_meta(count)["published"]
    pinned = ("--now", (newest + timedelta(days=1)).isoformat())
    flags = pinned + (() if search else ("--no-search",))
    yield from cold_builds(root, cores, repeat, search, one_cold, pinned).items()
    if cold_only:
        return
    yield "no-change rebuild", build(root, cores, *flags)
    middle = count // 2
    edit_body(root, middle, count, "An added closing line for the benchmark.", photos_every)
    # The first incremental build after a cold one also stages the whole tree
    # once (hard links, see dateline/output.py); later builds reuse that tree.
    yield "first build after a cold one (one body edit)", build(root, cores, *flags)
    edit_body(root, middle - 1, count, "An added closing line for the benchmark.", photos_every)
    yield "one article's body edited (mid-archive)", build(root, cores, *flags)
    edit_body(root, count - 2, count, "An added closing line for the benchmark.", photos_every)
    yield "one article's body edited (this month)", build(root, cores, *flags)
    generate.write_article(root, middle + 1, count, tags=["bench edited tag", "port crisis"],
                           photos_every=photos_every)
    yield "one article's tags edited (mid-archive)", build(root, cores, *flags)
    generate.write_article(root, count, count + 1, photos_every=photos_every)
    if generate.has_photo(count, photos_every):
        generate.write_photo(root, count)
    yield "one article added (newest)", build(root, cores, *flags)
    if photos_every:
        generate.write_photo(root, photos_every * (middle // photos_every), edit=1)
        yield "one photo replaced", build(root, cores, *flags)
    (root / "content" / generate.article_meta(generate.deletable(middle + 2))["path"]).unlink()
    yield "one article deleted (mid-archive)", build(root, cores, *flags)
    with open(root / "layouts" / "terms.html", "a", encoding="utf-8") as handle:
        handle.write("{# benchmark edit #}\n")
    yield "template edited (terms.html)", build(root, cores, *flags)
    generate.write_site_yaml(root, description="An edited description")
    yield "site.yaml edited (description)", build(root, cores, *flags)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the floor and the cold builds this many times, interleaved, and keep the fastest")
    parser.add_argument("--no-search", dest="search", action="store_false",
                        help="run every scenario with --no-search (search is on by default, as in a site's build)")
    parser.add_argument("--one-cold", action="store_true",
                        help="of the cold builds, run only --jobs N (with search, and without it for the ratio; no "
                             "floor, no --jobs 1): for archives where each cold build takes long")
    parser.add_argument("--cold-only", action="store_true",
                        help="stop after the cold builds (no incremental scenarios)")
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
          f"{os.cpu_count()} cores, Python {platform.python_version()}, search {'on' if args.search else 'off'}")
    results = {}
    print("| scenario | seconds | CPU s | / cold | search s (shards) | tree peak MiB | tree PSS MiB | largest MiB "
          "| rendered | written | unchanged | removed | photos resized | load |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    cold_key = f"cold, --jobs {args.jobs}"
    try:
        for name, result in scenarios(root, args.articles, args.jobs, search=args.search, repeat=args.repeat,
                                      one_cold=args.one_cold, photos_every=args.photos_every,
                                      cold_only=args.cold_only):
            results[name] = result
            cold = results.get(cold_key)
            ratio = f"{result['seconds'] / cold['seconds']:.1%}" if cold and name != cold_key else ""
            search = result["search"]
            shards = (f"{search['seconds']:.2f} ({search['rebuilt']} of {search['shards']})" if search else "")
            print(f"| {name} | {result['seconds']:.2f} | {result['cpu']:.2f} | {ratio} | {shards} | "
                  f"{result['tree'] / 2**20:.0f} | {result['pss'] / 2**20:.0f} | {result['rss'] / 2**20:.0f} | "
                  f"{result['rendered']:,} | {result['written']:,} | "
                  f"{result['unchanged']:,} | {result['removed']:,} | {result['photos']:,} | {result['load']:.1f} |",
                  flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    if args.repeat > 1:
        for name, result in results.items():
            if "runs" in result:
                print(f"{name}: fastest of {', '.join(f'{t:.2f}' for t in result['runs'])} s "
                      f"(CPU {', '.join(f'{t:.2f}' for t in result['cpu_runs'])} s)")
    for name, result in results.items():
        if result["search"] and result["search"]["rebuilt"]:
            search = result["search"]
            print(f"{name}: search {search['seconds']:.1f} s, {search['rebuilt']} of {search['shards']} shards "
                  f"indexed, {search['files']:,} files, {search['megabytes']:.1f} MB on disk")
    one, many, base = results.get("cold, --jobs 1"), results[cold_key], results.get(FLOOR)
    if one and base:
        print(f"cold --jobs 1 / floor: {one['seconds'] / base['seconds']:.2f}x (target <= 1.3)")
        print(f"cold --jobs {args.jobs} / --jobs 1: {many['seconds'] / one['seconds']:.2f}x "
              f"(target <= 0.6 on 2 cores)")
    plain = results.get(f"cold, --jobs {args.jobs}, --no-search")
    if plain:
        print(f"cold --jobs {args.jobs} with search / without: {many['seconds'] / plain['seconds']:.2f}x "
              f"(target <= 1.3)")
    peak = {key: max(r[key] for r in results.values()) / 2**20 for key in ("tree", "pss", "rss")}
    print(f"peak memory of the whole tree, max over scenarios: {peak['tree']:.0f} MiB RSS, {peak['pss']:.0f} MiB "
          f"PSS; largest single process: {peak['rss']:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
