"""The only writer of the output folder (`site/`).

A build stages the complete new site in a sibling folder: files whose bytes are
unchanged are hard links to the published ones (no copy, same inode and mtime,
so deploy syncs and live reload see only real changes), the rest are written
fresh. The staged folder then replaces `site/` in one step: on Linux an atomic
exchange of the two folders (renameat2 RENAME_EXCHANGE), so at every instant
`site/` is either the whole previous site or the whole new one, whatever kills
the build; on macOS the same with renamex_np(RENAME_SWAP). Where no exchange
exists (Windows), two renames are used and a leftover `.old` folder is moved
back by the next run.

Only a folder the build made is ever replaced: it holds SITE_MARKER (or, for a
site built before the marker, exactly the files the cache lists). Anything
else in it stops the build before the locks are even taken (see
`foreign_files`), so no file the build did not make is deleted or republished.

The previous site, swapped out, is kept as the next build's staging folder
(the "spare"): its unchanged files already are hard links to the published
ones, so the next build only replaces what changed and deletes what went
stale, instead of making and removing a whole tree of folders every time
(folder creation and removal dominated no-change rebuilds). A marker file
holding a token the cache also records says the spare is exactly what the
cache lists; it is removed before the spare is first touched, so a build
killed half-way leaves a spare the next run discards and rebuilds from scratch.

Stale files (a deleted article, an emptied tag) are deleted from the spare.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .cache import ManifestEntry, PublishedSite
from .errors import DatelineError

_RENAME_EXCHANGE = 2


@dataclass
class PublishStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    written_paths: list[str] = field(default_factory=list)


class OutputError(DatelineError):
    pass


def _sibling(out_dir: Path, suffix: str) -> Path:
    return out_dir.parent / f".{out_dir.name}.{suffix}"


def spare_folder(out_dir: Path) -> Path:
    """Where the staging folder lives, and the previous site is kept between builds."""
    return _sibling(out_dir, "staging")


_RENAME_SWAP = 0x2      # macOS <stdio.h>
SWAP_VARIABLE = "DATELINE_SWAP"


def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    except OSError:
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders; False when this system cannot.

    Linux: renameat2(RENAME_EXCHANGE). macOS: renamex_np(RENAME_SWAP). Other
    systems (Windows) have no such call: the caller falls back to two renames."""
    libc = _libc()
    if libc is None:
        return False
    if hasattr(libc, "renameat2"):
        at_fdcwd = -100
        result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    elif hasattr(libc, "renamex_np"):
        result = libc.renamex_np(os.fsencode(a), os.fsencode(b), _RENAME_SWAP)
    else:
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(a))


def recover(out_dir: Path) -> None:
    """Finish what a killed run left: put back a site moved aside, drop the rest.
    (The staging folder is left to `Staging`, which reuses or discards it.)"""
    old = _sibling(out_dir, "old")
    if old.exists() and not out_dir.exists():
        os.rename(old, out_dir)
    if old.exists():
        shutil.rmtree(old)


# The file that says "dateline made this folder": only a folder holding it (or
# one the cache lists file by file) is ever replaced. Published with the site,
# like Sphinx's .buildinfo; its text is fixed, so builds stay byte-identical.
SITE_MARKER = ".dateline-site"
SITE_MARKER_TEXT = (b"This folder is built by dateline. Each build replaces it whole: keep your own files\n"
                    b"in static/ (published with the site) or outside this folder.\n")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def output_problem(out_dir: Path, protected: tuple[Path, ...]) -> str:
    """Why `out_dir` can never be a build's output, or "".

    `protected`: the project root and its source folders (content/, layouts/,
    static/, the cache): the output may not be one of them, lie inside one, or
    hold one, because each build replaces the output folder whole."""
    if out_dir.is_symlink() and not out_dir.exists():
        return f"{out_dir} is a symbolic link to a folder that does not exist; make the folder or remove the link"
    real = Path(os.path.realpath(out_dir))
    if real.exists() and not real.is_dir():
        return f"{out_dir} is a file, not a folder; it was not touched; choose a folder for --out"
    root = Path(os.path.realpath(protected[0]))
    if _inside(root, real):
        return f"{out_dir} holds the project itself; choose a folder of its own, such as {root / 'site'}"
    for folder in protected[1:]:
        folder = Path(os.path.realpath(folder))
        if _inside(real, folder) or _inside(folder, real):
            return (f"{out_dir} would replace the project's {folder.name}/ folder; "
                    f"choose a folder of its own, such as {root / 'site'}")
    return ""


