"""One build of a project (and of an output folder) at a time.

Two builds writing one cache and one output folder at once left `site/` with
hundreds of files missing while both exited 0, so every build, `check` and
`serve` rebuild holds an exclusive lock for as long as it reads and writes.
The lock is an OS file lock (`flock`, or `msvcrt.locking` on Windows) on a
small file: the OS releases it when the holder exits, however it exits, so a
killed build never leaves a stale lock behind. The file's text names the
holder (process id, command, start time) for the message the next build shows.

A build acquires the lock before it reads anything, so a build that waited
(or was stopped with SIGSTOP while another ran) reads the sources as they are
after the other build finished, never a stale copy.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import DatelineError

try:
    import fcntl
except ImportError:     # Windows
    fcntl = None
    import msvcrt


class LockBusy(DatelineError):
    """Another build holds the lock and the caller asked not to wait."""


def _try_lock(fd: int) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


def _wait_lock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    while not _try_lock(fd):
        time.sleep(0.2)


def _holder(fd: int) -> str:
    """Who holds the lock, as its holder wrote it (best effort: it may be mid-write)."""
    try:
        text = os.pread(fd, 512, 0) if hasattr(os, "pread") else b""
    except OSError:
        return ""
    return text.decode("utf-8", "replace").strip()


def describe_self(command: str) -> str:
    return f"process {os.getpid()} ({command}, since {time.strftime('%H:%M:%S')})"


@contextmanager
def file_lock(path: Path, *, label: str, wait: bool, command: str,
              on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on `path` (made if missing) for the block.

    `label` names what is locked in messages ("the project /x", "the output folder
    /x/site"). Busy and `wait` false: raises LockBusy naming the holder. Busy and
    `wait`: tells `on_wait` once, then waits."""
    fd, writable = _open_lock_file(path)
    try:
        if not _try_lock(fd):
            holder = _holder(fd) or "another process"
            if not wait:
                raise LockBusy(f"{label} is being built by {holder}; wait for it to finish, "
                               f"or run again without --no-wait to wait")
            if on_wait is not None:
                on_wait(f"waiting for {holder}, which is building {label}")
            _wait_lock(fd)
        if fcntl is not None and writable:
            # Windows locks byte 0 itself, so the holder's name cannot be rewritten there.
            os.ftruncate(fd, 0)
            os.pwrite(fd, (describe_self(command) + "\n").encode("utf-8"), 0)
        yield
    finally:
        os.close(fd)    # closing releases the lock


def _open_lock_file(path: Path) -> tuple[int, bool]:
    """(descriptor, writable). On a read-only or foreign-owned folder an existing
    lock file is opened read-only (a lock needs no write access), so the build
    goes on to say what is really wrong there."""
    flags = getattr(os, "O_CLOEXEC", 0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o644), True
    except OSError as error:
        try:
            return os.open(path, os.O_RDONLY | flags), False
        except OSError:
            raise DatelineError(f"{path}: cannot make the build lock: {error.strerror or error}; "
                                f"check that the folder exists and can be written, or choose another") from None


def lock_name(folder: Path) -> Path:
    """The lock file guarding an output folder: a hidden sibling, like the staging folder."""
    return folder.parent / f".{folder.name}.lock"


def _command() -> str:
    """How the holder was started, for the message another build shows: `build.py serve`."""
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "dateline"
    command = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "build"
    return f"{program} {command}"


def project_lock(cache_dir: Path, *, wait: bool, on_wait: Callable[[str], None] | None = None):
    """The project's lock, in its cache folder: taken first by every build and check."""
    return file_lock(cache_dir / "build.lock", label=f"the project {cache_dir.parent}", wait=wait,
                     command=_command(), on_wait=on_wait)


def output_lock(out_dir: Path, *, wait: bool, on_wait: Callable[[str], None] | None = None):
    """The output folder's lock (two projects may share one --out): always taken
    after the project's, so two builds can never each hold one and wait for the other."""
    return file_lock(lock_name(out_dir), label=f"the output folder {out_dir}", wait=wait,
                     command=_command(), on_wait=on_wait)
