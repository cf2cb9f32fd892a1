"""The only writer of the output folder (`site/`).

A build stages the complete new site in a sibling folder: files whose bytes are
unchanged are hard links to the published ones (no copy, same inode and mtime,
so deploy syncs and live reload see only real changes), the rest are written
fresh. The staged folder then replaces `site/` in one step: on Linux an atomic
exchange of the two folders (renameat2 RENAME_EXCHANGE), so at every instant
`site/` is either the whole previous site or the whole new one, whatever kills
the build. Where the exchange is not available, two renames are used and a
leftover `.old` folder is moved back by the next run.

Stale files (a deleted article, an emptied tag) simply are not staged.
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

from .cache import ManifestEntry

_RENAME_EXCHANGE = 2


@dataclass
class PublishStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    written_paths: list[str] = field(default_factory=list)


class OutputError(Exception):
    pass


def _sibling(out_dir: Path, suffix: str) -> Path:
    return out_dir.parent / f".{out_dir.name}.{suffix}"


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(a))


def recover(out_dir: Path) -> None:
    """Finish what a killed run left: put back a site moved aside, drop a half-staged one."""
    old = _sibling(out_dir, "old")
    if old.exists() and not out_dir.exists():
        os.rename(old, out_dir)
    for leftover in (old, _sibling(out_dir, "staging")):
        if leftover.exists():
            shutil.rmtree(leftover)


def check_output_dir(out_dir: Path, root: Path) -> str:
    """Why this folder must not be replaced by a build, or ""."""
    out_real, root_real = out_dir.resolve(), root.resolve()
    if out_real == root_real or out_real in root_real.parents:
        return f"{out_dir} holds the project itself; choose another output folder"
    if (out_dir / ".git").exists() or (out_dir / "content").is_dir() or (out_dir / "site.yaml").exists():
        return f"{out_dir} looks like a project folder, not a built site; choose another output folder"
    return ""


class Staging:
    """Collects the next site beside the current one; `commit` swaps it in."""

    def __init__(self, out_dir: Path, previous: dict[str, ManifestEntry]):
        self.out_dir = out_dir
        self.previous = previous
        self.staging = _sibling(out_dir, "staging")
        recover(out_dir)
        self.staging.mkdir(parents=True)
        self._made_dirs: set[str] = set()
        self.manifest: dict[str, ManifestEntry] = {}
        self.stats = PublishStats()

    def _target(self, rel: str) -> Path:
        folder = rel.rpartition("/")[0]
        if folder and folder not in self._made_dirs:
            (self.staging / folder).mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(folder)
        return self.staging / rel

    def _current(self, rel: str) -> ManifestEntry | None:
        """The manifest entry for rel, when the published file is still the one we wrote."""
        entry = self.previous.get(rel)
        if entry is None:
            return None
        try:
            info = os.stat(self.out_dir / rel)
        except OSError:
            return None
        if (info.st_size, info.st_mtime_ns, info.st_ino) != (entry.size, entry.mtime_ns, entry.inode):
            return None
        return entry

    def can_keep(self, rel: str, key: str) -> bool:
        entry = self._current(rel)
        return entry is not None and entry.key == key

    def keep(self, rel: str) -> None:
        """Carry the published file over unchanged (caller checked `can_keep`)."""
        if rel in self.manifest:
            raise OutputError(f"two outputs for {rel}")
        os.link(self.out_dir / rel, self._target(rel))
        self.manifest[rel] = self.previous[rel]
        self.stats.unchanged += 1

    def put(self, rel: str, key: str, data: bytes) -> None:
        if rel in self.manifest:
            raise OutputError(f"two outputs for {rel}")
        sha = hashlib.sha256(data).hexdigest()
        entry = self._current(rel)
        target = self._target(rel)
        if entry is not None and entry.sha == sha:
            os.link(self.out_dir / rel, target)
            self.manifest[rel] = ManifestEntry(key, sha, entry.size, entry.mtime_ns, entry.inode)
            self.stats.unchanged += 1
            return
        with open(target, "wb") as handle:
            handle.write(data)
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

    def commit(self) -> PublishStats:
        self.stats.removed = self._count_removed()
        if not self.out_dir.exists():
            os.rename(self.staging, self.out_dir)
        elif _exchange(self.staging, self.out_dir):
            shutil.rmtree(self.staging)
        else:
            old = _sibling(self.out_dir, "old")
            os.rename(self.out_dir, old)
            os.rename(self.staging, self.out_dir)
            shutil.rmtree(old)
        return self.stats

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