def foreign_files(out_dir: Path, manifest: dict[str, ManifestEntry]) -> list[str]:
    """The entries in `out_dir` that no build made, sorted ("docs/" for a whole folder).

    A folder holding SITE_MARKER was made by a build: there, a file the cache
    does not list is foreign, unless the cache is empty (deleted, or --no-cache),
    when nothing can be told apart and the folder is taken as the build left it.
    A folder without the marker is the build's only when everything in it is
    what the cache lists (a site built before the marker existed)."""
    real = os.path.realpath(out_dir)
    if not os.path.isdir(real):
        return []
    if not manifest and os.path.isfile(os.path.join(real, SITE_MARKER)):
        return []
    folders = set()
    for rel in manifest:
        folder = rel.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    found: list[str] = []
    stack = [""]
    while stack:
        rel_folder = stack.pop()
        try:
            entries = list(os.scandir(os.path.join(real, rel_folder)))
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
            if entry.is_dir(follow_symlinks=False):
                if rel in folders:
                    stack.append(rel)
                else:
                    found.append(rel + "/")
            elif rel not in manifest and rel != SITE_MARKER:
                found.append(rel)
    return sorted(found)


def folders_unchanged(out_dir: Path, published: PublishedSite | None) -> bool:
    """Whether every folder the last build left in `out_dir` still has the
    mtime it had then: nothing was added, removed or renamed in any of them,
    so no file the build did not make can be there (`foreign_files` need not
    walk the tree). One stat per folder instead of a listing of each.

    A file written into a folder within the file system's timestamp tick
    after the build recorded that folder could go unseen; the build records
    the folders only after the new site is in place, and nobody else writes
    there meanwhile (docs/decisions.md)."""
    if published is None or not published.folders:
        return False
    prefix = os.path.join(os.path.realpath(out_dir), "")
    stat = os.stat
    try:
        for rel, mtime_ns in published.folders:
            if stat(prefix + rel).st_mtime_ns != mtime_ns:
                return False
    except OSError:
        return False
    return True


def files_unchanged(out_dir: Path, published: PublishedSite | None) -> bool:
    """Whether every file the last build published is still there, as it was written."""
    if published is None or not published.files:
        return False
    prefix = os.path.join(os.path.realpath(out_dir), "")
    stat = os.stat
    try:
        for rel, size, mtime_ns, inode in published.files:
            info = stat(prefix + rel)
            if info.st_size != size or info.st_mtime_ns != mtime_ns or info.st_ino != inode:
                return False
    except OSError:
        return False
    return True


def published_site(root: Path, manifest: dict[str, ManifestEntry]) -> PublishedSite:
    """The record `folders_unchanged` and `files_unchanged` check the output
    folder against: each file's identity from the manifest, and the mtime of
    each folder of the staged site, read just before it is swapped in (moving
    a folder does not change its mtime, and a file dropped into the published
    site a moment later then changes it)."""
    folders = {""}
    for rel in manifest:
        folder = rel.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    prefix = os.path.join(root, "")
    return PublishedSite(
        files=tuple((rel, entry.size, entry.mtime_ns, entry.inode) for rel, entry in sorted(manifest.items())),
        folders=tuple((folder, os.stat(prefix + folder).st_mtime_ns) for folder in sorted(folders)))


def foreign_message(out_dir: Path, found: list[str], marked: bool) -> str:
    shown = ", ".join(found[:3]) + (" and more" if len(found) > 3 else "")
    if marked:
        return (f"{out_dir} holds files the build did not make ({shown}); each build replaces this "
                f"folder whole, so move files you want published into static/, delete the rest, and build again")
    return (f"{out_dir} is not empty and was not made by dateline ({shown}); nothing was touched; "
            f"choose a new or empty folder for --out")


def is_marked(out_dir: Path) -> bool:
    return os.path.isfile(os.path.join(os.path.realpath(out_dir), SITE_MARKER))


SPARE_MARKER = ".dateline-spare"
UNVERIFIED = -1     # inode of a spare entry we did not check: never reused, only replaced or deleted


