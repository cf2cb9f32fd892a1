"""Pagefind's command line, run over a folder of documents: pages in, the bundle's files out.

Each shard's documents (small pages: search.indexed_document) are written to a
temporary folder, at their paths in the site, and `pagefind --site` indexes
them into a temporary output folder, which is read back so the build stages
the files itself. Pagefind reads the pages on all cores and numbers them in
the order of their paths, so the bundle follows from the documents alone.

The command line, not `pagefind --service` (which Pagefind's Python and Node
packages drive): the service reads the pages one at a time, and on two cores
took 2.2 - 2.5 s for a settled year's ~900 pages that the command line
indexes in 1.3 - 1.6 s, writing the files included (docs/decisions.md).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

from .errors import DatelineError
from .workers import preexec_for_children


class SearchError(DatelineError):
    """Pagefind is missing or failed; the message says which and how to fix it."""


def pagefind_executable() -> Path:
    try:
        import pagefind_bin
    except ImportError:
        raise SearchError("search: the Pagefind binary is not installed (pip install -e . installs pagefind-bin); "
                          "build with --no-search or set `search: false` in site.yaml") from None
    try:
        return pagefind_bin.get_executable()
    except (FileNotFoundError, OSError) as error:
        raise SearchError(f"search: the Pagefind binary is missing: {error}") from None


def pagefind_version() -> str:
    """The installed Pagefind's version: part of every shard's key."""
    try:
        return metadata.version("pagefind-bin")
    except metadata.PackageNotFoundError:
        return "missing"


# Scratch folders go to memory when the machine has a tmpfs there: each shard
# writes and deletes ~2,000 small files, which on this project's test
# machine's disk cost 2.2 s of processor per settled year, more than
# Pagefind's own indexing (on tmpfs 0.2 s). A full or missing one falls back
# to the system's temporary folder.
MEMORY_FOLDER = "/dev/shm"
# A scratch folder is named after the build's process: a build killed before
# it could remove its own (SIGKILL, the machine's out-of-memory killer) would
# otherwise leave it in memory until the machine restarts; the next build
# removes it.
SCRATCH_PREFIX = "dateline-search-"


def index_documents(documents) -> dict[str, bytes]:
    """Run Pagefind over `documents` ((path of the page's file in the site,
    html) pairs); its bundle as {path: bytes}."""
    executable = pagefind_executable()
    if os.path.isdir(MEMORY_FOLDER) and os.access(MEMORY_FOLDER, os.W_OK):
        remove_abandoned(Path(MEMORY_FOLDER))
        try:
            with _scratch_folder(MEMORY_FOLDER) as folder:
                return _run(executable, Path(folder), documents)
        except OSError:
            pass    # full: the system's temporary folder instead
    remove_abandoned(Path(tempfile.gettempdir()))
    with _scratch_folder(None) as folder:
        return _run(executable, Path(folder), documents)


def _scratch_folder(place: str | None) -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=place)


def remove_abandoned(place: Path) -> None:
    """Remove the scratch folders in `place` that builds which have ended
    left behind: ours (same user), named after a process that is gone."""
    try:
        entries = list(os.scandir(place))
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(SCRATCH_PREFIX):].partition("-")[0]
        if not entry.name.startswith(SCRATCH_PREFIX) or not pid.isdigit() or _running(int(pid)):
            continue
        try:
            if entry.is_dir(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_uid == os.getuid():
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            pass


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True     # someone else's process
    return True


def _run(executable: Path, folder: Path, documents) -> dict[str, bytes]:
    site, bundle = folder / "site", folder / "bundle"
    for path, html in documents:
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    # Pagefind reads settings from its working folder (pagefind.yml) and
    # from PAGEFIND_* variables: neither may change what a build makes.
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PAGEFIND_")}
    try:
        finished = subprocess.run([str(executable), "--site", str(site), "--output-path", str(bundle)],
                                  cwd=folder, env=environment, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  preexec_fn=preexec_for_children())
    except OSError as error:
        raise SearchError(f"search: Pagefind could not run: {error}") from None
    if finished.returncode != 0:
        lines = finished.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SearchError("search: Pagefind failed: " + (lines[-1] if lines else f"exit {finished.returncode}"))
    return {file.relative_to(bundle).as_posix(): file.read_bytes()
            for file in sorted(bundle.rglob("*")) if file.is_file()}