class Staging:
    """Collects the next site beside the current one; `commit` swaps it in.

    `spare` is what the cache says the staging folder holds (from the build
    before last) and `token` the marker that proves it; anything else and the
    folder is thrown away and staged from nothing."""

    def __init__(self, out_dir: Path, previous: dict[str, ManifestEntry],
                 spare: dict[str, ManifestEntry] | None = None, token: str = "", atomic_swap: bool = True):
        self.out_dir = out_dir
        self.atomic_swap = atomic_swap
        self.previous = previous
        self.staging = spare_folder(out_dir)
        recover(out_dir)
        self.spare: dict[str, ManifestEntry] = {}
        self._marker_present = False
        if self.staging.exists():
            if token and spare is not None and _read_marker(self.staging) == token:
                self.spare = dict(spare)
                self._marker_present = True
            else:
                shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True, exist_ok=True)
        # Plain string prefixes: the per-file paths below are made ~100,000
        # times in a large build, and pathlib costs several times more.
        self._out_prefix = os.path.join(out_dir, "")
        self._staging_prefix = os.path.join(self.staging, "")
        self._made_dirs: set[str] = set()
        self._verified: set[str] = set()
        self.manifest: dict[str, ManifestEntry] = {}
        self.stats = PublishStats()
        self.published: PublishedSite | None = None    # set by `commit`

    def _touch(self) -> None:
        """Before the first change to the spare: it no longer matches the cache."""
        if self._marker_present:
            os.unlink(self.staging / SPARE_MARKER)
            self._marker_present = False

    def _target(self, rel: str) -> str:
        """The staging path for rel, emptied and with its folder made."""
        self._touch()
        target = self._staging_prefix + rel
        if self.spare.pop(rel, None) is not None:
            try:
                os.unlink(target)
            except FileNotFoundError:
                pass
            return target
        folder = rel.rpartition("/")[0]
        if folder and folder not in self._made_dirs:
            os.makedirs(self._staging_prefix + folder, exist_ok=True)
            self._made_dirs.add(folder)
        return target

    def _current(self, rel: str) -> ManifestEntry | None:
        """The manifest entry for rel, when the published file is still the one we wrote."""
        entry = self.previous.get(rel)
        if entry is None:
            return None
        try:
            info = os.stat(self._out_prefix + rel)
        except OSError:
            return None
        if (info.st_size, info.st_mtime_ns, info.st_ino) != (entry.size, entry.mtime_ns, entry.inode):
            return None
        self._verified.add(rel)
        return entry

    def can_keep(self, rel: str, key: str) -> bool:
        entry = self._current(rel)
        return entry is not None and entry.key == key

    def _link_published(self, rel: str, entry: ManifestEntry) -> None:
        """Stage the published file rel itself; free when the spare already holds it."""
        spare = self.spare.get(rel)
        if spare is not None and spare.inode == entry.inode and spare.inode != UNVERIFIED:
            del self.spare[rel]
        else:
            os.link(self._out_prefix + rel, self._target(rel))
        self.stats.unchanged += 1

    def keep(self, rel: str) -> None:
        """Carry the published file over unchanged (caller checked `can_keep`)."""
        if rel in self.manifest:
            raise OutputError(f"two outputs for {rel}")
        self._link_published(rel, self.previous[rel])
        self.manifest[rel] = self.previous[rel]

    def put(self, rel: str, key: str, data: bytes, sha: str | None = None) -> None:
        """Stage data as rel; `sha`: its sha256 when the caller has it already."""
        if rel in self.manifest:
            raise OutputError(f"two outputs for {rel}")
        sha = sha or hashlib.sha256(data).hexdigest()
        entry = self._current(rel)
        if entry is not None and entry.sha == sha:
            self._link_published(rel, entry)
            self.manifest[rel] = ManifestEntry(key, sha, entry.size, entry.mtime_ns, entry.inode)
            return
        info = _write_new(self._target(rel), data)
        self.manifest[rel] = ManifestEntry(key, sha, info.st_size, info.st_mtime_ns, info.st_ino)
        self.stats.written += 1
        self.stats.written_paths.append(rel)

    def link(self, rel: str, key: str, source: Path, sha: str) -> None:
        """Stage the file `source` (a derived photo kept in the build cache) as rel:
        a hard link, so its bytes are neither read nor copied (a copy where the
        two folders cannot share files). `sha`: the sha256 of its bytes."""
        if rel in self.manifest:
            raise OutputError(f"two outputs for {rel}")
        entry = self._current(rel)
        if entry is not None and entry.sha == sha:
            self._link_published(rel, entry)
            self.manifest[rel] = ManifestEntry(key, sha, entry.size, entry.mtime_ns, entry.inode)
            return
        target = self._target(rel)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        info = os.stat(target)
        self.manifest[rel] = ManifestEntry(key, sha, info.st_size, info.st_mtime_ns, info.st_ino)
        self.stats.written += 1
        self.stats.written_paths.append(rel)

    def copy(self, rel: str, key: str, source: Path) -> None:
        """A static file: linked over when its key (content digest) is unchanged, else copied."""
        if self.can_keep(rel, key):
            self.keep(rel)
            return
        if rel in self.manifest:
            raise OutputError(f"two outputs for {rel}")
        target = self._target(rel)
        shutil.copyfile(source, target)
        info = os.stat(target)
        self.manifest[rel] = ManifestEntry(key, key, info.st_size, info.st_mtime_ns, info.st_ino)
        self.stats.written += 1
        self.stats.written_paths.append(rel)

    def adopt_folder(self, rel_folder: str, key: str) -> int:
        """Register files an external tool (Pagefind) wrote into the staged
        folder `rel_folder` after `clear_folder`; returns how many."""
        count = 0
        base = self.staging / rel_folder
        for path in sorted(base.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(self.staging).as_posix()
            if rel in self.manifest:
                raise OutputError(f"two outputs for {rel}")
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            count += 1
            published = self._current(rel)
            if published is not None and published.sha == sha:
                # Same bytes as the published file (Pagefind's fragments mostly are):
                # keep the published file itself, so deploys see no change.
                os.unlink(path)
                os.link(self.out_dir / rel, path)
                self.manifest[rel] = ManifestEntry(key, sha, published.size, published.mtime_ns, published.inode)
                self.stats.unchanged += 1
                continue
            info = os.stat(path)
            self.manifest[rel] = ManifestEntry(key, sha, info.st_size, info.st_mtime_ns, info.st_ino)
            self.stats.written += 1
            self.stats.written_paths.append(rel)
        return count

    def clear_folder(self, rel_folder: str) -> Path:
        """Make sure the staged `rel_folder` is empty and not linked to the live site,
        so an external tool can write into it; returns its path."""
        self._drop_leftovers()
        self._touch()
        folder = self.staging / rel_folder
        shutil.rmtree(folder, ignore_errors=True)   # unlinking never touches the published files
        return folder

    def _drop_leftovers(self) -> None:
        """Delete what the spare holds that the new site does not, and folders left empty."""
        if not self.spare:
            return
        self._touch()
        folders = set()
        for rel in self.spare:
            try:
                os.unlink(self.staging / rel)
            except FileNotFoundError:
                pass
            folder = rel.rpartition("/")[0]
            while folder:
                folders.add(folder)
                folder = folder.rpartition("/")[0]
        for folder in sorted(folders, key=lambda f: (-f.count("/"), f)):
            try:
                os.rmdir(self.staging / folder)
            except OSError:
                pass    # not empty: it still holds pages of the new site
        self.spare = {}

    def commit(self) -> PublishStats:
        """Swap the staged site in; afterwards the old site is the spare (see `spare_manifest`)."""
        self.stats.removed = self._count_removed()
        self._drop_leftovers()
        self._touch()
        self.published = published_site(self.staging, self.manifest)
        if not self.out_dir.exists():
            os.rename(self.staging, self.out_dir)
            self._has_spare = False
        elif self.atomic_swap and _exchange(self.staging, self.out_dir):
            self._has_spare = bool(self.previous)
        else:
            old = _sibling(self.out_dir, "old")
            os.rename(self.out_dir, old)
            os.rename(self.staging, self.out_dir)
            os.rename(old, self.staging)
            self._has_spare = bool(self.previous)
        if not self._has_spare and self.staging.exists():
            # Without a manifest of the old site we cannot tell what it holds.
            shutil.rmtree(self.staging)
        return self.stats

    def spare_manifest(self, token: str) -> dict[str, ManifestEntry] | None:
        """After `commit`: mark the old site as the next spare and return what it holds
        (None when there is no spare). Entries not checked against the disk this
        build are listed, so they get deleted, but never reused as they are."""
        if not self._has_spare:
            return None
        (self.staging / SPARE_MARKER).write_text(token, encoding="ascii")
        return {rel: entry if rel in self._verified else ManifestEntry(entry.key, entry.sha, entry.size,
                                                                       entry.mtime_ns, UNVERIFIED)
                for rel, entry in self.previous.items()}

    def _count_removed(self) -> int:
        if not self.out_dir.exists():
            return 0
        if self.previous:
            return len(set(self.previous) - set(self.manifest))
        published = set()
        for folder, _, files in os.walk(self.out_dir):
            rel_folder = os.path.relpath(folder, self.out_dir)
            for name in files:
                published.add(name if rel_folder == "." else f"{rel_folder}/{name}".replace(os.sep, "/"))
        return len(published - set(self.manifest))

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _write_new(target: str, data: bytes) -> os.stat_result:
    """Write data to a new file; its stat, from the open file (no second path lookup)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return os.fstat(fd)
    finally:
        os.close(fd)


def _read_marker(folder: Path) -> str:
    try:
        return (folder / SPARE_MARKER).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return ""
